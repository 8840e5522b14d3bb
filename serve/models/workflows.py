"""Workflows, versions and runs on the wire. A workflow body is n8n's JSON (``name``,
``nodes``, ``connections``, ``settings``, ``staticData``, ``pinData``, ``meta``); node shapes
are checked by the workflow model and validator, which name the node and the problem."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from n8nwork.store.tables.workflows import WorkflowRow, WorkflowVersion
from serve.models.base import MAX_INT, ApiInput, ApiOutput, Id, JsonObject, Name, Text

MAX_NODES = 5000
MAX_ITEMS = 100_000
DOCUMENT_FIELDS = ("name", "nodes", "connections", "settings", "staticData", "pinData", "meta")
Version = Annotated[int, Field(ge=1, le=MAX_INT)]


class WorkflowBase(ApiInput):
    name: Name
    nodes: list[JsonObject] = Field(default_factory=list, max_length=MAX_NODES)
    connections: JsonObject = Field(default_factory=dict)
    settings: JsonObject | None = None
    static_data: JsonObject | None = None
    pin_data: dict[str, list[JsonObject]] | None = None
    meta: JsonObject | None = None

    def document(self) -> dict[str, Any]:
        """The n8n JSON document stored as a version."""
        doc: dict[str, Any] = {
            "name": self.name,
            "nodes": self.nodes,
            "connections": self.connections,
        }
        for key, value in (
            ("settings", self.settings),
            ("staticData", self.static_data),
            ("pinData", self.pin_data),
            ("meta", self.meta),
        ):
            if value is not None:
                doc[key] = value
        return doc


class WorkflowCreate(WorkflowBase):
    project_id: Id | None = None
    """Default: the caller's personal project."""


class WorkflowUpdate(WorkflowBase):
    expected_version: Version | None = None
    """Refuse (409) when the latest version is another one: somebody saved in between."""
    note: Text = ""


class WorkflowSummary(ApiOutput):
    id: str
    name: str
    project_id: str
    version: int
    active: bool
    active_version: int | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: WorkflowRow, active_version: int | None) -> WorkflowSummary:
        return cls(
            id=row.id,
            name=row.name,
            project_id=row.project_id,
            version=row.latest_version,
            active=active_version is not None,
            active_version=active_version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class WorkflowPublic(WorkflowSummary):
    nodes: list[Any]
    connections: Any
    settings: Any = None
    static_data: Any = None
    pin_data: Any = None
    meta: Any = None

    @classmethod
    def full(
        cls, row: WorkflowRow, version: WorkflowVersion, active_version: int | None
    ) -> WorkflowPublic:
        doc = version.document
        return cls(
            **WorkflowSummary.of(row, active_version).model_dump(),
            nodes=doc.get("nodes") or [],
            connections=doc.get("connections") or {},
            settings=doc.get("settings"),
            static_data=doc.get("staticData"),
            pin_data=doc.get("pinData"),
            meta=doc.get("meta"),
        )


class VersionPublic(ApiOutput):
    version: int
    checksum: str
    created_at: datetime
    created_by: str | None = None
    note: str = ""

    @classmethod
    def of(cls, row: WorkflowVersion) -> VersionPublic:
        return cls(
            version=row.version,
            checksum=row.checksum,
            created_at=row.created_at,
            created_by=row.created_by,
            note=row.note,
        )


class VersionDetail(VersionPublic):
    document: JsonObject


class ActivateRequest(ApiInput):
    version: Version | None = None
    """Default: the latest version."""


class RunRequest(ApiInput):
    """A manual run: input items for the start node and/or pinned node outputs."""

    items: list[JsonObject] | None = Field(default=None, max_length=MAX_ITEMS)
    pin_data: dict[str, list[JsonObject]] | None = None
    start_node: Name | None = None
    version: Version | None = None
    """Default: the latest version."""


class ImportResult(ApiOutput):
    data: list[WorkflowSummary]
