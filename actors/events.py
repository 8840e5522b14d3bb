"""Live events of runs: every state change of a run is published to the run's event stream
``execution:<id>`` through the cache's event streams (``n8nwork.cache``), in order.

Event types (each a JSON object with ``type``, ``executionId``, ``at`` = epoch ms, plus):

    started        {workflowId, mode}                   the run began (first activation)
    nodeStarted    {node, runIndex, attempt, placement} a node execution began
    nodeFinished   {node, runIndex, status, items, executionTime}
    nodeFailed     {node, runIndex, attempt, error, retrying}
    waiting        {until, resume}                      the run was passivated
    resumed        {}                                   a waiting run was re-activated
    recovered      {host}                               the run continues on another host
    finished       {status, error}                      success | error | canceled

A host publishes without awaiting the cache in the node path: ``Publisher.emit`` appends to
one FIFO queue per host and a single flusher sends what is queued in one batch (one Redis
pipeline), so the order of a run's events is the order they were emitted. A host flushes
its events before it reports to the directory that a run finished or passivated; a run
resumed on another host within those milliseconds could in principle publish ``resumed``
before the old host's ``waiting`` is out (a reader sees both; ``at`` tells their order).
A finished run's stream is set to expire (``finished_stream_ttl_s``) after its last event.

With a Redis URL every process talks to Redis. Without one (the embedded default), the
in-process cache lives in one named actor, ``EventLog`` (``n8nwork-events``), which hosts
publish to and readers read from. Events are for live views: if the cache is down they are
dropped (logged), never the run; the store stays the record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

import ray

from actors._spawn import spawn
from n8nwork.cache import Cache, MemoryCache, StreamEvent

log = logging.getLogger(__name__)

EVENT_LOG_NAME = "n8nwork-events"
_MAX_BATCH = 2048


def stream_name(execution_id: int | str) -> str:
    """The event stream of an execution."""
    return f"execution:{execution_id}"


def event(execution_id: int, kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "executionId": execution_id, "at": time.time() * 1000.0, **data}


Expiry = tuple[str, float]
"""A finished run's stream and how long it is kept."""


class EventSink(Protocol):
    """Where a publisher sends its batches (in order): the events, then the expiries of
    streams whose runs finished (their last events are in this batch or an earlier one)."""

    async def publish_many(
        self, events: Sequence[tuple[str, dict[str, Any]]], expiries: Sequence[Expiry] = ()
    ) -> None: ...


class CacheSink:
    """Publishes straight to a ``Cache`` (Redis): a batch goes out as one pipeline."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    async def publish_many(
        self, events: Sequence[tuple[str, dict[str, Any]]], expiries: Sequence[Expiry] = ()
    ) -> None:
        results: list[Any] = list(
            await asyncio.gather(
                *(self.cache.publish(s, e) for s, e in events), return_exceptions=True
            )
        )
        if expiries:  # after the publishes: each publish sets the stream's TTL again
            results += await asyncio.gather(
                *(self.cache.expire_stream(s, ttl=t) for s, t in expiries),
                return_exceptions=True,
            )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]


class ActorSink:
    """Publishes to the ``EventLog`` actor (no Redis)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    async def publish_many(
        self, events: Sequence[tuple[str, dict[str, Any]]], expiries: Sequence[Expiry] = ()
    ) -> None:
        await self.handle.publish_many.remote(list(events), list(expiries))


class Publisher:
    """A host's event queue and its single flusher (see the module docstring)."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self._queue: list[tuple[str, dict[str, Any] | None, float]] = []
        self._wakeup = asyncio.Event()
        self._emitted = 0
        self._done = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self.published = 0

    def start(self) -> None:
        if self._task is None:
            self._task = spawn(self._run())

    def emit(self, execution_id: int, kind: str, **data: Any) -> None:
        """Queue one event of a run (returns at once)."""
        self._queue.append((stream_name(execution_id), event(execution_id, kind, **data), 0.0))
        self._emitted += 1
        self._wakeup.set()

    def expire(self, execution_id: int, ttl: float) -> None:
        """Keep the run's stream ``ttl`` seconds after its events queued so far are out."""
        self._queue.append((stream_name(execution_id), None, ttl))
        self._emitted += 1
        self._wakeup.set()

    async def flush(self) -> None:
        """Return once every event emitted so far was sent (or dropped after a failure)."""
        target = self._emitted
        if self._done >= target:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, future))
        await future

    async def _run(self) -> None:
        while True:  # the loop never dies
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch = self._queue[:_MAX_BATCH]
                del self._queue[:_MAX_BATCH]
                events = [(s, e) for s, e, _ in batch if e is not None]
                expiries = [(s, t) for s, e, t in batch if e is None]
                try:
                    await self.sink.publish_many(events, expiries)
                    self.published += len(events)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # events are for live views: drop, never the run
                    self._failures += 1
                    if self._failures in (1, 10, 100) or self._failures % 1000 == 0:
                        log.warning("dropped %d run events: %s", len(batch), exc)
                self._done += len(batch)
                self._settle()

    def _settle(self) -> None:
        still = []
        for target, future in self._waiters:
            if self._done >= target:
                if not future.done():
                    future.set_result(None)
            else:
                still.append((target, future))
        self._waiters = still

    async def close(self) -> None:
        if self._task is not None:
            await self.flush()
            self._task.cancel()


@ray.remote(num_cpus=0)
class EventLog:
    """The event streams of every run when there is no Redis (``n8nwork-events``).

    Guarantees: events of one ``publish_many`` call are appended in order, and calls from one
    caller are applied in the order sent (one caller's batches never interleave out of
    order: actor calls from one handle run in submission order). Streams keep the newest
    ``stream_maxlen`` events (10,000) and expire as the cache's do. Not durable: a restart
    of this actor loses the streams (readers catch up from the store). Reads may block
    (``block_ms``) without holding up publishers.
    """

    def __init__(self) -> None:
        self.cache = MemoryCache()

    async def publish_many(
        self, events: list[tuple[str, dict[str, Any]]], expiries: list[Expiry] | None = None
    ) -> None:
        for stream, data in events:
            await self.cache.publish(stream, data)
        for stream, ttl in expiries or ():
            await self.cache.expire_stream(stream, ttl=ttl)

    async def read(
        self, stream: str, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        return await self.cache.read(stream, after_id=after_id, count=count, block_ms=block_ms)

    async def expire(self, stream: str, ttl: float) -> None:
        await self.cache.expire_stream(stream, ttl=ttl)

    def ping(self) -> str:
        return "ok"
