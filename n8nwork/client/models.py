"""What the API answers, as values: workflows, executions (with per-node results), users,
credentials, API keys, and live events.

Answers are parsed leniently (``extra="ignore"``): a newer server may add fields without
breaking an older client. Values are frozen; ``raw`` keeps nothing the server did not send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    import pandas

DOCUMENT_FIELDS = ("name", "nodes", "connections", "settings", "staticData", "pinData", "meta")


class ApiValue(BaseModel):
    """An answer of the API: camelCase on the wire, snake_case here, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


# ---------------------------------------------------------------- workflows
class WorkflowSummary(ApiValue):
    id: str
    name: str
    project_id: str
    version: int
    active: bool
    active_version: int | None = None
    created_at: datetime
    updated_at: datetime


class Workflow(WorkflowSummary):
    """A stored workflow with its latest version's document."""

    nodes: list[dict[str, Any]] = []
    connections: dict[str, Any] = {}
    settings: dict[str, Any] | None = None
    static_data: dict[str, Any] | None = None
    pin_data: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None

    def to_n8n(self) -> dict[str, Any]:
        """n8n's workflow JSON (the document only: accepted by create, update and import)."""
        doc: dict[str, Any] = {
            "name": self.name,
            "nodes": self.nodes,
            "connections": self.connections,
        }
        for key, value in (
            ("settings", self.settings),
            ("staticData", self.static_data),
            ("pinData", self.pin_data),
            ("meta", self.meta),
        ):
            if value is not None:
                doc[key] = value
        return doc

    def _repr_html_(self) -> str:
        from n8nwork.client._html import workflow_html

        return workflow_html(self)


# ---------------------------------------------------------------- executions
class ExecutionSummary(ApiValue):
    id: int
    workflow_id: str
    workflow_version: int | None = None
    mode: str
    status: str
    finished: bool
    created_at: datetime
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    wait_till: datetime | None = None
    retry_of: int | None = None
    parent_execution_id: int | None = None
    last_node: str | None = None
    error: dict[str, Any] | None = None

    @property
    def duration_ms(self) -> float | None:
        if self.started_at is None or self.stopped_at is None:
            return None
        return (self.stopped_at - self.started_at).total_seconds() * 1000.0


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One node of an execution: its last run's status, the items it output (every output,
    every run), its time in milliseconds (every run), and its error message if it failed."""

    name: str
    status: str
    items: int
    duration_ms: float
    error: str | None = None
    runs: int = 1


class Execution(ExecutionSummary):
    """An execution; with ``data`` (fetched with ``include_data=True``), n8n's run data."""

    data: dict[str, Any] | None = None

    @property
    def run_data(self) -> dict[str, list[dict[str, Any]]]:
        """n8n's ``resultData.runData``: node name → its runs (raises without data)."""
        if self.data is None:
            raise ValueError(
                f"execution {self.id} was fetched without its data: "
                "use client.executions.get(id, include_data=True)"
            )
        result = self.data.get("resultData") or {}
        runs = result.get("runData") or {}
        return runs if isinstance(runs, dict) else {}

    @property
    def nodes(self) -> list[NodeResult]:
        """Every node that ran, in the order they first ran (n8n's ``runData`` order)."""
        out = []
        for name, runs in self.run_data.items():
            if not runs:
                continue
            last = runs[-1]
            errors = [r.get("error") for r in runs if r.get("error")]
            out.append(
                NodeResult(
                    name=name,
                    status=str(last.get("executionStatus") or "unknown"),
                    items=sum(_item_count(r) for r in runs),
                    duration_ms=float(sum(r.get("executionTime") or 0 for r in runs)),
                    error=_message(errors[-1]) if errors else None,
                    runs=len(runs),
                )
            )
        return out

    def items(self, node: str | None = None, output: int = 0) -> list[dict[str, Any]]:
        """n8n items (``{"json", "binary"?, "pairedItem"?}``) that ``node`` (default: the
        last node that ran) sent on ``output``, over all its runs."""
        runs = self.run_data
        name = node if node is not None else self._last_node()
        if name is None:
            return []
        if name not in runs:
            known = ", ".join(sorted(runs)) or "none"
            raise KeyError(f"node {name!r} did not run in execution {self.id} (ran: {known})")
        found: list[dict[str, Any]] = []
        for run in runs[name]:
            outputs = ((run.get("data") or {}).get("main")) or []
            if output < len(outputs) and outputs[output]:
                found.extend(i for i in outputs[output] if isinstance(i, dict))
        return found

    def output(self, node: str | None = None, output: int = 0) -> list[dict[str, Any]]:
        """The ``json`` of each item ``node`` (default: the last node that ran) output."""
        return [dict(i.get("json") or {}) for i in self.items(node, output)]

    def to_pandas(self, node: str | None = None, output: int = 0) -> pandas.DataFrame:
        """``output(node)`` as a pandas DataFrame, one row per item (needs the ``pandas``
        extra: ``pip install 'n8nwork[pandas]'``)."""
        from n8nwork.client._frames import to_frame

        return to_frame(self.output(node, output))

    def _last_node(self) -> str | None:
        result = (self.data or {}).get("resultData") or {}
        last = result.get("lastNodeExecuted") or self.last_node
        if last:
            return str(last)
        nodes = self.nodes
        return nodes[-1].name if nodes else None

    def _repr_html_(self) -> str:
        from n8nwork.client._html import execution_html

        return execution_html(self)


def _item_count(run: dict[str, Any]) -> int:
    outputs = (run.get("data") or {}).get("main") or []
    return sum(len(o or []) for o in outputs)


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("description") or "error")
    return str(error)


class RunAccepted(ApiValue):
    execution_id: int
    status: str


# ---------------------------------------------------------------- identity
class User(ApiValue):
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str
    disabled: bool = False
    created_at: datetime
    last_login_at: datetime | None = None


class Credential(ApiValue):
    """A stored credential: never its data (write-only on the server)."""

    id: str
    name: str
    type: str
    project_id: str
    created_at: datetime
    updated_at: datetime


class ApiKey(ApiValue):
    id: str
    name: str
    prefix: str
    scopes: list[str] = []
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKey):
    key: str
    """The key itself: the server shows it in this answer only."""

    def __repr_args__(self) -> Any:  # keep the key out of repr/str, logs and tracebacks
        return [(k, v) for k, v in super().__repr_args__() if k != "key"]


# ---------------------------------------------------------------- live events
@dataclass(frozen=True, slots=True)
class Event:
    """One Server-Sent Event of an execution: ``type`` (``started``, ``nodeStarted``,
    ``nodeFinished``, ``nodeFailed``, ``waiting``, ``resumed``, ``recovered``, ``finished``;
    the server's ``actors/events.py`` documents each), its JSON ``data``, and the stream
    ``id`` to resume after."""

    type: str
    data: dict[str, Any]
    id: str | None = None

    @property
    def terminal(self) -> bool:
        """The last event of a run's stream."""
        return self.type in TERMINAL_EVENTS


TERMINAL_EVENTS = frozenset({"finished"})
