"""The run actor's loop without Ray or a database: a fake host records checkpoints, events,
passivations; task nodes run on a stand-in runner in this process."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import pytest

from actors._futures import AckPump
from actors.config import RuntimeConfig
from actors.events import Publisher
from actors.persistence import Passivation
from actors.programs import Placement, Program, WorkflowRef, build_program, load_registry
from actors.run_loop import RunActor, pending_command, start_event
from n8nwork.run.data import NodeRun
from n8nwork.run.events import Event, ExecuteNode, Resume
from n8nwork.run.state import RunState
from n8nwork.store import Checkpoint, LeaseLostError, PayloadTooLargeError
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Registry


class Flaky(NodeType):
    """Fails its first ``failures`` executions (counted per process), then passes items on."""

    type_name = "test.flaky"
    failures: ClassVar[int] = 0
    calls: ClassVar[int] = 0

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        Flaky.calls += 1
        if Flaky.calls <= Flaky.failures:
            raise ctx.error(f"failure {Flaky.calls}")
        return [ctx.input(0)]


def registry() -> Registry:
    base = load_registry(())
    reg = Registry()
    for impl in base.all():
        reg.register(type(impl))
    reg.register(Flaky)
    return reg


def chain(*nodes: dict[str, Any], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    all_nodes = [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
         "parameters": {}, "position": [0, 0]},
        *[{"name": f"N{i}", "typeVersion": 1, "parameters": {}, "position": [i * 100, 0], **n}
          for i, n in enumerate(nodes, start=1)],
    ]  # fmt: skip
    return {
        "name": "t",
        "nodes": all_nodes,
        "connections": {
            a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
            for a, b in itertools.pairwise(all_nodes)
        },
        "settings": {"executionOrder": "v1", **(settings or {})},
    }


NOOP = {"type": "n8n-nodes-base.noOp"}


class Sink:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def publish_many(self, events: Any, expiries: Any = ()) -> None:
        self.events += [e for _, e in events]


class Writer:
    """Acknowledges every checkpoint at once (or refuses with ``refuse``)."""

    def __init__(self) -> None:
        self.checkpoints: list[Checkpoint] = []
        self.snapshots: dict[str | None, dict[str, Any]] = {}
        self.refuse: BaseException | None = None
        self.too_large: str | None = None  # refuse the runs of this node (too large)

    def submit_checkpoint(self, checkpoint: Checkpoint) -> concurrent.futures.Future[None]:
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        outputs = checkpoint.run.outputs if isinstance(checkpoint.run, NodeRun) else None
        if self.refuse is not None:
            future.set_exception(self.refuse)
        elif checkpoint.node == self.too_large and outputs is not None:
            future.set_exception(PayloadTooLargeError("items: 9 MiB is over max_payload_bytes"))
        else:
            self.checkpoints.append(checkpoint)
            assert isinstance(checkpoint.state, RunState)
            self.snapshots[checkpoint.node] = checkpoint.state.to_json()  # as written then
            future.set_result(None)
        return future


class Tasks:
    """Runs task nodes in this process after ``delay`` seconds; records cancellations."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.canceled: list[Any] = []

    def submit(self, program: Program, command: ExecuteNode, state: RunState,
               placement: Placement) -> Any:  # fmt: skip
        async def run() -> Event:
            await asyncio.sleep(self.delay)
            return program.executor(command, state)

        return asyncio.get_running_loop().create_task(run())

    async def result(self, handle: Any, program: Program, command: ExecuteNode,
                     placement: Placement) -> Event:  # fmt: skip
        result: Event = await handle
        return result

    def cancel(self, handle: Any) -> None:
        handle.cancel()
        self.canceled.append(handle)


