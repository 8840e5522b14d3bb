"""Audit log entries on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from n8nwork.store.tables.audit import AuditEntry
from serve.models.base import ApiOutput


class AuditPublic(ApiOutput):
    id: int
    at: datetime
    actor_type: str
    actor_id: str | None = None
    action: str
    target_type: str | None = None
    target_id: str | None = None
    ip: str | None = None
    details: dict[str, Any] | None = None

    @classmethod
    def of(cls, row: AuditEntry) -> AuditPublic:
        assert row.id is not None
        return cls(
            id=row.id,
            at=row.at,
            actor_type=row.actor_type,
            actor_id=row.actor_id,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            ip=row.ip,
            details=row.details,
        )
