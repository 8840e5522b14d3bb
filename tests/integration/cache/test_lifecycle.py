"""Choosing a backend, the sync facade, and failure when Redis cannot be reached."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from n8nwork.cache import Cache, MemoryCache, RedisCache, SyncCache, connect_cache
from n8nwork.cache._coalesce import Coalescer
from n8nwork.errors import CacheUnavailableError, N8nworkError
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.parametrize("url", [None, "", "memory://"])
async def test_no_url_means_the_in_process_cache(url: str | None) -> None:
    cache = connect_cache(url)
    assert isinstance(cache, MemoryCache)
    assert isinstance(cache, Cache)
    await cache.ping()


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://user:pw@cache.internal:6380/1", "unix:///tmp/r"]
)
async def test_a_redis_url_means_redis(url: str) -> None:
    cache = connect_cache(url, prefix="p:")
    try:
        assert isinstance(cache, RedisCache) and isinstance(cache, Cache)
        assert "pw" not in repr(cache)
    finally:
        await cache.aclose()


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "postgresql://x/y", "127.0.0.1:6379"])
async def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="cache URL"):
        connect_cache(url)


async def test_an_unreachable_redis_raises_cache_unavailable() -> None:
    cache = connect_cache(UNREACHABLE)
    started = time.monotonic()
    try:
        calls = [
            cache.ping(),
            cache.take("b", rate=1, burst=1),
            cache.remember("k", 1, ttl=1),
            cache.acquire("l", "o", ttl=1),
            cache.publish("s", {"e": 1}),
            cache.read("s", block_ms=100),
            cache.get("ns", "k"),
            cache.invalidate("ns"),
        ]
        for call in calls:
            with pytest.raises(CacheUnavailableError) as info:
                await call
            assert isinstance(info.value, N8nworkError)
            assert info.value.__cause__ is not None
    finally:
        await cache.aclose()
    assert time.monotonic() - started < 20


async def test_the_sync_facade_works_without_an_event_loop(backend: Backend) -> None:
    def use() -> tuple[object, ...]:
        with SyncCache(backend.fresh()) as sync:
            sync.ping()
            allowance = sync.take("sync-bucket", rate=1, burst=1)
            remembered = sync.remember("sync-key", {"a": 1}, ttl=60)
            lease = sync.acquire("sync-lease", "me", ttl=60)
            assert lease is not None
            renewed = sync.renew(lease)
            event_id = sync.publish("sync-stream", {"n": 1})
            events = sync.read("sync-stream", block_ms=10)
            sync.set("ns", "k", [1], ttl=60)
            got = sync.get("ns", "k")
            return (
                allowance.allowed,
                remembered.created,
                renewed is not None,
                [e.id for e in events] == [event_id],
                got,
                sync.release(lease),
            )

    assert await asyncio.to_thread(use) == (True, True, True, True, [1], True)
    assert await backend.cache.recall("sync-key") == {"a": 1}


async def test_concurrent_calls_to_an_unreachable_redis_all_fail_cleanly() -> None:
    cache = connect_cache(UNREACHABLE)
    try:
        results = await asyncio.gather(
            *(cache.publish("s", {"n": i}) for i in range(10)),
            *(cache.take("b", rate=1, burst=1) for _ in range(10)),
            return_exceptions=True,
        )
    finally:
        await cache.aclose()
    assert all(isinstance(r, CacheUnavailableError) for r in results)


async def test_concurrent_calls_share_round_trips_and_each_gets_its_own_answer(
    backend: Backend,
) -> None:
    cache = backend.cache
    ids, allowances, got = await asyncio.gather(
        asyncio.gather(*(cache.publish("batch", {"n": i}) for i in range(300))),
        asyncio.gather(*(cache.take("batch", rate=0.001, burst=100) for _ in range(300))),
        asyncio.gather(*(cache.remember(f"k{i}", i, ttl=60) for i in range(300))),
    )

    assert len(set(ids)) == 300
    assert [e.data["n"] for e in await cache.read("batch", count=1000)] == list(range(300))
    assert sum(a.allowed for a in allowances) == 100
    assert [r.value for r in got] == list(range(300))


async def test_a_cancelled_caller_does_not_disturb_its_batch(backend: Backend) -> None:
    tasks = [asyncio.create_task(backend.cache.publish("cancel", {"n": i})) for i in range(50)]
    await asyncio.sleep(0)  # on Redis, the calls now wait in one batch
    tasks[25].cancel()

    done = await asyncio.gather(*tasks, return_exceptions=True)

    # The cancelled call may or may not have been sent; every other call got its id.
    assert isinstance(done[25], asyncio.CancelledError | str)
    assert all(isinstance(d, str) for i, d in enumerate(done) if i != 25)
    events = await backend.cache.read("cancel", count=100)
    assert [e.data["n"] for e in events if e.data["n"] != 25] == [i for i in range(50) if i != 25]


async def test_batched_scripts_are_loaded_when_redis_does_not_know_them(
    redis_cache: RedisCache,
) -> None:
    # A Redis that restarted has forgotten every script: batched calls load them again.
    client = redis_cache._redis
    script = client.register_script(f"return ARGV[1] .. '-{uuid.uuid4().hex}'")
    batch = Coalescer(client)

    replies = await asyncio.gather(*(batch.call(script, [], [str(i)]) for i in range(20)))

    assert [r.split("-")[0] for r in replies] == [str(i) for i in range(20)]
