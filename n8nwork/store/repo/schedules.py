"""Schedule fire records: one row per (workflow, node, slot). ``record_schedule_fire`` is an
insert that does nothing when the slot is already there, so of two schedulers firing the same
slot exactly one gets ``True``: the durable half of "one scheduler fires each schedule once"
(the cache's lock is the fast half).

``claim_fire`` is what a scheduler calls at each slot: it claims the slot AND creates the
slot's execution in the caller's transaction, so a committed claim always has its run and a
lost race creates nothing. ``undispatched_fires`` finds the runs of fired slots that nobody
started yet (a scheduler that died between commit and dispatch), to dispatch them again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select, update

from n8nwork.store.base import table_of
from n8nwork.store.checkpoint import NewExecution, apply_creates, prepare_create
from n8nwork.store.errors import InvalidInputError
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.executions import Execution
from n8nwork.store.tables.triggers import ScheduleFire
from n8nwork.store.tables.workflows import WorkflowActivation
from n8nwork.store.types import utcnow


def record_schedule_fire(
    *,
    session: Session,
    workflow_id: str,
    node: str,
    fire_at: datetime,
    host: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Claim the slot ``fire_at`` of a schedule node; ``False`` if it was claimed already."""
    check_text(node, what="node name")
    if fire_at.tzinfo is None:
        raise InvalidInputError("fire_at: pass a timezone-aware datetime")
    table = table_of(ScheduleFire)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(
            workflow_id=workflow_id,
            node=node,
            fire_at=fire_at,
            fired_at=now or utcnow(),
            host=host,
        )
        .on_conflict_do_nothing(index_elements=["workflow_id", "node", "fire_at"])
        .returning(table.c.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def attach_fire_execution(
    *, session: Session, workflow_id: str, node: str, fire_at: datetime, execution_id: int
) -> None:
    """Record which execution a fired slot started."""
    session.execute(
        update(ScheduleFire)
        .where(
            col(ScheduleFire.workflow_id) == workflow_id,
            col(ScheduleFire.node) == node,
            col(ScheduleFire.fire_at) == fire_at,
        )
        .values(execution_id=execution_id)
    )


def last_schedule_fire(*, session: Session, workflow_id: str, node: str) -> ScheduleFire | None:
    """The latest slot fired for a schedule node (where a restarted scheduler resumes)."""
    query = (
        select(ScheduleFire)
        .where(ScheduleFire.workflow_id == workflow_id, ScheduleFire.node == node)
        .order_by(col(ScheduleFire.fire_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


def claim_fire(
    *,
    session: Session,
    workflow_id: str,
    node: str,
    fire_at: datetime,
    execution: NewExecution,
    host: str | None = None,
    limits: StoreLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> int | None:
    """Claim the slot and create its execution in the caller's transaction (commit it before
    telling anyone the id). ``None``: the slot was claimed already; nothing was written."""
    if execution.workflow_id != workflow_id:
        raise InvalidInputError("claim_fire: the execution belongs to another workflow")
    now = now or utcnow()
    prepared = prepare_create(execution, limits, now)  # bad input raises before any write
    if not record_schedule_fire(
        session=session, workflow_id=workflow_id, node=node, fire_at=fire_at, host=host, now=now
    ):
        return None
    with translated("claim schedule fire"):
        (execution_id,) = apply_creates(session.connection(), [prepared], now)
    attach_fire_execution(
        session=session,
        workflow_id=workflow_id,
        node=node,
        fire_at=fire_at,
        execution_id=execution_id,
    )
    return execution_id


def claim_fires(
    *,
    session: Session,
    claims: list[tuple[str, int, str, datetime, NewExecution]],
    host: str | None = None,
    limits: StoreLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> list[int | None]:
    """Many ``claim_fire`` in the caller's transaction, each ``(workflow id, active version,
    node, fire_at, execution)``: a slot whose workflow is no longer active at that version
    (deactivated or edited meanwhile) is not claimed (``None``), like one claimed already.
    Callers on several schedulers pass claims in the same order (by slot), so concurrent
    batches never wait on each other in a cycle."""
    workflow_ids = sorted({c[0] for c in claims})
    active = dict(
        session.execute(
            select(WorkflowActivation.workflow_id, WorkflowActivation.version).where(
                col(WorkflowActivation.workflow_id).in_(workflow_ids)
            )
        ).all()
    )
    out: list[int | None] = []
    for workflow_id, version, node, fire_at, execution in claims:
        if active.get(workflow_id) != version:
            out.append(None)
            continue
        out.append(
            claim_fire(
                session=session,
                workflow_id=workflow_id,
                node=node,
                fire_at=fire_at,
                execution=execution,
                host=host,
                limits=limits,
                now=now,
            )
        )
    return out


def undispatched_fires(
    *, session: Session, since: datetime, before: datetime | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Executions of slots fired in ``[since, before)`` that are still ``new`` and held by no
    host (never started, or queued): ``{"execution_id", "workflow_id", "workflow_version",
    "node", "fire_at"}``, oldest first."""
    query = (
        sa_select(
            col(ScheduleFire.execution_id),
            col(ScheduleFire.workflow_id),
            col(Execution.workflow_version),
            col(ScheduleFire.node),
            col(ScheduleFire.fire_at),
        )
        .join(Execution, col(Execution.id) == col(ScheduleFire.execution_id))
        .where(col(ScheduleFire.fired_at) >= since)
        .where(col(ScheduleFire.fired_at) < before if before is not None else true())
        .where(col(Execution.status) == "new", col(Execution.host).is_(None))
        .order_by(col(ScheduleFire.execution_id))
        .limit(limit)
    )
    return [
        {
            "execution_id": int(eid),
            "workflow_id": wid,
            "workflow_version": version,
            "node": node,
            "fire_at": fire_at,
        }
        for eid, wid, version, node, fire_at in session.execute(query)
    ]
