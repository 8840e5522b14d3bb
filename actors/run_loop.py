"""One run as an actor inside a host: identity (the execution id), private state (its
``RunState``), a mailbox processed one message at a time, and the async loop that feeds the
state machine and carries out its commands.

Messages: ``activate`` (start, continue after recovery, resume or cancel a loaded run),
``node`` (a task node's result), ``execute`` (a retry whose delay passed), ``cancel``
(user cancel or execution timeout). Nothing else touches the run's state.

The loop (the async sibling of ``n8nwork.run.driver.drive``):

1. feed the event to the machine; note the node runs it recorded;
2. persist: a checkpoint with those runs and the state through the group-commit writer,
   fenced by the run's lease epoch, awaited before anything else happens (so a finished
   node is durable before the next one starts and is never executed again); a ``Suspend``
   instead passivates the run (checkpoint, wait row and lease release in one transaction);
3. publish the run's events (queued, not awaited: order is kept by the host's publisher);
4. carry out the commands: an inline node runs here and its result is the next event; a task
   node is submitted to Ray and its result arrives later as a ``node`` message (so a cancel
   can stop it meanwhile); a retry's ``delay_ms`` is a timer; ``Finish`` ends the run.

After a crash the run is loaded from its last checkpoint: ``state.current`` is the node that
was in flight, and is executed again (``pending_command``); its context's idempotency key
(execution id, node, run index) is the same as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from actors import error_workflows, subruns
from actors._spawn import spawn
from actors.persistence import Passivation
from actors.programs import Placement, PlacementError, Program
from n8nwork.observability import metrics as obs_metrics
from n8nwork.observability import runs as observe
from n8nwork.run.data import Items, NodeRun
from n8nwork.run.events import (
    Cancel,
    Command,
    Event,
    ExecuteNode,
    Finish,
    NodeCallsWorkflows,
    NodeFailed,
    NodeSucceeded,
    Resume,
    Start,
    StartWorkflows,
    Suspend,
)
from n8nwork.run.state import RunState
from n8nwork.store import Checkpoint, InvalidInputError, LeaseLostError, StoreUnavailableError

if TYPE_CHECKING:
    from actors._futures import AckPump
    from actors.config import RuntimeConfig
    from actors.events import Publisher
    from n8nwork.store import ExecutionWriter

log = logging.getLogger(__name__)

CHECKPOINT_RETRIES = 8


class TaskRunner(Protocol):
    """Runs task nodes somewhere else (Ray tasks; an in-process stand-in in tests)."""

    def submit(self, program: Program, command: ExecuteNode, state: RunState,
               placement: Placement) -> Any:  # fmt: skip
        """Start the node; returns a handle for ``result`` and ``cancel``."""
        ...

    async def result(self, handle: Any, program: Program, command: ExecuteNode,
                     placement: Placement) -> Event:  # fmt: skip
        """The node's event; a timeout or a dead worker becomes ``NodeFailed``."""
        ...

    def cancel(self, handle: Any) -> None:
        """Stop the node (its worker is killed)."""
        ...


class RunHostServices(Protocol):
    """What a run needs from the host that holds it."""

    name: str
    config: RuntimeConfig
    writer: ExecutionWriter
    acks: AckPump
    events: Publisher
    tasks: TaskRunner

    async def passivate(self, item: Passivation) -> BaseException | None: ...

    def run_ended(self, run: RunActor, status: str) -> None: ...

    def run_passivated(self, run: RunActor, until: float | None) -> None: ...

    def run_lost(self, run: RunActor) -> None: ...


def start_event(state: RunState) -> Start:
    """The ``Start`` a new run's stored state stands for (the client put the start node and
    the items in the first stack entry)."""
    entry = state.stack[0] if state.stack else {}
    data = entry.get("data") or [None]
    items: Items | None = data[0] if data else None
    return Start(start_node=entry.get("node"), items=items)


def pending_command(state: RunState) -> ExecuteNode | None:
    """The node execution that was in flight when the run's host died, to execute again."""
    current = state.current
    if current is None:
        return None
    entry = current["entry"]
    return ExecuteNode(
        node=current["node"],
        run_index=current["runIndex"],
        inputs=[items if items is not None else [] for items in current["inputs"]],
        source=entry.get("source") or [],
        attempt=current.get("attempt", 1),
    )


Marks = dict[str, tuple[int, NodeRun]]


def _marks(state: RunState) -> Marks:
    """How many runs each node has, and its last run (the object itself: holding it keeps
    its identity from being reused by a new run)."""
    return {name: (len(runs), runs[-1]) for name, runs in state.run_data.items() if runs}