class Host:
    def __init__(self, tasks: Tasks | None = None, **config: Any) -> None:
        self.name = "test-host"
        self.config = RuntimeConfig(**config)
        self.writer = Writer()
        self.tasks = tasks or Tasks()
        self.sink = Sink()
        self.ended: list[str] = []
        self.passivated: list[Passivation] = []
        self.lost = 0
        self.done = asyncio.Event()

    async def setup(self) -> None:
        self.acks = AckPump(asyncio.get_running_loop())
        self.events = Publisher(self.sink)
        self.events.start()

    async def passivate(self, item: Passivation) -> BaseException | None:
        self.passivated.append(item)
        return None

    def run_ended(self, run: RunActor, status: str) -> None:
        self.ended.append(status)
        self.done.set()

    def run_passivated(self, run: RunActor, until: float | None) -> None:
        self.done.set()

    def run_lost(self, run: RunActor) -> None:
        self.lost += 1
        self.done.set()

    def kinds(self) -> list[tuple[str, str | None]]:
        return [(e["type"], e.get("node")) for e in self.sink.events]


def fresh_state(items: list[dict[str, Any]] | None = None) -> RunState:
    return RunState(execution_id="", stack=[{"node": "Start", "data": [items], "source": None}])


async def run(doc: dict[str, Any], host: Host, state: RunState | None = None,
              then: Callable[[RunActor], Awaitable[None]] | None = None,
              event: Event | None = None) -> RunActor:  # fmt: skip
    await host.setup()
    program = build_program(WorkflowRef("w", 1), doc, registry=registry(), timezone="UTC")
    actor = RunActor(host, 7, program, state or fresh_state(), epoch=3)  # type: ignore[arg-type]
    actor.post("activate", event, False)
    if then is not None:
        await then(actor)
    await asyncio.wait_for(host.done.wait(), 10)
    await host.events.flush()
    return actor


def test_an_inline_chain_checkpoints_every_node_in_order() -> None:
    host = Host()
    actor = asyncio.run(run(chain(NOOP, NOOP), host))

    assert host.ended == ["success"]
    assert [c.node for c in host.writer.checkpoints] == ["Start", "N1", "N2"]
    assert {c.lease_epoch for c in host.writer.checkpoints} == {3}
    assert actor.state.status == "success"
    assert host.kinds() == [
        ("started", None),
        ("nodeStarted", "Start"),
        ("nodeFinished", "Start"),
        ("nodeStarted", "N1"),
        ("nodeFinished", "N1"),
        ("nodeStarted", "N2"),
        ("nodeFinished", "N2"),
        ("finished", None),
    ]


def test_a_retry_waits_its_delay_and_counts_attempts() -> None:
    Flaky.calls, Flaky.failures = 0, 1
    host = Host()
    flaky = {"type": "test.flaky", "retryOnFail": True, "maxTries": 3, "waitBetweenTries": 50}
    actor = asyncio.run(run(chain(flaky), host))

    assert host.ended == ["success"]
    assert actor.state.run_data["N1"][0].attempts == 2
    assert ("nodeFailed", "N1") in host.kinds()


def test_a_task_node_reports_through_the_mailbox() -> None:
    host = Host(Tasks(delay=0.01))
    actor = asyncio.run(run(chain({**NOOP, "n8nwork": {"placement": "task"}}, NOOP), host))

    assert host.ended == ["success"]
    assert list(actor.state.run_data) == ["Start", "N1", "N2"]


def test_cancel_stops_the_task_in_flight() -> None:
    tasks = Tasks(delay=30)
    host = Host(tasks)

    async def cancel_soon(actor: RunActor) -> None:
        await asyncio.sleep(0.05)
        actor.post("cancel", "canceled")

    actor = asyncio.run(
        run(chain({**NOOP, "n8nwork": {"placement": "task"}}), host, then=cancel_soon)
    )

    assert host.ended == ["canceled"]
    assert len(tasks.canceled) == 1
    assert actor.state.error is not None
    assert host.writer.checkpoints[-1].state is actor.state


def test_the_execution_timeout_cancels_the_run() -> None:
    host = Host(Tasks(delay=30))
    doc = chain({**NOOP, "n8nwork": {"placement": "task"}}, settings={"executionTimeout": 0.1})
    actor = asyncio.run(run(doc, host))

    assert host.ended == ["canceled"]
    assert "timed out" in (actor.state.error or {})["message"]


