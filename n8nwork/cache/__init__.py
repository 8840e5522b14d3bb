"""Shared short-lived state: rate limits, idempotency keys, leases, event streams, TTL cache.

``connect_cache(url)`` returns a ``RedisCache`` for a ``redis://``, ``rediss://`` or
``unix://`` URL and a ``MemoryCache`` (one node, in-process) when there is no URL. Both honour
the same contracts (``CONTRACTS.md``); the settings module passes the configured URL in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from n8nwork.cache.base import (
    JSON,
    Allowance,
    Cache,
    CacheLimits,
    Lease,
    Remembered,
    StreamEvent,
)
from n8nwork.cache.memory import MemoryCache
from n8nwork.cache.redis import RedisCache
from n8nwork.cache.sync import SyncCache

REDIS_SCHEMES = ("redis", "rediss", "unix")


def connect_cache(
    url: str | None, *, prefix: str = "n8nwork:", limits: CacheLimits | None = None
) -> Cache:
    """The cache for ``url``: Redis for a Redis URL, in-process for ``None``/``""``/``memory://``.

    Connecting is lazy: the first call reaches Redis; ``await cache.ping()`` checks it early.
    """
    if not url or url == "memory://":
        return MemoryCache(limits=limits)
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"unsupported cache URL scheme {scheme!r}: use redis://, rediss://, unix:// or none"
        )
    return RedisCache(url, prefix=prefix, limits=limits)


__all__ = [
    "JSON",
    "Allowance",
    "Cache",
    "CacheLimits",
    "Lease",
    "MemoryCache",
    "RedisCache",
    "Remembered",
    "StreamEvent",
    "SyncCache",
    "connect_cache",
]
