"""The FastAPI application: ``create_app(settings, *, runtime=None, store=None, cache=None)``.

What is not given is opened at start-up (lifespan) and closed at shutdown: the store from
settings (the embedded SQLite file migrates itself), the cache (Redis when
``N8NWORK_REDIS__URL`` is set, in-process otherwise), and the runtime (a factory
``runtime(store, cache, registry)`` may be given instead of an instance; by default the
in-process ``LocalRuntime``). The Ray Serve deployment passes a factory for the Ray runtime.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from n8nwork.cache import Cache, connect_cache
from n8nwork.observability.asgi import RequestTelemetry
from n8nwork.settings import Settings
from n8nwork.store import Store, open_store, session_factory
from serve import errors
from serve.auth.tokens import TokenSigner
from serve.config import ApiConfig
from serve.context import AppContext
from serve.middleware import RequestGuard
from serve.openapi import install_openapi
from serve.rate_batches import BatchedBuckets
from serve.routes import api_router, health
from serve.routes import webhooks as webhook_routes
from serve.routes.node_types import describe_all
from serve.runtime import Runtime
from serve.security_headers import HeaderPolicy, SecurityHeaders
from serve.webhooks.service import WebhookService

RuntimeFactory = Callable[[Store, Cache, Any], Runtime]
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-N8N-API-KEY",
    "Idempotency-Key",
    "Last-Event-ID",
]
VERSION = "0.1.0"
DESCRIPTION = """n8n-compatible workflow automation on Ray.

Authenticate with `Authorization: Bearer <access token>` (from `POST /api/v1/auth/login`) or
with an API key as `X-N8N-API-KEY: <key>` (n8n's header) or `Authorization: Bearer <key>`.
Errors are `{"error": {"status", "code", "message", "fields": [{"field", "problem"}]}}`.
"""


async def _open_store(settings: Settings) -> Store:
    opened: Store = await anyio.to_thread.run_sync(open_store, settings)
    return opened


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | RuntimeFactory | None = None,
    store: Store | None = None,
    cache: Cache | None = None,
    config: ApiConfig | None = None,
    registry: Any = None,
) -> FastAPI:
    """The API app; pass ``store``/``cache``/``runtime`` to share existing ones (tests)."""
    the_settings: Settings = settings or Settings()
    the_config: ApiConfig = config or ApiConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from nodes.sdk.registry import default_registry

        the_store = store if store is not None else await _open_store(the_settings)
        redis_url = the_settings.redis.url.get_secret_value() if the_settings.redis.url else None
        the_cache = cache or connect_cache(redis_url)
        the_registry = registry or default_registry()
        if runtime is None:
            from serve.local_runtime import LocalRuntime

            the_runtime: Runtime = LocalRuntime(
                the_store, the_cache, registry=the_registry, timezone=the_settings.timezone
            )
        elif callable(runtime) and not hasattr(runtime, "submit"):
            the_runtime = await anyio.to_thread.run_sync(
                runtime, the_store, the_cache, the_registry
            )
        else:
            the_runtime = runtime  # type: ignore[assignment]
        anyio.to_thread.current_default_thread_limiter().total_tokens = the_config.worker_threads
        secret = await anyio.to_thread.run_sync(the_settings.jwt_secret)
        from actors.telemetry import in_ray_worker, setup

        in_ray = in_ray_worker()  # a Serve replica: its logs are ours to set up
        setup(the_settings, process="api", logs=in_ray, secrets=(secret,))
        if in_ray:  # inline webhook runs decide outbound calls by the deployment's settings
            from actors.network import install_policy

            install_policy(the_settings)
        webhooks = WebhookService(the_store, the_cache, the_registry, the_settings)
        app.state.ctx = AppContext(
            settings=the_settings,
            config=the_config,
            store=the_store,
            cache=the_cache,
            runtime=the_runtime,
            signer=TokenSigner(secret, ttl_s=the_settings.auth.access_token_minutes * 60.0),
            registry=the_registry,
            webhooks=webhooks,
            rate_batches=BatchedBuckets(the_cache),
            node_types={d["name"]: d for d in describe_all(the_registry)},
            write_sessions=session_factory(
                the_store.engine.execution_options(sqlite_begin="IMMEDIATE")
            ),
        )
        # What exists now lives as long as the app: out of the garbage collector's full
        # passes, which otherwise walk it again and again under load (pauses of 0.5 s+).
        gc.freeze()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(webhooks.close)
            if the_runtime is not runtime:
                await the_runtime.aclose()
            if cache is None:
                await the_cache.aclose()
            if store is None:
                the_store.close()

    app = FastAPI(
        title="n8nwork",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.ctx = None
    errors.install(app)
    install_openapi(app)
    app.include_router(health.router)
    app.include_router(api_router)
    webhook_routes.install(app)
    app.add_middleware(RequestGuard, config=the_config, state_of=lambda: app.state.ctx)
    app.add_middleware(RequestTelemetry)  # outside the guard: counts what it refuses too
    if the_settings.security.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(the_settings.security.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
            expose_headers=["Retry-After", "Location"],
            max_age=600,
        )
    # Security headers outside everything, Starlette's 500 answer included.
    policy = HeaderPolicy(public_url=the_settings.public_url, docs_url=app.docs_url)
    app.state.security_headers = policy
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack(), policy=policy)  # type: ignore[method-assign]
    return app
