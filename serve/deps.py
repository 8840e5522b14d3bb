"""FastAPI dependencies as ``Annotated`` aliases: ``CtxDep``, ``SessionDep``, ``CurrentUser``,
and ``require(scope)`` for instance scopes. Project scopes are checked where the resource's
project is known (``serve.access``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import anyio
import anyio.from_thread
from fastapi import Depends, Request
from sqlmodel import Session

from n8nwork.errors import CacheUnavailableError
from serve.auth.principal import (
    API_KEY_HEADER,
    USER_CACHE_TTL_S,
    USER_NAMESPACE,
    Principal,
    UserStatus,
    authenticate,
    credentials_of,
    load_user_status,
    token_principal,
)
from serve.config import RateLimit
from serve.context import AppContext
from serve.errors import AuthenticationError, PermissionDeniedError, RateLimitedError, log
from serve.rbac import role_allows

REVOKED_NAMESPACE = "auth:revoked-jti"


async def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS_ONLY = "__n8nwork_reads_only__"
F = TypeVar("F", bound=Callable[..., Any])


def reads_only(endpoint: F) -> F:
    """Mark a POST route whose request session only reads (e.g. a run: the runtime writes
    the execution on its own connection), so it does not take SQLite's write lock."""
    setattr(endpoint, READS_ONLY, True)
    return endpoint


async def get_session(request: Request, ctx: CtxDep) -> AsyncIterator[Session]:
    """One session per request; handlers commit what they change, the rest is rolled back.
    Requests that may write (by method, or an API key whose last use is recorded) use
    sessions that lock at BEGIN on SQLite.

    Made and closed on the event loop (no thread hop): making a session does no I/O, and
    closing one whose handler ended its transaction does none either."""
    writes = (
        request.method in WRITE_METHODS
        and not getattr(request.scope.get("endpoint"), READS_ONLY, False)
    ) or API_KEY_HEADER in request.headers
    factory = ctx.write_sessions if writes and ctx.write_sessions else ctx.store.sessions
    session = factory()
    try:
        yield session
    finally:
        session.close()  # at most a ROLLBACK of a read: cheaper here than a thread hop


SessionDep = Annotated[Session, Depends(get_session)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def take_batched(ctx: AppContext, bucket: str, limit: RateLimit | None, what: str) -> None:
    """``take`` for high-rate callers (webhooks): tokens come from the shared bucket a small
    batch at a time (``serve.rate_batches``), so most requests cost no cache round trip."""
    if limit is None:
        return
    try:
        wait = await ctx.rate_batches.take(f"rl:{bucket}", rate=limit.rate, burst=limit.burst)
    except CacheUnavailableError as exc:
        log.warning("rate limit not applied, cache unavailable: %s", exc)
        return
    if wait is not None:
        raise RateLimitedError(f"too many requests {what}", wait)


async def take(ctx: AppContext, bucket: str, limit: RateLimit | None, what: str) -> None:
    """Charge one request to ``bucket``; ``RateLimitedError`` when it is empty. A cache that
    cannot be reached lets the request through (rate limits fail open) and is logged."""
    if limit is None:
        return
    try:
        allowance = await ctx.cache.take(f"rl:{bucket}", rate=limit.rate, burst=limit.burst)
    except CacheUnavailableError as exc:
        log.warning("rate limit not applied, cache unavailable: %s", exc)
        return
    if not allowance.allowed:
        raise RateLimitedError(f"too many requests {what}", allowance.retry_after_s)


async def _user_status(ctx: AppContext, session: Session, user_id: str) -> UserStatus | None:
    try:
        cached = await ctx.cache.get(USER_NAMESPACE, user_id)
    except CacheUnavailableError:
        cached = None
    status = UserStatus.from_json(cached) if cached is not None else None
    if status is not None:
        return status
    status = await anyio.to_thread.run_sync(load_user_status, session, user_id)
    if status is not None:
        with contextlib.suppress(CacheUnavailableError):
            await ctx.cache.set(USER_NAMESPACE, user_id, status.to_json(), ttl=USER_CACHE_TTL_S)
    return status


async def forget_user(ctx: AppContext, user_id: str) -> None:
    """Drop the cached status of a user the API just changed (call after the commit)."""
    with contextlib.suppress(CacheUnavailableError):
        await ctx.cache.delete(USER_NAMESPACE, user_id)


def forget_user_from_thread(ctx: AppContext, user_id: str) -> None:
    """``forget_user`` for sync handlers (they run on a worker thread of the event loop)."""
    anyio.from_thread.run(forget_user, ctx, user_id)


async def _authenticated(request: Request, ctx: CtxDep, session: SessionDep) -> Principal:
    creds = credentials_of(
        request.headers.get("authorization"), request.headers.get(API_KEY_HEADER)
    )
    if creds is None:
        raise AuthenticationError("authentication required")
    kind, value = creds
    if kind == "token":  # no thread hop while the user's status is cached
        claims = ctx.signer.verify(value)
        return token_principal(claims, await _user_status(ctx, session, claims.user_id))

    def by_key() -> Principal:
        principal = authenticate(session=session, signer=ctx.signer, kind=kind, value=value)
        session.commit()  # the key's last use (the handler's transaction starts afresh)
        return principal

    return await anyio.to_thread.run_sync(by_key)


async def current_principal(
    request: Request, ctx: CtxDep, principal: Annotated[Principal, Depends(_authenticated)]
) -> Principal:
    if principal.claims is not None:
        revoked = await ctx.cache.get(REVOKED_NAMESPACE, principal.claims.jti)
        if revoked is not None:
            raise AuthenticationError("access token revoked (logged out)")
    await take(ctx, principal.rate_key, ctx.config.principal_limit, "for this user or key")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def check_scope(principal: Principal, scope: str) -> None:
    """An API key limited to other scopes may not use ``scope`` (403)."""
    if principal.scopes is not None and scope not in principal.scopes:
        raise PermissionDeniedError(f"this API key lacks the scope {scope!r}")


def require(scope: str) -> Any:
    """A dependency that lets only callers whose instance role holds ``scope`` through."""

    async def dependency(principal: CurrentUser) -> Principal:
        check_scope(principal, scope)
        if not role_allows(principal.role, scope):
            raise PermissionDeniedError(f"your role may not {scope}")
        return principal

    return Depends(dependency)
