"""Execution tables: the execution row (status, mode, trigger, workflow version, timings,
retry-of, parent, error, wait-till, the host holding it and its lease), its run state, one row
per node run, and large item lists stored once per execution, compressed, by content digest.

Indexes serve keyset pagination (``id`` descending, with a filter column in front), recovery
(unfinished by status) and pruning (the foreign keys pointing back at executions are indexed so
a delete never scans the table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from n8nwork.store.base import StoreModel
from n8nwork.store.types import BigId, JSONDoc, UTCDateTime, utcnow

STATUSES = ("new", "running", "waiting", "success", "error", "canceled", "crashed")
UNFINISHED = ("new", "running", "waiting")
FINISHED = ("success", "error", "canceled", "crashed")
MODES = (
    "manual", "trigger", "webhook", "retry", "integrated", "cli", "internal", "error", "evaluation",
)  # fmt: skip


def _status_check() -> CheckConstraint:
    allowed = ", ".join(f"'{s}'" for s in STATUSES)
    return CheckConstraint(f"status IN ({allowed})", name="status")


def _partial(name: str, column: str) -> Index:
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, postgresql_where=where, sqlite_where=where)


class Execution(StoreModel, table=True):
    """One run of a workflow. Written and committed before anyone is told the id."""

    __tablename__ = "executions"
    __table_args__ = (
        _status_check(),
        Index("ix_executions_workflow_id_id", "workflow_id", "id"),
        Index("ix_executions_status_id", "status", "id"),
        Index("ix_executions_mode_id", "mode", "id"),
        Index("ix_executions_started_at_id", "started_at", "id"),
        _partial("ix_executions_wait_till", "wait_till"),
        _partial("ix_executions_retry_of", "retry_of"),
        _partial("ix_executions_parent_execution_id", "parent_execution_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    workflow_id: str = Field(foreign_key="workflows.id", ondelete="CASCADE", sa_type=String(36))
    workflow_version: int | None = Field(default=None, sa_type=Integer)
    mode: str = Field(default="manual", sa_type=String(16))
    trigger: str | None = Field(default=None, sa_type=String(255))
    status: str = Field(default="new", sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wait_till: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retry_of: int | None = Field(
        default=None, foreign_key="executions.id", ondelete="SET NULL", sa_type=BigId
    )
    parent_execution_id: int | None = Field(
        default=None, foreign_key="executions.id", ondelete="SET NULL", sa_type=BigId
    )
    last_node: str | None = Field(default=None, sa_type=String(255))
    error: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    host: str | None = Field(default=None, sa_type=String(255))
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_epoch: int = Field(default=0, sa_type=BigInteger)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class ExecutionData(StoreModel, table=True):
    """The run state of an execution without its run data (which lives in ``node_runs``);
    ``workflow`` is a snapshot only for runs of a document that was never saved as a version."""

    __tablename__ = "execution_data"

    execution_id: int = Field(
        primary_key=True, foreign_key="executions.id", ondelete="CASCADE", sa_type=BigId
    )
    state: dict[str, Any] = Field(sa_type=JSONDoc)
    workflow: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NodeRunRow(StoreModel, table=True):
    """One finished run of one node (n8n's ITaskData), large item lists as payload references."""

    __tablename__ = "node_runs"
    __table_args__ = (UniqueConstraint("execution_id", "node", "run_index"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    execution_id: int = Field(foreign_key="executions.id", ondelete="CASCADE", sa_type=BigId)
    node: str = Field(sa_type=String(255))
    run_index: int = Field(sa_type=Integer)
    status: str = Field(sa_type=String(16))
    start_time: float = Field(default=0.0, sa_type=Double)
    execution_time: float = Field(default=0.0, sa_type=Double)
    data: dict[str, Any] = Field(sa_type=JSONDoc)


class Payload(StoreModel, table=True):
    """A large item list, stored once per execution under the sha256 of its JSON, compressed."""

    __tablename__ = "payloads"

    execution_id: int = Field(
        primary_key=True, foreign_key="executions.id", ondelete="CASCADE", sa_type=BigId
    )
    digest: str = Field(primary_key=True, sa_type=String(64))
    size: int = Field(sa_type=BigInteger)
    codec: str = Field(default="zlib", sa_type=String(16))
    data: bytes = Field(sa_type=LargeBinary)
