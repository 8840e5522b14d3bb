"""Awaiting futures that other threads complete (the group-commit writer's), cheaply.

``asyncio.wrap_future`` wakes the event loop once per future (a ``call_soon_threadsafe`` and a
write to the loop's self-pipe each). A writer that commits 500 checkpoints in one transaction
then costs 500 wake-ups. ``AckPump`` hands completed futures to the loop in batches: one
wake-up for everything that completed since the last one. ``gather`` awaits a whole list of
futures with a single wake-up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any


def _settle(target: asyncio.Future[Any], source: concurrent.futures.Future[Any]) -> None:
    if target.done():
        return
    if source.cancelled():
        target.cancel()
        return
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


class AckPump:
    """Delivers the outcome of thread-completed futures to one event loop, in batches."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._done: deque[tuple[concurrent.futures.Future[Any], asyncio.Future[Any]]] = deque()
        self._lock = threading.Lock()
        self._scheduled = False

    def watch(self, future: concurrent.futures.Future[Any]) -> asyncio.Future[Any]:
        """An asyncio future (of this pump's loop) with ``future``'s outcome."""
        target: asyncio.Future[Any] = self._loop.create_future()
        future.add_done_callback(lambda f: self._completed(f, target))
        return target

    def _completed(
        self, source: concurrent.futures.Future[Any], target: asyncio.Future[Any]
    ) -> None:
        self._done.append((source, target))
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            self._scheduled = False  # a completion from now on schedules another drain
        while self._done:
            source, target = self._done.popleft()
            _settle(target, source)


async def gather(futures: Sequence[concurrent.futures.Future[Any]]) -> list[Any]:
    """The results of ``futures`` (in order), awaited with one wake-up of the loop; the first
    exception is raised."""
    if not futures:
        return []
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()
    remaining = [len(futures)]
    lock = threading.Lock()

    def wake() -> None:
        if not waiter.done():
            waiter.set_result(None)

    def one_done(_: concurrent.futures.Future[Any]) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            loop.call_soon_threadsafe(wake)

    for future in futures:
        future.add_done_callback(one_done)
    await waiter
    return [f.result() for f in futures]
