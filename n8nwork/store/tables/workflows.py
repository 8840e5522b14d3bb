"""Workflow tables: a workflow, its immutable versions (every save is a new one, the n8n JSON
kept as given), and which version is active (a row per active workflow, so activation is one
row to write and the active set is one table to read)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Integer, String
from sqlmodel import Field

from n8nwork.store.base import StoreModel
from n8nwork.store.types import JSONDoc, UTCDateTime, utcnow


class WorkflowRow(StoreModel, table=True):
    """A workflow's identity and its latest version number (the optimistic-concurrency check)."""

    __tablename__ = "workflows"

    id: str = Field(primary_key=True, sa_type=String(36))
    project_id: str = Field(
        foreign_key="projects.id", ondelete="CASCADE", sa_type=String(36), index=True
    )
    name: str = Field(sa_type=String(255), index=True)
    latest_version: int = Field(default=0, sa_type=Integer)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkflowVersion(StoreModel, table=True):
    """One saved version of a workflow. Never updated: a save inserts the next version."""

    __tablename__ = "workflow_versions"

    workflow_id: str = Field(
        primary_key=True, foreign_key="workflows.id", ondelete="CASCADE", sa_type=String(36)
    )
    version: int = Field(primary_key=True, sa_type=Integer)
    document: dict[str, Any] = Field(sa_type=JSONDoc)
    checksum: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(
        default=None,
        foreign_key="users.id",
        ondelete="SET NULL",
        sa_type=String(36),
        index=True,
    )
    note: str = Field(default="", sa_type=String(255))


class WorkflowActivation(StoreModel, table=True):
    """The active version of an active workflow (no row: inactive)."""

    __tablename__ = "workflow_activations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workflow_id", "version"],
            ["workflow_versions.workflow_id", "workflow_versions.version"],
            ondelete="CASCADE",
        ),
    )

    workflow_id: str = Field(
        primary_key=True, foreign_key="workflows.id", ondelete="CASCADE", sa_type=String(36)
    )
    version: int = Field(sa_type=Integer)
    activated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    activated_by: str | None = Field(
        default=None,
        foreign_key="users.id",
        ondelete="SET NULL",
        sa_type=String(36),
        index=True,
    )
