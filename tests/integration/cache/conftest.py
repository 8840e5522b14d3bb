"""One cache test suite, two backends: every test taking ``backend`` runs on the in-process
cache and on a real Redis (``N8NWORK_TEST_REDIS_URL``, default DB 15 on 127.0.0.1).

Each Redis test gets its own key prefix and deletes its keys afterwards. A Redis that cannot
be reached skips the Redis half locally and fails it in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import redis

from n8nwork.cache import Cache, CacheLimits, MemoryCache, RedisCache
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("N8NWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_reachable: dict[str, str | None] = {}


def redis_problem() -> str | None:
    """``None`` when the test Redis answers, else why not (asked once per session)."""
    if "problem" not in _reachable:
        try:
            with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
                client.ping()
            _reachable["problem"] = None
        except (redis.RedisError, OSError) as exc:
            _reachable["problem"] = f"{type(exc).__name__}: {exc}"
    return _reachable["problem"]


def require_redis() -> None:
    """Skip (locally) or fail (in CI) when the test Redis is unreachable."""
    problem = redis_problem()
    if problem is not None:
        message = f"Redis unreachable at {REDIS_URL}: {problem}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Backend:
    """A backend under test: ``cache`` plus ways to open more handles on the same state."""

    name: str
    cache: Cache
    prefix: str = ""
    _opened: list[Cache] = field(default_factory=list)

    def open(self, limits: CacheLimits | None = None) -> Cache:
        """Another handle on the same shared state, closed at teardown.

        On Redis this is another client (as another node would have); in-process it is the
        same object, unless ``limits`` differ (then a fresh in-process cache).
        """
        if self.name == "memory":
            return self.cache if limits is None else MemoryCache(limits=limits)
        handle = RedisCache(REDIS_URL, prefix=self.prefix, limits=limits)
        self._opened.append(handle)
        return handle

    def fresh(self) -> Cache:
        """A handle the caller owns and closes (for use on another thread's event loop)."""
        if self.name == "memory":
            return self.cache
        return RedisCache(REDIS_URL, prefix=self.prefix)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _cleanup(prefix: str, handles: list[Cache]) -> None:
    for handle in handles:
        await handle.aclose()
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        yield Backend("memory", MemoryCache())
        return
    require_redis()
    prefix = f"n8nwork-test:{uuid.uuid4().hex}:"
    b = Backend("redis", RedisCache(REDIS_URL, prefix=prefix), prefix)
    try:
        yield b
    finally:
        await _cleanup(prefix, [b.cache, *b._opened])


@pytest.fixture
async def redis_cache() -> AsyncIterator[RedisCache]:
    """A Redis cache alone, for the few tests about Redis itself."""
    require_redis()
    prefix = f"n8nwork-test:{uuid.uuid4().hex}:"
    cache = RedisCache(REDIS_URL, prefix=prefix)
    try:
        yield cache
    finally:
        await _cleanup(prefix, [cache])


@pytest.fixture
def cache(backend: Backend) -> Cache:
    return backend.cache
