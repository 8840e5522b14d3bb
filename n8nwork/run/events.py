"""Events a run receives and commands it gives, as plain frozen values.

Events (the run's mailbox): ``Start``, ``NodeSucceeded``, ``NodeFailed``, ``NodeWaiting``,
``Resume``, ``Cancel``, and for sub-workflows ``NodeCallsWorkflows`` (a node asks to run other
workflows), ``WorkflowsStarted`` (their executions were created) and ``WorkflowsReturned``
(they all finished). Commands (what the run asks its host to do): ``ExecuteNode``,
``Suspend`` (the run waits for a time or an outside resume), ``StartWorkflows`` (create and
start sub-workflow executions), ``Finish``.
Every value converts to JSON and back (``to_json`` / ``event_from_json``), so events and
commands can be logged, sent between processes and replayed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from n8nwork.run.data import Items

# ----------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Start:
    """Begin the run at ``start_node`` (default: the workflow's start node) with ``items``."""

    start_node: str | None = None
    items: Items | None = None


@dataclass(frozen=True)
class NodeSucceeded:
    """The node run finished; ``outputs`` holds one item list per output (None: no data)."""

    node: str
    run_index: int
    outputs: list[Items] | None
    started_at: float = 0.0  # epoch ms
    execution_time: float = 0.0  # ms
    node_context: dict[str, Any] | None = None
    hints: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NodeFailed:
    """The node run raised; ``error`` is n8n's error object (message, name, description...)."""

    node: str
    run_index: int
    error: dict[str, Any]
    started_at: float = 0.0
    execution_time: float = 0.0
    node_context: dict[str, Any] | None = None


@dataclass(frozen=True)
class NodeWaiting:
    """The node put the run to sleep until ``until`` (epoch s) or an outside resume."""

    node: str
    run_index: int
    until: float | None
    resume: str | None
    outputs: list[Items]
    started_at: float = 0.0
    execution_time: float = 0.0


@dataclass(frozen=True)
class Resume:
    """Wake a waiting run; ``outputs`` replaces the waiting node's output (webhook data)."""

    outputs: list[Items] | None = None


@dataclass(frozen=True)
class Cancel:
    """Stop the run; ``reason`` is ``canceled`` or ``timeout``."""

    reason: str = "canceled"


@dataclass(frozen=True)
class NodeCallsWorkflows:
    """The node (executeWorkflow) asks to run sub-workflows: one entry of ``calls`` per
    execution to create (``n8nwork.run.subworkflow`` describes the entries). ``mode`` is
    ``once`` or ``each``; with ``wait`` the run waits for all of them, else it continues at
    once with ``passthrough`` as the node's output."""

    node: str
    run_index: int
    calls: list[dict[str, Any]]
    mode: str = "once"
    wait: bool = True
    passthrough: list[Items] = field(default_factory=list)
    started_at: float = 0.0
    execution_time: float = 0.0


@dataclass(frozen=True)
class WorkflowsStarted:
    """The sub-workflow executions asked for were created with these ids (in call order)."""

    ids: list[int]


@dataclass(frozen=True)
class WorkflowsReturned:
    """Every sub-workflow execution the run waits for finished; ``results`` in call order,
    each ``{"executionId", "workflowId", "status", "error", "outputs"}``."""

    results: list[dict[str, Any]]
    finished_at: float = 0.0  # epoch ms


Event = (
    Start
    | NodeSucceeded
    | NodeFailed
    | NodeWaiting
    | Resume
    | Cancel
    | NodeCallsWorkflows
    | WorkflowsStarted
    | WorkflowsReturned
)

# ----------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class ExecuteNode:
    """Execute one node run. ``attempt`` counts retries; wait ``delay_ms`` before starting."""

    node: str
    run_index: int
    inputs: list[Items]
    source: list[dict[str, Any] | None]
    attempt: int = 1
    delay_ms: float = 0.0


@dataclass(frozen=True)
class Suspend:
    """The run is waiting: until ``until`` (epoch s), or for an outside resume."""

    until: float | None
    resume: str | None


@dataclass(frozen=True)
class Finish:
    """The run ended with ``status`` (success, error, canceled)."""

    status: str
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class StartWorkflows:
    """Create the sub-workflow executions of ``calls`` (committed with the run's checkpoint
    or passivation) and start them; ``wait``: a ``Suspend`` follows in the same commands."""

    node: str
    run_index: int
    attempt: int
    calls: list[dict[str, Any]]
    wait: bool = True


Command = ExecuteNode | Suspend | StartWorkflows | Finish

_KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Start,
        NodeSucceeded,
        NodeFailed,
        NodeWaiting,
        Resume,
        Cancel,
        NodeCallsWorkflows,
        WorkflowsStarted,
        WorkflowsReturned,
        ExecuteNode,
        Suspend,
        StartWorkflows,
        Finish,
    )
}


def to_json(value: Event | Command) -> dict[str, Any]:
    """``{"kind": "NodeSucceeded", ...fields}``."""
    return {"kind": type(value).__name__, **asdict(value)}


def from_json(raw: dict[str, Any]) -> Event | Command:
    """Inverse of ``to_json``."""
    data = dict(raw)
    kind = _KINDS[data.pop("kind")]
    return kind(**data)
