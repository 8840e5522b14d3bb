"""Users, logins, projects, members and API keys on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from n8nwork.store.tables.identity import ApiKey, Project, User
from serve.models.base import ApiInput, ApiOutput, Name, Text

Email = Annotated[str, StringConstraints(min_length=3, max_length=320, strip_whitespace=True)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=512)]
InstanceRole = Literal["global:admin", "global:member"]
ProjectRole = Literal["project:admin", "project:editor", "project:viewer"]


# ---- auth
class LoginRequest(ApiInput):
    email: Email
    password: Password


class RefreshRequest(ApiInput):
    refresh_token: Token


class LogoutRequest(ApiInput):
    refresh_token: Token | None = None


class ChangePasswordRequest(ApiInput):
    current_password: Password
    new_password: Password


class TokenPair(ApiOutput):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    """Seconds until the access token expires."""


# ---- users
class UserBase(ApiOutput):
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str


class UserCreate(ApiInput):
    email: Email
    password: Password | None = None
    first_name: Text = ""
    last_name: Text = ""
    role: InstanceRole = "global:member"


class UserUpdate(ApiInput):
    role: InstanceRole | None = None
    disabled: bool | None = None


class UserPublic(UserBase):
    id: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None = None

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role,
            disabled=user.disabled,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class LoginResponse(TokenPair):
    user: UserPublic


# ---- projects
class ProjectCreate(ApiInput):
    name: Name


class ProjectUpdate(ApiInput):
    name: Name


class ProjectPublic(ApiOutput):
    id: str
    name: str
    type: str
    role: str | None = None
    """The caller's role in the project (``null`` for owners and admins who are no member)."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, project: Project, role: str | None) -> ProjectPublic:
        return cls(
            id=project.id,
            name=project.name,
            type=project.type,
            role=role,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )


class MemberSet(ApiInput):
    role: ProjectRole


class MemberPublic(ApiOutput):
    user_id: str
    role: str
    created_at: datetime


# ---- API keys
class ApiKeyCreate(ApiInput):
    name: Name
    scopes: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=64
    )
    expires_at: datetime | None = None


class ApiKeyPublic(ApiOutput):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyPublic:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=[str(s) for s in key.scopes],
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(ApiKeyPublic):
    key: str
    """The key itself: shown this once, stored only as a hash."""
