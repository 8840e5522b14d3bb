"""Run data: what a run records about each execution of each node, as plain JSON-able values.

Items are n8n's items, plain dicts: ``{"json": {...}, "binary": {...}, "pairedItem": ...}``.
A ``NodeRun`` is one execution of one node (n8n's ``ITaskData``); a node that ran three times
in a loop has three. ``RunView`` is the read-only window on a run that node contexts and
expressions get: other nodes' outputs, their node context and the lineage of items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Item = dict[str, Any]
Items = list[Item]


@dataclass(slots=True)
class Source:
    """Where one input of a node run came from (n8n's ``ISourceData``)."""

    previous_node: str
    previous_node_output: int = 0
    previous_node_run: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "previousNode": self.previous_node,
            "previousNodeOutput": self.previous_node_output,
            "previousNodeRun": self.previous_node_run,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Source:
        return cls(
            raw["previousNode"],
            int(raw.get("previousNodeOutput", 0) or 0),
            int(raw.get("previousNodeRun", 0) or 0),
        )


@dataclass(slots=True)
class NodeRun:
    """One execution of one node: timing, status, outputs per output index, error, sources."""

    start_time: float  # epoch milliseconds
    execution_time: float = 0.0  # milliseconds
    status: str = "running"  # running | success | error | waiting | canceled
    outputs: list[Items] | None = None
    error: dict[str, Any] | None = None
    source: list[Source | None] = field(default_factory=list)
    attempts: int = 1
    hints: list[str] = field(default_factory=list)

    def output(self, index: int = 0) -> Items:
        if not self.outputs or index >= len(self.outputs):
            return []
        return self.outputs[index] or []

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "startTime": self.start_time,
            "executionTime": self.execution_time,
            "executionStatus": self.status,
            "source": [s.to_json() if s else None for s in self.source],
            "data": {"main": self.outputs} if self.outputs is not None else None,
            "attempts": self.attempts,
        }
        if self.error is not None:
            out["error"] = self.error
        if self.hints:
            out["hints"] = self.hints
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> NodeRun:
        data = raw.get("data")
        return cls(
            start_time=raw.get("startTime", 0),
            execution_time=raw.get("executionTime", 0),
            status=raw.get("executionStatus", "success"),
            outputs=data.get("main") if isinstance(data, Mapping) else None,
            error=raw.get("error"),
            source=[Source.from_json(s) if s else None for s in raw.get("source") or []],
            attempts=raw.get("attempts", 1),
            hints=list(raw.get("hints") or []),
        )


class RunView(Protocol):
    """Read-only access to a run in progress, for node contexts and expressions."""

    def node_runs(self, name: str) -> list[NodeRun]:
        """Every finished run of node ``name`` so far (empty if it has not run)."""
        ...

    def node_context(self, name: str) -> dict[str, Any]:
        """The node's persistent context (n8n's ``getContext('node')``), e.g. splitInBatches'."""
        ...
