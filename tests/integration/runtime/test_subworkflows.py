"""Sub-workflows (executeWorkflow) and error workflows on the real Ray runtime: a parent waiting
for its children is passivated (no host holds it) and resumed with their outputs; children
are executions of their own (mode ``integrated``, their parent recorded); a failing
production run starts its error workflow exactly once, with n8n's payload."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import ray
from sqlmodel import col, select

from actors.client import Runtime
from n8nwork.store.repo.workflows import activate_workflow, create_workflow, save_workflow_version
from n8nwork.store.tables.executions import Execution
from n8nwork.store.tables.identity import Project
from tests.integration.runtime.conftest import Runtimes, host_pids, probe, wait_until, workflow
from tests.integration.runtime.probe_nodes import read_log

PROJECT = "subworkflow-tests"


def save(runtime: Runtime, document: dict[str, Any], *, activate: bool = False) -> str:
    with runtime.store.sessions() as session, session.begin():
        if session.get(Project, PROJECT) is None:
            session.add(Project(id=PROJECT, name=PROJECT, type="team"))
            session.flush()
        row, _ = create_workflow(
            session=session, project_id=PROJECT, document=document, limits=runtime.store.limits
        )
        if activate:
            activate_workflow(session=session, workflow_id=row.id)
        return row.id


def child(*nodes: dict[str, Any], name: str = "child", **settings: Any) -> dict[str, Any]:
    doc = workflow(*nodes, settings=settings)
    doc["name"] = name
    doc["nodes"][0] = {
        "name": "In",
        "type": "n8n-nodes-base.executeWorkflowTrigger",
        "typeVersion": 1,
        "parameters": {},
        "position": [0, 0],
    }
    doc["connections"]["In"] = doc["connections"].pop("Start")
    return doc


def doubler() -> dict[str, Any]:
    return {
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "parameters": {
            "assignments": {
                "assignments": [
                    {"id": "1", "name": "doubled", "type": "number", "value": "={{ $json.x * 2 }}"}
                ]
            },
            "includeOtherFields": True,
        },
    }


def call(
    workflow_id: str, *, mode: str = "once", wait: bool = True, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "n8n-nodes-base.executeWorkflow",
        "typeVersion": 1.1,
        "parameters": {
            "source": "database",
            "workflowId": {"__rl": True, "value": workflow_id, "mode": "id"},
            "mode": mode,
            "options": {"waitForSubWorkflow": wait},
        },
        **extra,
    }


def held(runtime: Runtime) -> set[int]:
    handles = ray.get(runtime.directory.host_handles.remote())
    return {i for h in handles.values() for i in ray.get(h.active_ids.remote())}


def children_of(runtime: Runtime, parent: int) -> list[Execution]:
    with runtime.store.sessions() as session:
        query = select(Execution).where(col(Execution.parent_execution_id) == parent)
        return list(session.exec(query.order_by(col(Execution.id))))


def executions(runtime: Runtime, workflow_id: str) -> list[Execution]:
    with runtime.store.sessions() as session:
        query = select(Execution).where(col(Execution.workflow_id) == workflow_id)
        return list(session.exec(query.order_by(col(Execution.id))))


ITEMS = [{"x": 1}, {"x": 2}, {"x": 3}]


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_a_waiting_parent_is_passivated_and_resumed_with_the_child_output(
    runtimes: Runtimes, probe_dir: Path, database: str
) -> None:
    runtime = runtimes.open(database=database)
    sub = save(runtime, child(probe(probe_dir, sleep=1.5), doubler()))
    parent_id = save(runtime, workflow(call(sub), {"type": "n8n-nodes-base.noOp"}))
    handle = runtime.submit(workflow_id=parent_id, items=ITEMS, mode="trigger")

    wait_until(lambda: handle.status() == "waiting")
    (kid,) = wait_until(lambda: children_of(runtime, handle.id))
    assert handle.id not in held(runtime)  # passivated: no host holds the parent
    assert kid.mode == "integrated" and kid.workflow_id == sub
    result = handle.result(timeout=60)

    assert result.status == "success", result.error
    assert [(i["json"]["x"], i["json"]["doubled"]) for i in result.output] == [
        (1, 2),
        (2, 4),
        (3, 6),
    ]
    assert [i["pairedItem"] for i in result.run_data["N1"][0]["data"]["main"][0]] == [
        {"item": 0},
        {"item": 1},
        {"item": 2},
    ]
    (kid,) = children_of(runtime, handle.id)
    assert kid.status == "success"
    assert runtime.get(kid.id).output[0]["json"]["doubled"] == 2

    def kinds() -> list[str]:
        return [e.data["type"] for e in runtime.events(handle.id)]

    wait_until(lambda: "finished" in kinds())  # events are flushed after the commit
    assert kinds().index("waiting") < kinds().index("resumed") < kinds().index("finished")


def test_each_mode_runs_one_child_per_item_and_pairs_its_results(
    shared_runtime: Runtime,
) -> None:
    runtime = shared_runtime
    sub = save(runtime, child(doubler()))
    parent_id = save(runtime, workflow(call(sub, mode="each")))
    result = runtime.submit(workflow_id=parent_id, items=ITEMS).result(timeout=60)

    assert result.status == "success", result.error
    kids = children_of(runtime, result.id)
    assert len(kids) == 3 and {k.status for k in kids} == {"success"}
    assert [i["json"]["doubled"] for i in result.output] == [2, 4, 6]
    assert [i["pairedItem"] for i in result.output] == [{"item": i} for i in range(3)]
    assert [i["metadata"]["subExecution"]["executionId"] for i in result.output] == [
        str(k.id) for k in kids
    ]


def test_without_waiting_the_parent_goes_on_with_its_input(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    sub = save(runtime, child(probe(probe_dir, sleep=2)))
    parent_id = save(runtime, workflow(call(sub, wait=False)))
    result = runtime.submit(workflow_id=parent_id, items=ITEMS).result(timeout=60)

    assert result.status == "success"
    assert [i["json"] for i in result.output] == ITEMS
    (kid,) = children_of(runtime, result.id)
    assert kid.status in ("new", "running")  # the parent did not wait for it
    assert runtime.wait([kid.id], timeout=60) == ["success"]


def test_a_failing_child_fails_the_node_with_its_message(shared_runtime: Runtime) -> None:
    runtime = shared_runtime
    boom = {
        "type": "n8n-nodes-base.stopAndError",
        "parameters": {"errorMessage": "child says no"},
    }
    sub = save(runtime, child(boom))
    failing = save(runtime, workflow(call(sub)))
    tolerant = save(runtime, workflow(call(sub, onError="continueRegularOutput")))

    failed = runtime.submit(workflow_id=failing).result(timeout=60)
    assert failed.status == "error"
    assert failed.error is not None and failed.error["message"] == "child says no"
    assert failed.run_data["N1"][0]["executionStatus"] == "error"

    tolerated = runtime.submit(workflow_id=tolerant).result(timeout=60)
    assert tolerated.status == "success"
    assert tolerated.output[0]["json"] == {"error": "child says no"}


def test_recursion_stops_at_the_depth_limit_with_a_clear_error(runtimes: Runtimes) -> None:
    runtime = runtimes.open(max_subworkflow_depth=3)
    doc = child({"type": "n8n-nodes-base.noOp"}, name="recursive")
    wid = save(runtime, doc)
    with runtime.store.sessions() as session, session.begin():
        again = child(call(wid), name="recursive")
        save_workflow_version(session=session, workflow_id=wid, document=again)

    result = runtime.submit(workflow_id=wid, start_node="In").result(timeout=60)

    assert result.status == "error"
    assert result.error is not None
    assert "depth limit of 3" in result.error["message"]
    assert "'recursive'" in result.error["message"] and "4" in result.error["message"]
    chain = executions(runtime, wid)
    assert [e.mode for e in chain].count("integrated") == 3
    assert {e.status for e in chain} == {"error"}


def test_a_parent_waiting_for_a_child_survives_the_death_of_the_childs_host(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    runtime = runtimes.open(min_hosts=2)
    sub = save(runtime, child(probe(probe_dir, sleep=3), doubler()))
    parent_id = save(runtime, workflow(call(sub)))
    handle = runtime.submit(workflow_id=parent_id, items=[{"x": 5}])
    pids = set(host_pids(runtime).values())

    def child_host() -> int | None:
        return next((pid for _, pid, phase, _ in read_log(probe_dir) if phase == "start"), None)

    victim = wait_until(child_host, timeout=30, step=0.01)
    assert victim in pids
    os.kill(victim, signal.SIGKILL)

    result = handle.result(timeout=90)
    assert result.status == "success", result.error
    assert result.output[0]["json"]["doubled"] == 10
    (kid,) = children_of(runtime, handle.id)
    assert kid.status == "success"


def error_workflow() -> dict[str, Any]:
    doc = workflow({"type": "n8n-nodes-base.noOp"})
    doc["name"] = "on error"
    doc["nodes"][0] = {
        "name": "Error Trigger",
        "type": "n8n-nodes-base.errorTrigger",
        "typeVersion": 1,
        "parameters": {},
        "position": [0, 0],
    }
    doc["connections"]["Error Trigger"] = doc["connections"].pop("Start")
    return doc


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_a_failing_production_run_starts_its_error_workflow_once(
    runtimes: Runtimes, database: str
) -> None:
    runtime = runtimes.open(database=database)
    handler = save(runtime, error_workflow(), activate=True)
    boom = {"type": "n8n-nodes-base.stopAndError", "parameters": {"errorMessage": "it broke"}}
    doc = workflow(boom, settings={"errorWorkflow": handler})
    doc["name"] = "fragile"
    fragile = save(runtime, doc)

    failed = runtime.submit(workflow_id=fragile, mode="trigger").result(timeout=60)
    assert failed.status == "error"
    (run,) = wait_until(lambda: executions(runtime, handler))
    assert run.mode == "error"
    assert runtime.wait([run.id], timeout=60) == ["success"]
    payload = runtime.get(run.id).output[0]["json"]
    assert payload["workflow"] == {"id": fragile, "name": "fragile"}
    execution = payload["execution"]
    assert execution["id"] == str(failed.id)
    assert execution["url"] == f"/api/v1/executions/{failed.id}"
    assert execution["mode"] == "trigger"
    assert execution["lastNodeExecuted"] == "N1"
    assert execution["retryOf"] is None
    assert execution["error"]["message"] == "it broke"
    assert execution["error"]["stack"]
    json.dumps(payload)

    manual = runtime.submit(workflow_id=fragile, mode="manual").result(timeout=60)
    assert manual.status == "error"
    ok = runtime.submit(workflow_id=fragile, mode="webhook", start_node="Start")
    ok.result(timeout=60)
    wait_until(lambda: len(executions(runtime, handler)) == 2)
    assert runtime.wait([e.id for e in executions(runtime, handler)], timeout=60)
    assert [e.mode for e in executions(runtime, handler)] == ["error", "error"]
