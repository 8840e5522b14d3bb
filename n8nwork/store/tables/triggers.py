"""Trigger tables: webhooks (method + path unique, pointing at a workflow and node), schedule
fire records (one row per schedule slot, so a slot fires once even with two schedulers), and
waits (an execution parked until a time or a resume call)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, text
from sqlmodel import Field

from n8nwork.store.base import StoreModel
from n8nwork.store.types import BigId, UTCDateTime, utcnow


class Webhook(StoreModel, table=True):
    """A registered route: ``method`` + ``path`` → workflow and node (unique route)."""

    __tablename__ = "webhooks"
    __table_args__ = (
        UniqueConstraint("method", "path"),
        Index("ix_webhooks_method_dynamic_segments", "method", "dynamic", "segments"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    method: str = Field(sa_type=String(8))
    path: str = Field(sa_type=String(2048))
    workflow_id: str = Field(
        foreign_key="workflows.id", ondelete="CASCADE", sa_type=String(36), index=True
    )
    node: str = Field(sa_type=String(255))
    webhook_id: str | None = Field(default=None, sa_type=String(64))
    dynamic: bool = Field(default=False, sa_type=Boolean)
    segments: int = Field(default=1, sa_type=Integer)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduleFire(StoreModel, table=True):
    """A schedule slot that fired; the unique key makes a second fire of the slot a no-op."""

    __tablename__ = "schedule_fires"
    __table_args__ = (
        UniqueConstraint("workflow_id", "node", "fire_at"),
        Index(
            "ix_schedule_fires_execution_id",
            "execution_id",
            postgresql_where=text("execution_id IS NOT NULL"),
            sqlite_where=text("execution_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    workflow_id: str = Field(foreign_key="workflows.id", ondelete="CASCADE", sa_type=String(36))
    node: str = Field(sa_type=String(255))
    fire_at: datetime = Field(sa_type=UTCDateTime)
    fired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    host: str | None = Field(default=None, sa_type=String(255))
    execution_id: int | None = Field(
        default=None, foreign_key="executions.id", ondelete="SET NULL", sa_type=BigId
    )


class Wait(StoreModel, table=True):
    """An execution parked by a Wait node (until ``resume_at``, or a resume call)."""

    __tablename__ = "waits"

    execution_id: int = Field(
        primary_key=True, foreign_key="executions.id", ondelete="CASCADE", sa_type=BigId
    )
    node: str = Field(sa_type=String(255))
    kind: str = Field(default="time", sa_type=String(16))
    resume_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    resume_token_hash: str | None = Field(default=None, sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
