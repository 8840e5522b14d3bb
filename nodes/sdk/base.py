"""The base class of node types.

A node type is a class: its type name (``n8n-nodes-base.set`` or ``mypkg.myNode``), the
typeVersions it honours, a parameter schema, where it runs (``inline`` in the run host, or as a
``task`` on a worker) and ``execute(ctx)`` which returns one list of items per output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from n8nwork.run.data import Items
from n8nwork.workflow.model import Node
from nodes.sdk.params import Param, validate_params

if TYPE_CHECKING:
    from nodes.sdk.context import ExecutionContext


@dataclass(frozen=True)
class Resources:
    """What a task node asks of the worker it runs on (Ray resources, timeout, retries)."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0
    memory: int | None = None  # bytes
    timeout_s: float | None = None


@dataclass
class WaitFor:
    """Returned by a node that puts the run to sleep: until a time, or until it is resumed.

    ``outputs`` is what the node emits when the wait ends (the resume data replaces it for
    webhook and form resumes).
    """

    until: float | None = None  # epoch seconds; None = only an outside resume ends the wait
    resume: str | None = None  # None (time only) | "webhook" | "form"
    outputs: list[Items] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunWorkflows:
    """Returned by a node that runs other workflows (executeWorkflow): the runtime creates
    one execution per entry of ``calls`` (see ``n8nwork.run.subworkflow``), and either waits
    for them (``wait``; the node's output is then made of their results, by ``mode``
    ``once``/``each``) or lets the run go on at once with ``passthrough`` as the output."""

    calls: list[dict[str, Any]]
    mode: str = "once"
    wait: bool = True
    passthrough: list[Items] = field(default_factory=list)


NodeResult = list[Items] | WaitFor | RunWorkflows


class NodeType:
    """Base class of all node types. Subclasses set the class variables and ``execute``."""

    type_name: ClassVar[str] = ""
    versions: ClassVar[tuple[float, ...]] = (1,)
    display_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    placement: ClassVar[str] = "inline"  # "inline" | "task"
    resources: ClassVar[Resources] = Resources()
    is_trigger: ClassVar[bool] = False
    loop_capable: ClassVar[bool] = False  # may close a cycle in the graph (If, Switch, loops)
    inputs: ClassVar[int] = 1
    outputs: ClassVar[int] = 1

    def input_count(self, node: Node) -> int:
        """Main inputs of this node (override when it depends on parameters)."""
        return 0 if self.is_trigger else self.inputs

    def output_count(self, node: Node) -> int:
        """Main outputs of this node, not counting the error output."""
        return self.outputs

    def required_inputs(self, node: Node) -> int | list[int] | None:
        """n8n's ``requiredInputs`` (v1 order): how many inputs, or which, must have data
        before a multi-input node may run once nothing else can; None = any one input."""
        return None

    def validate(self, node: Node) -> list[str]:
        """Problems of the node's parameters against the schema; override to add checks."""
        return validate_params(self.params, node.parameters, float(node.type_version))

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        """Run the node over all its input items; return one list of items per output."""
        raise NotImplementedError

    @classmethod
    def describe_json(cls) -> dict[str, Any]:
        """A JSON description of the type (for API clients and editors)."""
        return {
            "name": cls.type_name,
            "displayName": cls.display_name or cls.type_name.rsplit(".", 1)[-1],
            "description": cls.description,
            "version": list(cls.versions),
            "placement": cls.placement,
            "trigger": cls.is_trigger,
            "properties": [p.to_json() for p in cls.params],
        }
