"""Test webhooks (``/webhook-test/<path>``), n8n's way: a user with edit rights asks to
*listen* (``POST /api/v1/workflows/{id}/webhook-test``); for ``TTL_S`` the saved draft's
Webhook nodes answer their paths under ``/webhook-test/``, each for one call, which runs the
draft in mode ``manual``. Registrations live in the cache (shared by replicas with Redis).
Nothing is reachable under ``/webhook-test/`` that nobody asked to listen for: a draft is
not a public endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from n8nwork.cache import Cache
from n8nwork.store.errors import ConflictError
from n8nwork.store.repo.webhooks import WebhookRoute
from serve.webhooks.routes_table import Route, RouteMatch, Snapshot, split_path

NAMESPACE = "webhook-test"
TTL_S = 120.0


@dataclass(frozen=True, slots=True)
class TestListen:
    workflow_id: str
    version: int
    routes: list[WebhookRoute]


def _key(method: str, first_segment: str) -> str:
    # Dynamic paths start with the node's webhookId and static ones are matched whole, so
    # the first segment narrows a lookup to the routes that can match.
    return f"{method}:{first_segment}"


async def listen(cache: Cache, listen: TestListen, *, ttl: float = TTL_S) -> None:
    """Register the routes; ``ConflictError`` when another workflow listens on one."""
    for route in listen.routes:
        first = route.path.split("/", 1)[0]
        key = _key(route.method, first)
        held: list[dict[str, Any]] = list(await cache.get(NAMESPACE, key) or [])
        for other in held:
            if other["path"] == route.path and other["workflowId"] != listen.workflow_id:
                raise ConflictError(
                    f"the test webhook {route.method} /{route.path} is being listened to by "
                    f"workflow {other['workflowId']!r}"
                )
        held = [h for h in held if h["path"] != route.path]
        held.append(
            {
                "path": route.path,
                "workflowId": listen.workflow_id,
                "version": listen.version,
                "node": route.node,
            }
        )
        await cache.set(NAMESPACE, key, held, ttl=ttl)


async def match(cache: Cache, method: str, path: str) -> RouteMatch | None:
    parts = split_path(path)
    if parts is None:
        return None
    held = await cache.get(NAMESPACE, _key(method, parts[0])) or []
    snapshot = Snapshot(
        [Route(method, h["path"], h["workflowId"], int(h["version"]), h["node"]) for h in held]
    )
    return snapshot.match(method, parts)


async def consume(cache: Cache, route: Route) -> None:
    """A test webhook answers once: drop it."""
    key = _key(route.method, route.path.split("/", 1)[0])
    held = [h for h in (await cache.get(NAMESPACE, key) or []) if h["path"] != route.path]
    if held:
        await cache.set(NAMESPACE, key, held, ttl=TTL_S)
    else:
        await cache.delete(NAMESPACE, key)
