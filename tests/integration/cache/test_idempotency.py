"""Idempotency keys: set-if-absent with a TTL, so a retried webhook gets the first result."""

from __future__ import annotations

import asyncio

import pytest

from n8nwork.cache import Cache
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_the_first_value_wins_and_is_returned_to_retries(cache: Cache) -> None:
    first = await cache.remember("webhook:abc", {"executionId": "e1"}, ttl=60)
    retry = await cache.remember("webhook:abc", {"executionId": "e2"}, ttl=60)

    assert first.created and first.value == {"executionId": "e1"}
    assert not retry.created and retry.value == {"executionId": "e1"}
    assert await cache.recall("webhook:abc") == {"executionId": "e1"}


async def test_an_expired_key_is_gone_and_can_be_claimed_again(cache: Cache) -> None:
    await cache.remember("short", "first", ttl=0.1)
    await asyncio.sleep(0.2)

    assert await cache.recall("short") is None
    again = await cache.remember("short", "second", ttl=60)
    assert again.created and again.value == "second"


async def test_concurrent_first_calls_agree_on_one_winner(backend: Backend) -> None:
    peers = [backend.open() for _ in range(3)]

    results = await asyncio.gather(
        *(peers[i % 3].remember("race", {"n": i}, ttl=60) for i in range(60))
    )

    winners = [r for r in results if r.created]
    assert len(winners) == 1
    assert all(r.value == winners[0].value for r in results)


async def test_forget_drops_a_key(cache: Cache) -> None:
    await cache.remember("job", [1, 2], ttl=60)

    assert await cache.forget("job") is True
    assert await cache.recall("job") is None
    assert await cache.forget("job") is False
    assert (await cache.remember("job", [3], ttl=60)).created


async def test_values_come_back_as_fresh_json_copies(cache: Cache) -> None:
    value = {"list": (1, 2), "nested": {"a": "ü"}}
    stored = await cache.remember("copy", value, ttl=60)
    stored.value["nested"]["a"] = "changed"

    assert stored.value["list"] == [1, 2]  # tuples come back as lists, as JSON has no tuple
    assert await cache.recall("copy") == {"list": [1, 2], "nested": {"a": "ü"}}


async def test_recall_of_an_unknown_key_is_none(cache: Cache) -> None:
    assert await cache.recall("never-set") is None
