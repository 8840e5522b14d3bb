"""The TTL cache for hot lookups (webhook routes, active workflow versions), with namespaces
that can be invalidated at once."""

from __future__ import annotations

import asyncio

import pytest

from n8nwork.cache import Cache
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

ROUTE = {"workflowId": "wf1", "node": "Webhook", "version": 3}


async def test_set_get_overwrite_and_delete(cache: Cache) -> None:
    assert await cache.get("webhook-routes", "POST /orders") is None

    await cache.set("webhook-routes", "POST /orders", ROUTE, ttl=60)
    assert await cache.get("webhook-routes", "POST /orders") == ROUTE

    await cache.set("webhook-routes", "POST /orders", {**ROUTE, "version": 4}, ttl=60)
    assert await cache.get("webhook-routes", "POST /orders") == {**ROUTE, "version": 4}

    assert await cache.delete("webhook-routes", "POST /orders") is True
    assert await cache.get("webhook-routes", "POST /orders") is None
    assert await cache.delete("webhook-routes", "POST /orders") is False


async def test_entries_expire(cache: Cache) -> None:
    await cache.set("active-versions", "wf1", 7, ttl=0.1)
    assert await cache.get("active-versions", "wf1") == 7

    await asyncio.sleep(0.2)

    assert await cache.get("active-versions", "wf1") is None


async def test_invalidate_drops_one_namespace_for_every_node(backend: Backend) -> None:
    # Given two nodes sharing the cache, one invalidates the route table after an activation.
    node_a, node_b = backend.open(), backend.open()
    for path in ("a", "b", "c"):
        await node_a.set("webhook-routes", f"GET /{path}", ROUTE, ttl=60)
    await node_a.set("active-versions", "wf1", 3, ttl=60)

    await node_b.invalidate("webhook-routes")

    for path in ("a", "b", "c"):
        assert await node_a.get("webhook-routes", f"GET /{path}") is None
    assert await node_a.get("active-versions", "wf1") == 3
    await node_a.set("webhook-routes", "GET /a", {"fresh": True}, ttl=60)
    assert await node_b.get("webhook-routes", "GET /a") == {"fresh": True}


async def test_invalidating_an_empty_namespace_is_fine(cache: Cache) -> None:
    await cache.invalidate("never-used")
    await cache.invalidate("never-used")
    assert await cache.get("never-used", "k") is None


async def test_namespaces_and_keys_do_not_collide(cache: Cache) -> None:
    await cache.set("a:b", "c", 1, ttl=60)
    await cache.set("a", "b:c", 2, ttl=60)
    await cache.set("a%3Ab", "c", 3, ttl=60)
    await cache.set("a:0", "c", 4, ttl=60)

    assert await cache.get("a:b", "c") == 1
    assert await cache.get("a", "b:c") == 2
    assert await cache.get("a%3Ab", "c") == 3
    assert await cache.get("a:0", "c") == 4
    await cache.invalidate("a")
    assert await cache.get("a:b", "c") == 1
    assert await cache.get("a", "b:c") is None


async def test_the_kinds_of_state_have_separate_name_spaces(cache: Cache) -> None:
    await cache.set("x", "same", "cached", ttl=60)
    await cache.remember("same", "remembered", ttl=60)
    await cache.publish("same", {"e": 1})
    assert await cache.acquire("same", "owner", ttl=60) is not None
    assert (await cache.take("same", rate=1, burst=1)).allowed

    assert await cache.get("x", "same") == "cached"
    assert await cache.recall("same") == "remembered"
    assert [e.data for e in await cache.read("same")] == [{"e": 1}]


@pytest.mark.parametrize(
    "value",
    [0, -1.5, True, False, "", "text", [], {}, [1, "two", None], {"nested": {"deep": [None]}}],
)
async def test_any_json_value_round_trips(cache: Cache, value: object) -> None:
    await cache.set("values", "v", value, ttl=60)
    got = await cache.get("values", "v")
    assert got == value and type(got) is type(value)
