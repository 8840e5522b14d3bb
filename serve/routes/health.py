"""Liveness (``/healthz``), readiness (``/readyz``: database, cache and runtime answer) and
the ``/metrics`` placeholder (the operations issue fills it). No authentication."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from serve.deps import CtxDep

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
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


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> str:
    """Placeholder: Prometheus metrics arrive with the operations issue."""
    return "# n8nwork metrics: not yet exported (operations issue)\nn8nwork_up 1\n"
