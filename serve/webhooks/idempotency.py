"""``Idempotency-Key`` for webhook callers: a retry with the same key (same method and path)
gets the first request's response instead of a second run.

The first request claims the key (the cache's set-if-absent ``remember``: one claimant among
replicas sharing Redis); a duplicate arriving while it runs waits for its response up to
``IN_FLIGHT_WAIT_S``, then gets 409. A request whose run could not be started releases the
key (a retry may run). Responses are kept ``TTL_S`` (24 h, as payment APIs do).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import time
from typing import Any

from n8nwork.cache import Cache
from n8nwork.errors import CacheUnavailableError
from serve.webhooks.incoming import WebhookHttpError
from serve.webhooks.response import WebhookResponse

HEADER = "idempotency-key"
MAX_KEY = 255
TTL_S = 86400.0
IN_FLIGHT_WAIT_S = 10.0
NAMESPACE = "webhook-idem"


def scoped_key(method: str, path: str, key: str) -> str:
    if not key or len(key) > MAX_KEY:
        raise WebhookHttpError(400, f"the Idempotency-Key header must be 1-{MAX_KEY} characters")
    digest = hashlib.sha256(f"{method} {path}\n{key}".encode()).hexdigest()
    return digest


def _dump(response: WebhookResponse, execution_id: int | None) -> dict[str, Any]:
    return {
        "status": response.status,
        "headers": dict(response.headers),
        "body": base64.b64encode(response.body).decode("ascii"),
        "mediaType": response.media_type,
        "executionId": execution_id,
    }


def _load(raw: Any) -> WebhookResponse:
    return WebhookResponse(
        status=int(raw["status"]),
        headers={**raw.get("headers", {}), "Idempotent-Replay": "true"},
        body=base64.b64decode(raw.get("body") or ""),
        media_type=raw.get("mediaType"),
    )


async def claim(cache: Cache, key: str) -> WebhookResponse | None:
    """``None``: this request owns the key and runs. Else the stored response to replay."""
    try:
        done = await cache.get(NAMESPACE, key)
        if done is not None:
            return _load(done)
        claimed = await cache.remember(f"{NAMESPACE}:claim:{key}", 1, ttl=TTL_S)
    except CacheUnavailableError as exc:
        raise WebhookHttpError(
            503, "idempotency keys cannot be checked right now (cache unavailable); retry later"
        ) from exc
    if claimed.created:
        return None
    deadline = time.monotonic() + IN_FLIGHT_WAIT_S
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        done = await cache.get(NAMESPACE, key)
        if done is not None:
            return _load(done)
    raise WebhookHttpError(
        409, "a request with this Idempotency-Key is still being processed; retry later"
    )


async def complete(
    cache: Cache, key: str, response: WebhookResponse, execution_id: int | None
) -> None:
    """Keep the response for replays."""
    # If the cache is away, the run happened anyway: a retry gets 409 until the claim expires.
    with contextlib.suppress(CacheUnavailableError):
        await cache.set(NAMESPACE, key, _dump(response, execution_id), ttl=TTL_S)


async def release(cache: Cache, key: str) -> None:
    """Give the key up (the request did not start a run)."""
    with contextlib.suppress(CacheUnavailableError):
        await cache.forget(f"{NAMESPACE}:claim:{key}")
