"""Runs on the Ray runtime: results, run data, events, inline and task placement, bulk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import ray

import n8nwork
from actors import client as client_module
from actors.client import Runtime
from actors.config import RuntimeConfig
from tests.integration.runtime.conftest import (
    Runtimes,
    host_pids,
    noop,
    probe,
    wait_until,
    workflow,
)
from tests.integration.runtime.probe_nodes import read_log

SET_DOUBLE = {
    "type": "n8n-nodes-base.set",
    "typeVersion": 3.4,
    "parameters": {
        "assignments": {
            "assignments": [
                {"id": "a", "name": "y", "value": "={{ $json.x * 2 }}", "type": "number"}
            ]
        },
        "options": {},
    },
}


@pytest.mark.parametrize("cache", ["memory", "redis"])
def test_a_run_gives_output_run_data_and_ordered_events(runtimes: Runtimes, cache: str) -> None:
    runtime = runtimes.open(cache=cache)
    handle = runtime.submit(workflow(SET_DOUBLE, noop()), items=[{"x": 21}, {"x": 1}])

    result = handle.result(timeout=60)

    assert result.status == "success"
    assert [i["json"] for i in result.output] == [{"y": 42}, {"y": 2}]
    assert list(result.run_data) == ["Start", "N1", "N2"]
    assert result.run_data["N1"][0]["executionStatus"] == "success"
    assert result.started_at is not None and result.stopped_at is not None
    assert result.to_json()["status"] == "success"
    events = wait_until(lambda: (e := runtime.events(handle.id)) and len(e) == 8 and e)
    assert [(e.data["type"], e.data.get("node")) for e in events] == [
        ("started", None),
        ("nodeStarted", "Start"),
        ("nodeFinished", "Start"),
        ("nodeStarted", "N1"),
        ("nodeFinished", "N1"),
        ("nodeStarted", "N2"),
        ("nodeFinished", "N2"),
        ("finished", None),
    ]
    assert events[-1].data["status"] == "success"


def test_runs_on_the_embedded_sqlite_store(runtimes: Runtimes) -> None:
    runtime = runtimes.open(database="sqlite")
    handles = runtime.submit_many(
        [{"workflow": workflow(SET_DOUBLE), "items": [{"x": i}]} for i in range(20)]
    )
    assert set(runtime.wait([h.id for h in handles], timeout=60)) == {"success"}
    assert runtime.get(handles[7].id).output[0]["json"] == {"y": 14}


def test_inline_nodes_run_in_the_host_and_task_nodes_on_a_worker(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    doc = workflow(
        probe(probe_dir),
        probe(probe_dir, n8nwork={"placement": "task", "numCpus": 0.5, "timeout": 60}),
    )

    result = runtime.submit(doc).result(timeout=60)

    assert result.status == "success", result.error
    item = result.output[0]["json"]
    hosts = set(host_pids(runtime).values())
    assert item["N1"] in hosts
    assert item["N2"] not in hosts and item["N2"] != os.getpid()


def test_bulk_submission_of_a_saved_version_and_a_snapshot(shared_runtime: Runtime) -> None:
    runtime = shared_runtime
    doc = workflow(SET_DOUBLE)
    first = runtime.submit(doc, items=[{"x": 1}]).result(timeout=60)
    # the ad-hoc document became a hidden workflow with version 1: run it by reference
    by_ref = runtime.submit(
        None, workflow_id=first.workflow_id, workflow_version=1, items=[{"x": 2}]
    )
    snapshot = runtime.submit(doc, workflow_id=first.workflow_id, items=[{"x": 5}])
    many = runtime.submit_many(
        [{"workflow": doc, "items": [{"x": i}], "priority": i % 3} for i in range(100)]
    )

    by_ref_result = by_ref.result(timeout=60)
    assert by_ref_result.status == "success", by_ref_result.error
    assert snapshot.result(timeout=60).output[0]["json"] == {"y": 10}
    assert set(runtime.wait([h.id for h in many], timeout=60)) == {"success"}
    assert runtime.get(many[99].id).output[0]["json"] == {"y": 198}


def test_a_node_failure_is_the_run_s_error_and_the_host_goes_on(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    failing = runtime.submit(workflow(probe(probe_dir, fail_times=5)))
    fine = runtime.submit(workflow(noop()))

    result = failing.result(timeout=60)

    assert result.status == "error"
    assert "planned failure" in result.error["message"]
    assert result.run_data["N1"][0]["error"]["node"] == "N1"
    assert fine.result(timeout=60).status == "success"


def test_connect_and_run_from_a_notebook(runtimes: Runtimes) -> None:
    settings = runtimes.settings(runtimes.make_database("postgresql"))
    config: RuntimeConfig = runtimes.config()
    runtime = n8nwork.connect(settings=settings, config=config)
    try:
        assert n8nwork.connect() is runtime  # idempotent
        result = n8nwork.run(workflow(SET_DOUBLE), items=[{"x": 4}])
        assert result.status == "success" and result.output[0]["json"] == {"y": 8}
        handle = n8nwork.run(workflow(SET_DOUBLE), items=[{"x": 5}], wait=False)
        assert handle.result(timeout=60).output[0]["json"] == {"y": 10}
        assert handle.status() == "success"
    finally:
        runtime.shutdown(stop_actors=True)
    assert client_module._RUNTIME is None
    assert ray.is_initialized()  # the session's cluster is not the runtime's to stop


def test_probe_log_records_each_execution_once(shared_runtime: Runtime, probe_dir: Path) -> None:
    runtime = shared_runtime
    handles = runtime.submit_many([{"workflow": workflow(probe(probe_dir))} for _ in range(10)])
    runtime.wait([h.id for h in handles], timeout=60)
    starts = [key for key, _, phase, _ in read_log(probe_dir) if phase == "start"]
    assert sorted(starts) == sorted(f"{h.id}:N1:0" for h in handles)
