"""The private state of one run (n8n's ``IRunExecutionData``), serializable to JSON and back.

- ``stack``: node executions ready to run, each ``{"node", "data": [input items|None...],
  "source": [source|None...] | None, "runIndex"?, "resumed"?}`` (n8n's nodeExecutionStack).
- ``waiting``: multi-input nodes that have data on some inputs only (n8n's waitingExecution),
  ``{node: {run slot: {"main": [...], "source": [...]}}}``.
- ``run_data``: every finished run of every node (``NodeRun``).
- ``context``: each node's persistent context (splitInBatches keeps its position there).
- ``current``: the node execution in flight (at most one), with its attempt number; while
  the run waits for sub-workflows, ``current["call"]`` holds what it waits for.
- ``depth``: how many parent executions this one has (0: not a sub-workflow); ``parent``:
  ``{"executionId", "workflowId", "wait"}`` of the execution that started this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from n8nwork.run.data import NodeRun

TERMINAL = ("success", "error", "canceled", "crashed")


@dataclass
class RunState:
    """Everything a run knows about itself. Owned by exactly one actor at a time."""

    execution_id: str
    mode: str = "manual"
    status: str = "new"  # new | running | waiting | success | error | canceled
    stack: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    run_data: dict[str, list[NodeRun]] = field(default_factory=dict)
    context: dict[str, dict[str, Any]] = field(default_factory=dict)
    pin_data: dict[str, Any] | None = None
    last_node_executed: str | None = None
    error: dict[str, Any] | None = None
    last_try: str = ""
    current: dict[str, Any] | None = None
    wait_till: float | None = None
    custom_data: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    parent: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    # ------------------------------------------------------------- RunView protocol
    def node_runs(self, name: str) -> list[NodeRun]:
        return self.run_data.get(name, [])

    def node_context(self, name: str) -> dict[str, Any]:
        return self.context.setdefault(name, {})

    # ------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        return {
            "executionId": self.execution_id,
            "mode": self.mode,
            "status": self.status,
            "stack": self.stack,
            "waiting": self.waiting,
            "runData": {k: [r.to_json() for r in v] for k, v in self.run_data.items()},
            "context": self.context,
            "pinData": self.pin_data,
            "lastNodeExecuted": self.last_node_executed,
            "error": self.error,
            "lastTry": self.last_try,
            "current": self.current,
            "waitTill": self.wait_till,
            "customData": self.custom_data,
            "depth": self.depth,
            "parentExecution": self.parent,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunState:
        return cls(
            execution_id=raw["executionId"],
            mode=raw.get("mode", "manual"),
            status=raw.get("status", "new"),
            stack=list(raw.get("stack") or []),
            waiting=dict(raw.get("waiting") or {}),
            run_data={
                k: [NodeRun.from_json(r) for r in v] for k, v in (raw.get("runData") or {}).items()
            },
            context=dict(raw.get("context") or {}),
            pin_data=raw.get("pinData"),
            last_node_executed=raw.get("lastNodeExecuted"),
            error=raw.get("error"),
            last_try=raw.get("lastTry", ""),
            current=raw.get("current"),
            wait_till=raw.get("waitTill"),
            custom_data=dict(raw.get("customData") or {}),
            depth=int(raw.get("depth") or 0),
            parent=raw.get("parentExecution"),
        )
