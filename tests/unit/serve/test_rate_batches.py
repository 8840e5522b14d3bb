"""Webhook rate limits drawn from the shared bucket in batches: the shared limit still holds
across replicas, refusals say when to retry, and most requests cost no cache call."""

from __future__ import annotations

import asyncio

from n8nwork.cache import MemoryCache
from serve.rate_batches import BatchedBuckets


class CountingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.takes = 0

    async def take(self, bucket: str, *, rate: float, burst: float, cost: float = 1):  # type: ignore[no-untyped-def]
        self.takes += 1
        return await super().take(bucket, rate=rate, burst=burst, cost=cost)


def test_two_replicas_together_stay_within_the_shared_bucket() -> None:
    async def scenario() -> tuple[int, list[float], int]:
        cache = CountingCache()
        replicas = [BatchedBuckets(cache, batch=20), BatchedBuckets(cache, batch=20)]
        allowed, waits = 0, []
        for n in range(1000):
            wait = await replicas[n % 2].take("rl:wh:1.2.3.4", rate=0.001, burst=200)
            if wait is None:
                allowed += 1
            else:
                waits.append(wait)
        return allowed, waits, cache.takes

    allowed, waits, takes = asyncio.run(scenario())
    assert 180 <= allowed <= 200  # never above the shared burst; at most one batch short
    assert waits and all(w > 0 for w in waits)
    assert takes < 1000 / 5  # most requests were served from the local share


def test_a_lone_request_near_the_limit_still_passes_one_at_a_time() -> None:
    async def scenario() -> list[float | None]:
        buckets = BatchedBuckets(MemoryCache(), batch=20)
        return [await buckets.take("rl:x", rate=0.001, burst=5) for _ in range(7)]

    results = asyncio.run(scenario())
    assert results[:5] == [None] * 5
    assert all(r is not None and r > 0 for r in results[5:])


def test_concurrent_requests_share_one_batch() -> None:
    # 50 requests at once on an empty local share take one batch, not one each.
    async def scenario() -> tuple[int, int]:
        cache = CountingCache()
        buckets = BatchedBuckets(cache, batch=20)
        results = await asyncio.gather(
            *(buckets.take("rl:y", rate=1000.0, burst=4000) for _ in range(50))
        )
        return sum(r is None for r in results), cache.takes

    allowed, takes = asyncio.run(scenario())
    assert allowed == 50 and takes == 3
