"""The client's protocol without I/O: how a call becomes a request, which answers are errors,
when to retry and after how long, and how a login is refreshed.

Every operation is a generator (``Op``) that yields what it needs done — ``Send`` a request,
``Sleep`` a while — and receives the answer (an ``httpx.Response``, or the transport error
thrown in). ``Client`` and ``AsyncClient`` each have one small driver that does those two
things with blocking or async I/O; everything else is here and in ``_ops``, written once.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from n8nwork.client.errors import (
    ApiError,
    RateLimited,
    ServerUnavailable,
    Unauthorized,
    Unreachable,
    error_from_response,
    unreachable,
)

T = TypeVar("T")
API = "/api/v1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
USER_AGENT = "n8nwork-client/0.1"
NO_BODY: Any = object()


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``request``; with ``stream`` the body is left unread (error bodies are read)."""

    request: httpx.Request
    stream: bool = False


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Action = Send | Sleep
Op = Generator[Action, Any, T]
"""An operation: yields actions, is sent their results, returns its value."""


@dataclass(frozen=True, slots=True)
class Call:
    """One API call: method, path under ``/api/v1``, query, JSON body, extra headers."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = NO_BODY
    headers: Mapping[str, str] = field(default_factory=dict)
    auth: bool = True
    """Send the credentials (and refresh the login on a 401)."""
    read_timeout: float | None = None
    """Longer than the client's timeout, for calls the server holds (waits, event streams)."""
    stream: bool = False

    @property
    def idempotent(self) -> bool:
        """Safe to send again: GET/HEAD/PUT/DELETE, or any call with an Idempotency-Key."""
        return self.method in IDEMPOTENT_METHODS or any(
            k.lower() == "idempotency-key" for k in self.headers
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, for idempotent calls only, on ``Unreachable``,
    ``ServerUnavailable`` and ``RateLimited``; a ``Retry-After`` the server gives is waited
    (up to ``max_retry_after``; a longer one is raised at once)."""

    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0

    def delay(self, call: Call, error: ApiError, attempt: int, rng: random.Random) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None``: raise ``error``."""
        if attempt >= self.retries or not call.idempotent:
            return None
        if not isinstance(error, Unreachable | ServerUnavailable | RateLimited):
            return None
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return float(asked) if asked <= self.max_retry_after else None
        return min(self.max_backoff, self.backoff * 2**attempt) * rng.uniform(0.5, 1.0)


class Session:
    """What the client knows between calls: where the API is, its credentials (API key, or
    access + refresh token), timeouts and the retry policy. Shared by both drivers; safe to
    use from several threads or tasks (a refresh happens once, the others wait for it)."""

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        token: str | None = None,
        refresh_token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        if (email is None) != (password is None):
            raise ValueError("give both email and password, or neither")
        if api_key is not None and (email is not None or token is not None):
            raise ValueError("give one kind of credentials: api_key, email/password, or token")
        if retries < 0 or timeout <= 0:
            raise ValueError("retries must be >= 0 and timeout > 0")
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.access_token = token
        self.refresh_token = refresh_token
        self._login: tuple[str, str] | None = (email, password) if email and password else None
        self.timeout = timeout
        self.retry = RetryPolicy(retries=retries, backoff=backoff)
        self.rng = random.Random()
        self._refreshing = threading.Lock()

    def __repr__(self) -> str:  # never the credentials
        return f"Session({self.url!r})"

    # ---- requests
    def build(self, call: Call, request_id: str) -> httpx.Request:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        headers["X-Request-ID"] = request_id
        if call.auth:
            if self.api_key is not None:
                headers["X-N8N-API-KEY"] = self.api_key
            elif self.access_token is not None:
                headers["Authorization"] = f"Bearer {self.access_token}"
        headers.update(call.headers)
        read = max(self.timeout, call.read_timeout or 0.0)
        timeout = httpx.Timeout(self.timeout, read=read)
        return httpx.Request(
            call.method,
            f"{self.url}{API}{call.path}",
            params=_params(call.params),
            json=None if call.json is NO_BODY else call.json,
            headers=headers,
            extensions={"timeout": timeout.as_dict()},
        )

    def send(self, call: Call) -> Op[httpx.Response]:
        """Send ``call``: log in first if needed, refresh the login once on a 401, retry by
        the policy; return the answer (status < 400) or raise its typed error."""
        if call.auth and self._login is not None and self.access_token is None:
            yield from self.login(*self._login)
        attempt = 0
        refreshed = False
        request_id = uuid.uuid4().hex
        while True:
            token_used = self.access_token
            request = self.build(call, request_id)
            try:
                response: httpx.Response = yield Send(request, call.stream)
            except httpx.TransportError as exc:
                error: ApiError = unreachable(exc, self.url, request_id)
            else:
                if response.status_code < 400:
                    return response
                error = error_from_response(response, request_id)
                if call.stream:
                    response.close()
                if (
                    isinstance(error, Unauthorized)
                    and call.auth
                    and self.refresh_token is not None
                    and self.api_key is None
                    and not refreshed
                ):
                    refreshed = True
                    yield from self.refresh(token_used)
                    continue
            delay = self.retry.delay(call, error, attempt, self.rng)
            if delay is None:
                raise error
            attempt += 1
            yield Sleep(delay)

    def json(self, call: Call) -> Op[Any]:
        """Send ``call`` and return its JSON body (``None`` for an empty one)."""
        response = yield from self.send(call)
        return response.json() if response.content else None

    # ---- logins
    def login(self, email: str, password: str) -> Op[dict[str, Any]]:
        """Log in with e-mail and password; keep the tokens; return them."""
        body = yield from self.json(
            Call("POST", "/auth/login", json={"email": email, "password": password}, auth=False)
        )
        self._login = None  # the password is not kept once it has served
        self.api_key = None
        self.access_token = str(body["accessToken"])
        self.refresh_token = str(body["refreshToken"])
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": body.get("expiresIn"),
            "user": body.get("user"),
        }

    def logout(self) -> Op[None]:
        """Revoke this login on the server (its refresh tokens and the access token) and
        forget the tokens; nothing to do without a login."""
        if self.access_token is None:
            return
        try:
            yield from self.send(Call("POST", "/auth/logout"))
        finally:
            self.access_token = self.refresh_token = None

    def tokens(self) -> dict[str, str | None]:
        """The login's current tokens (they rotate on refresh): to save and pass back as
        ``token`` / ``refresh_token`` next time."""
        return {"access_token": self.access_token, "refresh_token": self.refresh_token}

    def refresh(self, token_used: str | None) -> Op[None]:
        """Exchange the refresh token for new tokens, once even when several calls got a 401
        at the same time (refresh tokens rotate: presenting one twice revokes the login)."""
        if self.access_token != token_used:
            return  # somebody refreshed since that call was sent: just send it again
        if not self._refreshing.acquire(blocking=False):
            while self._refreshing.locked():
                yield Sleep(0.02)
            return
        try:
            try:
                body = yield from self.json(
                    Call(
                        "POST",
                        "/auth/refresh",
                        json={"refreshToken": self.refresh_token},
                        auth=False,
                    )
                )
            except Unauthorized as exc:
                self.access_token = self.refresh_token = None
                raise Unauthorized(
                    "the login expired or was revoked; log in again",
                    status=401,
                    code=exc.code,
                    details=exc.details,
                    request_id=exc.request_id,
                ) from exc
            self.access_token = str(body["accessToken"])
            self.refresh_token = str(body["refreshToken"])
        finally:
            self._refreshing.release()


def _params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Query parameters without ``None`` values; booleans as ``true``/``false``."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out
