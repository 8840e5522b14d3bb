"""The run state machine, driven in-process with small test node types (no expressions)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.run.driver import VirtualClock, drive
from n8nwork.run.events import (
    Cancel,
    ExecuteNode,
    Finish,
    NodeSucceeded,
    Resume,
    Start,
    Suspend,
    from_json,
    to_json,
)
from n8nwork.run.machine import RunMachine, new_state
from n8nwork.run.state import RunState
from n8nwork.workflow import Workflow
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Registry, WaitFor
from nodes.sdk.runner import LocalExecutor, run_workflow

ORDER: list[str] = []


class Record(NodeType):
    """Passes input through and records that it ran."""

    type_name = "test.record"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        ORDER.append(ctx.node.name)
        return [[{"json": {**i["json"], "via": ctx.node.name}} for i in ctx.input(0)]]


class Emit(NodeType):
    type_name = "test.emit"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        ORDER.append(ctx.node.name)
        return [[{"json": j} for j in ctx.raw_param("items", [])]]


class Flaky(NodeType):
    """Fails until it has been tried ``failures + 1`` times."""

    type_name = "test.flaky"
    tries: ClassVar[dict[str, int]] = {}

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        n = self.tries[ctx.node.name] = self.tries.get(ctx.node.name, 0) + 1
        if n <= ctx.raw_param("failures", 99):
            raise ctx.error(f"attempt {n} failed", description="flaky on purpose")
        return [ctx.input(0)]


class Route(NodeType):
    """Items with ``json.n < limit`` go to output 1 (loop), others to output 0 (done)."""

    type_name = "test.route"
    outputs = 2
    loop_capable = True

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        ORDER.append(ctx.node.name)
        limit = ctx.raw_param("limit", 3)
        done, again = [], []
        for i in ctx.input(0):
            (again if i["json"].get("n", 0) < limit else done).append(i)
        return [done, again]


class Inc(NodeType):
    type_name = "test.inc"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        ORDER.append(ctx.node.name)
        return [[{"json": {"n": i["json"].get("n", 0) + 1}} for i in ctx.input(0)]]


class Join(NodeType):
    type_name = "test.join"
    inputs = 2

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        ORDER.append(ctx.node.name)
        return [ctx.input(0) + ctx.input(1)]


class Sleep(NodeType):
    type_name = "test.sleep"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        now = (ctx.scope.now_ms or 0) / 1000
        resume = ctx.raw_param("resume", None)
        return WaitFor(until=None if resume else now + 60, resume=resume, outputs=[ctx.input(0)])


class ErrorItems(NodeType):
    """Per-item failure that respects continue-on-fail, as n8n nodes do."""

    type_name = "test.errorItems"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        out = []
        for index, item in enumerate(ctx.input(0)):
            if item["json"].get("bad"):
                if not ctx.continue_on_fail:
                    raise ctx.error("bad item", item_index=index)
                out.append({"json": {"error": "bad item"}, "pairedItem": {"item": index}})
            else:
                out.append(item)
        return [out]


def registry() -> Registry:
    reg = Registry()
    reg.load_package("nodes.builtin")
    reg.register_all([Record, Emit, Flaky, Route, Inc, Join, Sleep, ErrorItems])
    return reg


REG = registry()


def node(name: str, type_: str, x: float = 0, y: float = 0, **extra: Any) -> dict[str, Any]:
    params = extra.pop("parameters", {})
    return {
        "name": name,
        "type": type_,
        "typeVersion": 1,
        "parameters": params,
        "position": [x, y],
        **extra,
    }


def trigger() -> dict[str, Any]:
    return node("T", "n8n-nodes-base.manualTrigger")


def connect(*edges: tuple[str, str] | tuple[str, str, int] | tuple[str, str, int, int]) -> dict:
    out: dict[str, Any] = {}
    for e in edges:
        src, dst = e[0], e[1]
        oi = e[2] if len(e) > 2 else 0  # type: ignore[misc]
        ii = e[3] if len(e) > 3 else 0  # type: ignore[misc]
        outs = out.setdefault(src, {"main": []})["main"]
        while len(outs) <= oi:
            outs.append([])
        outs[oi].append({"node": dst, "type": "main", "index": ii})
    return out


def make(nodes: list[dict[str, Any]], conns: dict, order: str | None = "v1", **kw: Any) -> Workflow:
    settings = {"executionOrder": order} if order else {}
    return Workflow.from_json({"nodes": nodes, "connections": conns, "settings": settings, **kw})


def run(wf: Workflow, **kw: Any) -> RunState:
    ORDER.clear()
    Flaky.tries.clear()
    return run_workflow(wf, registry=REG, clock=VirtualClock(), **kw)


def out(state: RunState, name: str, run: int = 0, output: int = 0) -> list[dict[str, Any]]:
    return [i["json"] for i in state.run_data[name][run].output(output)]


def fan_out_workflow(order: str | None) -> Workflow:
    nodes = [
        trigger(),
        node("A", "test.record", 200, 0),
        node("B", "test.record", 200, 200),
        node("A1", "test.record", 400, 0),
        node("B1", "test.record", 400, 200),
    ]
    return make(nodes, connect(("T", "B"), ("T", "A"), ("A", "A1"), ("B", "B1")), order)


def test_v1_runs_depth_first_top_branch_first() -> None:
    state = run(fan_out_workflow("v1"))
    assert state.status == "success"
    assert ORDER == ["A", "A1", "B", "B1"]


def test_v0_runs_breadth_first_in_connection_order() -> None:
    state = run(fan_out_workflow(None))
    assert state.status == "success"
    assert ORDER == ["B", "A", "B1", "A1"]


def test_merge_waits_for_both_inputs_and_pairs_sources() -> None:
    nodes = [
        trigger(),
        node("L", "test.emit", 200, 0, parameters={"items": [{"l": 1}]}),
        node("R", "test.emit", 200, 200, parameters={"items": [{"r": 1}, {"r": 2}]}),
        node("J", "test.join", 400, 100),
    ]
    wf = make(nodes, connect(("T", "L"), ("T", "R"), ("L", "J", 0, 0), ("R", "J", 0, 1)))
    state = run(wf)
    assert ORDER == ["L", "R", "J"]
    assert out(state, "J") == [{"l": 1}, {"r": 1}, {"r": 2}]
    sources = state.run_data["J"][0].source
    assert [s.previous_node for s in sources if s] == ["L", "R"]


def test_v1_merge_with_one_silent_input_runs_when_nothing_else_can() -> None:
    nodes = [
        trigger(),
        node("L", "test.emit", 200, 0, parameters={"items": [{"l": 1}]}),
        node("R", "test.emit", 200, 200, parameters={"items": []}),
        node("J", "test.join", 400, 100),
    ]
    state = run(make(nodes, connect(("T", "L"), ("T", "R"), ("L", "J", 0, 0), ("R", "J", 0, 1))))
    assert state.status == "success"
    assert out(state, "J") == [{"l": 1}]


def test_v0_forces_execution_of_the_other_input_branch() -> None:
    # L feeds J directly; R is not connected to the trigger at all. v0 forces R to run.
    nodes = [
        trigger(),
        node("L", "test.emit", 200, 0, parameters={"items": [{"l": 1}]}),
        node("R", "test.emit", 200, 200, parameters={"items": [{"r": 1}]}),
        node("J", "test.join", 400, 100),
    ]
    state = run(make(nodes, connect(("T", "L"), ("L", "J", 0, 0), ("R", "J", 0, 1)), None))
    assert state.status == "success"
    assert out(state, "J") == [{"l": 1}, {"r": 1}]


def test_disabled_node_passes_data_through() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"a": 1}]}),
        node("D", "test.inc", disabled=True),
        node("Z", "test.record"),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "D"), ("D", "Z"))))
    assert "D" not in ORDER
    assert out(state, "Z") == [{"a": 1, "via": "Z"}]


def test_retry_on_fail_retries_with_the_wait_between_tries() -> None:
    nodes = [
        trigger(),
        node(
            "F",
            "test.flaky",
            parameters={"failures": 2},
            retryOnFail=True,
            maxTries=3,
            waitBetweenTries=250,
        ),
    ]
    wf = make(nodes, connect(("T", "F")))
    machine = RunMachine(wf, REG)
    commands: list[Any] = []
    ORDER.clear()
    Flaky.tries.clear()
    state = drive(
        machine,
        new_state("e1"),
        Start(),
        LocalExecutor(wf, registry=REG),
        clock=VirtualClock(),
        on_command=commands.append,
    )
    assert state.status == "success"
    runs = [c for c in commands if isinstance(c, ExecuteNode) and c.node == "F"]
    assert [(c.attempt, c.delay_ms) for c in runs] == [(1, 0.0), (2, 250.0), (3, 250.0)]
    assert state.run_data["F"][0].attempts == 3


def test_retries_are_bounded_and_the_error_names_the_node() -> None:
    nodes = [trigger(), node("F", "test.flaky", retryOnFail=True, maxTries=9)]
    state = run(make(nodes, connect(("T", "F"))))
    assert state.status == "error"
    assert Flaky.tries["F"] == 5  # n8n caps maxTries at 5
    assert state.error is not None and state.error["message"] == "attempt 5 failed"
    assert state.error["node"] == "F"
    assert state.run_data["F"][0].status == "error"


def test_on_error_continue_regular_output_passes_input_on() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"a": 1}]}),
        node("F", "test.flaky", onError="continueRegularOutput"),
        node("Z", "test.record"),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "F"), ("F", "Z"))))
    assert state.status == "success"
    assert state.run_data["F"][0].status == "error"
    assert state.run_data["F"][0].error["message"] == "attempt 1 failed"  # type: ignore[index]
    assert out(state, "Z") == [{"a": 1, "via": "Z"}]


def test_on_error_continue_error_output_routes_failed_items() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"a": 1}, {"bad": True}]}),
        node("X", "test.errorItems", onError="continueErrorOutput"),
        node("Ok", "test.record", 0, 0),
        node("Bad", "test.record", 0, 100),
    ]
    conns = connect(("T", "E"), ("E", "X"), ("X", "Ok", 0), ("X", "Bad", 1))
    state = run(make(nodes, conns))
    assert out(state, "X", output=0) == [{"a": 1}]
    assert out(state, "X", output=1) == [{"error": "bad item"}]
    assert out(state, "Bad") == [{"error": "bad item", "via": "Bad"}]


def test_stop_workflow_on_error_ends_the_run_in_error() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"bad": True}]}),
        node("X", "test.errorItems"),
        node("Z", "test.record"),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "X"), ("X", "Z"))))
    assert state.status == "error"
    assert state.error is not None and state.error["context"] == {"itemIndex": 0}
    assert "Z" not in state.run_data


def test_always_output_data_emits_one_empty_item() -> None:
    nodes = [trigger(), node("E", "test.emit", alwaysOutputData=True), node("Z", "test.record")]
    state = run(make(nodes, connect(("T", "E"), ("E", "Z"))))
    assert out(state, "E") == [{}]
    assert out(state, "Z") == [{"via": "Z"}]


def test_no_output_ends_the_branch() -> None:
    nodes = [trigger(), node("E", "test.emit"), node("Z", "test.record")]
    state = run(make(nodes, connect(("T", "E"), ("E", "Z"))))
    assert state.status == "success"
    assert "Z" not in state.run_data


def test_execute_once_uses_only_the_first_item() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"n": 1}, {"n": 5}]}),
        node("I", "test.inc", executeOnce=True),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "I"))))
    assert out(state, "I") == [{"n": 2}]


def test_pinned_node_is_not_executed() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"n": 1}]}),
        node("Z", "test.record"),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "Z"))), pin_data={"E": [{"json": {"p": 1}}]})
    assert "E" not in ORDER
    assert out(state, "Z") == [{"p": 1, "via": "Z"}]


def test_loops_run_until_the_routing_node_lets_go() -> None:
    nodes = [
        trigger(),
        node("R", "test.route", parameters={"limit": 3}),
        node("I", "test.inc"),
        node("Done", "test.record"),
    ]
    conns = connect(("T", "R"), ("R", "Done", 0), ("R", "I", 1), ("I", "R"))
    state = run(make(nodes, conns))
    assert state.status == "success"
    assert len(state.run_data["R"]) == 4
    assert out(state, "Done") == [{"n": 3, "via": "Done"}]


def test_paired_items_are_inferred_for_same_length_outputs() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"n": 1}, {"n": 2}]}),
        node("I", "test.inc"),
    ]
    state = run(make(nodes, connect(("T", "E"), ("E", "I"))))
    assert [i["pairedItem"] for i in state.run_data["I"][0].output(0)] == [
        {"item": 0},
        {"item": 1},
    ]


def test_wait_suspends_and_resumes() -> None:
    nodes = [
        trigger(),
        node("W", "test.sleep", parameters={"resume": "webhook"}),
        node("Z", "test.record"),
    ]
    wf = make(nodes, connect(("T", "W"), ("W", "Z")))
    machine = RunMachine(wf, REG)
    state = drive(machine, new_state("e"), Start(), LocalExecutor(wf, registry=REG))
    assert state.status == "waiting"
    assert state.run_data["W"][0].status == "waiting"
    # The waiting state survives serialization, as it must for passivation.
    state = RunState.from_json(json.loads(json.dumps(state.to_json())))
    state = drive(
        machine, state, Resume([[{"json": {"from": "webhook"}}]]), LocalExecutor(wf, registry=REG)
    )
    assert state.status == "success"
    assert out(state, "W") == [{"from": "webhook"}]
    assert out(state, "Z") == [{"from": "webhook", "via": "Z"}]


def test_timed_wait_passes_on_the_clock() -> None:
    nodes = [trigger(), node("W", "test.sleep"), node("Z", "test.record")]
    clock = VirtualClock(start=1_000_000.0)
    ORDER.clear()
    state = run_workflow(make(nodes, connect(("T", "W"), ("W", "Z"))), registry=REG, clock=clock)
    assert state.status == "success"
    assert clock.now() >= 1_000_060.0


def test_cancel_ends_the_run() -> None:
    nodes = [trigger(), node("W", "test.sleep", parameters={"resume": "webhook"})]
    wf = make(nodes, connect(("T", "W")))
    machine = RunMachine(wf, REG)
    state = drive(machine, new_state("e"), Start(), LocalExecutor(wf, registry=REG))
    _, commands = machine.advance(state, Cancel())
    assert state.status == "canceled"
    assert commands == [Finish("canceled", state.error)]
    assert state.run_data["W"][0].status == "canceled"


def test_state_round_trips_through_json_at_every_step() -> None:
    nodes = [
        trigger(),
        node("E", "test.emit", parameters={"items": [{"n": 1}, {"n": 2}]}),
        node("R", "test.route", parameters={"limit": 2}),
        node("I", "test.inc"),
        node("Done", "test.record"),
    ]
    wf = make(nodes, connect(("T", "E"), ("E", "R"), ("R", "Done", 0), ("R", "I", 1), ("I", "R")))
    machine = RunMachine(wf, REG)
    executor = LocalExecutor(wf, registry=REG)
    state = new_state("e")
    _, commands = machine.advance(state, Start())
    steps = 0
    while commands:
        command = commands.pop(0)
        if isinstance(command, Finish):
            break
        assert isinstance(command, ExecuteNode)
        assert from_json(json.loads(json.dumps(to_json(command)))) == command
        event = executor(command, state)
        # Replace the state by its JSON copy before every event: a crash-and-restore.
        state = RunState.from_json(json.loads(json.dumps(state.to_json())))
        _, commands = machine.advance(state, event)
        steps += 1
    assert state.status == "success"
    assert [out(state, "Done", run=r) for r in range(2)] == [[{"n": 2, "via": "Done"}]] * 2
    assert steps >= 5


def test_stale_reports_are_ignored() -> None:
    wf = make([trigger(), node("Z", "test.record")], connect(("T", "Z")))
    machine = RunMachine(wf, REG)
    state = new_state("e")
    machine.advance(state, Start())
    _, commands = machine.advance(state, NodeSucceeded("Z", 7, [[]]))
    assert commands == []
    assert state.current is not None and state.current["node"] == "T"


def test_suspend_command_carries_the_wake_time() -> None:
    wf = make([trigger(), node("W", "test.sleep")], connect(("T", "W")))
    machine = RunMachine(wf, REG)
    state = new_state("e")
    executor = LocalExecutor(wf, registry=REG, clock=VirtualClock(start=100.0))
    _, commands = machine.advance(state, Start())
    _, commands = machine.advance(state, executor(commands[0], state))  # type: ignore[arg-type]
    _, commands = machine.advance(state, executor(commands[0], state))  # type: ignore[arg-type]
    assert len(commands) == 1 and isinstance(commands[0], Suspend)
    assert commands[0].until == pytest.approx(160.0, abs=1)


def test_node_errors_serialize_for_the_run_data() -> None:
    err = NodeExecutionError("boom", node="N", item_index=2, description="d")
    assert NodeExecutionError.from_dict(err.to_dict()).to_dict() == err.to_dict()
    assert str(err) == "boom [node 'N', item 2]"
