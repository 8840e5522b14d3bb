"""The in-process cache forgets expired entries nobody reads again (bounded memory)."""

from __future__ import annotations

import asyncio

import pytest

from n8nwork.cache import MemoryCache
from n8nwork.cache import _expiry as expiry

pytestmark = [pytest.mark.anyio]


async def test_expired_entries_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expiry, "SWEEP_EVERY_S", 0.0)
    cache = MemoryCache()
    for i in range(200):
        await cache.take(f"b{i}", rate=1000, burst=1)
        await cache.remember(f"k{i}", i, ttl=0.05)
        await cache.acquire(f"l{i}", "o", ttl=0.05)
        await cache.set("ns", f"k{i}", i, ttl=0.05)
    await cache.publish("s", {"n": 1})
    await cache.expire_stream("s", ttl=0.05)

    await asyncio.sleep(1.1)  # buckets linger until full plus one second
    await cache.remember("trigger", 1, ttl=60)  # any write sweeps

    assert cache._buckets == {}
    assert list(cache._idem) == ["trigger"]
    assert cache._leases == {} and cache._kv == {} and cache._streams == {}
    # What is left: "trigger", and the stream's first item (24 h out) that pops harmlessly.
    assert len(cache._expiry) == 2


async def test_renewing_one_entry_does_not_grow_the_heap() -> None:
    cache = MemoryCache()
    lease = await cache.acquire("l", "o", ttl=60)
    assert lease is not None
    for _ in range(1000):
        assert await cache.renew(lease) is not None
        await cache.take("b", rate=1e6, burst=1e6)
        await cache.set("ns", "k", 1, ttl=60)

    assert len(cache._expiry) == 3
