"""Admission: how many runs may execute at once (globally and per workflow), and the bounded
priority queue of those that wait for a slot. Pure bookkeeping, no Ray, no I/O: the directory
owns one ``Admission`` and tells it what started and what ended.

- ``admit(requests)`` is all or nothing: every request either gets a slot now or a place in
  the queue; if the queue cannot take the ones without a slot, the whole call is refused
  with ``RunRefusedError`` naming the limit (nothing is dropped silently).
- The queue is ordered by priority (higher first), then by arrival. A workflow at its own
  limit does not hold up runs of other workflows behind it.
- ``force=True`` (resumed and recovered runs, which were accepted long ago) never refuses:
  such a run takes a slot or is queued beyond ``max_queued``.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from actors.errors import RunRefusedError


@dataclass(frozen=True, slots=True)
class Request:
    """A run asking for a slot."""

    execution_id: int
    workflow_id: str
    priority: int = 0
    limit: int | None = None
    """The workflow's own limit of active runs (None: only the global one applies)."""
    dedicated: bool = False
    event: dict[str, object] | None = None
    """What to deliver on activation (``Resume``/``Cancel`` JSON) for a resumed run."""


@dataclass
class Admission:
    """Slots and the queue (see the module docstring)."""

    max_active: int
    max_queued: int
    active: dict[int, str] = field(default_factory=dict)
    by_workflow: Counter[str] = field(default_factory=Counter)
    limits: dict[str, int | None] = field(default_factory=dict)
    _queues: dict[str, list[tuple[int, int, Request]]] = field(default_factory=dict)
    _queued_ids: set[int] = field(default_factory=set)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def queued(self) -> int:
        return len(self._queued_ids)

    def _has_slot(self, workflow_id: str) -> bool:
        if len(self.active) >= self.max_active:
            return False
        limit = self.limits.get(workflow_id)
        return limit is None or self.by_workflow[workflow_id] < limit

    def _take(self, request: Request) -> None:
        self.active[request.execution_id] = request.workflow_id
        self.by_workflow[request.workflow_id] += 1

    def _enqueue(self, request: Request) -> None:
        queue = self._queues.setdefault(request.workflow_id, [])
        heapq.heappush(queue, (-request.priority, next(self._seq), request))
        self._queued_ids.add(request.execution_id)

    def admit(
        self, requests: Iterable[Request], *, force: bool = False
    ) -> tuple[list[Request], list[Request]]:
        """``(start now, queued)``; raises ``RunRefusedError`` if the queue is too full."""
        # Idempotent: a run that holds a slot or waits in the queue is not admitted again.
        requests = [
            r
            for r in requests
            if r.execution_id not in self.active and r.execution_id not in self._queued_ids
        ]
        for r in requests:
            if r.limit is not None or r.workflow_id not in self.limits:
                self.limits[r.workflow_id] = r.limit
        # Plan first (nothing changes if the call is refused).
        free = self.max_active - len(self.active)
        per_workflow: Counter[str] = Counter()
        start, wait = [], []
        for r in sorted(requests, key=lambda r: -r.priority):
            limit = self.limits.get(r.workflow_id)
            in_use = self.by_workflow[r.workflow_id] + per_workflow[r.workflow_id]
            queue_ahead = bool(self._queues.get(r.workflow_id))
            if free > 0 and (limit is None or in_use < limit) and not queue_ahead:
                start.append(r)
                free -= 1
                per_workflow[r.workflow_id] += 1
            else:
                wait.append(r)
        if wait and not force and self.queued + len(wait) > self.max_queued:
            raise RunRefusedError(
                f"Execution refused: the run queue is full ({self.queued} runs queued, "
                f"{len(wait)} more asked for; limit max_queued_runs={self.max_queued}, "
                f"max_active_runs={self.max_active})",
                [r.execution_id for r in requests],
            )
        for r in start:
            self._take(r)
        for r in wait:
            self._enqueue(r)
        return start, wait

    def adopt(self, execution_id: int, workflow_id: str) -> None:
        """Count a run that is already active (found in a live host after a restart)."""
        if execution_id not in self.active:
            self.active[execution_id] = workflow_id
            self.by_workflow[workflow_id] += 1
        self._queued_ids.discard(execution_id)

    def release(self, execution_id: int) -> bool:
        """The run left its slot (finished, passivated); ``False`` if it held none."""
        workflow_id = self.active.pop(execution_id, None)
        if workflow_id is None:
            return False
        self.by_workflow[workflow_id] -= 1
        if self.by_workflow[workflow_id] <= 0:
            del self.by_workflow[workflow_id]
        return True

    def remove_queued(self, execution_id: int) -> bool:
        """Take a queued run out (it was canceled); ``False`` if it was not queued."""
        if execution_id not in self._queued_ids:
            return False
        self._queued_ids.discard(execution_id)
        return True  # its heap entry is skipped when it comes up

    def is_queued(self, execution_id: int) -> bool:
        return execution_id in self._queued_ids

    def runnable(self) -> list[Request]:
        """Pop queued runs that now have a slot, best first."""
        out: list[Request] = []
        while len(self.active) < self.max_active:
            best: tuple[int, int, Request] | None = None
            for workflow_id, queue in list(self._queues.items()):
                while queue and queue[0][2].execution_id not in self._queued_ids:
                    heapq.heappop(queue)  # canceled while queued
                if not queue:
                    del self._queues[workflow_id]
                    continue
                if not self._has_slot(workflow_id):
                    continue
                if best is None or queue[0][:2] < best[:2]:
                    best = queue[0]
            if best is None:
                break
            request = best[2]
            heapq.heappop(self._queues[request.workflow_id])
            self._queued_ids.discard(request.execution_id)
            self._take(request)
            out.append(request)
        return out

    def snapshot(self) -> dict[str, object]:
        return {
            "active": len(self.active),
            "queued": self.queued,
            "max_active": self.max_active,
            "max_queued": self.max_queued,
            "by_workflow": dict(self.by_workflow),
        }
