"""The replica's outermost ASGI callable: webhook calls (``/webhook*``, ``/form-waiting``)
go straight to their handlers; everything else, and the lifespan, to the FastAPI app.

Webhooks are the high-rate path, and the framework's middleware layers (error, telemetry,
body limit, exception, exit stack, routing) cost a quarter of a webhook call's time in the
replica. The front door keeps what webhooks need from them: the per-address rate limit
(``ApiConfig.webhook_ip_limit``), the method check, the security headers
(``security_headers``), and an answer for any unexpected error
(logged; never a trace). The handlers are the same ones the app's own routes call (the
app without the front door, as unit tests serve it, behaves the same).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from n8nwork.observability import tracing
from n8nwork.observability.asgi import traceparent_header
from n8nwork.observability.metrics import webhook_request
from serve.deps import take_batched
from serve.errors import RateLimitedError, problem_response
from serve.routes.webhooks import METHODS
from serve.security_headers import with_headers
from serve.webhooks.handler import serve_production, serve_test
from serve.webhooks.waiting import serve_form_waiting, serve_webhook_waiting

log = logging.getLogger("n8nwork.serve.webhooks")

ROUTES = (
    ("/webhook/", serve_production, "path"),
    ("/webhook-test/", serve_test, "path"),
    ("/webhook-waiting/", serve_webhook_waiting, "rest"),
    ("/form-waiting/", serve_form_waiting, "rest"),
)
TEMPLATES = {prefix: f"{prefix}{{{key}}}" for prefix, _, key in ROUTES}
"""The route label of webhook metrics (``/webhook/{path}``: never the raw path)."""


class FrontDoor:
    """Wraps the FastAPI ``app``; attributes not defined here are the app's (Serve reads its
    routes to name requests)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for prefix, handler, key in ROUTES:
                if path.startswith(prefix):
                    incoming = traceparent_header(scope)
                    if tracing.ENABLED or incoming:
                        with tracing.span(
                            f"{scope['method']} {TEMPLATES[prefix]}",
                            parent=incoming,
                            kind=tracing.SpanKind.SERVER,
                        ):
                            response = await self._webhook(
                                scope, receive, handler, key, path[len(prefix) :]
                            )
                    else:
                        response = await self._webhook(
                            scope, receive, handler, key, path[len(prefix) :]
                        )
                    secured = with_headers(send, self.app.state.security_headers.webhook)
                    await response(scope, receive, secured)
                    method = scope["method"] if scope["method"] in METHODS else "other"
                    webhook_request(TEMPLATES[prefix], method, response.status_code)
                    return
        await self.app(scope, receive, send)

    async def _webhook(
        self, scope: Scope, receive: Receive, handler: Any, key: str, rest: str
    ) -> Response:
        ctx = self.app.state.ctx
        if ctx is None:
            return JSONResponse({"code": 503, "message": "starting up; retry"}, status_code=503)
        if scope["method"] not in METHODS:
            return JSONResponse(
                {"code": 405, "message": f"{scope['method']} is not a webhook method"},
                status_code=405,
                headers={"Allow": ", ".join(METHODS)},
            )
        scope["app"] = self.app
        scope["path_params"] = {key: rest}
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        try:
            limit = ctx.config.webhook_ip_limit
            await take_batched(ctx, f"wh:{ip}", limit, "to webhooks from this address")
            response: Response = await handler(Request(scope, receive))
        except RateLimitedError as exc:
            return problem_response(exc)
        except Exception:
            log.exception("webhook %s %s failed", scope["method"], scope["path"])
            return JSONResponse(
                {"code": 500, "message": "the webhook could not be answered (logged)"},
                status_code=500,
            )
        return response
