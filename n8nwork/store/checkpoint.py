"""The two writes a run makes, prepared in the caller and applied in one transaction:

- ``NewExecution``: the execution row and its initial run state (committed before the id is
  given to anyone); with ``runs``, also the node runs it already made and the row's status
  following the state: a run executed whole before it was written (a webhook's inline run)
  is stored finished in one transaction;
- ``Checkpoint``: after a node, its ``NodeRun`` and the run's state (stack, waiting, context;
  not the run data, which is in ``node_runs``), the execution row's status following the state.

``prepare_*`` does the CPU work (checks, JSON, compression) in the calling thread and raises
there for bad input; ``apply_*`` does only SQL, for a whole batch, on a ``Connection``: one
multi-row statement per table, upserts keyed so that re-sending a checkpoint is harmless.
A checkpoint carrying ``lease_epoch`` is fenced: it is refused (``LeaseLostError``) unless the
execution's current lease epoch is that one, checked under a row lock in the same transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from n8nwork.run.data import NodeRun
from n8nwork.run.state import RunState
from n8nwork.store.base import table_of
from n8nwork.store.errors import InvalidInputError, LeaseLostError, NotFoundError
from n8nwork.store.jsonsafe import RawJSON, check_size, check_text, serialize
from n8nwork.store.limits import StoreLimits
from n8nwork.store.payloads import Externalizer, PayloadBlob
from n8nwork.store.tables.executions import (
    FINISHED,
    MODES,
    STATUSES,
    Execution,
    ExecutionData,
    NodeRunRow,
    Payload,
)

EXECUTIONS = table_of(Execution)
EXECUTION_DATA = table_of(ExecutionData)
NODE_RUNS = table_of(NodeRunRow)
PAYLOADS = table_of(Payload)


@dataclass(frozen=True, slots=True)
class NewExecution:
    """What a new execution is: its workflow (and version), how it was started, its state."""

    workflow_id: str
    workflow_version: int | None = None
    mode: str = "manual"
    trigger: str | None = None
    status: str = "new"
    retry_of: int | None = None
    parent_execution_id: int | None = None
    state: RunState | Mapping[str, Any] | None = None
    workflow: Mapping[str, Any] | None = None
    """A snapshot of the workflow document, for runs of a document with no saved version."""
    host: str | None = None
    lease_ttl: timedelta | None = None
    """With ``host``: the execution is created leased to that host (lease epoch 1)."""
    runs: Sequence[tuple[str, int, NodeRun | Mapping[str, Any]]] = ()
    """``(node, run_index, run)`` already made: written with the row, and the row's status,
    last node, error and times then follow ``state`` as a checkpoint's would."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A node finished (``node``/``run_index``/``run``) and/or the run's state changed."""

    execution_id: int
    node: str | None = None
    run_index: int = 0
    run: NodeRun | Mapping[str, Any] | None = None
    state: RunState | Mapping[str, Any] | None = None
    lease_epoch: int | None = None
    more_runs: Sequence[tuple[str, int, NodeRun | Mapping[str, Any]]] = ()
    """Further ``(node, run_index, run)`` written in the same transaction: one step of a run
    can record several node runs (pinned or disabled nodes resolved without executing)."""


@dataclass(slots=True)
class PreparedCreate:
    values: dict[str, Any]
    state: RawJSON
    workflow: RawJSON | None
    blobs: list[PayloadBlob]
    followup: PreparedCheckpoint | None = None
    """Node runs and status written after the insert, in its transaction (``runs``)."""

    def followup_for(self, execution_id: int) -> PreparedCheckpoint | None:
        """The follow-up checkpoint addressed to the new row's id."""
        follow = self.followup
        if follow is None or not (follow.more_rows or follow.status or follow.blobs):
            return None  # nothing left (PostgreSQL wrote the runs with the row)
        follow.execution_id = execution_id
        for row in follow.more_rows:
            row["execution_id"] = execution_id
        return follow


@dataclass(slots=True)
class PreparedCheckpoint:
    execution_id: int
    lease_epoch: int | None
    node_row: dict[str, Any] | None
    state: RawJSON | None
    status: dict[str, Any] | None
    blobs: list[PayloadBlob] = field(default_factory=list)
    more_rows: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------- preparing
