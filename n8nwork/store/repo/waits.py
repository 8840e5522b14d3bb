"""Waits: an execution parked by a Wait node until a time or a resume call. Resuming deletes
the wait row with a conditional delete, so two resumers cannot both resume one execution."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from n8nwork.store.errors import InvalidInputError
from n8nwork.store.hashing import token_hash
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.triggers import Wait
from n8nwork.store.types import utcnow

KINDS = ("time", "webhook", "form", "subworkflow")


def create_wait(
    *,
    session: Session,
    execution_id: int,
    node: str,
    kind: str = "time",
    resume_at: datetime | None = None,
    resume_token: str | None = None,
) -> Wait:
    """Park ``execution_id`` at ``node`` (replacing an earlier wait of the same execution).
    ``resume_token`` (a resume URL's secret) is stored hashed."""
    if kind not in KINDS:
        raise InvalidInputError(f"wait kind {kind!r} is not one of {', '.join(KINDS)}")
    if resume_at is not None and resume_at.tzinfo is None:
        raise InvalidInputError("resume_at: pass a timezone-aware datetime")
    session.execute(delete(Wait).where(col(Wait.execution_id) == execution_id))
    wait = Wait(
        execution_id=execution_id,
        node=check_text(node, what="node name"),
        kind=kind,
        resume_at=resume_at,
        resume_token_hash=token_hash(resume_token) if resume_token else None,
    )
    session.add(wait)
    with translated("create wait"):
        session.flush()
    return wait


def due_waits(*, session: Session, now: datetime | None = None, limit: int = 100) -> list[Wait]:
    """Timed waits whose time has come, oldest first."""
    query = (
        select(Wait)
        .where(col(Wait.resume_at).is_not(None), col(Wait.resume_at) <= (now or utcnow()))
        .order_by(col(Wait.resume_at))
        .limit(limit)
    )
    return list(session.exec(query))


def find_wait_by_token(*, session: Session, resume_token: str) -> Wait | None:
    return session.exec(
        select(Wait).where(Wait.resume_token_hash == token_hash(resume_token))
    ).first()


def resolve_wait(*, session: Session, execution_id: int) -> bool:
    """Take the wait away to resume the execution; ``True`` for exactly one caller."""
    result = session.execute(delete(Wait).where(col(Wait.execution_id) == execution_id))
    session.expire_all()
    return bool(result.rowcount)  # type: ignore[attr-defined]