def _new_runs(before: Marks, state: RunState) -> list[tuple[str, int, NodeRun]]:
    """Node runs recorded since ``before``: appended ones, and a last run that was replaced
    (a resumed Wait node's run replaces its ``waiting`` run at the same index)."""
    out = []
    for name, runs in state.run_data.items():
        count, last = before.get(name, (0, None))
        start = count
        if count and (len(runs) < count or runs[count - 1] is not last):
            start = count - 1
        for index in range(min(start, len(runs)), len(runs)):
            out.append((name, index, runs[index]))
    return out


def _refusal(exc: Exception) -> dict[str, Any]:
    return {"message": str(exc), "name": type(exc).__name__}


def _items_count(outputs: list[Items] | None) -> int:
    return sum(len(o) for o in outputs or [] if o)


class RunActor:
    """A run hosted in a ``RunHost``: one message at a time, state private to this object.

    Guarantees: every node run is checkpointed (and acknowledged durable) before the next
    node starts or anyone is told; a checkpoint refused because another host took the run
    over (``LeaseLostError``) stops this copy at once; a node's failure, a timeout or a dead
    task worker is data for the machine (``NodeFailed``), never a crash of the host.
    """

    __slots__ = (
        "_busy",
        "_handle",
        "_inflight",
        "_mailbox",
        "_span",
        "_timers",
        "done",
        "epoch",
        "host",
        "id",
        "program",
        "seq",
        "state",
        "workflow_id",
    )

    def __init__(
        self,
        host: RunHostServices,
        execution_id: int,
        program: Program,
        state: RunState,
        epoch: int,
    ) -> None:
        self.host = host
        self.id = execution_id
        self.program = program
        self.workflow_id = program.ref.workflow_id
        self.state = state
        state.execution_id = str(execution_id)
        self.epoch = epoch
        self.seq = 0
        self.done = False
        self._mailbox: deque[tuple[Any, ...]] = deque()
        self._busy = False
        self._inflight: tuple[Any, ExecuteNode] | None = None
        self._handle: asyncio.Task[None] | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self._span: observe.Span | None = observe.execution_span(
            state, execution_id, self.workflow_id
        )

    # ------------------------------------------------------------------ mailbox
    def post(self, *message: Any) -> None:
        """Deliver a message; it is handled after those before it, one at a time."""
        if self.done:
            return
        self._mailbox.append(message)
        if not self._busy:
            self._busy = True
            self._handle = spawn(self._drain())

    async def _drain(self) -> None:
        try:
            with observe.run_scope(self.id, self.workflow_id, self._span):
                await self._drain_mailbox()
        finally:
            self._busy = False

    async def _drain_mailbox(self) -> None:
        while self._mailbox and not self.done:
            message = self._mailbox.popleft()
            try:
                await self._handle_message(message)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug in the runtime: fail this run, never the host
                log.exception("run %s: unexpected error handling %s", self.id, message[0])
                await self._fail_run("The runtime failed while running this execution")

    async def _handle_message(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "activate":
            await self._activate(message[1], message[2])
        elif kind == "node":
            _, event, command = message
            if self._inflight is None or self._inflight[1] is not command:
                return  # a result of a task that was canceled meanwhile
            self._inflight = None
            await self._drive(event)
        elif kind == "execute":
            await self._drive_command(message[1])
        elif kind == "cancel":
            self._stop_inflight()
            await self._drive(Cancel(message[1]))

    # ------------------------------------------------------------------ activation
    async def _activate(self, event: Event | None, recovered: bool) -> None:
        state = self.state
        self._arm_timeout()
        if state.finished:
            self._end(state.status)
            return
        if state.status == "new":
            observe.started(state, self.workflow_id)
            self.host.events.emit(self.id, "started", workflowId=self.workflow_id, mode=state.mode)
            await self._drive(start_event(state))
            return
        if recovered:
            self.host.events.emit(self.id, "recovered", host=self.host.name)
        if isinstance(event, Cancel):
            await self._drive(event)
        elif state.status == "waiting":
            self.host.events.emit(self.id, "resumed")
            if subruns.waits_for_children(state):  # woken: its sub-workflows all finished
                await self._drive(await subruns.returned(self))
                return
            await self._drive(event if isinstance(event, Resume) else Resume())
        else:
            command = pending_command(state)
            if command is None:  # nothing in flight and not finished: cannot continue
                await self._fail_run("The execution has no node to continue with")
                return
            await self._drive_command(command)

    def _arm_timeout(self) -> None:
        config = self.host.config
        timeout = self.program.timeout_s(config.execution_timeout_s, config.max_execution_timeout_s)
        if timeout is not None:
            loop = asyncio.get_running_loop()
            self._timers.append(loop.call_later(timeout, self.post, "cancel", "timeout"))

    # ------------------------------------------------------------------ the loop
    async def _drive(self, event: Event | None) -> None:
        """Feed ``event``, persist, carry out the commands; inline nodes loop here."""
        while event is not None and not self.done:
            commands = await self._advance(event)
            event = None
            finish = next((c for c in commands if isinstance(c, Finish)), None)
            if finish is not None:
                await self._finish(finish)
                return
            if any(m[0] == "cancel" for m in self._mailbox):
                return  # the cancel is handled next, before another node starts
            command = next((c for c in commands if isinstance(c, ExecuteNode)), None)
            if command is None:
                return
            if command.delay_ms > 0:
                loop = asyncio.get_running_loop()
                self._timers.append(
                    loop.call_later(command.delay_ms / 1000.0, self.post, "execute", command)
                )
                return
            event = self._execute(command)

    async def _drive_command(self, command: ExecuteNode) -> None:
        if self.done or self.state.current is None:
            return
        await self._drive(self._execute(command))

    def _execute(self, command: ExecuteNode) -> Event | None:
        """Run an inline node now (its event) or submit a task node (``None``: it reports)."""
        program = self.program
        try:
            placement = program.placement(command.node)
        except PlacementError as exc:
            return NodeFailed(
                node=command.node,
                run_index=command.run_index,
                error={"message": str(exc), "name": "NodeSettingsError", "node": command.node},
                started_at=time.time() * 1000.0,
            )
        self.host.events.emit(
            self.id,
            "nodeStarted",
            node=command.node,
            runIndex=command.run_index,
            attempt=command.attempt,
            placement=placement.kind,
        )
        if not placement.is_task:
            base = self.host.config.resume_base_url
            if base:
                program.executor.execution["resumeUrl"] = f"{base.rstrip('/')}/{self.id}"
            node_type = observe.node_type_of(program, command.node)
            return observe.run_node(
                program.executor, command, self.state, node_type=node_type, placement="inline"
            )
        handle = self.host.tasks.submit(program, command, self.state, placement)
        self._inflight = (handle, command)
        spawn(self._watch(handle, command, placement))
        return None

    async def _watch(self, handle: Any, command: ExecuteNode, placement: Placement) -> None:
        try:
            event = await self.host.tasks.result(handle, self.program, command, placement)
        except Exception as exc:  # the runner promises events; keep the run going anyway
            log.exception("run %s: task runner failed", self.id)
            event = NodeFailed(
                node=command.node,
                run_index=command.run_index,
                error={"message": f"The node task failed: {exc}", "node": command.node},
            )
        self.post("node", event, command)

    def _stop_inflight(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        if self._inflight is not None:
            handle, _ = self._inflight
            self._inflight = None
            try:
                self.host.tasks.cancel(handle)
            except Exception:
                log.exception("run %s: could not cancel its node task", self.id)

    async def _advance(self, event: Event) -> list[Command]:
        if isinstance(event, NodeCallsWorkflows):  # resolved against the store first
            event = await subruns.resolve(self, event)
        state = self.state
        before = _marks(state)
        attempt = state.current["attempt"] if state.current else 1
        _, commands = self.program.machine.advance(state, event)
        runs = _new_runs(before, state)
        start = next((c for c in commands if isinstance(c, StartWorkflows)), None)
        if start is not None:  # children committed with this step, then announced
            return await subruns.start(self, start, commands, runs, event)
        suspend = next((c for c in commands if isinstance(c, Suspend)), None)
        if isinstance(event, Cancel):
            runs += [
                (name, i, r)
                for name, rs in state.run_data.items()
                for i, r in enumerate(rs)
                if r.status == "canceled" and (name, i, r) not in runs
            ]
        if suspend is not None:
            await self._passivate(suspend, runs)
            return []
        retrying = isinstance(event, NodeFailed | NodeSucceeded) and any(
            isinstance(c, ExecuteNode) and c.attempt > attempt for c in commands
        )
        finish = next((c for c in commands if isinstance(c, Finish)), None)
        must_write = runs or retrying or finish is not None
        submit = error_workflows.submitter(self, finish)  # None unless an error workflow runs
        if must_write and not await self._checkpoint(runs, submit):
            return []
        self._publish(event, runs, retrying)
        return commands

    def _publish(self, event: Event, runs: list[tuple[str, int, NodeRun]], retrying: bool) -> None:
        emit = self.host.events.emit
        if isinstance(event, NodeFailed) and retrying:
            emit(
                self.id,
                "nodeFailed",
                node=event.node,
                runIndex=event.run_index,
                error=event.error.get("message"),
                retrying=True,
            )
        for name, index, run in runs:
            if run.status == "error":
                emit(
                    self.id,
                    "nodeFailed",
                    node=name,
                    runIndex=index,
                    attempt=run.attempts,
                    error=(run.error or {}).get("message"),
                    retrying=False,
                )
            else:
                emit(
                    self.id,
                    "nodeFinished",
                    node=name,
                    runIndex=index,
                    status=run.status,
                    items=_items_count(run.outputs),
                    executionTime=run.execution_time,
                )

    # ------------------------------------------------------------------ persistence
    async def _checkpoint(
        self,
        runs: list[tuple[str, int, NodeRun]],
        submit: Callable[[Checkpoint], Awaitable[None]] | None = None,
    ) -> bool:
        """Write the runs and the state; ``False`` when the run must stop here. ``submit``
        writes instead of the group-commit writer (a failed run's error workflow)."""
        checkpoint = self.checkpoint_of(runs)
        delay = 0.05
        refused = False
        for attempt in range(CHECKPOINT_RETRIES):
            try:
                if submit is not None:
                    await submit(checkpoint)
                else:
                    await self.host.acks.watch(self.host.writer.submit_checkpoint(checkpoint))
                if refused:  # the run ended with the store's refusal as its error
                    await self._finish(Finish("error", self.state.error))
                    return False
                return True
            except LeaseLostError:
                log.info("run %s: taken over by another host; dropping this copy", self.id)
                self._lost()
                return False
            except StoreUnavailableError as exc:
                obs_metrics.database_error("checkpoint")
                if attempt == CHECKPOINT_RETRIES - 1:
                    log.error("run %s: store unavailable, giving the run up: %s", self.id, exc)
                    self._lost()
                    return False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            except InvalidInputError as exc:
                # e.g. a node output above the store's size limit: the run fails, naming it
                if refused:
                    break  # refused even without the data: nothing more we can write
                checkpoint = self._refused(checkpoint, runs, exc)
                refused = True
        self._lost()
        return False

    def _refused(
        self, checkpoint: Checkpoint, runs: list[tuple[str, int, NodeRun]], exc: Exception
    ) -> Checkpoint:
        error = _refusal(exc)
        for _name, _index, run in runs:
            run.outputs = None
            run.status = "error"
            run.error = error
        self.state.status = "error"
        self.state.error = error
        self.state.current = None
        self.state.stack = []
        self.state.waiting = {}
        self._stop_inflight()
        return Checkpoint(
            execution_id=checkpoint.execution_id,
            node=checkpoint.node,
            run_index=checkpoint.run_index,
            run=checkpoint.run,
            state=self.state,
            lease_epoch=self.epoch,
            more_runs=checkpoint.more_runs,
        )

    def checkpoint_of(self, runs: list[tuple[str, int, NodeRun]]) -> Checkpoint:
        """The checkpoint of the run's state now, with the node runs it recorded since the
        last one (fenced by the run's lease epoch)."""
        first = runs[0] if runs else None
        return Checkpoint(
            execution_id=self.id,
            node=first[0] if first else None,
            run_index=first[1] if first else 0,
            run=first[2] if first else None,
            state=self.state,
            lease_epoch=self.epoch,
            more_runs=tuple(runs[1:]),
        )

    async def _passivate(self, suspend: Suspend, runs: list[tuple[str, int, NodeRun]]) -> None:
        item = Passivation(
            checkpoint=self.checkpoint_of(runs),
            node=self.state.last_node_executed or "",
            kind=suspend.resume or "time",
            resume_at=suspend.until,
        )
        error = await self.host.passivate(item)
        if error is not None:
            if not isinstance(error, LeaseLostError):
                log.error("run %s: could not passivate: %s", self.id, error)
            self._lost()
            return
        self.host.events.emit(self.id, "waiting", until=suspend.until, resume=suspend.resume)
        self._leave()
        self.host.run_passivated(self, suspend.until)

    async def _finish(self, command: Finish) -> None:
        observe.finished(self.state, self.workflow_id, command.status)
        self.host.events.emit(self.id, "finished", status=command.status, error=command.error)
        self._end(command.status)

    async def _fail_run(self, message: str) -> None:
        """End the run with an error of the runtime (its state is checkpointed as such)."""
        if self.done:
            return
        self._stop_inflight()
        self.state.status = "error"
        self.state.error = {"message": message, "name": "RuntimeError"}
        self.state.current = None
        finish = Finish("error", self.state.error)
        if await self._checkpoint([], error_workflows.submitter(self, finish)):
            await self._finish(finish)

    # ------------------------------------------------------------------ leaving the host
    def _leave(self, status: str | None = None) -> None:
        observe.end_span(self._span, status)
        self._span = None
        self.done = True
        self._stop_inflight()
        self._mailbox.clear()

    def _end(self, status: str) -> None:
        self._leave(status)
        self.host.run_ended(self, status)

    def _lost(self) -> None:
        self._leave()
        self.host.run_lost(self)

    def stop(self) -> None:
        """Forget the run without writing anything (the host is shutting down)."""
        self._leave()


__all__ = [
    "RunActor",
    "RunHostServices",
    "TaskRunner",
    "pending_command",
    "start_event",
]