def state_json(state: RunState | Mapping[str, Any]) -> dict[str, Any]:
    """The run state as stored: without run data (in ``node_runs``) and execution id (the row's)."""
    if isinstance(state, RunState):
        raw = dataclasses.replace(state, run_data={}).to_json()
    elif isinstance(state, Mapping):
        raw = dict(state)
    else:
        raise InvalidInputError(f"run state: expected RunState or a mapping, got {type(state)}")
    raw.pop("runData", None)
    raw.pop("executionId", None)
    return raw


def _document(value: dict[str, Any], *, what: str, limits: StoreLimits) -> RawJSON:
    text, size = serialize(value, what=what)
    return check_size(text, size, max_bytes=limits.max_document_bytes, what=what)


def _state_document(
    state: RunState | Mapping[str, Any], ext: Externalizer, limits: StoreLimits
) -> tuple[RawJSON, dict[str, Any]]:
    raw = state_json(state)
    text, size = serialize(raw, what="run state")
    if size > limits.inline_payload_bytes:
        raw = ext.run_state(raw)
        text, size = serialize(raw, what="run state")
    return check_size(text, size, max_bytes=limits.max_document_bytes, what="run state"), raw


def _epoch_to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise InvalidInputError(f"waitTill: {value!r} is not a time") from exc


def _status_values(raw: Mapping[str, Any], limits: StoreLimits) -> dict[str, Any]:
    status = raw.get("status") or "new"
    if status not in STATUSES:
        raise InvalidInputError(f"run state: status {status!r} is not one of {STATUSES}")
    error = raw.get("error")
    last = raw.get("lastNodeExecuted")
    if last is not None:
        check_text(last, what="last node", max_length=limits.max_name_length)
    error_raw = None
    if error is not None:
        text, size = serialize(error, what="execution error")
        error_raw = check_size(text, size, max_bytes=limits.max_document_bytes, what="error")
    return {
        "b_status": status,
        "b_last_node": last,
        "b_error": error_raw,
        "b_wait_till": _epoch_to_datetime(raw.get("waitTill")),
        "b_finished": status in FINISHED,
        "b_started": status != "new",
    }


def prepare_create(spec: NewExecution, limits: StoreLimits, now: datetime) -> PreparedCreate:
    """Check and serialize a new execution (raises ``InvalidInputError`` for bad input)."""
    check_text(spec.workflow_id, what="workflow id", max_length=36)
    if spec.mode not in MODES:
        raise InvalidInputError(f"mode: {spec.mode!r} is not one of {', '.join(MODES)}")
    if spec.status not in STATUSES:
        raise InvalidInputError(f"status: {spec.status!r} is not one of {', '.join(STATUSES)}")
    if spec.trigger is not None:
        check_text(spec.trigger, what="trigger", max_length=limits.max_name_length)
    if spec.host is not None:
        check_text(spec.host, what="host")
    ext = Externalizer(limits)
    state: RunState | Mapping[str, Any] = (
        spec.state if spec.state is not None else {"mode": spec.mode, "status": spec.status}
    )
    state_doc, raw_state = _state_document(state, ext, limits)
    followup = None
    if spec.runs:
        followup = PreparedCheckpoint(
            0,
            None,
            None,
            None,
            _status_values(raw_state, limits),
            [],
            [_node_row(0, node, index, run, ext, limits) for node, index, run in spec.runs],
        )
    workflow = None
    if spec.workflow is not None:
        workflow = _document(dict(spec.workflow), what="workflow snapshot", limits=limits)
    leased = spec.host is not None and spec.lease_ttl is not None
    values = {
        "workflow_id": spec.workflow_id,
        "workflow_version": spec.workflow_version,
        "mode": spec.mode,
        "trigger": spec.trigger,
        "status": spec.status,
        "created_at": now,
        "started_at": now if spec.status != "new" else None,
        "stopped_at": None,
        "wait_till": None,
        "retry_of": spec.retry_of,
        "parent_execution_id": spec.parent_execution_id,
        "last_node": None,
        "error": None,
        "host": spec.host,
        "lease_expires_at": now + spec.lease_ttl if leased and spec.lease_ttl else None,
        "lease_epoch": 1 if leased else 0,
    }
    return PreparedCreate(values, state_doc, workflow, list(ext.blobs.values()), followup)


