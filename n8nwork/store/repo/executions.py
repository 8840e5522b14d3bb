"""Executions: create (row and initial state in one transaction), read the run state back
(payload references resolved, node runs streamed), status changes and checkpoints outside
the group-commit writer, and leases with fencing epochs.

``create_execution`` flushes in the caller's transaction: commit it before telling anyone
the id (``ExecutionWriter.create`` does exactly that, batched).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select, update

from n8nwork.run.data import NodeRun
from n8nwork.run.state import RunState
from n8nwork.store.checkpoint import (
    Checkpoint,
    NewExecution,
    apply_checkpoints,
    apply_creates,
    prepare_checkpoint,
    prepare_create,
)
from n8nwork.store.errors import (
    ConflictError,
    InvalidInputError,
    LeaseLostError,
    NotFoundError,
)
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.payloads import decode_blob, resolve_node_run, resolve_run_state
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.executions import (
    FINISHED,
    STATUSES,
    UNFINISHED,
    Execution,
    ExecutionData,
    NodeRunRow,
    Payload,
)
from n8nwork.store.types import utcnow

STREAM_BATCH = 64


def create_execution(
    *,
    session: Session,
    workflow_id: str,
    workflow_version: int | None = None,
    mode: str = "manual",
    trigger: str | None = None,
    status: str = "new",
    retry_of: int | None = None,
    parent_execution_id: int | None = None,
    state: RunState | dict[str, Any] | None = None,
    workflow: dict[str, Any] | None = None,
    host: str | None = None,
    lease_ttl: timedelta | None = None,
    limits: StoreLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> Execution:
    """Insert an execution and its initial state; returns the row (with its new id)."""
    spec = NewExecution(
        workflow_id=workflow_id,
        workflow_version=workflow_version,
        mode=mode,
        trigger=trigger,
        status=status,
        retry_of=retry_of,
        parent_execution_id=parent_execution_id,
        state=state,
        workflow=workflow,
        host=host,
        lease_ttl=lease_ttl,
    )
    now = now or utcnow()
    prepared = prepare_create(spec, limits, now)
    with translated("create execution"):
        (execution_id,) = apply_creates(session.connection(), [prepared], now)
    return get_execution(session=session, execution_id=execution_id)


def write_checkpoints(
    *,
    session: Session,
    checkpoints: Sequence[Checkpoint],
    limits: StoreLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> None:
    """Write checkpoints in the caller's transaction (the writer batches across callers).
    Raises the first refusal (``LeaseLostError``, ``NotFoundError``)."""
    prepared = [prepare_checkpoint(cp, limits) for cp in checkpoints]
    with translated("write checkpoint"):
        results = apply_checkpoints(session.connection(), prepared, now or utcnow())
    for error in results:
        if error is not None:
            raise error
    session.expire_all()


def get_execution(*, session: Session, execution_id: int) -> Execution:
    row = session.get(Execution, execution_id, populate_existing=True)
    if row is None:
        raise NotFoundError(f"execution {execution_id} not found")
    return row


def set_execution_status(
    *,
    session: Session,
    execution_id: int,
    status: str,
    error: dict[str, Any] | None = None,
    wait_till: datetime | None = None,
    now: datetime | None = None,
) -> Execution:
    """Move an execution to ``status`` (timings follow: started, stopped)."""
    if status not in STATUSES:
        raise InvalidInputError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    row = get_execution(session=session, execution_id=execution_id)
    now = now or utcnow()
    row.status = status
    if status != "new" and row.started_at is None:
        row.started_at = now
    row.stopped_at = now if status in FINISHED else None
    row.wait_till = wait_till
    if error is not None:
        row.error = error
    session.add(row)
    with translated("set execution status"):
        session.flush()
    return row


def delete_execution(*, session: Session, execution_id: int) -> bool:
    """Delete a finished execution with its run data (ON DELETE CASCADE). ``False`` if there
    is none; ``ConflictError`` if it is still unfinished (the condition is in the DELETE
    itself, so a run resumed meanwhile is not deleted)."""
    result = session.execute(
        delete(Execution)
        .where(col(Execution.id) == execution_id, col(Execution.status).in_(FINISHED))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if session.get(Execution, execution_id, populate_existing=True) is None:
        return False
    raise ConflictError(f"execution {execution_id} is not finished; cancel it first")


def set_retry_of(*, session: Session, execution_id: int, retry_of: int) -> None:
    """Record that ``execution_id`` retries ``retry_of`` (touches that column only)."""
    session.execute(
        update(Execution)
        .where(col(Execution.id) == execution_id)
        .values(retry_of=retry_of)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------------------- reading
class PayloadReader:
    """Loads payloads of one execution on demand, keeping at most ``keep`` decoded."""

    def __init__(self, session: Session, execution_id: int, keep: int = 8) -> None:
        self.session = session
        self.execution_id = execution_id
        self.keep = keep
        self._cache: dict[str, list[Any]] = {}

    def __call__(self, digest: str) -> list[Any]:
        if digest in self._cache:
            return self._cache[digest]
        row = self.session.get(Payload, (self.execution_id, digest))
        if row is None:
            raise NotFoundError(f"execution {self.execution_id}: payload {digest} missing")
        items: list[Any] = decode_blob(row.codec, row.data)
        self.session.expunge(row)
        if len(self._cache) >= self.keep:
            self._cache.pop(next(iter(self._cache)))
        self._cache[digest] = items
        return items


def iter_node_runs(
    *, session: Session, execution_id: int, resolve: bool = True
) -> Iterator[tuple[str, int, NodeRun]]:
    """Every node run of an execution in the order they were written, streamed from the
    database (a server-side cursor on PostgreSQL), payloads loaded one at a time."""
    load = PayloadReader(session, execution_id)
    query = (
        select(NodeRunRow.node, NodeRunRow.run_index, NodeRunRow.data)
        .where(NodeRunRow.execution_id == execution_id)
        .order_by(col(NodeRunRow.id))
        .execution_options(yield_per=STREAM_BATCH)
    )
    for node, run_index, data in session.exec(query):
        raw = resolve_node_run(data, load) if resolve else data
        yield node, run_index, NodeRun.from_json(raw)


def load_run_state(
    *, session: Session, execution_id: int, with_run_data: bool = True, resolve: bool = True
) -> RunState:
    """The run's state as the runtime left it (payloads resolved unless ``resolve=False``)."""
    data = session.get(ExecutionData, execution_id, populate_existing=True)
    if data is None:
        raise NotFoundError(f"execution {execution_id} not found")
    raw = dict(data.state)
    if resolve:
        raw = resolve_run_state(raw, PayloadReader(session, execution_id))
    raw["executionId"] = str(execution_id)
    state = RunState.from_json(raw)
    if with_run_data:
        for node, _index, run in iter_node_runs(
            session=session, execution_id=execution_id, resolve=resolve
        ):
            state.run_data.setdefault(node, []).append(run)
    return state