def test_a_lost_lease_stops_this_copy_of_the_run() -> None:
    host = Host()
    host.writer.refuse = LeaseLostError("epoch 3 is stale")
    asyncio.run(run(chain(NOOP, NOOP), host))

    assert host.lost == 1 and host.ended == []
    assert host.kinds() == [("started", None), ("nodeStarted", "Start")]


def test_a_node_output_the_store_refuses_fails_the_run_naming_the_limit() -> None:
    host = Host()
    host.writer.too_large = "N1"
    actor = asyncio.run(run(chain(NOOP, NOOP), host))

    assert host.ended == ["error"]
    assert "max_payload_bytes" in (actor.state.error or {})["message"]
    assert [c.node for c in host.writer.checkpoints] == ["Start", "N1"]
    assert "N2" not in actor.state.run_data


def test_a_wait_passivates_the_run() -> None:
    host = Host()
    wait = {"type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "webhook"}}
    actor = asyncio.run(run(chain(wait, NOOP), host))

    (item,) = host.passivated
    assert (item.node, item.kind, item.resume_at) == ("N1", "webhook", None)
    assert item.checkpoint.state is actor.state and actor.state.status == "waiting"
    assert actor.done and host.ended == []


def test_a_resumed_wait_rewrites_the_wait_node_s_run() -> None:
    # Given a run passivated at a webhook wait (its state as written)
    wait = {"type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "webhook"}}
    doc = chain(wait, NOOP)
    first = Host()
    asyncio.run(run(doc, first))
    (item,) = first.passivated
    assert isinstance(item.checkpoint.state, RunState)
    stored = RunState.from_json(item.checkpoint.state.to_json())

    # When it is activated with a resume carrying data
    second = Host()
    resume = Resume(outputs=[[{"json": {"hook": 1}}]])
    actor = asyncio.run(run(doc, second, stored, event=resume))

    # Then the wait node's run (index 0) is written again as a success, then N2's
    (wait_cp, done_cp) = second.writer.checkpoints
    assert (wait_cp.node, wait_cp.run_index) == ("N1", 0)
    assert isinstance(wait_cp.run, NodeRun) and wait_cp.run.status == "success"
    assert done_cp.node == "N2"
    assert actor.state.run_data["N2"][0].output(0)[0]["json"] == {"hook": 1}
    assert ("resumed", None) in second.kinds()


def test_after_a_crash_the_node_in_flight_runs_again_and_nothing_before_it() -> None:
    # Given the state as checkpointed after N1 (N2 is the node in flight)
    doc = chain(NOOP, NOOP, NOOP)
    first = Host()
    asyncio.run(run(doc, first))
    after_n1 = RunState.from_json(first.writer.snapshots["N1"])
    assert after_n1.current is not None and after_n1.current["node"] == "N2"

    # When another host activates it from there
    second = Host()
    actor = asyncio.run(run(doc, second, after_n1))

    # Then N2 and N3 run, and neither Start nor N1 again
    assert [c.node for c in second.writer.checkpoints] == ["N2", "N3"]
    assert actor.state.status == "success"
    assert [k for k in second.kinds() if k[0] == "nodeStarted"] == [
        ("nodeStarted", "N2"),
        ("nodeStarted", "N3"),
    ]


def test_start_event_and_pending_command_read_the_stored_state() -> None:
    state = fresh_state([{"json": {"a": 1}}])
    assert start_event(state).items == [{"json": {"a": 1}}]
    assert pending_command(state) is None
    state.current = {
        "node": "N1",
        "runIndex": 2,
        "attempt": 3,
        "entry": {"source": [None]},
        "inputs": [None, [{"json": {}}]],
    }
    command = pending_command(state)
    assert command is not None
    assert (command.node, command.run_index, command.attempt) == ("N1", 2, 3)
    assert command.inputs == [[], [{"json": {}}]]


@pytest.fixture(autouse=True)
def _reset_flaky() -> None:
    Flaky.calls, Flaky.failures = 0, 0
