"""Token-bucket rate limiting, the same on Redis and in-process."""

from __future__ import annotations

import asyncio
import threading

import pytest

from n8nwork.cache import Cache
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_a_new_bucket_grants_its_burst_then_refuses(cache: Cache) -> None:
    granted = [await cache.take("api:user-1", rate=1, burst=3) for _ in range(4)]

    assert [a.allowed for a in granted] == [True, True, True, False]
    assert all(a.retry_after_s == 0.0 for a in granted[:3])
    assert 0.9 < granted[3].retry_after_s <= 1.0


async def test_tokens_refill_at_the_rate(cache: Cache) -> None:
    assert (await cache.take("refill", rate=20, burst=1)).allowed
    denied = await cache.take("refill", rate=20, burst=1)
    assert not denied.allowed
    assert 0 < denied.retry_after_s <= 0.05

    await asyncio.sleep(denied.retry_after_s + 0.02)

    assert (await cache.take("refill", rate=20, burst=1)).allowed


async def test_a_refused_take_takes_nothing(cache: Cache) -> None:
    # Given a bucket of 5 with 2 left, a take of 3 is refused ...
    assert (await cache.take("cost", rate=0.001, burst=5, cost=3)).allowed
    refused = await cache.take("cost", rate=0.001, burst=5, cost=3)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(1 / 0.001, rel=0.01)
    # ... and the 2 are still there for a take of 2.
    assert (await cache.take("cost", rate=0.001, burst=5, cost=2)).allowed
    assert not (await cache.take("cost", rate=0.001, burst=5, cost=1)).allowed


async def test_buckets_are_independent(cache: Cache) -> None:
    assert (await cache.take("a", rate=0.001, burst=1)).allowed
    assert not (await cache.take("a", rate=0.001, burst=1)).allowed
    assert (await cache.take("b", rate=0.001, burst=1)).allowed
    assert (await cache.take("a ", rate=0.001, burst=1)).allowed


async def test_concurrent_takers_never_get_more_than_the_burst(backend: Backend) -> None:
    peers = [backend.open() for _ in range(4)]

    results = await asyncio.gather(
        *(peers[i % 4].take("hot", rate=0.001, burst=20) for i in range(200))
    )

    assert sum(r.allowed for r in results) == 20


async def test_takers_on_many_threads_share_one_bucket(backend: Backend) -> None:
    # Given 8 threads, each with its own event loop (and on Redis its own client) ...
    allowed: list[int] = []

    def worker() -> None:
        async def run() -> int:
            handle = backend.fresh()
            try:
                results = [await handle.take("threads", rate=0.001, burst=25) for _ in range(10)]
            finally:
                if handle is not backend.cache:
                    await handle.aclose()
            return sum(r.allowed for r in results)

        allowed.append(asyncio.run(run()))

    def run_all() -> None:
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    await asyncio.to_thread(run_all)

    # ... 80 takes against a burst of 25 grant exactly 25.
    assert sum(allowed) == 25


@pytest.mark.parametrize(
    ("rate", "burst", "cost", "error"),
    [
        (0, 1, 1, ValueError),
        (-1, 1, 1, ValueError),
        (float("nan"), 1, 1, ValueError),
        (float("inf"), 1, 1, ValueError),
        (1, 0, 1, ValueError),
        (1, 1, 2, ValueError),
        (1, 1, 0, ValueError),
        (True, 1, 1, TypeError),
        ("1", 1, 1, TypeError),
    ],
)
async def test_invalid_bucket_parameters_are_refused(
    cache: Cache, rate: float, burst: float, cost: float, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await cache.take("bad", rate=rate, burst=burst, cost=cost)
