"""Loading a resource for a caller: 404 when its project is invisible to them (exactly as
for an id that does not exist), 403 when they see it but their role lacks the scope."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from n8nwork.store.errors import NotFoundError
from n8nwork.store.repo.audit import record_audit
from n8nwork.store.repo.credentials import get_credential
from n8nwork.store.repo.executions import get_execution
from n8nwork.store.repo.projects import get_project, list_user_projects, member_role
from n8nwork.store.repo.workflows import get_workflow
from n8nwork.store.tables.credentials import Credential
from n8nwork.store.tables.executions import Execution
from n8nwork.store.tables.identity import Project
from n8nwork.store.tables.workflows import WorkflowRow
from serve.auth.principal import Principal
from serve.deps import check_scope
from serve.errors import PermissionDeniedError
from serve.rbac import can_see_project, is_staff, project_allows


def project_role(session: Session, principal: Principal, project_id: str) -> str | None:
    return member_role(session=session, project_id=project_id, user_id=principal.user_id)


def check_project(
    session: Session, principal: Principal, project_id: str, scope: str, *, missing: str
) -> None:
    """Raise ``NotFoundError(missing)`` or ``PermissionDeniedError`` unless allowed."""
    role = None if is_staff(principal.role) else project_role(session, principal, project_id)
    if not can_see_project(principal.role, role):
        raise NotFoundError(missing)
    check_scope(principal, scope)
    if not project_allows(principal.role, role, scope):
        raise PermissionDeniedError(f"your role in this project may not {scope}")


def load_project(session: Session, principal: Principal, project_id: str, scope: str) -> Project:
    missing = f"project {project_id!r} not found"
    project = get_project(session=session, project_id=project_id)
    check_project(session, principal, project.id, scope, missing=missing)
    return project


def load_workflow(
    session: Session, principal: Principal, workflow_id: str, scope: str
) -> WorkflowRow:
    row = get_workflow(session=session, workflow_id=workflow_id)
    check_project(
        session, principal, row.project_id, scope, missing=f"workflow {workflow_id!r} not found"
    )
    return row


def load_execution(
    session: Session, principal: Principal, execution_id: int, scope: str
) -> tuple[Execution, WorkflowRow]:
    missing = f"execution {execution_id} not found"
    execution = get_execution(session=session, execution_id=execution_id)
    workflow = session.get(WorkflowRow, execution.workflow_id)
    if workflow is None:
        raise NotFoundError(missing)
    check_project(session, principal, workflow.project_id, scope, missing=missing)
    return execution, workflow


def load_credential(
    session: Session, principal: Principal, credential_id: str, scope: str
) -> Credential:
    row = get_credential(session=session, credential_id=credential_id)
    check_project(
        session,
        principal,
        row.project_id,
        scope,
        missing=f"credential {credential_id!r} not found",
    )
    return row


def visible_projects(session: Session, principal: Principal) -> list[str] | None:
    """Ids of the projects the caller sees (``None``: all of them, for owners and admins)."""
    if is_staff(principal.role):
        return None
    return [p.id for p, _role in list_user_projects(session=session, user_id=principal.user_id)]


def audit(
    session: Session,
    principal: Principal | None,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | int | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log in the caller's transaction (commit with the change)."""
    if principal is not None and principal.key_id:
        details = {**(details or {}), "apiKey": principal.key_id}
    record_audit(
        session=session,
        action=action,
        actor_type=principal.actor_type if principal else "system",
        actor_id=principal.user_id if principal else None,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=ip,
        details=details,
    )
