"""The index of passivated runs that wait for a time: a heap of ``(resume at, execution id)``.

A waiting run costs nothing in the hosts; this heap holds one small entry per run due within
the directory's horizon (later ones stay only in the store's ``waits`` table and are loaded
as their time approaches). Pure data structure, no clock of its own: callers pass ``now``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass
class WaitIndex:
    """Timed waits by due time; ``discard`` is O(1) (the heap entry is skipped later)."""

    _heap: list[tuple[float, int]] = field(default_factory=list)
    _due_at: dict[int, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._due_at)

    def __contains__(self, execution_id: int) -> bool:
        return execution_id in self._due_at

    def add(self, execution_id: int, at: float) -> None:
        if self._due_at.get(execution_id) == at:
            return
        self._due_at[execution_id] = at
        heapq.heappush(self._heap, (at, execution_id))

    def discard(self, execution_id: int) -> None:
        self._due_at.pop(execution_id, None)

    def pop_due(self, now: float, limit: int = 10_000) -> list[int]:
        """Ids due at ``now`` or before, earliest first (removed from the index)."""
        out: list[int] = []
        while self._heap and self._heap[0][0] <= now and len(out) < limit:
            at, execution_id = heapq.heappop(self._heap)
            if self._due_at.get(execution_id) == at:
                del self._due_at[execution_id]
                out.append(execution_id)
        return out

    def next_due(self) -> float | None:
        while self._heap and self._due_at.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None
