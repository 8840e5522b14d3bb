"""Leases of many executions at once, for run hosts that hold thousands of runs.

The single-execution verbs (``claim_execution``, ``renew_lease``, ``release_lease``) live in
``executions.py``; these are their bulk twins, one statement per call whatever the number of
executions (ids are sent in chunks of ``CHUNK``):

- ``claim_executions``: lease unfinished executions to a host, each claim incrementing the
  execution's fencing epoch; an execution held by a live lease of another host is left alone
  unless that host is in ``take_over_from`` (hosts known to be dead).
- ``renew_leases``: extend the leases a host still holds (by id and host: a lease taken over
  by another host is not extended).
- ``release_leases``: give leases up (passivated runs).
- ``list_unfinished``: unfinished executions by id, for recovery after a restart.

Each function flushes in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col

from n8nwork.store.base import table_of
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.executions import UNFINISHED, Execution
from n8nwork.store.types import utcnow

CHUNK = 1000
EXECUTIONS = table_of(Execution)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    batch: list[int] = []
    for i in ids:
        batch.append(int(i))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def claim_executions(
    *,
    session: Session,
    execution_ids: Iterable[int],
    host: str,
    ttl: timedelta,
    take_over_from: Sequence[str] = (),
    now: datetime | None = None,
) -> dict[int, int]:
    """Lease the unfinished ones of ``execution_ids`` to ``host``; returns ``{id: epoch}`` for
    each execution claimed (its new fencing epoch). An execution is claimed when nobody holds
    a live lease on it, when ``host`` already holds it, or when its holder is one of
    ``take_over_from``. Finished executions and live leases of other hosts are skipped."""
    check_text(host, what="host")
    now = now or utcnow()
    c = EXECUTIONS.c
    free = (
        c.host.is_(None)
        | (c.host == host)
        | c.lease_expires_at.is_(None)
        | (c.lease_expires_at <= now)
    )
    if take_over_from:
        free = free | c.host.in_(list(take_over_from))
    claimed: dict[int, int] = {}
    for chunk in _chunks(execution_ids):
        stmt = (
            update(EXECUTIONS)
            .where(EXECUTIONS.c.id.in_(chunk))
            .where(EXECUTIONS.c.status.in_(UNFINISHED))
            .where(free)
            .values(
                host=host,
                lease_expires_at=now + ttl,
                lease_epoch=EXECUTIONS.c.lease_epoch + 1,
            )
            .returning(EXECUTIONS.c.id, EXECUTIONS.c.lease_epoch)
        )
        with translated("claim executions"):
            for execution_id, epoch in session.execute(stmt):
                claimed[int(execution_id)] = int(epoch)
    session.expire_all()
    return claimed


def renew_leases(
    *,
    session: Session,
    execution_ids: Iterable[int],
    host: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> int:
    """Extend the leases ``host`` still holds on ``execution_ids``; returns how many."""
    now = now or utcnow()
    renewed = 0
    for chunk in _chunks(execution_ids):
        result = session.execute(
            update(EXECUTIONS)
            .where(EXECUTIONS.c.id.in_(chunk), EXECUTIONS.c.host == host)
            .values(lease_expires_at=now + ttl)
        )
        renewed += int(result.rowcount)  # type: ignore[attr-defined]
    return renewed


def release_leases(*, session: Session, execution_ids: Iterable[int], host: str) -> int:
    """Give up the leases ``host`` holds on ``execution_ids``; returns how many it held."""
    released = 0
    for chunk in _chunks(execution_ids):
        result = session.execute(
            update(EXECUTIONS)
            .where(EXECUTIONS.c.id.in_(chunk), EXECUTIONS.c.host == host)
            .values(host=None, lease_expires_at=None)
        )
        released += int(result.rowcount)  # type: ignore[attr-defined]
    return released


@dataclass(frozen=True, slots=True)
class UnfinishedExecution:
    """What recovery needs to know of an unfinished execution."""

    id: int
    workflow_id: str
    status: str
    host: str | None
    lease_expires_at: datetime | None
    wait_till: datetime | None


def list_unfinished(
    *,
    session: Session,
    statuses: Sequence[str] = UNFINISHED,
    after_id: int = 0,
    limit: int = 1000,
) -> list[UnfinishedExecution]:
    """Unfinished executions with ``id > after_id``, by id (keyset: pass the last id back)."""
    columns = (
        col(Execution.id),
        col(Execution.workflow_id),
        col(Execution.status),
        col(Execution.host),
        col(Execution.lease_expires_at),
        col(Execution.wait_till),
    )
    query = (
        sa_select(*columns)
        .where(col(Execution.status).in_([s for s in statuses if s in UNFINISHED]))
        .where(col(Execution.id) > after_id)
        .order_by(col(Execution.id))
        .limit(limit)
    )
    return [
        UnfinishedExecution(int(i), w, s, h, e, t) for i, w, s, h, e, t in session.execute(query)
    ]