def _node_run_json(run: NodeRun | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(run, NodeRun):
        return run.to_json()
    if isinstance(run, Mapping):
        return dict(run)
    raise InvalidInputError(f"node run: expected NodeRun or a mapping, got {type(run)}")


def _number(value: Any, what: str) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what}: {value!r} is not a number") from exc


def _node_row(
    execution_id: int,
    node: str,
    run_index: int,
    raw_run: NodeRun | Mapping[str, Any],
    ext: Externalizer,
    limits: StoreLimits,
) -> dict[str, Any]:
    check_text(node, what="node name", max_length=limits.max_name_length)
    if not isinstance(run_index, int) or run_index < 0:
        raise InvalidInputError(f"run index: {run_index!r} is not a non-negative integer")
    run = _node_run_json(raw_run)
    what = f"run of node {node!r}"
    text, size = serialize(run, what=what)
    if size > limits.inline_payload_bytes:
        run = ext.node_run(run, node=node)
        text, size = serialize(run, what=what)
    status = run.get("executionStatus") or "success"
    check_text(str(status), what="node run status", max_length=16)
    return {
        "execution_id": execution_id,
        "node": node,
        "run_index": run_index,
        "status": str(status),
        "start_time": _number(run.get("startTime"), "startTime"),
        "execution_time": _number(run.get("executionTime"), "executionTime"),
        "data": check_size(text, size, max_bytes=limits.max_document_bytes, what=what),
    }


def prepare_checkpoint(cp: Checkpoint, limits: StoreLimits) -> PreparedCheckpoint:
    """Check and serialize a checkpoint (raises ``InvalidInputError`` for bad input)."""
    if not isinstance(cp.execution_id, int) or isinstance(cp.execution_id, bool):
        raise InvalidInputError(f"execution id: {cp.execution_id!r} is not an integer")
    ext = Externalizer(limits)
    node_row = None
    if cp.run is not None:
        if cp.node is None:
            raise InvalidInputError("checkpoint: a node run needs its node name")
        node_row = _node_row(cp.execution_id, cp.node, cp.run_index, cp.run, ext, limits)
    more_rows = [
        _node_row(cp.execution_id, node, run_index, run, ext, limits)
        for node, run_index, run in cp.more_runs
    ]
    state = status_values = None
    if cp.state is not None:
        state, raw = _state_document(cp.state, ext, limits)
        status_values = _status_values(raw, limits)
    return PreparedCheckpoint(
        cp.execution_id,
        cp.lease_epoch,
        node_row,
        state,
        status_values,
        list(ext.blobs.values()),
        more_rows,
    )


