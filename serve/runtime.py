"""The runtime as the API sees it: submit a run, wait for it, cancel it, check it is there.

Two implementations: ``RayRuntime`` adapts the Ray runtime of ``actors/client.py`` (what
``n8nwork up`` and the Serve deployment use), and ``serve.local_runtime.LocalRuntime`` runs
executions in threads of this process (unit tests, and a process without Ray). Both create
the execution row and commit it before ``submit`` returns, and publish live events to the
cache stream ``execution:{id}``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import anyio

from n8nwork.cache import StreamEvent
from n8nwork.workflow.model import Workflow
from serve.errors import RuntimeBusyError

WAIT_SLICE_S = 1.0
FINISHED = ("success", "error", "canceled", "crashed")


def stream_name(execution_id: int) -> str:
    """The cache stream with the live events of an execution."""
    return f"execution:{execution_id}"


class Handle(Protocol):
    """A submitted execution."""

    @property
    def id(self) -> int: ...

    async def wait(self, timeout: float) -> bool:
        """True when the execution finished (or parked waiting) within ``timeout`` seconds."""
        ...


class Runtime(Protocol):
    """What the routes need of a runtime."""

    async def submit(
        self,
        workflow: Workflow,
        *,
        items: list[dict[str, Any]] | None = None,
        mode: str = "manual",
        pin_data: dict[str, Any] | None = None,
        workflow_id: str | None = None,
        workflow_version: int | None = None,
        start_node: str | None = None,
    ) -> Handle:
        """Create the execution (committed before this returns) and start it."""
        ...

    async def cancel(self, execution_id: int) -> None:
        """Ask a running execution to stop (it ends ``canceled``)."""
        ...

    async def resume(self, execution_id: int, outputs: list[list[dict[str, Any]]]) -> None:
        """Wake a run parked by a Wait node with ``outputs`` as the node's output (exactly
        once); ``LookupError`` when it is not waiting (any more)."""
        ...

    async def events(
        self, execution_id: int, *, after_id: str, count: int, block_ms: int
    ) -> list[StreamEvent]:
        """Live events of a run after ``after_id`` (waiting up to ``block_ms`` for one)."""
        ...

    async def ping(self) -> None:
        """Return when the runtime can take runs; raise otherwise."""
        ...

    async def aclose(self) -> None: ...


class _RayHandle:
    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.id = int(handle.id)

    async def wait(self, timeout: float) -> bool:
        """Wait in slices of at most ``WAIT_SLICE_S``, asking the store between slices: a
        completion notice that went missing holds a request for a slice, not for good."""
        from actors.errors import ResultTimeoutError

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                await self._handle.wait_async(timeout=min(remaining, WAIT_SLICE_S))
            except (TimeoutError, ResultTimeoutError):
                status = await anyio.to_thread.run_sync(self._handle.status)
                if status in FINISHED:
                    return True
                continue
            return True
        return False


class RayRuntime:
    """The API's view of ``actors.client.Runtime`` (the Ray runtime of issue 4)."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime

    @classmethod
    def connect(cls, settings: Any, config: Any = None) -> RayRuntime:
        """Connect from inside the cluster (a Serve replica): Ray is already initialized."""
        from actors.client import connect

        return cls(connect(settings=settings, config=config))

    async def submit(self, workflow: Workflow, **kwargs: Any) -> Handle:
        from actors.errors import RunRefusedError

        try:
            handle = await self._runtime.submit_async(workflow, **kwargs)
        except RunRefusedError as exc:
            raise RuntimeBusyError(str(exc), retry_after=5.0) from exc
        return _RayHandle(handle)

    async def cancel(self, execution_id: int) -> None:
        await self._runtime.cancel_async(execution_id)

    async def resume(self, execution_id: int, outputs: list[list[dict[str, Any]]]) -> None:
        from actors.errors import NotWaitingError

        try:
            await self._runtime.resume_async(execution_id, outputs)
        except NotWaitingError as exc:
            raise LookupError(str(exc)) from exc

    async def events(
        self, execution_id: int, *, after_id: str, count: int, block_ms: int
    ) -> list[StreamEvent]:
        result: list[StreamEvent] = await self._runtime.events_async(
            execution_id, after_id=after_id, count=count, block_ms=block_ms
        )
        return result

    async def ping(self) -> None:
        from actors import cluster

        await anyio.to_thread.run_sync(cluster.check_alive)

    async def aclose(self) -> None:
        """Leave the runtime running: it belongs to the cluster, not to one replica."""
