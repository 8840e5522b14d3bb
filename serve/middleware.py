"""The outermost guard of every request, before routing: a rate limit per client address,
and for requests with a body: size limit (413, checked while reading, also for chunked
bodies), ``application/json`` only (415), strict UTF-8 and strict JSON (422: no NaN or
Infinity, no lone surrogates, no numbers with thousands of digits, bounded nesting).
The checked body is handed on unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from n8nwork.store.errors import InvalidInputError, PayloadTooLargeError
from n8nwork.store.jsonsafe import load_json_bytes
from serve.config import ApiConfig
from serve.deps import take, take_batched
from serve.errors import (
    ApiError,
    BodyTooLargeError,
    RequestInvalidError,
    UnsupportedMediaError,
    problem_response,
)

UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WEBHOOK_PREFIXES = ("/webhook/", "/webhook-test/", "/webhook-waiting/", "/form-waiting/")


def _is_json(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        return False
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


class RequestGuard:
    """Pure ASGI middleware; reads ``app.state.ctx`` at request time."""

    def __init__(self, app: ASGIApp, *, config: ApiConfig, state_of: Callable[[], Any]) -> None:
        self.app = app
        self.config = config
        self.state_of = state_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._check(scope, receive)
        except ApiError as exc:
            response = problem_response(exc)
            await response(scope, receive, send)
            return
        except _Disconnected:
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        path = scope["path"]
        webhook = path.startswith(WEBHOOK_PREFIXES)
        if path not in UNLIMITED_PATHS:
            client = scope.get("client")
            ip = client[0] if client else "unknown"
            ctx = self.state_of()
            if ctx is not None:
                if webhook:
                    hooks = self.config.webhook_ip_limit
                    await take_batched(ctx, f"wh:{ip}", hooks, "to webhooks from this address")
                else:
                    await take(ctx, f"ip:{ip}", self.config.ip_limit, "from this address")
        if webhook or scope["method"] not in BODY_METHODS:
            return receive  # webhook bodies are the workflow's: any type, read by the handler
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        limit = self.config.max_body_bytes
        if length is not None:
            if not length.isdigit() or len(length) > 18:
                raise RequestInvalidError("bad Content-Length", [("Content-Length", "invalid")])
            if int(length) > limit:
                raise BodyTooLargeError(f"the body is over the limit of {limit:,} bytes")
        body = await _read_body(receive, limit)
        if body:
            if not _is_json(headers.get("content-type", "")):
                raise UnsupportedMediaError("send the body as application/json (UTF-8)")
            try:
                load_json_bytes(body, max_bytes=limit, what="body")
            except PayloadTooLargeError as exc:
                raise BodyTooLargeError(str(exc)) from exc
            except InvalidInputError as exc:
                problem = str(exc).partition(": ")[2] or str(exc)
                raise RequestInvalidError(
                    "the body is not valid JSON", [("body", problem)]
                ) from exc
            except ValueError as exc:  # e.g. an integer with more digits than Python allows
                raise RequestInvalidError(
                    "the body is not valid JSON", [("body", "a number is too large")]
                ) from exc
        return _replay(body, receive)


class _Disconnected(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"the body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
