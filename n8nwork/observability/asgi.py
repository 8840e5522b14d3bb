"""``RequestTelemetry``: pure ASGI middleware of the API app that counts each request by
route *template* (``/api/v1/workflows/{workflow_id}``, never the raw path), method and
status, samples its latency, and — when spans are recorded or the caller sent a
``traceparent`` — wraps it in a server span continuing the caller's trace (so the runs it
submits join that trace). Webhook calls bypass the app in replicas (``serve.front_door``)
and are counted there, by the prefix's template.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode

from n8nwork.observability import metrics, tracing

UNMATCHED = "unmatched"
Scope = MutableMapping[str, Any]


def route_of(scope: Scope) -> str:
    """The template of the route that handled the request (after routing). A route of an
    included router knows its own part only (``/workflows/{workflow_id}``); the prefix
    before it is the request path's part before the route's part, params filled in."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    path = str(scope.get("path") or "")
    try:
        rendered = template.format(**(scope.get("path_params") or {}))
    except (KeyError, IndexError, ValueError):
        return template
    if rendered and path.endswith(rendered):
        return path[: len(path) - len(rendered)] + template
    return template


def traceparent_header(scope: Scope) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == b"traceparent":
            return str(value.decode("latin-1"))
    return None


class RequestTelemetry:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        incoming = traceparent_header(scope)
        method = scope["method"]
        try:
            if tracing.ENABLED or incoming:
                with tracing.span(f"{method}", parent=incoming, kind=SpanKind.SERVER) as span:
                    await self.app(scope, receive, send_status)
                    route = route_of(scope)
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
            else:
                await self.app(scope, receive, send_status)
        finally:
            metrics.http_request(route_of(scope), method, status, time.perf_counter() - started)
