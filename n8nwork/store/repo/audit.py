"""The audit log: append an entry, list entries newest first (keyset on id). There is no
update or delete here, and the database refuses both (trigger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from n8nwork.store.errors import InvalidInputError
from n8nwork.store.jsonsafe import check_text, dump_json
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.audit import AuditEntry
from n8nwork.store.types import utcnow

ACTOR_TYPES = ("user", "api_key", "system")
MAX_DETAILS_BYTES = 64 * 1024


def record_audit(
    *,
    session: Session,
    action: str,
    actor_type: str = "system",
    actor_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append who (``actor_*``) did ``action`` to what (``target_*``), from where (``ip``)."""
    if actor_type not in ACTOR_TYPES:
        raise InvalidInputError(f"actor type {actor_type!r} is not one of {ACTOR_TYPES}")
    if details is not None:
        dump_json(details, max_bytes=MAX_DETAILS_BYTES, what="audit details")
    entry = AuditEntry(
        at=at or utcnow(),
        actor_type=actor_type,
        actor_id=check_text(actor_id, what="actor id", max_length=64) if actor_id else None,
        action=check_text(action, what="action", max_length=64),
        target_type=check_text(target_type, what="target type", max_length=32)
        if target_type
        else None,
        target_id=check_text(target_id, what="target id", max_length=64) if target_id else None,
        ip=check_text(ip, what="ip", max_length=64) if ip else None,
        user_agent=check_text(user_agent[:512], what="user agent", max_length=512)
        if user_agent
        else None,
        details=details,
    )
    session.add(entry)
    with translated("record audit entry"):
        session.flush()
    return entry


def list_audit(
    *,
    session: Session,
    actor_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    limit: int = 100,
    cursor: int | None = None,
) -> list[AuditEntry]:
    """Entries newest first; ``cursor`` = the last id of the previous page."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if cursor is not None:
        query = query.where(col(AuditEntry.id) < cursor)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return list(session.exec(query))
