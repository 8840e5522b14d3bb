"""Sub-workflows in the pure run core: the machine suspends a node that calls workflows and
resumes it with their results (once/each, failures, onError, retries), every step JSON; the
error workflow rules and payload."""

from __future__ import annotations

import json
from typing import Any

from n8nwork.run.error_workflow import error_payload, error_workflow_id
from n8nwork.run.events import (
    ExecuteNode,
    Finish,
    NodeCallsWorkflows,
    Start,
    StartWorkflows,
    Suspend,
    WorkflowsReturned,
    WorkflowsStarted,
    from_json,
    to_json,
)
from n8nwork.run.machine import RunMachine, new_state
from n8nwork.run.state import RunState
from n8nwork.run.subworkflow import (
    SubworkflowError,
    check_depth,
    combine_results,
    start_node_of,
)
from n8nwork.workflow import Workflow
from nodes.sdk.registry import default_registry


def parent(**call_node: Any) -> Workflow:
    return Workflow.from_json(
        {
            "name": "parent",
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                 "parameters": {}, "position": [0, 0]},
                {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1,
                 "parameters": {"workflowId": "c"}, "position": [200, 0], **call_node},
                {"name": "After", "type": "n8n-nodes-base.noOp", "typeVersion": 1,
                 "parameters": {}, "position": [400, 0]},
            ],
            "connections": {
                "Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]},
                "Call": {"main": [[{"node": "After", "type": "main", "index": 0}]]},
            },
            "settings": {"executionOrder": "v1"},
        }
    )  # fmt: skip


ITEMS = [{"json": {"x": 1}}, {"json": {"x": 2}}]


def roundtrip(state: RunState) -> RunState:
    return RunState.from_json(json.loads(json.dumps(state.to_json())))


def to_call(machine: RunMachine, state: RunState) -> ExecuteNode:
    _, commands = machine.advance(state, Start(items=ITEMS))
    (start,) = commands
    assert isinstance(start, ExecuteNode) and start.node == "Start"
    _, commands = machine.advance(state, _succeeded("Start", ITEMS))
    (command,) = commands
    assert isinstance(command, ExecuteNode) and command.node == "Call"
    return command


def _succeeded(node: str, items: list[dict[str, Any]]) -> Any:
    from n8nwork.run.events import NodeSucceeded

    return NodeSucceeded(node=node, run_index=0, outputs=[items])


def calls_event(mode: str = "once", wait: bool = True, n: int = 1) -> NodeCallsWorkflows:
    return NodeCallsWorkflows(
        node="Call", run_index=0, calls=[{"workflowId": "c"}] * n, mode=mode, wait=wait,
        passthrough=[ITEMS], started_at=1000.0,
    )  # fmt: skip


def ok(execution_id: int, *items: dict[str, Any]) -> dict[str, Any]:
    return {"executionId": str(execution_id), "workflowId": "c", "status": "success",
            "error": None, "outputs": [list(items)]}  # fmt: skip


def test_a_waiting_call_suspends_then_resumes_with_the_child_output() -> None:
    machine = RunMachine(parent(), default_registry())
    state = new_state("1", mode="trigger")
    to_call(machine, state)

    _, commands = machine.advance(state, calls_event())
    start, suspend = commands
    assert isinstance(start, StartWorkflows) and start.wait and start.attempt == 1
    assert isinstance(suspend, Suspend) and suspend.resume == "subworkflow"
    assert state.status == "waiting" and state.run_data["Call"][-1].status == "waiting"
    machine.advance(state, WorkflowsStarted([7]))
    state = roundtrip(state)  # passivated and loaded again
    assert state.current is not None and state.current["call"]["ids"] == [7]

    child_items = [{"json": {"y": 1}}, {"json": {"y": 2}}, {"json": {"y": 3}}]
    _, commands = machine.advance(state, WorkflowsReturned([ok(7, *child_items)], 1500.0))
    assert isinstance(commands[0], ExecuteNode) and commands[0].node == "After"
    (run,) = state.run_data["Call"]
    assert run.status == "success" and run.execution_time == 500.0
    # three outputs for two inputs: every output item points at every input item
    assert [i["pairedItem"] for i in run.outputs[0]] == [[{"item": 0}, {"item": 1}]] * 3


def test_each_mode_pairs_each_child_result_with_its_item() -> None:
    machine = RunMachine(parent(), default_registry())
    state = new_state("1")
    to_call(machine, state)
    machine.advance(state, calls_event("each", n=2))
    machine.advance(state, WorkflowsStarted([7, 8]))
    machine.advance(
        state, WorkflowsReturned([ok(7, {"json": {"y": 1}}), ok(8, {"json": {"y": 2}})])
    )
    out = state.run_data["Call"][0].outputs[0]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]
    assert [i["metadata"]["subExecution"]["executionId"] for i in out] == ["7", "8"]


