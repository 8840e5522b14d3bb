"""The cache interface and its value types: what every backend (Redis, in-process) promises.

The cache holds what is shared and short-lived (DESIGN.md section 5): rate-limit buckets,
idempotency keys, leases with fencing tokens, execution event streams and a TTL cache for hot
lookups. The interface is async because its callers are async Ray actors and FastAPI handlers;
``n8nwork.cache.sync.SyncCache`` wraps it for scripts and notebooks.

Every value that goes in is JSON and comes out as a fresh copy decoded from JSON, on both
backends, so a caller never shares a mutable object with the cache and a tuple comes back as a
list. ``None`` is not storable (it means "absent" on reads). ``CONTRACTS.md`` beside this file
states the guarantees that the shared test suite proves for both backends.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

JSON = Any
"""A JSON value: dict, list, str, int, float, bool (never ``None`` at the top level here)."""


@dataclass(frozen=True)
class CacheLimits:
    """Bounds that both backends enforce the same way; a value outside them is refused."""

    max_value_bytes: int = 1 << 20
    """Largest encoded (UTF-8 JSON) value or stream event accepted; larger raises ValueError."""
    max_key_chars: int = 1024
    """Longest key, bucket, lease, namespace or stream name accepted."""
    stream_maxlen: int = 10_000
    """Events kept per stream: publishing beyond it drops the oldest (exact, not approximate)."""
    stream_ttl_s: float = 86_400.0
    """A stream is deleted this long after its last publish unless expired sooner."""
    max_read_count: int = 10_000
    """Largest ``count`` one ``read`` may ask for."""
    max_block_ms: int = 300_000
    """Longest a ``read`` may block waiting for events."""


class Allowance(NamedTuple):
    """The answer of ``take``: whether the tokens were granted, and if not, when to retry."""

    allowed: bool
    retry_after_s: float
    """0.0 when allowed; otherwise the seconds until ``cost`` tokens will have refilled."""


class Remembered(NamedTuple):
    """The answer of ``remember``: whether this call stored its value, and the value now held."""

    created: bool
    """True when the key was absent and this call's value was stored."""
    value: JSON
    """This call's value when created, else the value stored by the first caller."""


@dataclass(frozen=True)
class Lease:
    """A time-limited exclusive claim on ``name`` held by ``owner``.

    ``token`` is the fencing token: every grant of any name gets a token greater than every token
    granted before it by the same cache (a counter that never goes below the microseconds of the
    Unix clock, so it also survives a restart of a Redis without persistence). A resource that
    remembers the highest token it has seen can refuse a stale holder whose lease expired.
    """

    name: str
    owner: str
    token: int
    ttl_s: float
    """The lease's time to live when it was granted or renewed (remaining time for ``holder``)."""
    deadline: float
    """``time.monotonic()`` before which this process may assume it still holds the lease."""

    @property
    def expired(self) -> bool:
        """True once the local deadline has passed (the cache may already have dropped it)."""
        return time.monotonic() >= self.deadline

    @staticmethod
    def deadline_for(started: float, ttl_s: float) -> float:
        """The conservative local deadline of a lease asked for at monotonic time ``started``."""
        return started + ttl_s if math.isfinite(ttl_s) else math.inf


@dataclass(frozen=True)
class StreamEvent:
    """One event of an execution event stream, with its position ``id`` (``"<ms>-<seq>"``)."""

    id: str
    data: dict[str, JSON]


