"""executeWorkflow, executeWorkflowTrigger and errorTrigger, run in-process (``run_workflow``
runs sub-workflows synchronously, with the same depth limit as the runtime)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from n8nwork.workflow import Workflow
from nodes.sdk.runner import run_workflow


def two(first: dict[str, Any], second: dict[str, Any], name: str = "wf") -> dict[str, Any]:
    return {
        "name": name,
        "nodes": [
            {"position": [0, 0], "typeVersion": 1, "parameters": {}, **first},
            {"position": [200, 0], "typeVersion": 1, "parameters": {}, **second},
        ],
        "connections": {
            first["name"]: {"main": [[{"node": second["name"], "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"},
    }


TRIGGER = {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger"}
START = {"name": "Start", "type": "n8n-nodes-base.manualTrigger"}
PLUS = {
    "name": "Plus",
    "type": "n8n-nodes-base.set",
    "typeVersion": 3.4,
    "parameters": {
        "assignments": {
            "assignments": [
                {"id": "1", "name": "y", "type": "number", "value": "={{ $json.x + 1 }}"}
            ]
        }
    },
}
CHILD = two(TRIGGER, PLUS, "child")
ITEMS = [{"json": {"x": 1}}, {"json": {"x": 2}}]


def caller(version: float = 1.1, **parameters: Any) -> dict[str, Any]:
    return {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": version,
            "parameters": parameters}  # fmt: skip


def run(doc: dict[str, Any], **kwargs: Any) -> Any:
    return run_workflow(Workflow.from_json(doc), items=ITEMS, **kwargs)


@pytest.mark.parametrize("version", [1, 1.1, 1.2, 1.3])
def test_calls_a_saved_workflow_once_with_all_items(version: float) -> None:
    ref: Any = "c1" if version == 1 else {"__rl": True, "value": "c1", "mode": "list"}
    state = run(two(START, caller(version, workflowId=ref)), workflow_loader={"c1": CHILD}.get)
    assert state.status == "success", state.error
    out = state.run_data["Call"][0].outputs[0]
    assert [i["json"] for i in out] == [{"y": 2}, {"y": 3}]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]


def test_each_mode_from_a_json_parameter_and_urls_in_resource_locators() -> None:
    params = {"source": "parameter", "workflowJson": json.dumps(CHILD), "mode": "each"}
    state = run(two(START, caller(**params)))
    out = state.run_data["Call"][0].outputs[0]
    assert [(i["json"], i["pairedItem"]) for i in out] == [
        ({"y": 2}, {"item": 0}),
        ({"y": 3}, {"item": 1}),
    ]
    by_url = {"__rl": True, "value": "https://n8n.example.com/workflow/c1", "mode": "url"}
    state = run(two(START, caller(workflowId=by_url)), workflow_loader={"c1": CHILD}.get)
    assert state.status == "success", state.error


def test_workflow_inputs_of_v12_are_added_to_the_items() -> None:
    inputs = {"mappingMode": "defineBelow", "value": {"x": "={{ $json.x * 10 }}"}}
    state = run(
        two(START, caller(1.2, workflowId={"__rl": True, "value": "c1"}, workflowInputs=inputs)),
        workflow_loader={"c1": CHILD}.get,
    )
    assert [i["json"] for i in state.run_data["Call"][0].outputs[0]] == [{"y": 11}, {"y": 21}]


@pytest.mark.parametrize("source", ["localFile", "url"])
def test_files_and_urls_are_refused(source: str) -> None:
    state = run(two(START, caller(source=source, workflowPath="/etc/passwd")))
    assert state.status == "error"
    assert state.error is not None and "not supported" in state.error["message"]


def test_unknown_workflows_and_missing_triggers_fail_the_node() -> None:
    state = run(two(START, caller(workflowId="nope")), workflow_loader={}.__getitem__)
    assert state.status == "error"
    no_trigger = two(START, PLUS)
    state = run(two(START, caller(workflowId="c")), workflow_loader={"c": no_trigger}.get)
    assert state.error is not None and "Execute Workflow Trigger" in state.error["message"]


def test_recursion_is_cut_at_the_depth_limit() -> None:
    me = two(TRIGGER, caller(workflowId="me"), "me")
    state = run(me, start_node="In", workflow_loader={"me": me}.get, max_subworkflow_depth=4)
    assert state.status == "error"
    assert state.error is not None
    assert "depth limit of 4" in state.error["message"] and "'me'" in state.error["message"]


def test_a_failing_child_and_continue_on_fail() -> None:
    boom = two(TRIGGER, {"name": "Boom", "type": "n8n-nodes-base.stopAndError",
                         "parameters": {"errorMessage": "no"}})  # fmt: skip
    state = run(two(START, caller(workflowId="b")), workflow_loader={"b": boom}.get)
    assert state.status == "error" and state.error is not None
    assert state.error["message"] == "no"
    tolerant = {**caller(workflowId="b", mode="each"), "onError": "continueRegularOutput"}
    state = run(two(START, tolerant), workflow_loader={"b": boom}.get)
    out = state.run_data["Call"][0].outputs[0]
    assert [(i["json"], i["pairedItem"]) for i in out] == [
        ({"error": "no"}, {"item": 0}),
        ({"error": "no"}, {"item": 1}),
    ]


def test_the_trigger_keeps_only_declared_fields_in_v11() -> None:
    trigger = {**TRIGGER, "typeVersion": 1.1, "parameters": {
        "inputSource": "workflowInputs",
        "workflowInputs": {"values": [{"name": "x", "type": "number"}, {"name": "z"}]},
        "inputOptions": {"attemptToConvertTypes": True},
    }}  # fmt: skip
    child = two(trigger, {"name": "End", "type": "n8n-nodes-base.noOp"})
    state = run_workflow(
        Workflow.from_json(child), items=[{"json": {"x": "4", "other": 1}}], start_node="In"
    )
    assert state.run_data["In"][0].outputs[0][0]["json"] == {"x": 4, "z": None}
    passthrough = {**trigger, "parameters": {"inputSource": "passthrough"}}
    state = run_workflow(
        Workflow.from_json(two(passthrough, {"name": "End", "type": "n8n-nodes-base.noOp"})),
        items=[{"json": {"x": "4", "other": 1}}],
    )
    assert state.run_data["In"][0].outputs[0][0]["json"] == {"x": "4", "other": 1}


def test_the_error_trigger_gives_example_data_when_run_by_hand() -> None:
    doc = two({"name": "E", "type": "n8n-nodes-base.errorTrigger"},
              {"name": "End", "type": "n8n-nodes-base.noOp"})  # fmt: skip
    state = run_workflow(Workflow.from_json(doc))
    example = state.run_data["E"][0].outputs[0][0]["json"]
    assert example["execution"]["error"]["message"] == "Example Error Message"
    payload = {"execution": {"id": "5"}, "workflow": {"id": "w", "name": "n"}}
    state = run_workflow(Workflow.from_json(doc), items=[{"json": payload}], mode="error")
    assert state.run_data["End"][0].outputs[0][0]["json"] == payload
