"""A blocking facade over any ``Cache`` for code without an event loop (CLI, notebooks).

It runs the async cache on a private event loop in a daemon thread, so a ``RedisCache`` (which
belongs to one loop) is only ever used from that loop. Async code uses the ``Cache`` directly.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from n8nwork.cache.base import JSON, Allowance, Cache, Lease, Remembered, StreamEvent

T = TypeVar("T")


class SyncCache:
    """The ``Cache`` methods as plain calls; ``close()`` stops the loop and the cache."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="n8nwork-sync-cache", daemon=True
        )
        self._thread.start()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def take(self, bucket: str, *, rate: float, burst: float, cost: float = 1) -> Allowance:
        return self._run(self.cache.take(bucket, rate=rate, burst=burst, cost=cost))

    def remember(self, key: str, value: JSON, *, ttl: float) -> Remembered:
        return self._run(self.cache.remember(key, value, ttl=ttl))

    def recall(self, key: str) -> JSON | None:
        return self._run(self.cache.recall(key))

    def forget(self, key: str) -> bool:
        return self._run(self.cache.forget(key))

    def acquire(self, name: str, owner: str, *, ttl: float) -> Lease | None:
        return self._run(self.cache.acquire(name, owner, ttl=ttl))

    def renew(self, lease: Lease, *, ttl: float | None = None) -> Lease | None:
        return self._run(self.cache.renew(lease, ttl=ttl))

    def release(self, lease: Lease) -> bool:
        return self._run(self.cache.release(lease))

    def holder(self, name: str) -> Lease | None:
        return self._run(self.cache.holder(name))

    def publish(self, stream: str, event: dict[str, JSON]) -> str:
        return self._run(self.cache.publish(stream, event))

    def read(
        self, stream: str, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        return self._run(self.cache.read(stream, after_id=after_id, count=count, block_ms=block_ms))

    def expire_stream(self, stream: str, *, ttl: float) -> bool:
        return self._run(self.cache.expire_stream(stream, ttl=ttl))

    def delete_stream(self, stream: str) -> bool:
        return self._run(self.cache.delete_stream(stream))

    def get(self, namespace: str, key: str) -> JSON | None:
        return self._run(self.cache.get(namespace, key))

    def set(self, namespace: str, key: str, value: JSON, *, ttl: float) -> None:
        self._run(self.cache.set(namespace, key, value, ttl=ttl))

    def delete(self, namespace: str, key: str) -> bool:
        return self._run(self.cache.delete(namespace, key))

    def invalidate(self, namespace: str) -> None:
        self._run(self.cache.invalidate(namespace))

    def ping(self) -> None:
        self._run(self.cache.ping())

    def close(self) -> None:
        """Close the cache, then stop and close the private loop (idempotent)."""
        if self._loop.is_closed():
            return
        try:
            self._run(self.cache.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> SyncCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
