"""Login (e-mail + password → short-lived access token + rotating refresh token), refresh,
logout (revokes the login's refresh tokens and the access token), change password."""

from __future__ import annotations

import time
from datetime import timedelta

import anyio
from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from n8nwork.store.errors import TokenError
from n8nwork.store.hashing import verify_password
from n8nwork.store.repo.audit import record_audit
from n8nwork.store.repo.refresh_tokens import (
    issue_refresh_token,
    revoke_family,
    revoke_refresh_token,
    revoke_user_tokens,
    rotate_refresh_token,
)
from n8nwork.store.repo.users import set_password
from n8nwork.store.tables.identity import User
from serve.access import audit
from serve.auth.passwords import check_login
from serve.context import AppContext
from serve.deps import (
    REVOKED_NAMESPACE,
    CtxDep,
    CurrentUser,
    SessionDep,
    client_ip,
    forget_user_from_thread,
    take,
)
from serve.errors import AuthenticationError, RequestInvalidError
from serve.models.identity import (
    ChangePasswordRequest,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    RefreshRequest,
    TokenPair,
    UserPublic,
)

router = APIRouter(prefix="/auth", tags=["auth"])


async def login_guard(request: Request, ctx: CtxDep) -> None:
    await take(ctx, f"login:{client_ip(request)}", ctx.config.login_limit, "to log in")


def _tokens(ctx: AppContext, session: Session, user: User, request: Request) -> TokenPair:
    row, refresh = issue_refresh_token(
        session=session,
        user_id=user.id,
        ttl=timedelta(days=ctx.settings.auth.refresh_token_days),
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    access, _ = ctx.signer.issue(
        user_id=user.id, password_hash=user.password_hash, family=row.family_id
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=int(ctx.signer.ttl_s))


@router.post("/login", response_model=LoginResponse, dependencies=[Depends(login_guard)])
def login(body: LoginRequest, request: Request, ctx: CtxDep, session: SessionDep) -> LoginResponse:
    """Exchange e-mail and password for an access token and a refresh token."""
    user = check_login(session=session, email=body.email, password=body.password)
    if user is None:
        session.rollback()
        raise AuthenticationError("wrong e-mail or password, or the account is disabled")
    pair = _tokens(ctx, session, user, request)
    record_audit(
        session=session,
        action="auth.login",
        actor_type="user",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        ip=client_ip(request),
    )
    session.commit()
    return LoginResponse(**pair.model_dump(), user=UserPublic.of(user))


@router.post("/refresh", response_model=TokenPair, dependencies=[Depends(login_guard)])
def refresh(body: RefreshRequest, request: Request, ctx: CtxDep, session: SessionDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working, and
    presenting it again revokes every token of that login."""
    try:
        row, plaintext = rotate_refresh_token(
            session=session,
            token=body.refresh_token,
            ttl=timedelta(days=ctx.settings.auth.refresh_token_days),
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except TokenError as exc:
        session.rollback()
        raise AuthenticationError(str(exc)) from exc
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        revoke_family(session=session, family_id=row.family_id)
        session.commit()
        raise AuthenticationError("the account is disabled or no longer exists")
    access, _ = ctx.signer.issue(
        user_id=user.id, password_hash=user.password_hash, family=row.family_id
    )
    session.commit()
    return TokenPair(access_token=access, refresh_token=plaintext, expires_in=int(ctx.signer.ttl_s))


@router.post("/logout", status_code=204, response_class=Response)
async def logout(
    request: Request,
    principal: CurrentUser,
    ctx: CtxDep,
    session: SessionDep,
    body: LogoutRequest | None = None,
) -> Response:
    """Revoke this login: its refresh tokens and the access token used for this call."""
    claims = principal.claims

    def work() -> None:
        if claims is not None and claims.family:
            revoke_family(session=session, family_id=claims.family)
        if body is not None and body.refresh_token:
            revoke_refresh_token(session=session, token=body.refresh_token)
        audit(session, principal, "auth.logout", ip=client_ip(request))
        session.commit()

    await anyio.to_thread.run_sync(work)
    if claims is not None:
        ttl = max(1.0, claims.expires_at - time.time() + 1)
        await ctx.cache.set(REVOKED_NAMESPACE, claims.jti, True, ttl=ttl)
    return Response(status_code=204)


@router.post("/change-password", status_code=204, response_class=Response)
def change_password(
    body: ChangePasswordRequest,
    request: Request,
    principal: CurrentUser,
    ctx: CtxDep,
    session: SessionDep,
) -> Response:
    """Set a new password; every refresh and access token issued before is revoked."""
    user = session.get(User, principal.user_id)
    if user is None or not user.password_hash:
        raise AuthenticationError("this account has no password")
    if not verify_password(user.password_hash, body.current_password):
        raise RequestInvalidError(
            "the current password is wrong", [("currentPassword", "does not match")]
        )
    if len(body.new_password) < ctx.config.min_password_chars:
        raise RequestInvalidError(
            "the new password is too short",
            [("newPassword", f"at least {ctx.config.min_password_chars} characters")],
        )
    set_password(session=session, user_id=user.id, password=body.new_password)
    revoke_user_tokens(session=session, user_id=user.id)
    audit(session, principal, "auth.passwordChanged", ip=client_ip(request))
    session.commit()
    forget_user_from_thread(ctx, user.id)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(principal: CurrentUser, session: SessionDep) -> UserPublic:
    """The calling user."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise AuthenticationError("the account no longer exists")
    return UserPublic.of(user)
