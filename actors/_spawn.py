"""Fire-and-forget tasks that are neither lost nor silent.

The event loop keeps only weak references to tasks: a task nobody holds can be garbage
collected while it waits (on a Ray object, say) and simply vanish. ``spawn`` keeps a strong
reference until the task is done and logs its exception, if any.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_RUNNING: set[asyncio.Task[Any]] = set()


def _done(task: asyncio.Task[Any]) -> None:
    _RUNNING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s failed", task.get_name(), exc_info=task.exception())


def spawn(coro: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
    """Run ``coro`` in the background on the running loop (kept alive, failures logged)."""
    task = asyncio.get_running_loop().create_task(coro, name=name)
    _RUNNING.add(task)
    task.add_done_callback(_done)
    return task
