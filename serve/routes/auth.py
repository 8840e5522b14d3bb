"""Login (e-mail + password → short-lived access token + rotating refresh token), refresh,
logout (revokes the login's refresh tokens and the access token), change password.

Audited: every login (``auth.login``), failed login (``auth.loginFailed``), lockout
(``auth.lockedOut``), reuse of a rotated refresh token (``auth.refreshReused``), logout and
password change."""

from __future__ import annotations

import time
from datetime import timedelta

import anyio
from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session, select

from n8nwork.store.errors import InvalidInputError, TokenError, TokenReuseError
from n8nwork.store.hashing import token_hash, verify_password
from n8nwork.store.repo.audit import record_audit
from n8nwork.store.repo.refresh_tokens import (
    issue_refresh_token,
    revoke_family,
    revoke_refresh_token,
    revoke_user_tokens,
    rotate_refresh_token,
)
from n8nwork.store.repo.users import get_user_by_email, normalize_email, set_password
from n8nwork.store.tables.identity import RefreshToken, User
from serve.access import audit
from serve.auth.lockout import Locked, LoginLockout
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
async def login(
    body: LoginRequest, request: Request, ctx: CtxDep, session: SessionDep
) -> LoginResponse:
    """Exchange e-mail and password for an access token and a refresh token. Repeated
    failures lock the account (and the address) for a while: 429 with ``Retry-After``."""
    ip = client_ip(request)
    lockout = (
        LoginLockout(ctx.cache, ctx.config.login_lockout) if ctx.config.login_lockout else None
    )
    if lockout is not None:
        await lockout.check(body.email, ip)

    def work() -> LoginResponse | None:
        user = check_login(session=session, email=body.email, password=body.password)
        if user is None:
            session.rollback()
            known = _known_user(session, body.email)
            record_audit(
                session=session,
                action="auth.loginFailed",
                actor_type="system",
                target_type="user" if known else None,
                target_id=known,
                ip=ip,
                user_agent=request.headers.get("user-agent"),
                details=None if known else {"unknownAccount": True},
            )
            session.commit()
            return None
        pair = _tokens(ctx, session, user, request)
        record_audit(
            session=session,
            action="auth.login",
            actor_type="user",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            user_agent=request.headers.get("user-agent"),
        )
        session.commit()
        return LoginResponse(**pair.model_dump(), user=UserPublic.of(user))

    answer = await anyio.to_thread.run_sync(work)
    if answer is not None:
        if lockout is not None:
            await lockout.succeeded(body.email)
        return answer
    if lockout is not None:
        locks = await lockout.failed(body.email, ip)
        if locks:
            await anyio.to_thread.run_sync(_audit_locks, session, body.email, ip, locks)
    raise AuthenticationError("wrong e-mail or password, or the account is disabled")


def _known_user(session: Session, email: str) -> str | None:
    """The id of the account this e-mail names, if any (for the audit log only)."""
    try:
        address = normalize_email(email)
    except InvalidInputError:
        return None
    user = get_user_by_email(session=session, email=address)
    return user.id if user is not None else None


def _audit_locks(session: Session, email: str, ip: str, locks: list[Locked]) -> None:
    known = _known_user(session, email)
    for lock in locks:
        account = lock.scope == "account"
        record_audit(
            session=session,
            action="auth.lockedOut",
            actor_type="system",
            target_type="user" if account and known else None,
            target_id=known if account else None,
            ip=ip,
            details={"scope": lock.scope, "failures": lock.failures, "seconds": lock.seconds},
        )
    session.commit()


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
    except TokenReuseError as exc:
        session.rollback()
        _audit_reuse(session, body.refresh_token, client_ip(request))
        raise AuthenticationError(str(exc)) from exc
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


def _audit_reuse(session: Session, token: str, ip: str) -> None:
    """A rotated refresh token came back (it leaked): its login was revoked; say so."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
    ).first()
    record_audit(
        session=session,
        action="auth.refreshReused",
        actor_type="system",
        target_type="user" if row is not None else None,
        target_id=row.user_id if row is not None else None,
        ip=ip,
        details={"family": row.family_id} if row is not None else None,
    )
    session.commit()


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
