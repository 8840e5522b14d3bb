"""Schedule fire records: one row per (workflow, node, slot). ``record_schedule_fire`` is an
insert that does nothing when the slot is already there, so of two schedulers firing the same
slot exactly one gets ``True``: the durable half of "one scheduler fires each schedule once"
(the cache's lock is the fast half)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select, update

from n8nwork.store.base import table_of
from n8nwork.store.errors import InvalidInputError
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.tables.triggers import ScheduleFire
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
