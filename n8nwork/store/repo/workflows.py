"""Workflows and their immutable versions: every save inserts the next version with the n8n
JSON exactly as given; activation points at one version.

``save_workflow_version(expected_version=...)`` is the optimistic check an editor needs: it
fails with ``ConflictError`` when someone saved in between. Documents are checked by the
workflow model (``Workflow.from_json``) and by size before they are stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select, update

from n8nwork.errors import WorkflowError
from n8nwork.store.base import new_id
from n8nwork.store.errors import ConflictError, InvalidInputError, NotFoundError
from n8nwork.store.jsonsafe import check_text, dump_json
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.workflows import WorkflowActivation, WorkflowRow, WorkflowVersion
from n8nwork.store.types import utcnow


def _checked_document(document: Any, limits: StoreLimits) -> tuple[dict[str, Any], str, str]:
    """The document, its checksum and its name, or ``InvalidInputError``."""
    from n8nwork.workflow.model import Workflow

    if not isinstance(document, dict):
        raise InvalidInputError("workflow: the document must be a JSON object")
    raw = dump_json(document, max_bytes=limits.max_document_bytes, what="workflow")
    try:
        Workflow.from_json(document)
    except WorkflowError as exc:
        raise InvalidInputError(f"workflow: {exc}") from exc
    name = document.get("name") or "My workflow"
    if not isinstance(name, str):
        raise InvalidInputError("workflow: name must be text")
    check_text(name, what="workflow name", max_length=limits.max_name_length)
    return document, hashlib.sha256(raw.encode("utf-8")).hexdigest(), name


def create_workflow(
    *,
    session: Session,
    project_id: str,
    document: dict[str, Any],
    workflow_id: str | None = None,
    created_by: str | None = None,
    note: str = "",
    limits: StoreLimits = DEFAULT_LIMITS,
) -> tuple[WorkflowRow, WorkflowVersion]:
    """A new workflow with ``document`` as version 1."""
    document, checksum, name = _checked_document(document, limits)
    workflow_id = (
        check_text(workflow_id, what="workflow id", max_length=36) if workflow_id else new_id()
    )
    if session.get(WorkflowRow, workflow_id) is not None:
        raise ConflictError(f"workflow {workflow_id!r} exists")
    row = WorkflowRow(id=workflow_id, project_id=project_id, name=name, latest_version=1)
    version = WorkflowVersion(
        workflow_id=workflow_id,
        version=1,
        document=document,
        checksum=checksum,
        created_by=created_by,
        note=check_text(note, what="note", allow_empty=True),
    )
    session.add(row)
    with translated("create workflow"):
        session.flush()
        session.add(version)
        session.flush()
    return row, version


def save_workflow_version(
    *,
    session: Session,
    workflow_id: str,
    document: dict[str, Any],
    expected_version: int | None = None,
    created_by: str | None = None,
    note: str = "",
    limits: StoreLimits = DEFAULT_LIMITS,
) -> WorkflowVersion:
    """Insert the next version. With ``expected_version``, refuse (``ConflictError``) when the
    latest version is another one: somebody saved in between."""
    document, checksum, name = _checked_document(document, limits)
    current = get_workflow(session=session, workflow_id=workflow_id).latest_version
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            f"workflow {workflow_id!r} is at version {current}, not {expected_version}"
        )
    # Compare-and-set on latest_version: of two concurrent saves, one wins, one conflicts.
    bumped = session.execute(
        update(WorkflowRow)
        .where(col(WorkflowRow.id) == workflow_id, col(WorkflowRow.latest_version) == current)
        .values(latest_version=current + 1, name=name, updated_at=utcnow())
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"workflow {workflow_id!r} was saved concurrently; reload and retry")
    version = WorkflowVersion(
        workflow_id=workflow_id,
        version=current + 1,
        document=document,
        checksum=checksum,
        created_by=created_by,
        note=check_text(note, what="note", allow_empty=True),
    )
    session.add(version)
    with translated("save workflow"):
        session.flush()
    row = session.get(WorkflowRow, workflow_id)
    if row is not None:
        session.refresh(row)
    return version


def get_workflow(*, session: Session, workflow_id: str) -> WorkflowRow:
    row = session.get(WorkflowRow, workflow_id)
    if row is None:
        raise NotFoundError(f"workflow {workflow_id!r} not found")
    return row


def get_workflow_version(
    *, session: Session, workflow_id: str, version: int | None = None
) -> WorkflowVersion:
    """Version ``version``, or the latest."""
    if version is None:
        version = get_workflow(session=session, workflow_id=workflow_id).latest_version
    row = session.get(WorkflowVersion, (workflow_id, version))
    if row is None:
        raise NotFoundError(f"workflow {workflow_id!r} has no version {version}")
    return row


def list_workflow_versions(
    *, session: Session, workflow_id: str, limit: int = 50, before: int | None = None
) -> list[WorkflowVersion]:
    """Newest first; ``before`` = the last version of the previous page (keyset)."""
    query = (
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow_id)
        .order_by(col(WorkflowVersion.version).desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(col(WorkflowVersion.version) < before)
    return list(session.exec(query))


def list_workflows(
    *,
    session: Session,
    project_id: str | None = None,
    name_contains: str | None = None,
    limit: int = 50,
    after_id: str | None = None,
    project_ids: Sequence[str] | None = None,
) -> list[WorkflowRow]:
    """Workflows by id (keyset on ``after_id``); ``name_contains`` matches literally (``%``
    and ``_`` are not wildcards); ``project_ids`` keeps those of any of these projects."""
    query = select(WorkflowRow).order_by(col(WorkflowRow.id)).limit(limit)
    if project_id is not None:
        query = query.where(WorkflowRow.project_id == project_id)
    if project_ids is not None:
        query = query.where(col(WorkflowRow.project_id).in_(list(project_ids)))
    if name_contains:
        check_text(name_contains, what="name filter")
        query = query.where(col(WorkflowRow.name).contains(name_contains, autoescape=True))
    if after_id is not None:
        query = query.where(col(WorkflowRow.id) > after_id)
    return list(session.exec(query))


def activate_workflow(
    *,
    session: Session,
    workflow_id: str,
    version: int | None = None,
    activated_by: str | None = None,
    now: datetime | None = None,
) -> WorkflowActivation:
    """Make ``version`` (default: the latest) the active one."""
    target = get_workflow_version(session=session, workflow_id=workflow_id, version=version)
    activation = session.get(WorkflowActivation, workflow_id)
    if activation is None:
        activation = WorkflowActivation(workflow_id=workflow_id, version=target.version)
    activation.version = target.version
    activation.activated_at = now or utcnow()
    activation.activated_by = activated_by
    session.add(activation)
    with translated("activate workflow"):
        session.flush()
    return activation


def deactivate_workflow(*, session: Session, workflow_id: str) -> bool:
    result = session.execute(
        delete(WorkflowActivation).where(col(WorkflowActivation.workflow_id) == workflow_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def active_version(*, session: Session, workflow_id: str) -> WorkflowVersion | None:
    """The active version's row, or ``None`` when the workflow is inactive."""
    activation = session.get(WorkflowActivation, workflow_id)
    if activation is None:
        return None
    return session.get(WorkflowVersion, (workflow_id, activation.version))


def list_active_workflows(*, session: Session) -> list[WorkflowActivation]:
    query = select(WorkflowActivation).order_by(col(WorkflowActivation.workflow_id))
    return list(session.exec(query))


def delete_workflow(*, session: Session, workflow_id: str) -> bool:
    """Delete the workflow with its versions, activation, webhooks and executions."""
    row = session.get(WorkflowRow, workflow_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