# ---------------------------------------------------------------------------- applying
def _insert(conn: Connection, table: Table) -> Any:
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def insert_payloads(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store payload blobs; one already stored for the execution is left as it is."""
    if rows:
        stmt = _insert(conn, PAYLOADS).on_conflict_do_nothing(
            index_elements=["execution_id", "digest"]
        )
        conn.execute(stmt, list(rows))


def _blob_rows(execution_id: int, blobs: Sequence[PayloadBlob]) -> list[dict[str, Any]]:
    return [
        {
            "execution_id": execution_id,
            "digest": b.digest,
            "size": b.size,
            "codec": b.codec,
            "data": b.data,
        }
        for b in blobs
    ]


def apply_creates(conn: Connection, items: Sequence[PreparedCreate], now: datetime) -> list[int]:
    """Insert executions and their initial states; the new ids, in order."""
    if conn.dialect.name == "postgresql":
        ids = _pg_creates(conn, items, now)
    else:
        stmt = EXECUTIONS.insert().returning(EXECUTIONS.c.id, sort_by_parameter_order=True)
        ids = [int(r[0]) for r in conn.execute(stmt, [p.values for p in items])]
        conn.execute(
            EXECUTION_DATA.insert(),
            [
                {"execution_id": i, "state": p.state, "workflow": p.workflow, "updated_at": now}
                for i, p in zip(ids, items, strict=True)
            ],
        )
    insert_payloads(
        conn, [r for i, p in zip(ids, items, strict=True) for r in _blob_rows(i, p.blobs)]
    )
    return ids


_CREATE_COLUMNS = (
    ("workflow_id", "text"),
    ("workflow_version", "int"),
    ("mode", "text"),
    ("trigger", "text"),
    ("status", "text"),
    ("created_at", "timestamptz"),
    ("started_at", "timestamptz"),
    ("stopped_at", "timestamptz"),
    ("wait_till", "timestamptz"),
    ("last_node", "text"),
    ("retry_of", "bigint"),
    ("parent_execution_id", "bigint"),
    ("host", "text"),
    ("lease_expires_at", "timestamptz"),
    ("lease_epoch", "bigint"),
)
# One statement for a whole batch of creates. The rows travel as one JSON document (the
# documents spliced in as they were serialized, never escaped twice), unpacked by
# ``json_to_recordset``: ids drawn from the sequence in the order of the batch (``o``), the
# executions, their states and — for runs written finished — their node runs, as
# data-modifying CTEs (one round trip; foreign keys are checked at its end).
_PG_TYPES = {"text": "text", "int": "int", "bigint": "bigint", "timestamptz": "timestamptz"}
_PG_CREATE = (
    "WITH v AS MATERIALIZED (SELECT * FROM json_to_recordset(%(rows)s::json) AS v(o int, "
    "{typed}, error json, s json, w json)), "
    "ids AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('executions', 'id')) AS id, o "
    "FROM v ORDER BY o), "
    "e AS (INSERT INTO executions (id, {names}, error) SELECT ids.id, {values}, v.error "
    "FROM v JOIN ids USING (o)), "
    "d AS (INSERT INTO execution_data (execution_id, state, workflow, updated_at) "
    "SELECT ids.id, v.s, v.w, %(now)s FROM v JOIN ids USING (o)), "
    "r AS (INSERT INTO node_runs (execution_id, node, run_index, status, start_time, "
    "execution_time, data) SELECT ids.id, r.n, r.i, r.s, r.t, r.x, r.d "
    "FROM json_to_recordset(%(runs)s::json) AS r(k int, o int, n text, i int, s text, "
    "t float8, x float8, d json) JOIN ids USING (o) ORDER BY r.k) "
    "SELECT id FROM ids ORDER BY o"
).format(
    typed=", ".join(f"{n} {_PG_TYPES[t]}" for n, t in _CREATE_COLUMNS),
    names=", ".join(n for n, _ in _CREATE_COLUMNS),
    values=", ".join(f"v.{n}" for n, _ in _CREATE_COLUMNS),
)


def _json_scalar(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _splice(head: dict[str, Any], raw: dict[str, str | None]) -> str:
    """``head`` as JSON with the already serialized documents of ``raw`` spliced in."""
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    tail = "".join(f',"{k}":{"null" if v is None else v}' for k, v in raw.items())
    return text[:-1] + tail + "}"


def _finished_values(p: PreparedCreate, now: datetime) -> dict[str, Any]:
    """The row's values, with the status columns of a run written finished (``runs``)."""
    values = {**p.values, "error": None}
    follow = p.followup.status if p.followup is not None else None
    if follow is not None:
        values.update(
            status=follow["b_status"],
            last_node=follow["b_last_node"],
            error=None if follow["b_error"] is None else str(follow["b_error"]),
            wait_till=follow["b_wait_till"],
            started_at=values["started_at"] or (now if follow["b_started"] else None),
            stopped_at=now if follow["b_finished"] else None,
        )
    return values


def _pg_creates(conn: Connection, items: Sequence[PreparedCreate], now: datetime) -> list[int]:
    """The whole batch in one statement (``_PG_CREATE``); node runs of runs written finished
    go in with it, so their follow-ups carry nothing left to write but payload blobs."""
    driver = conn.connection.driver_connection
    assert driver is not None
    rows: list[str] = []
    runs: list[str] = []
    for o, p in enumerate(items, start=1):
        values = _finished_values(p, now)
        head = {"o": o, **{n: _json_scalar(values[n]) for n, _ in _CREATE_COLUMNS}}
        raw = {"error": values["error"], "s": str(p.state), "w": p.workflow}
        rows.append(_splice(head, raw))
        if p.followup is not None:
            for row in p.followup.more_rows:
                run_head = {"k": len(runs), "o": o, "n": row["node"], "i": row["run_index"],
                            "s": row["status"], "t": row["start_time"],
                            "x": row["execution_time"]}  # fmt: skip
                runs.append(_splice(run_head, {"d": str(row["data"])}))
    params = {"rows": f"[{','.join(rows)}]", "runs": f"[{','.join(runs)}]", "now": now}
    with driver.cursor() as cursor:
        cursor.execute(_PG_CREATE, params)
        ids = [int(r[0]) for r in cursor.fetchall()]
    for p in items:  # written above: only the payload blobs remain for the follow-up
        if p.followup is not None:
            p.followup.more_rows = []
            p.followup.status = None
    return ids


_UPDATE_STATE = (
    update(EXECUTION_DATA)
    .where(EXECUTION_DATA.c.execution_id == bindparam("b_id"))
    .values(state=bindparam("b_state"), updated_at=bindparam("b_now"))
)
_UPDATE_STATUS = (
    update(EXECUTIONS)
    .where(EXECUTIONS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        last_node=func.coalesce(bindparam("b_last_node"), EXECUTIONS.c.last_node),
        error=bindparam("b_error"),
        wait_till=bindparam("b_wait_till"),
        started_at=func.coalesce(EXECUTIONS.c.started_at, bindparam("b_started_at")),
        stopped_at=bindparam("b_stopped_at"),
    )
)


def _fence(conn: Connection, items: Sequence[PreparedCheckpoint]) -> list[BaseException | None]:
    results: list[BaseException | None] = [None] * len(items)
    fenced = sorted({p.execution_id for p in items if p.lease_epoch is not None})
    if not fenced:
        return results
    query = select(EXECUTIONS.c.id, EXECUTIONS.c.lease_epoch).where(EXECUTIONS.c.id.in_(fenced))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    epochs = {int(i): int(e) for i, e in conn.execute(query)}
    for n, p in enumerate(items):
        if p.lease_epoch is None:
            continue
        current = epochs.get(p.execution_id)
        if current is None:
            results[n] = NotFoundError(f"execution {p.execution_id} not found")
        elif current != p.lease_epoch:
            results[n] = LeaseLostError(
                f"execution {p.execution_id}: lease epoch {p.lease_epoch} is stale "
                f"(current {current}); another host owns this run"
            )
    return results


def apply_checkpoints(
    conn: Connection, items: Sequence[PreparedCheckpoint], now: datetime
) -> list[BaseException | None]:
    """Write a batch of checkpoints; per item ``None`` (written) or the error refusing it."""
    results = _fence(conn, items)
    live = [p for p, r in zip(items, results, strict=True) if r is None]
    blobs: dict[tuple[int, str], dict[str, Any]] = {}
    node_rows: dict[tuple[int, str, int], dict[str, Any]] = {}
    states: dict[int, dict[str, Any]] = {}
    statuses: dict[int, dict[str, Any]] = {}
    for p in live:
        for row in _blob_rows(p.execution_id, p.blobs):
            blobs[(p.execution_id, row["digest"])] = row
        for r in ([p.node_row] if p.node_row is not None else []) + p.more_rows:
            node_rows[(r["execution_id"], r["node"], r["run_index"])] = r
        if p.state is not None:
            states[p.execution_id] = {"b_id": p.execution_id, "b_state": p.state, "b_now": now}
        if p.status is not None:
            s = p.status
            statuses[p.execution_id] = {
                "b_id": p.execution_id,
                "b_status": s["b_status"],
                "b_last_node": s["b_last_node"],
                "b_error": s["b_error"],
                "b_wait_till": s["b_wait_till"],
                "b_started_at": now if s["b_started"] else None,
                "b_stopped_at": now if s["b_finished"] else None,
            }
    insert_payloads(conn, list(blobs.values()))
    if conn.dialect.name == "postgresql":
        _pg_write(conn, list(node_rows.values()), list(states.values()), list(statuses.values()))
        return results
    if node_rows:
        stmt = _insert(conn, NODE_RUNS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["execution_id", "node", "run_index"],
            set_={c: stmt.excluded[c] for c in ("status", "start_time", "execution_time", "data")},
        )
        conn.execute(stmt, list(node_rows.values()))
    if states:
        conn.execute(_UPDATE_STATE, list(states.values()))
    if statuses:
        conn.execute(_UPDATE_STATUS, list(statuses.values()))
    return results


# On PostgreSQL a batch is three statements whatever its size. Each takes whole columns as
# arrays in binary format and unnests them: no statement per row, and no escaping of the
# documents (already serialized) on either side. ``text::json`` keeps them as written.
_PG_NODE_RUNS = (
    "INSERT INTO node_runs (execution_id, node, run_index, status, start_time, execution_time, "
    "data) SELECT e, n, i, s, t, x, d::json FROM unnest(%(e)b::bigint[], %(n)b::text[], "
    "%(i)b::int[], %(s)b::text[], %(t)b::float8[], %(x)b::float8[], %(d)b::text[]) "
    "AS v(e, n, i, s, t, x, d) "
    "ON CONFLICT (execution_id, node, run_index) DO UPDATE SET status = excluded.status, "
    "start_time = excluded.start_time, execution_time = excluded.execution_time, "
    "data = excluded.data"
)
_PG_STATES = (
    "UPDATE execution_data AS d SET state = v.s::json, updated_at = %(now)b "
    "FROM unnest(%(id)b::bigint[], %(s)b::text[]) AS v(id, s) WHERE d.execution_id = v.id"
)
_PG_STATUSES = (
    "UPDATE executions AS e SET status = v.status, "
    "last_node = coalesce(v.last_node, e.last_node), error = v.error::json, "
    "wait_till = v.wait_till, started_at = coalesce(e.started_at, v.started_at), "
    "stopped_at = v.stopped_at "
    "FROM unnest(%(id)b::bigint[], %(status)b::text[], %(last_node)b::text[], "
    "%(error)b::text[], %(wait_till)b::timestamptz[], %(started_at)b::timestamptz[], "
    "%(stopped_at)b::timestamptz[]) "
    "AS v(id, status, last_node, error, wait_till, started_at, stopped_at) WHERE e.id = v.id"
)


def _pg_write(
    conn: Connection,
    node_rows: list[dict[str, Any]],
    states: list[dict[str, Any]],
    statuses: list[dict[str, Any]],
) -> None:
    def column(rows: list[dict[str, Any]], key: str, as_text: bool = False) -> list[Any]:
        if as_text:
            return [None if r[key] is None else str(r[key]) for r in rows]
        return [r[key] for r in rows]

    driver = conn.connection.driver_connection  # psycopg, inside SQLAlchemy's transaction
    assert driver is not None
    with driver.cursor() as cursor:
        if node_rows:
            cursor.execute(
                _PG_NODE_RUNS,
                {
                    "e": column(node_rows, "execution_id"),
                    "n": column(node_rows, "node"),
                    "i": column(node_rows, "run_index"),
                    "s": column(node_rows, "status"),
                    "t": column(node_rows, "start_time"),
                    "x": column(node_rows, "execution_time"),
                    "d": column(node_rows, "data", as_text=True),
                },
            )
        if states:
            cursor.execute(
                _PG_STATES,
                {
                    "id": column(states, "b_id"),
                    "s": column(states, "b_state", as_text=True),
                    "now": states[0]["b_now"],
                },
            )
        if statuses:
            cursor.execute(
                _PG_STATUSES,
                {
                    "id": column(statuses, "b_id"),
                    "status": column(statuses, "b_status"),
                    "last_node": column(statuses, "b_last_node"),
                    "error": column(statuses, "b_error", as_text=True),
                    "wait_till": column(statuses, "b_wait_till"),
                    "started_at": column(statuses, "b_started_at"),
                    "stopped_at": column(statuses, "b_stopped_at"),
                },
            )
