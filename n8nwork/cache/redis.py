"""The Redis cache: ``Cache`` on redis-py's asyncio client, each operation one atomic command
or Lua script. Script calls that tasks of one loop make concurrently share round trips
(``_coalesce.py``), so a busy run host is not limited by one command per round trip.

Key layout, all under ``prefix`` (default ``n8nwork:``)::

    rl:<bucket>            hash  token bucket {t, ts}
    idem:<key>             str   remembered JSON value
    lease:<name>           hash  {o: owner, k: token}, PX = lease TTL
    fence                  str   last fencing token granted (never expires)
    ev:<stream>            stream of {d: JSON}, MAXLEN exact, PX = stream TTL
    kvg:<ns>               str   generation of namespace <ns> (``invalidate`` increments it)
    kv:<ns>:<gen>:<key>    str   cached JSON value (``:`` and ``%`` in <ns> are escaped)

An instance belongs to the event loop that first uses it (redis-py's rule). Blocking reads use
a second connection pool without a socket timeout, so they never starve other commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from n8nwork.cache import _codec as codec
from n8nwork.cache import _lua as lua
from n8nwork.cache._coalesce import Coalescer
from n8nwork.cache.base import JSON, Allowance, CacheLimits, Lease, Remembered, StreamEvent
from n8nwork.errors import CacheUnavailableError

P = ParamSpec("P")
T = TypeVar("T")


def _translated(
    fn: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Turn redis-py and socket errors into ``CacheUnavailableError`` (cause kept)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except (RedisError, OSError) as exc:
            raise CacheUnavailableError(f"Redis cache failed: {type(exc).__name__}: {exc}") from exc

    return wrapper


def _escape(part: str) -> str:
    return part.replace("%", "%25").replace(":", "%3A")


class RedisCache:
    """A ``Cache`` in Redis (see ``base.Cache`` for each method). Needs Redis 5.0 or newer."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "n8nwork:",
        limits: CacheLimits | None = None,
        socket_timeout: float = 5.0,
        max_connections: int = 64,
    ) -> None:
        self.limits = limits or CacheLimits()
        self.prefix = prefix
        self._url = url
        self._options: dict[str, Any] = {
            "decode_responses": True,
            "socket_connect_timeout": min(socket_timeout, 5.0),
            "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            "max_connections": max_connections,
        }
        self._socket_timeout = socket_timeout
        self._redis: Redis = Redis.from_url(url, socket_timeout=socket_timeout, **self._options)
        self._blocking: Redis | None = None
        self._batch = Coalescer(self._redis)
        r = self._redis
        self._take = r.register_script(lua.TAKE)
        self._remember = r.register_script(lua.REMEMBER)
        self._acquire = r.register_script(lua.ACQUIRE)
        self._renew = r.register_script(lua.RENEW)
        self._release = r.register_script(lua.RELEASE)
        self._holder = r.register_script(lua.HOLDER)
        self._publish = r.register_script(lua.PUBLISH)
        self._kv_get = r.register_script(lua.KV_GET)
        self._kv_set = r.register_script(lua.KV_SET)
        self._kv_delete = r.register_script(lua.KV_DELETE)

    def __repr__(self) -> str:
        return f"RedisCache(prefix={self.prefix!r})"  # the URL may hold a password

    # -- rate limiting -----------------------------------------------------------------------
    @_translated
    async def take(self, bucket: str, *, rate: float, burst: float, cost: float = 1) -> Allowance:
        codec.check_name(bucket, self.limits, "bucket")
        rate, burst, cost = codec.check_rate(rate, burst, cost)
        allowed, retry = await self._batch.call(
            self._take, [f"{self.prefix}rl:{bucket}"], args=[repr(rate), repr(burst), repr(cost)]
        )
        return Allowance(bool(allowed), float(retry))

    # -- idempotency -------------------------------------------------------------------------
    @_translated
    async def remember(self, key: str, value: JSON, *, ttl: float) -> Remembered:
        codec.check_name(key, self.limits)
        text = codec.encode(value, self.limits)
        ms = codec.ttl_ms(ttl)
        held = await self._batch.call(self._remember, [f"{self.prefix}idem:{key}"], args=[text, ms])
        if held is None:
            return Remembered(True, codec.decode(text))
        return Remembered(False, codec.decode(held))

    @_translated
    async def recall(self, key: str) -> JSON | None:
        codec.check_name(key, self.limits)
        held = await self._redis.get(f"{self.prefix}idem:{key}")
        return None if held is None else codec.decode(held)

    @_translated
    async def forget(self, key: str) -> bool:
        codec.check_name(key, self.limits)
        return bool(await self._redis.delete(f"{self.prefix}idem:{key}"))

    # -- leases ------------------------------------------------------------------------------
    @_translated
    async def acquire(self, name: str, owner: str, *, ttl: float) -> Lease | None:
        codec.check_name(name, self.limits, "lease name")
        codec.check_owner(owner, self.limits)
        ms = codec.ttl_ms(ttl)
        started = time.monotonic()
        token = await self._batch.call(
            self._acquire, [f"{self.prefix}lease:{name}", f"{self.prefix}fence"], args=[owner, ms]
        )
        if token is None:
            return None
        return Lease(name, owner, int(token), ms / 1000, Lease.deadline_for(started, ms / 1000))

    @_translated
    async def renew(self, lease: Lease, *, ttl: float | None = None) -> Lease | None:
        ms = codec.ttl_ms(lease.ttl_s if ttl is None else ttl)
        started = time.monotonic()
        ok = await self._batch.call(
            self._renew,
            [f"{self.prefix}lease:{lease.name}"],
            args=[lease.owner, str(lease.token), ms],
        )
        if not ok:
            return None
        return Lease(
            lease.name, lease.owner, lease.token, ms / 1000, Lease.deadline_for(started, ms / 1000)
        )

    @_translated
    async def release(self, lease: Lease) -> bool:
        ok = await self._batch.call(
            self._release,
            [f"{self.prefix}lease:{lease.name}"],
            args=[lease.owner, str(lease.token)],
        )
        return bool(ok)

    @_translated
    async def holder(self, name: str) -> Lease | None:
        codec.check_name(name, self.limits, "lease name")
        started = time.monotonic()
        held = await self._batch.call(self._holder, [f"{self.prefix}lease:{name}"])
        if held is None:
            return None
        owner, token, pttl = held
        remaining = max(int(pttl), 0) / 1000
        return Lease(name, owner, int(token), remaining, started + remaining)

    # -- event streams -----------------------------------------------------------------------
    @_translated
    async def publish(self, stream: str, event: dict[str, JSON]) -> str:
        codec.check_name(stream, self.limits, "stream")
        text = codec.check_event(event, self.limits)
        ttl = codec.ttl_ms(self.limits.stream_ttl_s)
        event_id = await self._batch.call(
            self._publish,
            [f"{self.prefix}ev:{stream}"],
            args=[self.limits.stream_maxlen, text, ttl],
        )
        return str(event_id)

    @_translated
    async def read(
        self, stream: str, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        codec.check_name(stream, self.limits, "stream")
        ms, seq = codec.parse_stream_id(after_id)
        count, block_ms = codec.check_read(count, block_ms, self.limits)
        streams: dict[Any, Any] = {f"{self.prefix}ev:{stream}": f"{ms}-{seq}"}
        if block_ms == 0:
            reply = await self._redis.xread(streams, count=count)
        else:
            # The blocking pool has no socket timeout; bound the wait here instead.
            async with asyncio.timeout(block_ms / 1000 + self._socket_timeout):
                reply = await self._blocking_client().xread(streams, count=count, block=block_ms)
        return [StreamEvent(i, codec.decode(fields["d"])) for i, fields in _entries(reply)]

    @_translated
    async def expire_stream(self, stream: str, *, ttl: float) -> bool:
        codec.check_name(stream, self.limits, "stream")
        return bool(await self._redis.pexpire(f"{self.prefix}ev:{stream}", codec.ttl_ms(ttl)))

    @_translated
    async def delete_stream(self, stream: str) -> bool:
        codec.check_name(stream, self.limits, "stream")
        return bool(await self._redis.delete(f"{self.prefix}ev:{stream}"))

    def _blocking_client(self) -> Redis:
        if self._blocking is None:
            self._blocking = Redis.from_url(self._url, socket_timeout=None, **self._options)
        return self._blocking

    # -- TTL cache ---------------------------------------------------------------------------
    def _kv_keys(self, namespace: str) -> tuple[str, str]:
        ns = _escape(namespace)
        return f"{self.prefix}kvg:{ns}", f"{self.prefix}kv:{ns}:"

    @_translated
    async def get(self, namespace: str, key: str) -> JSON | None:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        gen, base = self._kv_keys(namespace)
        held = await self._batch.call(self._kv_get, [gen], args=[base, key])
        return None if held is None else codec.decode(held)

    @_translated
    async def set(self, namespace: str, key: str, value: JSON, *, ttl: float) -> None:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        text = codec.encode(value, self.limits)
        gen, base = self._kv_keys(namespace)
        await self._batch.call(self._kv_set, [gen], args=[base, key, text, codec.ttl_ms(ttl)])

    @_translated
    async def delete(self, namespace: str, key: str) -> bool:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        gen, base = self._kv_keys(namespace)
        return bool(await self._batch.call(self._kv_delete, [gen], args=[base, key]))

    @_translated
    async def invalidate(self, namespace: str) -> None:
        codec.check_name(namespace, self.limits, "namespace")
        await self._redis.incr(self._kv_keys(namespace)[0])

    # -- lifecycle ---------------------------------------------------------------------------
    @_translated
    async def ping(self) -> None:
        await self._redis.ping()

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):  # let queued calls finish (or fail) first
            await self._batch.wait_idle()
        clients = [self._redis] + ([self._blocking] if self._blocking is not None else [])
        self._blocking = None
        for client in clients:
            with contextlib.suppress(RedisError, OSError):  # a broken connection: nothing to do
                await client.aclose()


def _entries(reply: Any) -> list[tuple[str, dict[str, str]]]:
    """The entries of a one-stream XREAD reply, in RESP2 (list) or RESP3 (dict) shape."""
    if not reply:
        return []
    if isinstance(reply, dict):
        return [(i, f) for batch in reply.values() for i, f in _flatten(batch)]
    return [(i, f) for _, batch in reply for i, f in _flatten(batch)]


def _flatten(batch: Any) -> list[tuple[str, dict[str, str]]]:
    # RESP3 wraps a stream's entries in one more list level; RESP2 does not.
    if batch and isinstance(batch[0], list):
        batch = batch[0]
    return [(str(i), dict(f)) for i, f in batch]
