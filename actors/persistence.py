"""The runtime's reads and writes of the store, in bulk, outside the checkpoint hot path.

Checkpoints after each node go through the group-commit ``ExecutionWriter``. Everything else
the runtime writes is here, each function one short transaction over many executions:

- ``activate``: claim leases (new fencing epochs) and load what a host needs to continue
  each run (its state, its workflow document unless the host has it);
- ``passivate``: a waiting run's checkpoint, its wait row and the release of its lease, in
  one transaction, so a run is never "waiting" without a wait row or the other way round;
- ``renew`` leases, list ``unfinished`` runs and due waits for recovery, ``finish_refused``;
- the client's ``ensure_adhoc_workflow`` and ``load_version`` and result reads.

All functions are blocking (SQLAlchemy); actors run them on ``DbThread``, one thread per
process, so that a slow database never blocks an event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from sqlmodel import col, select

from actors.programs import WorkflowRef, document_digest
from n8nwork.run.state import RunState
from n8nwork.store import Checkpoint, Store
from n8nwork.store.checkpoint import apply_checkpoints, prepare_checkpoint
from n8nwork.store.errors import ConflictError
from n8nwork.store.repo.executions import get_execution, load_run_state, set_execution_status
from n8nwork.store.repo.leases import (
    UnfinishedExecution,
    claim_executions,
    list_unfinished,
    release_leases,
    renew_leases,
)
from n8nwork.store.repo.waits import create_wait, due_waits, resolve_wait
from n8nwork.store.repo.workflows import create_workflow, get_workflow_version
from n8nwork.store.tables.executions import FINISHED, Execution, ExecutionData
from n8nwork.store.tables.identity import Project
from n8nwork.store.tables.workflows import WorkflowRow
from n8nwork.store.types import utcnow

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

ADHOC_PROJECT = "n8nwork-adhoc"
"""The project of workflows run from a notebook without being saved (one per document)."""


class DbThread:
    """One thread per process for blocking store calls, awaited from the event loop."""

    def __init__(self, name: str = "n8nwork-db") -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=name)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        future = self._pool.submit(fn, *args, **kwargs)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def to_datetime(epoch_s: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch_s, UTC) if epoch_s is not None else None


# ------------------------------------------------------------------------------ hosts
@dataclass
class Activation:
    """A run claimed by a host: its fencing epoch, and (when loaded) its state and workflow."""

    execution_id: int
    epoch: int
    ref: WorkflowRef
    state: RunState | None = None
    document: dict[str, Any] | None = None


def _ref_of(row: Execution, snapshot: dict[str, Any] | None) -> WorkflowRef:
    """A snapshot stored with the execution wins over the version it names."""
    if snapshot is not None:
        _, digest = document_digest(snapshot)
        return WorkflowRef(row.workflow_id, None, digest)
    return WorkflowRef(row.workflow_id, row.workflow_version, "")


def activate(
    store: Store,
    *,
    execution_ids: Sequence[int],
    host: str,
    ttl_s: float,
    load: bool,
    known_keys: Iterable[str] = (),
    take_over_from: Sequence[str] = (),
) -> dict[int, Activation]:
    """Claim ``execution_ids`` for ``host``; with ``load``, read each claimed run's state and
    (unless its key is in ``known_keys``) its workflow document. Unclaimed ids (finished, or
    held by a live host) are left out of the result."""
    known = set(known_keys)
    out: dict[int, Activation] = {}
    with store.sessions() as session, session.begin():
        epochs = claim_executions(
            session=session,
            execution_ids=execution_ids,
            host=host,
            ttl=timedelta(seconds=ttl_s),
            take_over_from=take_over_from,
        )
        if not epochs:
            return out
        if not load:
            return {i: Activation(i, e, WorkflowRef("", None, "")) for i, e in epochs.items()}
        rows = session.exec(select(Execution).where(col(Execution.id).in_(list(epochs))))
        for row in rows:
            assert row.id is not None
            data = session.get(ExecutionData, row.id)
            snapshot = data.workflow if data is not None else None
            ref = _ref_of(row, snapshot)
            state = load_run_state(session=session, execution_id=row.id)
            document: dict[str, Any] | None = None
            if ref.key not in known:
                if snapshot is not None:
                    document = snapshot
                elif ref.version is not None:
                    document = get_workflow_version(
                        session=session, workflow_id=ref.workflow_id, version=ref.version
                    ).document
                else:  # an execution of no version and no snapshot: run the latest version
                    version = get_workflow_version(session=session, workflow_id=ref.workflow_id)
                    ref = WorkflowRef(ref.workflow_id, version.version, "")
                    document = version.document
                known.add(ref.key)
            out[row.id] = Activation(row.id, epochs[row.id], ref, state, document)
    return out


def renew(store: Store, *, execution_ids: Sequence[int], host: str, ttl_s: float) -> int:
    with store.sessions() as session, session.begin():
        return renew_leases(
            session=session, execution_ids=execution_ids, host=host, ttl=timedelta(seconds=ttl_s)
        )


@dataclass(frozen=True)
class Passivation:
    """A run that waits: its last checkpoint and what wakes it."""

    checkpoint: Checkpoint
    node: str
    kind: str  # time | webhook | form
    resume_at: float | None  # epoch seconds


def passivate(
    store: Store, *, items: Sequence[Passivation], host: str
) -> list[BaseException | None]:
    """Write each waiting run's checkpoint and wait row and release its lease, in one
    transaction; per item ``None`` or the error that refused it (e.g. ``LeaseLostError``)."""
    prepared = [prepare_checkpoint(p.checkpoint, store.limits) for p in items]
    with store.sessions() as session, session.begin():
        errors = apply_checkpoints(session.connection(), prepared, utcnow())
        done = []
        for item, error in zip(items, errors, strict=True):
            if error is not None:
                continue
            create_wait(
                session=session,
                execution_id=item.checkpoint.execution_id,
                node=item.node,
                kind=item.kind,
                resume_at=to_datetime(item.resume_at),
            )
            done.append(item.checkpoint.execution_id)
        release_leases(session=session, execution_ids=done, host=host)
    return errors


# ------------------------------------------------------------------------------ directory
def unfinished(store: Store, *, after_id: int, limit: int) -> list[UnfinishedExecution]:
    with store.sessions() as session:
        return list_unfinished(session=session, after_id=after_id, limit=limit)


def expired_leases(store: Store, *, limit: int) -> list[tuple[int, str | None]]:
    """Running executions whose lease expired: ``(id, last host)``."""
    now = utcnow()
    with store.sessions() as session:
        query = (
            select(Execution.id, Execution.host)
            .where(col(Execution.status).in_(("new", "running")))
            .where(col(Execution.lease_expires_at).is_not(None))
            .where(col(Execution.lease_expires_at) <= now)
            .order_by(col(Execution.id))
            .limit(limit)
        )
        return [(int(i), h) for i, h in session.execute(query)]


def due(store: Store, *, before_s: float, limit: int) -> list[tuple[int, float]]:
    """Timed waits due before ``before_s`` (epoch seconds): ``(execution id, resume_at)``."""
    with store.sessions() as session:
        rows = due_waits(session=session, now=to_datetime(before_s), limit=limit)
        return [(r.execution_id, r.resume_at.timestamp()) for r in rows if r.resume_at is not None]


def take_wait(store: Store, *, execution_id: int) -> bool:
    """Delete the execution's wait row; ``True`` for exactly one caller (the resumer)."""
    with store.sessions() as session, session.begin():
        return resolve_wait(session=session, execution_id=execution_id)