def test_without_waiting_the_node_passes_its_input_on() -> None:
    machine = RunMachine(parent(), default_registry())
    state = new_state("1")
    to_call(machine, state)
    _, commands = machine.advance(state, calls_event(wait=False))
    assert isinstance(commands[0], StartWorkflows) and not commands[0].wait
    assert isinstance(commands[1], ExecuteNode) and commands[1].node == "After"
    assert [i["json"] for i in state.run_data["Call"][0].outputs[0]] == [{"x": 1}, {"x": 2}]


def failed_child() -> dict[str, Any]:
    error = {"message": "child says no", "name": "NodeOperationError"}
    return {"executionId": "7", "workflowId": "c", "status": "error", "error": error,
            "outputs": []}  # fmt: skip


def test_a_failed_child_fails_the_node_and_the_run() -> None:
    machine = RunMachine(parent(), default_registry())
    state = new_state("1")
    to_call(machine, state)
    machine.advance(state, calls_event())
    _, commands = machine.advance(state, WorkflowsReturned([failed_child()]))
    (finish,) = commands
    assert isinstance(finish, Finish) and finish.status == "error"
    assert state.error is not None and state.error["message"] == "child says no"
    assert state.error["node"] == "Call"
    assert state.run_data["Call"][-1].status == "error"


def test_continue_on_fail_outputs_the_error_and_retry_calls_again() -> None:
    machine = RunMachine(parent(onError="continueRegularOutput"), default_registry())
    state = new_state("1")
    to_call(machine, state)
    machine.advance(state, calls_event())
    machine.advance(state, WorkflowsReturned([failed_child()]))
    assert state.run_data["Call"][0].outputs[0][0]["json"] == {"error": "child says no"}

    machine = RunMachine(parent(retryOnFail=True, maxTries=2), default_registry())
    state = new_state("1")
    to_call(machine, state)
    machine.advance(state, calls_event())
    _, commands = machine.advance(state, WorkflowsReturned([failed_child()]))
    (retry,) = commands
    assert isinstance(retry, ExecuteNode) and retry.node == "Call" and retry.attempt == 2


def test_events_and_commands_are_json() -> None:
    for value in (
        calls_event(),
        WorkflowsStarted([1, 2]),
        WorkflowsReturned([ok(1)], 3.0),
        StartWorkflows("Call", 0, 1, [{"workflowId": "c"}], True),
    ):
        assert from_json(json.loads(json.dumps(to_json(value)))) == value


def test_combine_each_failure_names_the_item() -> None:
    outputs, error = combine_results(
        "each", ITEMS, [ok(1), failed_child()], node="Call", continue_on_fail=False
    )
    assert outputs is None and error is not None
    assert error["message"] == "Error executing workflow with item at index 1"
    assert error["description"] == "child says no"


def test_start_node_and_depth_limit() -> None:
    doc = {"nodes": [{"name": "T", "type": "n8n-nodes-base.executeWorkflowTrigger"}]}
    assert start_node_of(doc, "'x'") == "T"
    try:
        start_node_of({"nodes": []}, "'x'")
    except SubworkflowError as exc:
        assert "Execute Workflow Trigger" in str(exc)
    else:
        raise AssertionError("no error")
    check_depth(10, 10, "'x'")
    try:
        check_depth(11, 10, "'deep' (w1)")
    except SubworkflowError as exc:
        assert "depth limit of 10" in str(exc) and "'deep' (w1)" in str(exc) and "11" in str(exc)
    else:
        raise AssertionError("no error")


def test_when_an_error_workflow_runs() -> None:
    def target(status: str = "error", mode: str = "trigger", **settings: Any) -> str | None:
        return error_workflow_id(status=status, mode=mode, workflow_id="w", settings=settings,
                                 has_error_trigger=False)  # fmt: skip

    assert target(errorWorkflow="e") == "e"
    assert target(mode="integrated", errorWorkflow="e") == "e"
    assert target(mode="manual", errorWorkflow="e") is None
    assert target(status="success", errorWorkflow="e") is None
    assert target(status="canceled", errorWorkflow="e") is None
    assert target(mode="error", errorWorkflow="w") is None  # itself: no endless loop
    assert target(mode="error", errorWorkflow="e") == "e"
    assert target() is None
    internal = error_workflow_id(status="error", mode="trigger", workflow_id="w", settings={},
                                 has_error_trigger=True)  # fmt: skip
    assert internal == "w"


def test_the_error_payload_is_n8ns() -> None:
    payload = error_payload(
        execution_id=12, mode="webhook", error={"message": "boom", "name": "NodeOperationError"},
        last_node="HTTP", retry_of=3, workflow_id="w", workflow_name="Flow",
        base_url="https://flows.example.com/",
    )  # fmt: skip
    assert payload == {
        "execution": {
            "id": "12",
            "url": "https://flows.example.com/api/v1/executions/12",
            "retryOf": "3",
            "error": {"message": "boom", "name": "NodeOperationError",
                      "stack": "NodeOperationError: boom"},
            "lastNodeExecuted": "HTTP",
            "mode": "webhook",
        },
        "workflow": {"id": "w", "name": "Flow"},
    }  # fmt: skip
