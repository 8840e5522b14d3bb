"""Liveness (``/healthz``), readiness (``/readyz``: database, cache and runtime answer) and
``/metrics`` (this replica's metrics, ``n8nwork.observability.metrics``). No authentication,
except that ``/metrics`` asks for ``Bearer <N8NWORK_TELEMETRY__METRICS_TOKEN>`` when set."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import text

from serve.deps import CtxDep

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A dependency does not answer."}})
async def readyz(ctx: CtxDep) -> JSONResponse:
    """200 when the database, the cache and the runtime (Ray) answer, else 503."""

    def database() -> None:
        with ctx.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def check(name: str, probe: Any) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
        except Exception as exc:
            return name, f"error: {type(exc).__name__}"
        return name, "ok"

    results = dict(
        await asyncio.gather(
            check("database", lambda: anyio.to_thread.run_sync(database)),
            check("cache", ctx.cache.ping),
            check("runtime", ctx.runtime.ping),
        )
    )
    ready = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "unready", "checks": results},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={401: {"description": "The metrics token is missing."}},
)
async def metrics(request: Request, ctx: CtxDep) -> Response:
    """This replica's metrics in Prometheus text format (every process's, Ray's metrics
    export). With ``N8NWORK_TELEMETRY__METRICS_TOKEN`` set, only for ``Bearer <token>``."""
    from n8nwork.observability.metrics import CONTENT_TYPE, render
    from serve.errors import error_response

    token = ctx.settings.telemetry.metrics_token
    if token is not None:
        given = request.headers.get("authorization", "").encode()
        wanted = f"Bearer {token.get_secret_value()}".encode()
        if not hmac.compare_digest(given, wanted):
            return error_response(
                401, "unauthorized", "send the metrics token as 'Authorization: Bearer <token>'"
            )
    return Response(render(), media_type=CONTENT_TYPE)