@runtime_checkable
class Cache(Protocol):
    """Shared short-lived state. Implementations: ``RedisCache`` and ``MemoryCache``.

    Names and keys are non-empty strings of at most ``limits.max_key_chars`` characters, any
    characters allowed except lone surrogates; each kind of object (bucket, idempotency key,
    lease, stream, cache namespace) has its own name space. TTLs are seconds (float, > 0).
    A backend that cannot be reached raises ``CacheUnavailableError``; invalid arguments raise
    ``ValueError`` (or ``TypeError`` for a wrong type) before anything is sent.
    """

    limits: CacheLimits

    # -- rate limiting -----------------------------------------------------------------------
    async def take(self, bucket: str, *, rate: float, burst: float, cost: float = 1) -> Allowance:
        """Take ``cost`` tokens from a token bucket that refills ``rate`` tokens/s up to ``burst``.

        A new bucket starts full. Atomic: concurrent callers never get more than the bucket
        holds. ``cost`` must not exceed ``burst``. A denied call takes nothing.
        """
        ...

    # -- idempotency -------------------------------------------------------------------------
    async def remember(self, key: str, value: JSON, *, ttl: float) -> Remembered:
        """Store ``value`` under ``key`` for ``ttl`` seconds unless present (set-if-absent).

        Returns the stored value: this call's (``created=True``) or the first caller's.
        """
        ...

    async def recall(self, key: str) -> JSON | None:
        """The value remembered under ``key``, or ``None`` when absent or expired."""
        ...

    async def forget(self, key: str) -> bool:
        """Drop a remembered key (e.g. after the guarded work failed); True if it existed."""
        ...

    # -- leases ------------------------------------------------------------------------------
    async def acquire(self, name: str, owner: str, *, ttl: float) -> Lease | None:
        """Grant ``name`` to ``owner`` for ``ttl`` seconds, or ``None`` while another holds it.

        Asking again while already holding it renews the lease and keeps its token (so a retry
        after a lost reply is harmless).
        """
        ...

    async def renew(self, lease: Lease, *, ttl: float | None = None) -> Lease | None:
        """Extend a held lease (to ``ttl``, default its own); ``None`` if it was lost."""
        ...

    async def release(self, lease: Lease) -> bool:
        """Give a lease up; only its holder (same owner and token) can. True if it was held."""
        ...

    async def holder(self, name: str) -> Lease | None:
        """The current lease on ``name`` (``ttl_s`` = time remaining), or ``None``."""
        ...

    # -- event streams -----------------------------------------------------------------------
    async def publish(self, stream: str, event: dict[str, JSON]) -> str:
        """Append ``event`` to ``stream`` and return its id; ids increase within a stream.

        The stream keeps its newest ``limits.stream_maxlen`` events and lives until
        ``limits.stream_ttl_s`` after its last publish (or as set by ``expire_stream``).
        """
        ...

    async def read(
        self, stream: str, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        """Up to ``count`` events with ids greater than ``after_id``, oldest first.

        ``after_id`` is ``"0"`` for the start or an id returned before (``Last-Event-ID``).
        When none are there and ``block_ms > 0``, waits up to that long for the next publish;
        ``block_ms=0`` never waits. An unknown stream reads as empty.
        """
        ...

    async def expire_stream(self, stream: str, *, ttl: float) -> bool:
        """Delete ``stream`` ``ttl`` seconds from now (for finished runs); False if absent."""
        ...

    async def delete_stream(self, stream: str) -> bool:
        """Delete ``stream`` now; True if it existed."""
        ...

    # -- TTL cache ---------------------------------------------------------------------------
    async def get(self, namespace: str, key: str) -> JSON | None:
        """The cached value of ``key`` in ``namespace``, or ``None`` on a miss."""
        ...

    async def set(self, namespace: str, key: str, value: JSON, *, ttl: float) -> None:
        """Cache ``value`` for ``ttl`` seconds (replacing any value)."""
        ...

    async def delete(self, namespace: str, key: str) -> bool:
        """Drop one cached key; True if it was there."""
        ...

    async def invalidate(self, namespace: str) -> None:
        """Drop every key of ``namespace`` at once (O(1): old entries just stop being seen)."""
        ...

    # -- lifecycle ---------------------------------------------------------------------------
    async def ping(self) -> None:
        """Return when the backend answers; raise ``CacheUnavailableError`` otherwise."""
        ...

    async def aclose(self) -> None:
        """Release connections; the cache is not used afterwards."""
        ...
