"""Users: instance owners and admins create them, disable them and set their role. Only the
owner grants or takes the admin role or changes an admin; nobody changes the owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from n8nwork.store.repo.refresh_tokens import revoke_user_tokens
from n8nwork.store.repo.users import (
    create_user,
    get_user,
    list_users,
    set_user_disabled,
    set_user_role,
)
from serve.access import audit
from serve.auth.principal import Principal
from serve.deps import (
    CtxDep,
    CurrentUser,
    SessionDep,
    check_scope,
    client_ip,
    forget_user_from_thread,
    require,
)
from serve.errors import PermissionDeniedError, RequestInvalidError
from serve.models.base import Limit, Page
from serve.models.identity import UserCreate, UserPublic, UserUpdate
from serve.rbac import ADMIN, OWNER, role_allows

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[str, Path(min_length=1, max_length=36)]


@router.get("", response_model=Page[UserPublic])
def users_list(
    session: SessionDep,
    principal: Annotated[Principal, require("user:list")],
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=320)] = None,
) -> Page[UserPublic]:
    """Users by e-mail; ``cursor`` is the last e-mail of the previous page."""
    rows = list_users(session=session, limit=limit + 1, after_email=cursor)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(data=[UserPublic.of(u) for u in rows], next_cursor=rows[-1].email if more else None)


@router.post("", response_model=UserPublic, status_code=201)
def users_create(
    body: UserCreate,
    request: Request,
    ctx: CtxDep,
    session: SessionDep,
    principal: Annotated[Principal, require("user:create")],
) -> UserPublic:
    """Add a user (with a personal project). Without a password they cannot log in yet."""
    if body.role == ADMIN and principal.role != OWNER:
        raise PermissionDeniedError("only the owner creates admins")
    if body.password is not None and len(body.password) < ctx.config.min_password_chars:
        raise RequestInvalidError(
            "the password is too short",
            [("password", f"at least {ctx.config.min_password_chars} characters")],
        )
    user = create_user(
        session=session,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
    )
    audit(
        session,
        principal,
        "user.created",
        target_type="user",
        target_id=user.id,
        ip=client_ip(request),
        details={"role": body.role},
    )
    session.commit()
    return UserPublic.of(user)


@router.get("/{user_id}", response_model=UserPublic)
def users_get(user_id: UserId, principal: CurrentUser, session: SessionDep) -> UserPublic:
    """A user: yourself, or anyone for owners and admins."""
    if user_id != principal.user_id:
        check_scope(principal, "user:list")
        if not role_allows(principal.role, "user:list"):
            raise PermissionDeniedError("your role may not read other users")
    return UserPublic.of(get_user(session=session, user_id=user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def users_update(
    user_id: UserId,
    body: UserUpdate,
    request: Request,
    ctx: CtxDep,
    session: SessionDep,
    principal: Annotated[Principal, require("user:update")],
) -> UserPublic:
    """Set a user's instance role and/or disable (enable) them. Disabling revokes their
    tokens at once."""
    user = get_user(session=session, user_id=user_id)
    if user.role == OWNER:
        raise PermissionDeniedError("the owner cannot be changed")
    if user.id == principal.user_id:
        raise PermissionDeniedError("you cannot change your own role or disable yourself")
    if principal.role != OWNER and (user.role == ADMIN or body.role == ADMIN):
        raise PermissionDeniedError("only the owner changes admins")
    if body.role is not None:
        user = set_user_role(session=session, user_id=user.id, role=body.role)
    if body.disabled is not None:
        user = set_user_disabled(session=session, user_id=user.id, disabled=body.disabled)
        if body.disabled:
            revoke_user_tokens(session=session, user_id=user.id)
    audit(
        session,
        principal,
        "user.updated",
        target_type="user",
        target_id=user.id,
        ip=client_ip(request),
        details=body.model_dump(exclude_none=True),
    )
    session.commit()
    forget_user_from_thread(ctx, user.id)
    return UserPublic.of(user)
