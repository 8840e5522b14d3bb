"""Pruning execution history by age and by count (n8n's EXECUTIONS_DATA_MAX_AGE and
EXECUTIONS_DATA_PRUNE_MAX_COUNT), in bounded batches, never touching unfinished executions.

Each batch selects at most ``batch_size`` ids and deletes them with the *finished* condition
repeated in the DELETE itself, so an execution that is resumed between the two statements is
not deleted. Node runs, payloads, states and waits go with their execution (ON DELETE
CASCADE); each batch is its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, delete, func, select

from n8nwork.store.tables.executions import FINISHED, Execution
from n8nwork.store.types import utcnow


@dataclass(frozen=True, slots=True)
class PrunePolicy:
    """Delete finished executions older than ``max_age`` and beyond the newest ``max_count``."""

    max_age: timedelta | None = None
    max_count: int | None = None
    batch_size: int = 1000


def _count_boundary(session: Session, max_count: int) -> int | None:
    """The id of the newest execution *beyond* the newest ``max_count`` (None: fewer)."""
    query = select(Execution.id).order_by(col(Execution.id).desc()).offset(max_count).limit(1)
    return session.exec(query).first()


def prune_batch(*, session: Session, policy: PrunePolicy, now: datetime | None = None) -> int:
    """Delete at most ``policy.batch_size`` prunable executions; how many were deleted.
    The caller commits."""
    now = now or utcnow()
    conditions = []
    if policy.max_age is not None:
        cutoff = now - policy.max_age
        conditions.append(
            func.coalesce(col(Execution.stopped_at), col(Execution.created_at)) < cutoff
        )
    if policy.max_count is not None and policy.max_count > 0:
        boundary = _count_boundary(session, policy.max_count)
        if boundary is not None:
            conditions.append(col(Execution.id) <= boundary)
    if not conditions:
        return 0
    prunable = col(Execution.status).in_(FINISHED)
    which = or_(*conditions)
    ids = list(
        session.exec(
            select(Execution.id)
            .where(prunable, which)
            .order_by(col(Execution.id))
            .limit(policy.batch_size)
        )
    )
    if not ids:
        return 0
    result = session.execute(delete(Execution).where(col(Execution.id).in_(ids), prunable))
    return int(result.rowcount)  # type: ignore[attr-defined]


def prune_executions(
    *,
    sessions: sessionmaker[Session],
    policy: PrunePolicy,
    now: datetime | None = None,
    max_batches: int | None = None,
) -> int:
    """Prune in batches, committing each, until nothing is left (or ``max_batches``)."""
    total = batches = 0
    while max_batches is None or batches < max_batches:
        with sessions() as session, session.begin():
            deleted = prune_batch(session=session, policy=policy, now=now)
        total += deleted
        batches += 1
        if deleted < policy.batch_size:
            break
    return total
