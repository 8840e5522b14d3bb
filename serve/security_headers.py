"""Security headers on every answer of the API, its docs and its webhooks.

    every answer     X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
                     Referrer-Policy: no-referrer, Cross-Origin-Opener-Policy: same-origin,
                     Strict-Transport-Security (only when ``public_url`` is https)
    API and health   Content-Security-Policy: default-src 'none'; frame-ancestors 'none'
    /api/...         Cache-Control: no-store (tokens, run data and keys are not cached)
    /docs            a CSP that lets the Swagger UI load from its CDN and run its own inline
                     script (allowed by its sha256, computed from the page as sent)
    webhooks         no CSP: the answer is the workflow's content (a Respond to Webhook node
                     may send HTML); a header the answer sets itself is never replaced.

``HeaderPolicy.for_path`` picks the headers once per request (precomputed byte pairs); the
app's middleware (``SecurityHeaders``) and the Serve front door (``with_headers``, webhook
calls bypass the app's middleware) both use it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = tuple[tuple[bytes, bytes], ...]

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_SOURCES = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline' "
    + DOCS_SOURCES
    + "; img-src 'self' data: https://fastapi.tiangolo.com "
    + DOCS_SOURCES
    + "; connect-src 'self'; font-src "
    + DOCS_SOURCES
    + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
WEBHOOK_PREFIXES = ("/webhook/", "/webhook-test/", "/webhook-waiting/", "/form-waiting/")
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _pairs(headers: dict[str, str]) -> Headers:
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())


class HeaderPolicy:
    """Which headers an answer to ``path`` gets (built once per app)."""

    def __init__(self, *, public_url: str = "", docs_url: str | None = "/docs") -> None:
        base = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if public_url.lower().startswith("https://"):
            base["Strict-Transport-Security"] = HSTS
        self.docs_url = docs_url
        self.webhook: Headers = _pairs(base)
        self.plain: Headers = _pairs({**base, "Content-Security-Policy": API_CSP})
        self.api: Headers = _pairs(
            {**base, "Content-Security-Policy": API_CSP, "Cache-Control": "no-store"}
        )
        self.docs: Headers = _pairs(base)  # + the CSP, once the page's scripts are known

    def for_path(self, path: str) -> Headers:
        if path.startswith("/api/"):
            return self.api
        if path.startswith(WEBHOOK_PREFIXES):
            return self.webhook
        return self.plain

    def is_docs(self, path: str) -> bool:
        return self.docs_url is not None and path.startswith(self.docs_url)


def docs_csp(body: bytes) -> str:
    """The docs CSP allowing exactly the inline scripts of ``body`` (by sha256)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    ]
    return DOCS_CSP.format(scripts=" ".join([DOCS_SOURCES, *hashes]))


def merged(existing: Sequence[tuple[bytes, bytes]], extra: Headers) -> list[tuple[bytes, bytes]]:
    """``existing`` plus each of ``extra`` whose name it does not already have."""
    have = {name.lower() for name, _ in existing}
    return [*existing, *(pair for pair in extra if pair[0] not in have)]


def with_headers(send: Send, extra: Headers) -> Send:
    """``send`` that adds ``extra`` (where missing) to the response start."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": merged(message.get("headers", []), extra)}
        await send(message)

    return sender


def _docs_sender(send: Send, extra: Headers) -> Send:
    """Holds the (small) docs page until its body is whole, to hash its inline scripts."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def sender(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        csp = (b"content-security-policy", docs_csp(body).encode("latin-1"))
        headers = merged(start.get("headers", []), (*extra, csp))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return sender


class SecurityHeaders:
    """Pure ASGI middleware: ``HeaderPolicy`` headers on every HTTP answer of the app."""

    def __init__(self, app: ASGIApp, *, policy: HeaderPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.policy.is_docs(path):
            await self.app(scope, receive, _docs_sender(send, self.policy.docs))
            return
        await self.app(scope, receive, with_headers(send, self.policy.for_path(path)))
