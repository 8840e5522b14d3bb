"""Lazy TTL bookkeeping for the in-process cache: entries expire on access, and a heap of
deadlines lets a periodic sweep drop the ones nobody touches again, so memory stays bounded.

The heap holds about one item per live entry: an item is pushed when an entry is created or
its deadline is brought forward, and a popped item whose entry has since been extended is
pushed again at the new deadline.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable

SWEEP_EVERY_S = 1.0


class ExpiryHeap:
    """Deadlines of entries, keyed by ``(kind, key)``; not thread-safe (the cache locks)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Hashable]] = []
        self._seq = 0
        self._next_sweep = 0.0

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, deadline: float, ref: Hashable) -> None:
        """Note that the entry ``ref`` (created just now) expires at ``deadline``."""
        self._seq += 1
        heapq.heappush(self._heap, (deadline, self._seq, ref))

    def sweep(self, now: float, deadline_of: Callable[[Hashable], float | None]) -> list[Hashable]:
        """Refs whose entries are due by ``now`` (at most once per ``SWEEP_EVERY_S``).

        ``deadline_of(ref)`` gives the entry's current deadline, or ``None`` if it is gone.
        """
        if now < self._next_sweep:
            return []
        self._next_sweep = now + SWEEP_EVERY_S
        due: list[Hashable] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, ref = heapq.heappop(heap)
            current = deadline_of(ref)
            if current is None:
                continue
            if current <= now:
                due.append(ref)
            else:
                self.push(current, ref)
        return due
