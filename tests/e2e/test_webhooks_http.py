"""Webhooks end to end: real HTTP to Ray Serve on the local Ray cluster, on PostgreSQL +
Redis and on the embedded default. An n8n export (the benchmark's workflow, unchanged) is
imported and activated through the API and answers ``/webhook/<path>``; a workflow whose
nodes need the runtime (a task node, a Wait node) answers through the run hosts, and a
waiting run resumes through its resume URL."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.unit.serve.test_webhooks_api import wait_workflow, webhook_workflow

BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench-workflows"


def _activate(api: Api, document: dict[str, Any]) -> str:
    with api.owner as c:
        r = c.post("/api/v1/workflows/import", json=document)
        assert r.status_code in (200, 201), r.text
        wid = str(r.json()["data"][0]["id"])
        r = c.post(f"/api/v1/workflows/{wid}/activate")
        assert r.status_code == 200, r.text
    return wid


def _executions(api: Api, wid: str) -> list[dict[str, Any]]:
    with api.owner as c:
        return list(c.get(f"/api/v1/executions?workflowId={wid}").json()["data"])


def test_an_n8n_export_answers_its_webhook(api: Api) -> None:
    source = BENCH / "webhook-set-respond.json"
    if not source.exists():
        pytest.fail(f"the benchmark workflow is missing: {source}")
    document = json.loads(source.read_text())
    document["nodes"][0]["parameters"]["path"] = f"bench-{api.backend}"
    wid = _activate(api, document)
    with api.client() as c:
        for x in (1, 21):
            r = c.post(f"/webhook/bench-{api.backend}", json={"x": x})
            assert r.status_code == 200, r.text
            assert r.json() == {"y": 2 * x}
        assert c.get(f"/webhook/bench-{api.backend}").status_code == 405
        assert c.post("/webhook/nobody-home", json={}).status_code == 404
    runs = _executions(api, wid)
    assert len(runs) == 2 and {r["status"] for r in runs} == {"success"}
    assert {r["mode"] for r in runs} == {"webhook"}


def test_a_task_node_run_answers_through_the_runtime(api: Api) -> None:
    document = webhook_workflow(
        f"task-{api.backend}", set_settings={"n8nwork": {"placement": "task", "numCpus": 0.1}}
    )
    wid = _activate(api, document)
    with api.client() as c:
        r = c.post(f"/webhook/task-{api.backend}", json={"x": 5})
    assert r.status_code == 200, r.text
    assert r.json() == {"y": 10}
    (run,) = _executions(api, wid)
    assert run["status"] == "success"


def test_a_wait_node_resumes_through_its_resume_url(api: Api) -> None:
    document = copy.deepcopy(wait_workflow(f"approve-{api.backend}"))
    wid = _activate(api, document)
    with api.client() as c:
        r = c.post(f"/webhook/approve-{api.backend}", json={"x": 1})
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 60
        waiting: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not waiting:
            waiting = [e for e in _executions(api, wid) if e["status"] == "waiting"]
            time.sleep(0.1)
        assert waiting, "the run did not park at its Wait node"
        eid = waiting[0]["id"]
        r = c.post(f"/webhook-waiting/{eid}", json={"answer": "yes"})
        assert r.status_code == 200, r.text
        assert r.json() == {"got": "yes"}
        again = c.post(f"/webhook-waiting/{eid}", json={"answer": "again"})
        assert again.status_code == 409
