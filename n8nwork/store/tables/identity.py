"""Identity tables: users (argon2 hashes), projects, memberships with a role per project,
API keys and refresh tokens (both stored as sha256 of a high-entropy secret, never in clear)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlmodel import Field

from n8nwork.store.base import StoreModel
from n8nwork.store.types import JSONDoc, UTCDateTime, utcnow

GLOBAL_ROLES = ("global:owner", "global:admin", "global:member")
PROJECT_ROLES = ("project:personalOwner", "project:admin", "project:editor", "project:viewer")


class User(StoreModel, table=True):
    """A person who signs in. ``email`` is stored lower-cased and is unique."""

    __tablename__ = "users"

    id: str = Field(primary_key=True, sa_type=String(36))
    email: str = Field(sa_type=String(320), unique=True)
    first_name: str = Field(default="", sa_type=String(255))
    last_name: str = Field(default="", sa_type=String(255))
    password_hash: str | None = Field(default=None, sa_type=String(255))
    role: str = Field(default="global:member", sa_type=String(32))
    disabled: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Project(StoreModel, table=True):
    """A container of workflows and credentials; ``personal`` (one per user) or ``team``."""

    __tablename__ = "projects"

    id: str = Field(primary_key=True, sa_type=String(36))
    name: str = Field(sa_type=String(255))
    type: str = Field(default="team", sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectMembership(StoreModel, table=True):
    """A user's role in a project (n8n's project relation)."""

    __tablename__ = "project_memberships"

    project_id: str = Field(
        primary_key=True, foreign_key="projects.id", ondelete="CASCADE", sa_type=String(36)
    )
    user_id: str = Field(
        primary_key=True,
        foreign_key="users.id",
        ondelete="CASCADE",
        sa_type=String(36),
        index=True,
    )
    role: str = Field(sa_type=String(32))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(StoreModel, table=True):
    """An API key: a visible ``prefix`` to recognise it, the sha256 of the secret, scopes."""

    __tablename__ = "api_keys"

    id: str = Field(primary_key=True, sa_type=String(36))
    user_id: str = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=String(36), index=True)
    name: str = Field(sa_type=String(255))
    prefix: str = Field(sa_type=String(32))
    key_hash: str = Field(sa_type=String(64), unique=True)
    scopes: list[Any] = Field(default_factory=list, sa_type=JSONDoc)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RefreshToken(StoreModel, table=True):
    """One refresh token of a rotating family. Presenting a rotated one revokes the family."""

    __tablename__ = "refresh_tokens"

    id: str = Field(primary_key=True, sa_type=String(36))
    user_id: str = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=String(36), index=True)
    family_id: str = Field(sa_type=String(36), index=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replaced_by: str | None = Field(default=None, sa_type=String(36))
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_ip: str | None = Field(default=None, sa_type=String(64))
    user_agent: str | None = Field(default=None, sa_type=String(512))