# ---------------------------------------------------------------------------- leases
def claim_execution(
    *, session: Session, execution_id: int, host: str, ttl: timedelta, now: datetime | None = None
) -> int:
    """Lease an execution to ``host`` if nobody holds a live lease; returns the new fencing
    epoch (every claim increments it). ``LeaseLostError`` if another host holds it."""
    now = now or utcnow()
    result = session.execute(
        update(Execution)
        .where(col(Execution.id) == execution_id)
        .where(
            (col(Execution.host).is_(None))
            | (col(Execution.host) == host)
            | (col(Execution.lease_expires_at).is_(None))
            | (col(Execution.lease_expires_at) <= now)
        )
        .values(
            host=host,
            lease_expires_at=now + ttl,
            lease_epoch=col(Execution.lease_epoch) + 1,
        )
        .returning(col(Execution.lease_epoch))
    )
    epoch = result.scalar_one_or_none()
    if epoch is None:
        row = get_execution(session=session, execution_id=execution_id)
        raise LeaseLostError(
            f"execution {execution_id} is leased to {row.host!r} until {row.lease_expires_at}"
        )
    session.expire_all()
    return int(epoch)


def renew_lease(
    *,
    session: Session,
    execution_id: int,
    host: str,
    epoch: int,
    ttl: timedelta,
    now: datetime | None = None,
) -> None:
    """Extend a lease held with ``epoch``; ``LeaseLostError`` if it was taken over."""
    now = now or utcnow()
    result = session.execute(
        update(Execution)
        .where(
            col(Execution.id) == execution_id,
            col(Execution.host) == host,
            col(Execution.lease_epoch) == epoch,
        )
        .values(lease_expires_at=now + ttl)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLostError(f"execution {execution_id}: lease epoch {epoch} lost")


def release_lease(*, session: Session, execution_id: int, host: str, epoch: int) -> bool:
    """Give a lease up (the run passivated or finished); ``False`` if it was not ours."""
    result = session.execute(
        update(Execution)
        .where(
            col(Execution.id) == execution_id,
            col(Execution.host) == host,
            col(Execution.lease_epoch) == epoch,
        )
        .values(host=None, lease_expires_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def list_orphaned_executions(
    *, session: Session, now: datetime | None = None, limit: int = 100
) -> list[Execution]:
    """Running executions whose lease expired (their host died): to re-activate elsewhere."""
    now = now or utcnow()
    query = (
        select(Execution)
        .where(col(Execution.status).in_(UNFINISHED))
        .where(col(Execution.status) != "waiting")
        .where(col(Execution.lease_expires_at).is_not(None))
        .where(col(Execution.lease_expires_at) <= now)
        .order_by(col(Execution.id))
        .limit(limit)
    )
    return list(session.exec(query))