def workflow_of(store: Store, *, execution_ids: Sequence[int]) -> dict[int, str]:
    with store.sessions() as session:
        query = select(Execution.id, Execution.workflow_id).where(
            col(Execution.id).in_(list(execution_ids))
        )
        return {int(i): w for i, w in session.execute(query)}


def cancel_unstarted(
    store: Store, *, execution_ids: Sequence[int], error: dict[str, Any]
) -> list[int]:
    """Mark executions that never ran (queued, refused) canceled with ``error``; returns the
    ids changed (those not finished already)."""
    changed = []
    with store.sessions() as session, session.begin():
        for execution_id in execution_ids:
            row = session.get(Execution, execution_id)
            if row is None or row.status in FINISHED:
                continue
            set_execution_status(
                session=session, execution_id=execution_id, status="canceled", error=error
            )
            changed.append(execution_id)
    return changed


# ------------------------------------------------------------------------------ client
def ensure_adhoc_workflow(store: Store, *, document: dict[str, Any], digest: str) -> str:
    """The id of the hidden workflow holding ``document`` as version 1 (created on first use,
    in the ``n8nwork-adhoc`` project): notebook runs of unsaved documents refer to it."""
    workflow_id = f"adhoc-{digest[:29]}"
    with store.sessions() as session, session.begin():
        if session.get(WorkflowRow, workflow_id) is not None:
            return workflow_id
        if session.get(Project, ADHOC_PROJECT) is None:
            session.add(Project(id=ADHOC_PROJECT, name="Ad-hoc runs", type="team"))
            session.flush()
        try:
            with session.begin_nested():
                create_workflow(
                    session=session,
                    project_id=ADHOC_PROJECT,
                    document=document,
                    workflow_id=workflow_id,
                    limits=store.limits,
                )
        except ConflictError:  # created concurrently by another client
            pass
    return workflow_id


def load_version(
    store: Store, *, workflow_id: str, version: int | None
) -> tuple[int, dict[str, Any]]:
    with store.sessions() as session:
        row = get_workflow_version(session=session, workflow_id=workflow_id, version=version)
        return row.version, row.document


def finished_statuses(store: Store, *, execution_ids: Sequence[int]) -> dict[int, str]:
    """``{id: status}`` of those of ``execution_ids`` that finished."""
    out: dict[int, str] = {}
    with store.sessions() as session:
        for start in range(0, len(execution_ids), 1000):
            chunk = list(execution_ids[start : start + 1000])
            query = select(Execution.id, Execution.status).where(
                col(Execution.id).in_(chunk), col(Execution.status).in_(FINISHED)
            )
            out.update({int(i): s for i, s in session.execute(query)})
    return out


def status_of(store: Store, *, execution_id: int) -> str:
    with store.sessions() as session:
        return get_execution(session=session, execution_id=execution_id).status


def held_by(store: Store, *, host: str) -> list[int]:
    """Unfinished, not waiting executions leased to ``host``."""
    with store.sessions() as session:
        query = select(Execution.id).where(
            col(Execution.host) == host, col(Execution.status).in_(("new", "running"))
        )
        return [int(i) for i in session.scalars(query)]
