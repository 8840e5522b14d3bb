"""Rate limits for high-rate callers without a cache round trip per request.

A replica takes tokens from the shared bucket (``Cache.take``) a batch at a time and spends
them locally; the next request after the batch is spent (or after ``HOLD_S``, so unspent
tokens do not outlive the moment they were taken for) takes the next batch. The shared
bucket stays the limit across replicas; a replica holds at most ``batch - 1`` tokens ahead,
and near the limit a batch that does not fit is refused whole (the limit is effectively
``batch`` tokens lower), which is why batches are small against the buckets they draw from.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from n8nwork.cache import Cache

HOLD_S = 1.0


@dataclass
class _Held:
    tokens: int
    until: float
    refused_until: float = 0.0
    """After a refusal, requests are refused here until the bucket can have refilled (a
    flood costs the shared cache nothing)."""


class BatchedBuckets:
    """Local shares of shared token buckets (one per bucket name)."""

    def __init__(self, cache: Cache, *, batch: int = 20, max_keys: int = 10_000) -> None:
        self.cache = cache
        self.batch = batch
        self.max_keys = max_keys
        self._held: dict[str, _Held] = {}
        self._refill = asyncio.Lock()

    async def take(self, bucket: str, *, rate: float, burst: float) -> float | None:
        """Charge one request; ``None`` when allowed, else the seconds to wait."""
        spent = self._spend(bucket, time.monotonic())
        if spent is not False:
            return spent
        async with self._refill:  # one batch at a time: concurrent requests share it
            now = time.monotonic()
            spent = self._spend(bucket, now)
            if spent is not False:
                return spent
            return await self._take_batch(bucket, rate, burst, now)

    def _spend(self, bucket: str, now: float) -> float | bool | None:
        """From the local share: ``None`` (allowed), seconds to wait, or ``False`` (none)."""
        held = self._held.get(bucket)
        if held is not None:
            if held.refused_until > now:
                return held.refused_until - now
            if held.tokens > 0 and held.until > now:
                held.tokens -= 1
                return None
        return False

    async def _take_batch(self, bucket: str, rate: float, burst: float, now: float) -> float | None:
        batch = max(1, min(self.batch, int(burst // 10) or 1))
        allowance = await self.cache.take(bucket, rate=rate, burst=burst, cost=batch)
        if not allowance.allowed and batch > 1:  # the last few tokens: one at a time
            batch = 1
            allowance = await self.cache.take(bucket, rate=rate, burst=burst, cost=1)
        if not allowance.allowed:
            self._keep(bucket, _Held(0, now, refused_until=now + allowance.retry_after_s), now)
            return allowance.retry_after_s
        self._keep(bucket, _Held(batch - 1, now + HOLD_S), now)
        return None

    def _keep(self, bucket: str, held: _Held, now: float) -> None:
        if len(self._held) >= self.max_keys:
            self._held = {
                k: v for k, v in self._held.items() if max(v.until, v.refused_until) > now
            }
            if len(self._held) >= self.max_keys:
                self._held.clear()
        self._held[bucket] = held
