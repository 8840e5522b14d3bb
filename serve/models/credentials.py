"""Credentials on the wire. ``data`` is write-only: no response ever contains it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from n8nwork.store.tables.credentials import Credential
from serve.models.base import ApiInput, ApiOutput, Id, JsonObject, Name

CredentialType = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class CredentialCreate(ApiInput):
    name: Name
    type: CredentialType
    data: JsonObject
    project_id: Id | None = None


class CredentialUpdate(ApiInput):
    name: Name | None = None
    data: JsonObject | None = None
    """Fields given replace the stored ones; a field set to ``null`` is removed."""


class CredentialPublic(ApiOutput):
    id: str
    name: str
    type: str
    project_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Credential) -> CredentialPublic:
        return cls(
            id=row.id,
            name=row.name,
            type=row.type,
            project_id=row.project_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class CredentialTest(ApiOutput):
    status: Literal["OK", "Error"]
    message: str
