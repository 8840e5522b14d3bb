"""Projects and their members. Everyone may create a team project (and becomes its admin);
members see the projects they belong to, owners and admins see all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from n8nwork.store.errors import ConflictError, NotFoundError
from n8nwork.store.repo.projects import (
    create_project,
    delete_project,
    list_members,
    list_projects,
    list_user_projects,
    remove_member,
    rename_project,
    set_member_role,
)
from n8nwork.store.repo.users import get_user
from serve.access import audit, load_project, project_role
from serve.auth.principal import Principal
from serve.deps import CurrentUser, SessionDep, check_scope, client_ip, require
from serve.models.base import Limit, Page
from serve.models.identity import (
    MemberPublic,
    MemberSet,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
)
from serve.rbac import is_staff

router = APIRouter(prefix="/projects", tags=["projects"])
ProjectId = Annotated[str, Path(min_length=1, max_length=36)]
UserId = Annotated[str, Path(min_length=1, max_length=36)]


@router.get("", response_model=Page[ProjectPublic])
def projects_list(
    principal: CurrentUser,
    session: SessionDep,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[ProjectPublic]:
    """Your projects (owners and admins: every project, by id; ``cursor`` = last id)."""
    check_scope(principal, "project:read")
    if is_staff(principal.role):
        mine = dict(
            (p.id, role)
            for p, role in list_user_projects(session=session, user_id=principal.user_id)
        )
        rows = list_projects(session=session, limit=limit + 1, after_id=cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(
            data=[ProjectPublic.of(p, mine.get(p.id)) for p in rows],
            next_cursor=rows[-1].id if more else None,
        )
    pairs = list_user_projects(session=session, user_id=principal.user_id)
    return Page(data=[ProjectPublic.of(p, role) for p, role in pairs])


@router.post("", response_model=ProjectPublic, status_code=201)
def projects_create(
    body: ProjectCreate,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, require("project:create")],
) -> ProjectPublic:
    """A team project; you become its admin."""
    project = create_project(session=session, name=body.name, owner_id=principal.user_id)
    audit(
        session,
        principal,
        "project.created",
        target_type="project",
        target_id=project.id,
        ip=client_ip(request),
    )
    session.commit()
    return ProjectPublic.of(project, "project:admin")


@router.get("/{project_id}", response_model=ProjectPublic)
def projects_get(
    project_id: ProjectId, principal: CurrentUser, session: SessionDep
) -> ProjectPublic:
    project = load_project(session, principal, project_id, "project:read")
    return ProjectPublic.of(project, project_role(session, principal, project.id))


@router.patch("/{project_id}", response_model=ProjectPublic)
def projects_update(
    project_id: ProjectId,
    body: ProjectUpdate,
    request: Request,
    principal: CurrentUser,
    session: SessionDep,
) -> ProjectPublic:
    load_project(session, principal, project_id, "project:update")
    project = rename_project(session=session, project_id=project_id, name=body.name)
    audit(
        session,
        principal,
        "project.updated",
        target_type="project",
        target_id=project.id,
        ip=client_ip(request),
    )
    session.commit()
    return ProjectPublic.of(project, project_role(session, principal, project.id))


@router.delete("/{project_id}", status_code=204, response_class=Response)
def projects_delete(
    project_id: ProjectId, request: Request, principal: CurrentUser, session: SessionDep
) -> Response:
    """Delete a team project with its workflows, executions and credentials."""
    project = load_project(session, principal, project_id, "project:delete")
    if project.type == "personal":
        raise ConflictError("a personal project cannot be deleted")
    delete_project(session=session, project_id=project.id)
    audit(
        session,
        principal,
        "project.deleted",
        target_type="project",
        target_id=project.id,
        ip=client_ip(request),
    )
    session.commit()
    return Response(status_code=204)


@router.get("/{project_id}/members", response_model=list[MemberPublic])
def members_list(
    project_id: ProjectId, principal: CurrentUser, session: SessionDep
) -> list[MemberPublic]:
    load_project(session, principal, project_id, "project:read")
    return [
        MemberPublic(user_id=m.user_id, role=m.role, created_at=m.created_at)
        for m in list_members(session=session, project_id=project_id)
    ]


@router.put("/{project_id}/members/{user_id}", response_model=MemberPublic)
def members_set(
    project_id: ProjectId,
    user_id: UserId,
    body: MemberSet,
    request: Request,
    principal: CurrentUser,
    session: SessionDep,
) -> MemberPublic:
    """Add a user to a team project with a role, or change their role."""
    project = load_project(session, principal, project_id, "project:manageMembers")
    if project.type == "personal":
        raise ConflictError("a personal project has no other members")
    get_user(session=session, user_id=user_id)
    membership = set_member_role(
        session=session, project_id=project.id, user_id=user_id, role=body.role
    )
    audit(
        session,
        principal,
        "project.memberSet",
        target_type="project",
        target_id=project.id,
        ip=client_ip(request),
        details={"userId": user_id, "role": body.role},
    )
    session.commit()
    return MemberPublic(
        user_id=membership.user_id, role=membership.role, created_at=membership.created_at
    )


@router.delete("/{project_id}/members/{user_id}", status_code=204, response_class=Response)
def members_remove(
    project_id: ProjectId,
    user_id: UserId,
    request: Request,
    principal: CurrentUser,
    session: SessionDep,
) -> Response:
    project = load_project(session, principal, project_id, "project:manageMembers")
    if project.type == "personal":
        raise ConflictError("a personal project has no other members")
    if not remove_member(session=session, project_id=project.id, user_id=user_id):
        raise NotFoundError(f"user {user_id!r} is not a member of this project")
    audit(
        session,
        principal,
        "project.memberRemoved",
        target_type="project",
        target_id=project.id,
        ip=client_ip(request),
        details={"userId": user_id},
    )
    session.commit()
    return Response(status_code=204)
