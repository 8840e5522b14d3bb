"""The scope of expressions for one node execution: the data ``$json``, ``$input``, ``$('X')``,
``$node``, ``$execution``, ``$workflow``, ``$vars``, ``$env`` and ``$runIndex`` are built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from n8nwork.run.data import Items, RunView, Source
from n8nwork.workflow.model import Node, Workflow


def is_expression(value: Any) -> bool:
    """True when ``value`` is an n8n expression (a string starting with ``=``)."""
    return isinstance(value, str) and value.startswith("=")


@dataclass
class ExpressionScope:
    """What the expressions of one execution of one node can see.

    ``inputs[0]`` is ``$input``; ``source[i]`` says which node run fed input ``i`` (used for
    item lineage through ``pairedItem``). ``env`` holds only allow-listed variables.
    """

    workflow: Workflow
    node: Node
    run: RunView
    inputs: list[Items] = field(default_factory=list)
    source: list[Source | None] = field(default_factory=list)
    run_index: int = 0
    execution: Mapping[str, Any] = field(default_factory=dict)  # id, mode, resumeUrl, customData
    variables: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    now_ms: float | None = None  # the run's clock (epoch ms) for $now / DateTime.now(); None = real

    @property
    def items(self) -> Items:
        """The items of input 0 (``$input.all()``)."""
        return self.inputs[0] if self.inputs else []
