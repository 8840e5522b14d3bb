"""Leases and locks with fencing tokens: mutual exclusion, expiry, and stale holders fenced."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time

import pytest

from n8nwork.cache import Cache, Lease
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_a_held_lease_excludes_other_owners(cache: Cache) -> None:
    lease = await cache.acquire("schedule:42", "host-a", ttl=30)
    assert lease is not None
    assert (lease.name, lease.owner, lease.ttl_s) == ("schedule:42", "host-a", 30)

    assert await cache.acquire("schedule:42", "host-b", ttl=30) is None
    held = await cache.holder("schedule:42")
    assert held is not None
    assert (held.owner, held.token) == ("host-a", lease.token)
    assert 29 < held.ttl_s <= 30


async def test_only_the_holder_can_release(cache: Cache) -> None:
    lease = await cache.acquire("lock", "a", ttl=30)
    assert lease is not None
    forged = dataclasses.replace(lease, owner="b")
    wrong_token = dataclasses.replace(lease, token=lease.token + 1)

    assert await cache.release(forged) is False
    assert await cache.release(wrong_token) is False
    assert await cache.release(lease) is True
    assert await cache.release(lease) is False
    assert await cache.holder("lock") is None

    nxt = await cache.acquire("lock", "b", ttl=30)
    assert nxt is not None and nxt.token > lease.token


async def test_acquiring_again_renews_and_keeps_the_token(cache: Cache) -> None:
    first = await cache.acquire("re", "a", ttl=0.3)
    await asyncio.sleep(0.2)
    again = await cache.acquire("re", "a", ttl=0.3)
    await asyncio.sleep(0.2)

    assert first is not None and again is not None
    assert again.token == first.token
    held = await cache.holder("re")
    assert held is not None and held.owner == "a"


async def test_an_expired_lease_passes_to_a_new_holder_with_a_higher_token(cache: Cache) -> None:
    # Given a holder whose lease runs out (a paused or dead host) ...
    stale = await cache.acquire("execution:1", "host-a", ttl=0.1)
    assert stale is not None
    await asyncio.sleep(0.2)
    assert stale.expired

    # ... another host takes over with a greater fencing token,
    fresh = await cache.acquire("execution:1", "host-b", ttl=30)
    assert fresh is not None
    assert fresh.token > stale.token

    # and the stale holder can neither renew nor release the new holder's lease.
    assert await cache.renew(stale) is None
    assert await cache.release(stale) is False
    held = await cache.holder("execution:1")
    assert held is not None and held.owner == "host-b"


async def test_renew_extends_a_held_lease(cache: Cache) -> None:
    lease = await cache.acquire("long", "a", ttl=0.2)
    assert lease is not None
    await asyncio.sleep(0.1)
    renewed = await cache.renew(lease, ttl=0.5)
    assert renewed is not None
    assert (renewed.token, renewed.ttl_s) == (lease.token, 0.5)
    await asyncio.sleep(0.2)

    assert await cache.acquire("long", "b", ttl=1) is None
    assert await cache.renew(renewed) is not None  # default ttl: the lease's own


async def test_tokens_increase_across_names_and_follow_the_clock(cache: Cache) -> None:
    # Tokens never fall below the Unix clock in microseconds, so they keep increasing even
    # after a cache restart that lost the counter.
    before_us = time.time_ns() // 1000
    tokens = []
    for i in range(5):
        lease = await cache.acquire(f"name-{i}", "a", ttl=30)
        assert lease is not None
        tokens.append(lease.token)

    assert tokens == sorted(tokens) and len(set(tokens)) == 5
    assert tokens[0] >= before_us - 1_000_000


async def test_concurrent_contenders_are_mutually_exclusive(backend: Backend) -> None:
    peers = [backend.open() for _ in range(4)]
    inside = 0
    overlaps = 0
    grants: list[int] = []

    async def contender(i: int) -> None:
        nonlocal inside, overlaps
        cache = peers[i % len(peers)]
        stop = time.monotonic() + 0.6
        while time.monotonic() < stop:
            lease = await cache.acquire("mutex", f"owner-{i}", ttl=5)
            if lease is None:
                await asyncio.sleep(0.001)
                continue
            inside += 1
            overlaps += inside > 1
            grants.append(lease.token)
            await asyncio.sleep(0.002)
            inside -= 1
            assert await cache.release(lease)

    await asyncio.gather(*(contender(i) for i in range(8)))

    assert overlaps == 0
    assert len(grants) >= 10
    assert grants == sorted(grants) and len(set(grants)) == len(grants)


async def test_expiry_under_contention_never_grants_two_live_leases(backend: Backend) -> None:
    # Given contenders that die once they hold the lease (never release, never renew),
    # each grant has to wait for the previous lease to expire.
    peers = [backend.open() for _ in range(3)]
    grants: list[tuple[float, float, Lease]] = []  # asked at, answered at, lease

    async def contender(i: int) -> None:
        cache = peers[i % len(peers)]
        stop = time.monotonic() + 1.0
        while time.monotonic() < stop:
            asked = time.monotonic()
            lease = await cache.acquire("ttl-mutex", f"owner-{i}", ttl=0.05)
            if lease is not None:
                grants.append((asked, time.monotonic(), lease))
                return
            await asyncio.sleep(0.002)

    await asyncio.gather(*(contender(i) for i in range(6)))

    assert len(grants) == 6
    tokens = [lease.token for _, _, lease in grants]
    assert tokens == sorted(tokens)
    for (asked, _, _), (_, answered, _) in itertools.pairwise(grants):
        assert answered - asked >= 0.048  # the next holder got it only after the TTL ran out


async def test_lease_arguments_are_checked(cache: Cache) -> None:
    with pytest.raises(ValueError):
        await cache.acquire("", "a", ttl=1)
    with pytest.raises(ValueError):
        await cache.acquire("x", "", ttl=1)
    with pytest.raises(ValueError):
        await cache.acquire("x", "a", ttl=0)
    with pytest.raises(TypeError):
        await cache.acquire("x", 7, ttl=1)  # type: ignore[arg-type]
