"""Executions in threads of this process: the runtime for unit tests and for a process
without Ray. Same promises as the Ray runtime where the API can see them: the row is committed
before ``submit`` returns, every finished node is checkpointed, live events go to the cache
stream ``execution:{id}`` in the Ray hosts' vocabulary (``actors/events.py``: ``started``,
``nodeStarted``, ``nodeFinished``/``nodeFailed``, ``waiting``, ``resumed``, ``finished``),
and a cancel stops the run between two nodes (or during a retry delay). Runs parked by a
Wait node for an outside resume stay ``waiting`` until ``resume`` (a webhook or form call).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from n8nwork.cache import Cache, StreamEvent
from n8nwork.credentials_provider import StoredCredentials
from n8nwork.run.events import Cancel, Event, ExecuteNode, Finish, Resume, Start, Suspend
from n8nwork.run.machine import RunMachine, new_state
from n8nwork.run.state import RunState
from n8nwork.store import Checkpoint, NewExecution, Store
from n8nwork.store.repo.executions import get_execution, load_run_state, set_execution_status
from n8nwork.store.repo.waits import create_wait, resolve_wait
from n8nwork.store.repo.workflows import get_workflow_version
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Workflow
from nodes.sdk.runner import LocalExecutor
from serve.local_subruns import local_subworkflows
from serve.runtime import stream_name

log = logging.getLogger("n8nwork.serve.runtime")
FINISHED_STREAM_TTL_S = 3600.0


@dataclass
class _Run:
    id: int
    workflow: Workflow
    items: list[dict[str, Any]] | None
    start_node: str | None
    mode: str
    pin_data: dict[str, Any] | None
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[str]
    cancel: threading.Event = field(default_factory=threading.Event)
    resumed: tuple[RunState, list[list[dict[str, Any]]]] | None = None
    """A parked run woken by ``resume``: its stored state and the resume data."""
    workflow_id: str = ""


class LocalHandle:
    def __init__(self, run: _Run) -> None:
        self.id = run.id
        self._done = run.done

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(asyncio.shield(self._done), timeout)
        except TimeoutError:
            return False
        return True


class LocalRuntime:
    """Runs executions on a small thread pool of this process."""

    def __init__(
        self,
        store: Store,
        cache: Cache,
        *,
        registry: Any = None,
        timezone: str = "UTC",
        max_workers: int = 4,
    ) -> None:
        from nodes.sdk.registry import default_registry

        self.store = store
        self.cache = cache
        self.registry = registry or default_registry()
        self.timezone = timezone
        self._writer = store.writer()
        self.credentials = StoredCredentials(store)
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="n8nwork-run")
        self._runs: dict[int, _Run] = {}
        self._closed = False

    # ------------------------------------------------------------------ Runtime protocol
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
        **_ignored: Any,
    ) -> LocalHandle:
        if self._closed:
            raise RuntimeError("the runtime is closed")
        if workflow_id is None:
            raise ValueError("workflow_id is required")
        pins = thaw(pin_data) if pin_data is not None else None
        spec = NewExecution(
            workflow_id=workflow_id,
            workflow_version=workflow_version,
            mode=mode,
            state=new_state("new", mode=mode, pin_data=pins),
            workflow=None if workflow_version is not None else workflow.to_json(),
        )
        execution_id = await self._writer.acreate(spec)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[str] = loop.create_future()
        run = _Run(execution_id, workflow, items, start_node, mode, pins, loop, done,
                   workflow_id=workflow_id)  # fmt: skip
        self._runs[execution_id] = run
        self._pool.submit(self._run_safely, run)
        return LocalHandle(run)

    async def resume(self, execution_id: int, outputs: list[list[dict[str, Any]]]) -> None:
        """Wake a run parked for a webhook or form call (its wait row is taken exactly once)
        and continue it on a thread of this process."""
        if self._closed:
            raise RuntimeError("the runtime is closed")
        workflow, state, workflow_id = await asyncio.to_thread(self._take_parked, execution_id)
        loop = asyncio.get_running_loop()
        run = _Run(execution_id, workflow, None, None, state.mode, state.pin_data, loop,
                   loop.create_future(), resumed=(state, outputs),
                   workflow_id=workflow_id)  # fmt: skip
        self._runs[execution_id] = run
        self._pool.submit(self._run_safely, run)

    def _take_parked(self, execution_id: int) -> tuple[Workflow, RunState, str]:
        deadline = time.monotonic() + 5.0
        while True:  # a run writes its wait row, then its waiting state: give it that moment
            with self.store.sessions() as session:
                status = get_execution(session=session, execution_id=execution_id).status
            if status == "waiting" or status != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        with self.store.sessions() as session, session.begin():
            row = get_execution(session=session, execution_id=execution_id)
            if row.status != "waiting" or not resolve_wait(
                session=session, execution_id=execution_id
            ):
                raise LookupError(f"execution {execution_id} is not waiting")
            version = get_workflow_version(
                session=session, workflow_id=row.workflow_id, version=row.workflow_version
            )
            state = load_run_state(session=session, execution_id=execution_id)
            return Workflow.from_json(version.document), state, row.workflow_id

    def _create_wait(self, run: _Run, state: RunState, parked: Suspend) -> None:
        with self.store.sessions() as session, session.begin():
            node = state.last_node_executed or ""
            kind = parked.resume or "webhook"
            create_wait(session=session, execution_id=run.id, node=node, kind=kind)

    async def cancel(self, execution_id: int) -> None:
        run = self._runs.get(execution_id)
        if run is not None:
            run.cancel.set()
            return
        # Not running here (parked waiting, or left over by a process that is gone): this
        # process is the only runtime there is, so mark it canceled in the database.
        await asyncio.to_thread(self._cancel_stored, execution_id)

    def _cancel_stored(self, execution_id: int) -> None:
        with self.store.sessions() as session, session.begin():
            row = get_execution(session=session, execution_id=execution_id)
            if not row.finished:
                set_execution_status(session=session, execution_id=execution_id, status="canceled")

    async def events(
        self, execution_id: int, *, after_id: str, count: int, block_ms: int
    ) -> list[StreamEvent]:
        return await self.cache.read(
            stream_name(execution_id), after_id=after_id, count=count, block_ms=block_ms
        )

    async def ping(self) -> None:
        if self._closed:
            raise RuntimeError("the runtime is closed")

    async def aclose(self) -> None:
        self._closed = True
        for run in self._runs.values():
            run.cancel.set()
        await asyncio.to_thread(self._pool.shutdown, wait=True)
        await asyncio.to_thread(self._writer.close)

    # ------------------------------------------------------------------ running
    def _publish(self, run: _Run, event: dict[str, Any]) -> None:
        """One live event, in the Ray hosts' vocabulary (``actors/events.py``)."""
        event = {**event, "executionId": run.id, "at": time.time() * 1000.0}
        try:
            future = asyncio.run_coroutine_threadsafe(
                self.cache.publish(stream_name(run.id), event), run.loop
            )
            future.result(timeout=5)
        except Exception as exc:  # live events are best effort; the database has the truth
            log.warning("execution %s: event not published: %s", run.id, exc)

    def _finish(self, run: _Run, status: str) -> None:
        def settle() -> None:
            if not run.done.done():
                run.done.set_result(status)

        try:
            asyncio.run_coroutine_threadsafe(
                self.cache.expire_stream(stream_name(run.id), ttl=FINISHED_STREAM_TTL_S), run.loop
            )
            run.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop is gone (shutting down)
            pass
        self._runs.pop(run.id, None)

    def _run_safely(self, run: _Run) -> None:
        status = "crashed"
        try:
            status = self._run(run)
        except Exception as exc:
            log.exception("execution %s crashed", run.id)
            error = {"message": f"the run crashed: {type(exc).__name__}", "name": "Crashed"}
            try:
                with self.store.sessions() as session, session.begin():
                    set_execution_status(
                        session=session, execution_id=run.id, status="crashed", error=error
                    )
            except Exception:
                log.exception("execution %s: could not record the crash", run.id)
            self._publish(run, {"type": "finished", "status": "crashed", "error": error})
        finally:
            self._finish(run, status)

    def _checkpoint(self, run: _Run, state: RunState, written: dict[str, int]) -> None:
        """The state and every node run not written yet, in ONE transaction: a reader never
        sees a finished state without the node runs that finished it."""
        new_runs = [
            (node, index, runs[index])
            for node, runs in state.run_data.items()
            for index in range(written.get(node, 0), len(runs))
        ]
        if new_runs:
            (node, index, first), *more = new_runs
            checkpoint = Checkpoint(
                run.id, node=node, run_index=index, run=first, state=state, more_runs=more
            )
        else:
            checkpoint = Checkpoint(run.id, state=state)
        self._writer.checkpoint(checkpoint)
        for node, runs in state.run_data.items():
            written[node] = len(runs)

    def _run(self, run: _Run) -> str:
        machine = RunMachine(run.workflow, self.registry)
        if run.resumed is not None:
            return self._continue(run, machine, *run.resumed)
        state = new_state(str(run.id), mode=run.mode, pin_data=run.pin_data)
        written: dict[str, int] = {}
        self._publish(run, {"type": "started", "workflowId": run.workflow_id, "mode": run.mode})
        _, commands = machine.advance(state, Start(start_node=run.start_node, items=run.items))
        self._checkpoint(run, state, written)
        return self._loop(run, machine, state, commands, written)

    def _continue(
        self,
        run: _Run,
        machine: RunMachine,
        state: RunState,
        outputs: list[list[dict[str, Any]]],
    ) -> str:
        """A resumed run: the waiting node's run is rewritten with the resume data."""
        written = {node: len(runs) for node, runs in state.run_data.items()}
        if state.last_node_executed in written:
            written[state.last_node_executed] -= 1
        self._publish(run, {"type": "resumed"})
        _, commands = machine.advance(state, Resume(outputs=outputs))
        return self._loop(run, machine, state, commands, written)

    def _loop(
        self,
        run: _Run,
        machine: RunMachine,
        state: RunState,
        commands: list[Any],
        written: dict[str, int],
    ) -> str:
        executor = LocalExecutor(
            run.workflow,
            registry=self.registry,
            timezone=self.timezone,
            execution={"resumeUrl": f"/webhook-waiting/{run.id}"},
            subworkflows=local_subworkflows(
                self.store,
                execution_id=run.id,
                mode=run.mode,
                registry=self.registry,
                timezone=self.timezone,
                credentials_for=self.credentials.for_workflow,
            ),
            credentials=self.credentials.for_workflow(run.workflow_id),
        )
        while commands:
            command = commands.pop(0)
            if isinstance(command, Finish):
                break
            if run.cancel.is_set():
                _, commands = machine.advance(state, Cancel("canceled"))
                continue
            if isinstance(command, ExecuteNode):
                if command.delay_ms and run.cancel.wait(command.delay_ms / 1000.0):
                    _, commands = machine.advance(state, Cancel("canceled"))
                    continue
                self._publish(
                    run,
                    {
                        "type": "nodeStarted",
                        "node": command.node,
                        "runIndex": command.run_index,
                        "attempt": command.attempt,
                        "placement": "inline",
                    },
                )
                result = executor(command, state)
                _, more = machine.advance(state, result)
                commands = more + commands
                parks = next((c for c in more if isinstance(c, Suspend) and c.until is None), None)
                if parks is not None:  # the wait row before the waiting state: a resume call
                    self._create_wait(run, state, parks)  # may come once it reads "waiting"
                self._checkpoint(run, state, written)
                self._publish(run, _node_event(command, result, state))
            elif isinstance(command, Suspend):
                if command.until is None:  # parked until an outside resume (wait row written)
                    self._publish(run, {"type": "waiting", "until": None, "resume": command.resume})
                    break
                if run.cancel.wait(max(0.0, command.until - time.time())):
                    _, commands = machine.advance(state, Cancel("canceled"))
                    continue
                _, more = machine.advance(state, Resume())
                commands = more + commands
        self._checkpoint(run, state, written)
        error = state.error
        brief = {"message": error.get("message"), "node": error.get("node")} if error else None
        self._publish(run, {"type": "finished", "status": state.status, "error": brief})
        return state.status


def _node_event(command: ExecuteNode, result: Event, state: RunState) -> dict[str, Any]:
    """``nodeFinished`` / ``nodeFailed`` (``retrying`` when the machine will try again) for
    the node run ``command`` just made."""
    runs = state.run_data.get(command.node) or []
    node_run = runs[-1] if runs and len(runs) > command.run_index else None
    base = {"node": command.node, "runIndex": command.run_index}
    if node_run is None:  # no run recorded: the machine retries the node
        error = getattr(result, "error", None) or {}
        return {"type": "nodeFailed", **base, "attempt": command.attempt,
                "error": error.get("message"), "retrying": True}  # fmt: skip
    if node_run.status == "error":
        return {"type": "nodeFailed", **base, "attempt": node_run.attempts,
                "error": (node_run.error or {}).get("message"), "retrying": False}  # fmt: skip
    items = sum(len(o) for o in node_run.outputs or [] if o)
    return {"type": "nodeFinished", **base, "status": node_run.status, "items": items,
            "executionTime": node_run.execution_time}  # fmt: skip
