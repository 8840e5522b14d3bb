"""One in-process event stream: ordered entries with Redis-style ids, exact length cap, and the
waiters of blocking reads (futures on any event loop, woken thread-safely on publish)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class MemStream:
    """Entries ``(ms, seq) -> text`` in id order; the owner holds a lock around every call."""

    deadline: float
    keys: list[tuple[int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    last: tuple[int, int] = (0, 0)

    def append(self, text: str, maxlen: int) -> str:
        """Add an entry with the next id (Redis's rule: wall-clock ms, then a sequence)."""
        ms = time.time_ns() // 1_000_000
        key = (ms, 0) if ms > self.last[0] else (self.last[0], self.last[1] + 1)
        self.last = key
        self.keys.append(key)
        self.texts.append(text)
        excess = len(self.keys) - maxlen
        if excess > 0:
            del self.keys[:excess]
            del self.texts[:excess]
        return f"{key[0]}-{key[1]}"

    def after(self, pos: tuple[int, int], count: int) -> list[tuple[str, str]]:
        """Up to ``count`` ``(id, text)`` with ids greater than ``pos``."""
        i = bisect_right(self.keys, pos)
        return [
            (f"{k[0]}-{k[1]}", t)
            for k, t in zip(self.keys[i : i + count], self.texts[i : i + count], strict=True)
        ]


@dataclass
class Waiters:
    """Futures of readers blocked on one stream, each with the loop it belongs to."""

    items: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = field(
        default_factory=list
    )

    def add(self) -> asyncio.Future[None]:
        """Register a future on the running loop (call with the owner's lock held)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self.items.append((loop, fut))
        return fut

    def discard(self, fut: asyncio.Future[None]) -> None:
        """Forget a future (after it fired or timed out)."""
        self.items = [(lp, f) for lp, f in self.items if f is not fut]

    def take_all(self) -> list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]:
        """Remove and return every waiter (call with the lock held, wake them without it)."""
        items, self.items = self.items, []
        return items


def wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]) -> None:
    """Resolve each waiter's future on its own loop; a closed loop is skipped."""
    for loop, fut in waiters:
        # A closed loop raises RuntimeError: nobody is waiting there any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve, fut)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
