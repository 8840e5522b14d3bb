"""The in-process cache: the same interface and semantics as Redis, for a single node.

Used when no Redis URL is configured (the embedded default) and in tests. One instance may be
shared by every thread and every event loop of a process: all state sits behind one
``threading.Lock`` that is never held across an ``await``. TTLs follow ``time.monotonic()``;
stream ids and fencing tokens follow the wall clock, as on Redis.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Hashable
from typing import Any

from n8nwork.cache import _codec as codec
from n8nwork.cache._expiry import ExpiryHeap
from n8nwork.cache._memstream import MemStream, Waiters, wake
from n8nwork.cache.base import JSON, Allowance, CacheLimits, Lease, Remembered, StreamEvent


class MemoryCache:
    """A ``Cache`` held in this process's memory (see ``base.Cache`` for each method)."""

    def __init__(self, *, limits: CacheLimits | None = None) -> None:
        self.limits = limits or CacheLimits()
        self._lock = threading.Lock()
        self._expiry = ExpiryHeap()
        self._buckets: dict[str, tuple[float, float, float]] = {}  # tokens, at, deadline
        self._idem: dict[str, tuple[float, str]] = {}  # deadline, text
        self._leases: dict[str, tuple[float, str, int, float]] = {}  # deadline, owner, token, ttl
        self._fence = 0
        self._kv: dict[str, dict[str, tuple[float, str]]] = {}  # ns -> key -> deadline, text
        self._streams: dict[str, MemStream] = {}
        self._waiters: dict[str, Waiters] = {}

    def __repr__(self) -> str:
        return f"MemoryCache(limits={self.limits!r})"

    # -- rate limiting -----------------------------------------------------------------------
    async def take(self, bucket: str, *, rate: float, burst: float, cost: float = 1) -> Allowance:
        codec.check_name(bucket, self.limits, "bucket")
        rate, burst, cost = codec.check_rate(rate, burst, cost)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            state = self._buckets.get(bucket)
            if state is None or state[2] <= now:
                tokens, at = burst, now
            else:
                tokens, at, _ = state
                if now > at:
                    tokens = min(burst, tokens + (now - at) * rate)
                    at = now
            if tokens < cost:
                return Allowance(False, (cost - tokens) / rate)
            tokens -= cost
            deadline = now + (burst - tokens) / rate + 1.0
            self._buckets[bucket] = (tokens, at, deadline)
            self._track(("b", bucket), state[2] if state else None, deadline)
            return Allowance(True, 0.0)

    # -- idempotency -------------------------------------------------------------------------
    async def remember(self, key: str, value: JSON, *, ttl: float) -> Remembered:
        codec.check_name(key, self.limits)
        text = codec.encode(value, self.limits)
        ms = codec.ttl_ms(ttl)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            held = self._idem.get(key)
            if held is not None and held[0] > now:
                return Remembered(False, codec.decode(held[1]))
            self._idem[key] = (now + ms / 1000, text)
            self._track(("i", key), held[0] if held else None, now + ms / 1000)
        return Remembered(True, codec.decode(text))

    async def recall(self, key: str) -> JSON | None:
        codec.check_name(key, self.limits)
        with self._lock:
            held = self._idem.get(key)
            if held is None or held[0] <= time.monotonic():
                return None
            text = held[1]
        return codec.decode(text)

    async def forget(self, key: str) -> bool:
        codec.check_name(key, self.limits)
        with self._lock:
            held = self._idem.pop(key, None)
            return held is not None and held[0] > time.monotonic()

    # -- leases ------------------------------------------------------------------------------
    async def acquire(self, name: str, owner: str, *, ttl: float) -> Lease | None:
        codec.check_name(name, self.limits, "lease name")
        codec.check_owner(owner, self.limits)
        ms = codec.ttl_ms(ttl)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            held = self._leases.get(name)
            if held is not None and held[0] > now:
                if held[1] != owner:
                    return None
                token = held[2]
            else:
                self._fence = max(self._fence + 1, time.time_ns() // 1000)
                token = self._fence
            self._leases[name] = (now + ms / 1000, owner, token, ms / 1000)
            self._track(("l", name), held[0] if held else None, now + ms / 1000)
        return Lease(name, owner, token, ms / 1000, Lease.deadline_for(now, ms / 1000))

    async def renew(self, lease: Lease, *, ttl: float | None = None) -> Lease | None:
        ms = codec.ttl_ms(lease.ttl_s if ttl is None else ttl)
        with self._lock:
            now = time.monotonic()
            if not self._holds(lease, now):
                return None
            old = self._leases[lease.name][0]
            self._leases[lease.name] = (now + ms / 1000, lease.owner, lease.token, ms / 1000)
            self._track(("l", lease.name), old, now + ms / 1000)
        return Lease(
            lease.name, lease.owner, lease.token, ms / 1000, Lease.deadline_for(now, ms / 1000)
        )

    async def release(self, lease: Lease) -> bool:
        with self._lock:
            if not self._holds(lease, time.monotonic()):
                return False
            del self._leases[lease.name]
            return True

    async def holder(self, name: str) -> Lease | None:
        codec.check_name(name, self.limits, "lease name")
        with self._lock:
            now = time.monotonic()
            held = self._leases.get(name)
            if held is None or held[0] <= now:
                return None
            deadline, owner, token, _ = held
        return Lease(name, owner, token, deadline - now, deadline)

    def _holds(self, lease: Lease, now: float) -> bool:
        held = self._leases.get(lease.name)
        return (
            held is not None and held[0] > now and held[1] == lease.owner and held[2] == lease.token
        )

    # -- event streams -----------------------------------------------------------------------
    async def publish(self, stream: str, event: dict[str, JSON]) -> str:
        codec.check_name(stream, self.limits, "stream")
        text = codec.check_event(event, self.limits)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            s = self._live_stream(stream, now)
            old = s.deadline if s is not None else None
            if s is None:
                s = self._streams[stream] = MemStream(deadline=0.0)
            s.deadline = now + self.limits.stream_ttl_s
            self._track(("s", stream), old, s.deadline)
            event_id = s.append(text, self.limits.stream_maxlen)
            waiters = self._waiters.pop(stream, None)
        if waiters is not None:
            wake(waiters.take_all())
        return event_id

    async def read(
        self, stream: str, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        codec.check_name(stream, self.limits, "stream")
        pos = codec.parse_stream_id(after_id)
        count, block_ms = codec.check_read(count, block_ms, self.limits)
        deadline = time.monotonic() + block_ms / 1000
        while True:
            with self._lock:
                now = time.monotonic()
                s = self._live_stream(stream, now)
                found = s.after(pos, count) if s is not None else []
                if found or now >= deadline:
                    break
                fut = self._waiters.setdefault(stream, Waiters()).add()
            try:
                await asyncio.wait_for(fut, deadline - now)
            except TimeoutError:
                pass
            finally:
                with self._lock:
                    w = self._waiters.get(stream)
                    if w is not None:
                        w.discard(fut)
                        if not w.items:
                            del self._waiters[stream]
        return [StreamEvent(i, codec.decode(t)) for i, t in found]

    async def expire_stream(self, stream: str, *, ttl: float) -> bool:
        codec.check_name(stream, self.limits, "stream")
        ms = codec.ttl_ms(ttl)
        with self._lock:
            now = time.monotonic()
            s = self._live_stream(stream, now)
            if s is None:
                return False
            old, s.deadline = s.deadline, now + ms / 1000
            self._track(("s", stream), old, s.deadline)
            return True

    async def delete_stream(self, stream: str) -> bool:
        codec.check_name(stream, self.limits, "stream")
        with self._lock:
            s = self._live_stream(stream, time.monotonic())
            self._streams.pop(stream, None)
            return s is not None

    def _live_stream(self, stream: str, now: float) -> MemStream | None:
        s = self._streams.get(stream)
        if s is not None and s.deadline <= now:
            del self._streams[stream]
            return None
        return s

    # -- TTL cache ---------------------------------------------------------------------------
    async def get(self, namespace: str, key: str) -> JSON | None:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        with self._lock:
            held = self._kv.get(namespace, {}).get(key)
            if held is None or held[0] <= time.monotonic():
                return None
            text = held[1]
        return codec.decode(text)

    async def set(self, namespace: str, key: str, value: JSON, *, ttl: float) -> None:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        text = codec.encode(value, self.limits)
        ms = codec.ttl_ms(ttl)
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            entries = self._kv.setdefault(namespace, {})
            held = entries.get(key)
            entries[key] = (now + ms / 1000, text)
            self._track(("k", namespace, key), held[0] if held else None, now + ms / 1000)

    async def delete(self, namespace: str, key: str) -> bool:
        codec.check_name(namespace, self.limits, "namespace")
        codec.check_name(key, self.limits)
        with self._lock:
            held = self._kv.get(namespace, {}).pop(key, None)
            return held is not None and held[0] > time.monotonic()

    async def invalidate(self, namespace: str) -> None:
        codec.check_name(namespace, self.limits, "namespace")
        with self._lock:
            self._kv.pop(namespace, None)

    # -- lifecycle ---------------------------------------------------------------------------
    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        with self._lock:
            waiters = [w for ws in self._waiters.values() for w in ws.take_all()]
            self._waiters.clear()
        wake(waiters)

    # -- expiry ------------------------------------------------------------------------------
    def _track(self, ref: Hashable, old: float | None, new: float) -> None:
        """Keep a heap item at or before each entry's deadline (lock held).

        An entry that already has one at ``old`` needs no other while its deadline only grows:
        the sweep re-files it when it pops. A new entry, or a shortened deadline, gets one.
        """
        if old is None or new < old:
            self._expiry.push(new, ref)

    def _sweep(self, now: float) -> None:
        """Drop entries whose deadline passed (at most once a second; lock held)."""
        for ref in self._expiry.sweep(now, self._deadline_of):
            self._drop(ref)

    def _deadline_of(self, ref: Hashable) -> float | None:
        entry = self._entry(ref)
        if entry is None:
            return None
        if isinstance(entry, MemStream):
            return entry.deadline
        return float(entry[2] if ref[0] == "b" else entry[0])  # type: ignore[index]

    def _entry(self, ref: Any) -> Any:
        kind = ref[0]
        if kind == "b":
            return self._buckets.get(ref[1])
        if kind == "i":
            return self._idem.get(ref[1])
        if kind == "l":
            return self._leases.get(ref[1])
        if kind == "s":
            return self._streams.get(ref[1])
        return self._kv.get(ref[1], {}).get(ref[2])

    def _drop(self, ref: Any) -> None:
        kind = ref[0]
        if kind == "b":
            self._buckets.pop(ref[1], None)
        elif kind == "i":
            self._idem.pop(ref[1], None)
        elif kind == "l":
            self._leases.pop(ref[1], None)
        elif kind == "s":
            self._streams.pop(ref[1], None)
        else:
            entries = self._kv.get(ref[1])
            if entries is not None:
                entries.pop(ref[2], None)
                if not entries:
                    del self._kv[ref[1]]
