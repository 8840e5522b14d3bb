"""The audit log: who did what, when, from where. Append-only: the database itself refuses
UPDATE and DELETE on it (a trigger on both backends, created with the table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, Index, String, event
from sqlmodel import Field

from n8nwork.store.base import StoreModel, table_of
from n8nwork.store.types import BigId, JSONDoc, UTCDateTime, utcnow


class AuditEntry(StoreModel, table=True):
    """One audited action: ``actor`` (user, API key or system) did ``action`` on ``target``."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_id_id", "actor_id", "id"),
        Index("ix_audit_log_target_type_target_id_id", "target_type", "target_id", "id"),
        Index("ix_audit_log_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_type: str = Field(default="system", sa_type=String(16))
    actor_id: str | None = Field(default=None, sa_type=String(64))
    action: str = Field(sa_type=String(64))
    target_type: str | None = Field(default=None, sa_type=String(32))
    target_id: str | None = Field(default=None, sa_type=String(64))
    ip: str | None = Field(default=None, sa_type=String(64))
    user_agent: str | None = Field(default=None, sa_type=String(512))
    details: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)


APPEND_ONLY_POSTGRESQL = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)

for _sql in APPEND_ONLY_POSTGRESQL:
    event.listen(table_of(AuditEntry), "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in APPEND_ONLY_SQLITE:
    event.listen(table_of(AuditEntry), "after_create", DDL(_sql).execute_if(dialect="sqlite"))
event.listen(
    table_of(AuditEntry),
    "before_drop",
    DDL("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE").execute_if(dialect="postgresql"),
)
