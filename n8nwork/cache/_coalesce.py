"""Automatic batching of Lua script calls: the calls that tasks of one event loop make while a
round trip is under way go to Redis together, in one pipeline.

A run host publishes every state change of hundreds of runs; one command per round trip
leaves the client, not Redis, as the limit. Here a lone call still goes straight out; calls
that arrive meanwhile wait for it and then share the next round trip. Each caller gets its
own result or error, and calls keep their arrival order (so one task's calls stay in order).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

MAX_BATCH = 512

Call = tuple[AsyncScript, list[Any], list[Any], "asyncio.Future[Any]"]


class Coalescer:
    """Runs script calls for one client; belongs to the event loop that uses it first."""

    def __init__(self, client: Redis) -> None:
        self._client = client
        self._queue: list[Call] = []
        self._drainer: asyncio.Task[None] | None = None
        self._inline = False  # a lone call is in flight outside the drainer

    async def call(
        self, script: AsyncScript, keys: list[Any], args: list[Any] | None = None
    ) -> Any:
        """Run ``script`` with ``keys`` and ``args`` in the next round trip; return its reply."""
        loop = asyncio.get_running_loop()
        idle = not self._inline and (self._drainer is None or self._drainer.done())
        if idle:  # nothing in flight: go straight out, and let later calls queue meanwhile
            self._inline = True
            try:
                return await script(keys=keys, args=args or [])
            finally:
                self._inline = False
                if self._queue:
                    self._drainer = loop.create_task(self._drain())
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append((script, keys, args or [], fut))
        if not self._inline and (self._drainer is None or self._drainer.done()):
            self._drainer = loop.create_task(self._drain())
        return await fut

    async def wait_idle(self) -> None:
        """Return once every queued call has been answered."""
        if self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[:MAX_BATCH]
            del self._queue[:MAX_BATCH]
            try:
                results = await self._run(batch)
            except Exception as exc:  # e.g. the connection broke: every caller gets the error
                results = [exc] * len(batch)
            except BaseException:  # cancelled (loop shutting down): so are the callers
                for *_, fut in batch + self._queue:
                    fut.cancel()
                raise
            _settle(batch, results)

    async def _run(self, batch: list[Call]) -> list[Any]:
        if len(batch) == 1:
            script, keys, args, _ = batch[0]
            try:
                return [await script(keys=keys, args=args)]
            except Exception as exc:  # handed to its caller by _settle
                return [exc]
        pipe = self._client.pipeline(transaction=False)
        for script, keys, args, _ in batch:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        results = list(await pipe.execute(raise_on_error=False))
        for i, result in enumerate(results):
            if isinstance(result, NoScriptError):  # Redis restarted or SCRIPT FLUSH: load it
                script, keys, args, _ = batch[i]
                try:
                    results[i] = await script(keys=keys, args=args)
                except Exception as exc:
                    results[i] = exc
        return results


def _settle(batch: list[Call], results: list[Any]) -> None:
    for (_, _, _, fut), result in zip(batch, results, strict=True):
        if fut.done():  # the caller was cancelled; its command may still have run
            continue
        if isinstance(result, BaseException):
            fut.set_exception(result)
        else:
            fut.set_result(result)
