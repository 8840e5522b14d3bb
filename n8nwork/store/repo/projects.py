"""Projects and memberships: a role per user per project."""

from __future__ import annotations

from sqlmodel import Session, col, select

from n8nwork.store.base import new_id
from n8nwork.store.errors import InvalidInputError, NotFoundError
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.identity import PROJECT_ROLES, Project, ProjectMembership
from n8nwork.store.types import utcnow


def _check_role(role: str) -> str:
    if role not in PROJECT_ROLES:
        raise InvalidInputError(f"role: {role!r} is not one of {', '.join(PROJECT_ROLES)}")
    return role


def create_project(*, session: Session, name: str, owner_id: str | None = None) -> Project:
    """A team project; ``owner_id`` (if given) becomes its ``project:admin``."""
    project = Project(id=new_id(), name=check_text(name, what="project name"), type="team")
    session.add(project)
    with translated("create project"):
        session.flush()
        if owner_id is not None:
            session.add(
                ProjectMembership(project_id=project.id, user_id=owner_id, role="project:admin")
            )
            session.flush()
    return project


def get_project(*, session: Session, project_id: str) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id!r} not found")
    return project


def list_projects(
    *, session: Session, limit: int = 100, after_id: str | None = None
) -> list[Project]:
    """Every project by id (keyset on ``after_id``), for instance owners and admins."""
    query = select(Project).order_by(col(Project.id)).limit(limit)
    if after_id is not None:
        query = query.where(col(Project.id) > after_id)
    return list(session.exec(query))


def rename_project(*, session: Session, project_id: str, name: str) -> Project:
    project = get_project(session=session, project_id=project_id)
    project.name = check_text(name, what="project name")
    project.updated_at = utcnow()
    session.add(project)
    session.flush()
    return project


def delete_project(*, session: Session, project_id: str) -> bool:
    """Delete a project with its memberships, workflows (and their executions) and
    credentials (ON DELETE CASCADE); ``False`` if it does not exist."""
    project = session.get(Project, project_id)
    if project is None:
        return False
    session.delete(project)
    session.flush()
    return True


def personal_project(*, session: Session, user_id: str) -> Project:
    query = (
        select(Project)
        .join(ProjectMembership, col(ProjectMembership.project_id) == col(Project.id))
        .where(ProjectMembership.user_id == user_id, Project.type == "personal")
    )
    project = session.exec(query).first()
    if project is None:
        raise NotFoundError(f"user {user_id!r} has no personal project")
    return project


def set_member_role(
    *, session: Session, project_id: str, user_id: str, role: str
) -> ProjectMembership:
    """Add ``user_id`` to the project with ``role``, or change their role."""
    _check_role(role)
    membership = session.get(ProjectMembership, (project_id, user_id))
    if membership is None:
        membership = ProjectMembership(project_id=project_id, user_id=user_id, role=role)
    else:
        membership.role = role
    session.add(membership)
    with translated("set project member"):
        session.flush()
    project = session.get(Project, project_id)
    if project is not None:
        project.updated_at = utcnow()
    return membership


def remove_member(*, session: Session, project_id: str, user_id: str) -> bool:
    membership = session.get(ProjectMembership, (project_id, user_id))
    if membership is None:
        return False
    session.delete(membership)
    session.flush()
    return True


def member_role(*, session: Session, project_id: str, user_id: str) -> str | None:
    membership = session.get(ProjectMembership, (project_id, user_id))
    return membership.role if membership else None


def list_members(*, session: Session, project_id: str) -> list[ProjectMembership]:
    query = (
        select(ProjectMembership)
        .where(ProjectMembership.project_id == project_id)
        .order_by(col(ProjectMembership.created_at), col(ProjectMembership.user_id))
    )
    return list(session.exec(query))


def list_user_projects(*, session: Session, user_id: str) -> list[tuple[Project, str]]:
    """Every project the user belongs to, with their role in it."""
    query = (
        select(Project, ProjectMembership.role)
        .join(ProjectMembership, col(ProjectMembership.project_id) == col(Project.id))
        .where(ProjectMembership.user_id == user_id)
        .order_by(col(Project.name), col(Project.id))
    )
    return [(p, r) for p, r in session.exec(query)]
