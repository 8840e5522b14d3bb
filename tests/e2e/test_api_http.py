"""The API end to end: real HTTP to Ray Serve on a local Ray cluster, runs on the Ray runtime,
on PostgreSQL + Redis and on the embedded default (the ``api`` fixture's two params).
Webhooks too: an n8n export (the benchmark's workflow, unchanged) imported and activated
through the API answers ``/webhook/<path>``; a workflow whose nodes need the runtime (a task
node, a Wait node) answers through the run hosts, and a waiting run resumes through its
resume URL."""

from __future__ import annotations

import copy
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Api, Cluster
from tests.unit.serve.conftest import workflow_doc
from tests.unit.serve.test_webhooks_api import wait_workflow, webhook_workflow

pytest_plugins: list[str] = []


def _create(api: Api, doc: dict[str, Any] | None = None, token: str | None = None) -> str:
    with api.client(token or api.owner_token) as c:
        r = c.post("/api/v1/workflows", json=doc or workflow_doc())
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def _wait_doc(seconds: float) -> dict[str, Any]:
    doc = workflow_doc("Waits")
    doc["nodes"].append(
        {
            "id": "w",
            "name": "Wait",
            "type": "n8n-nodes-base.wait",
            "typeVersion": 1.1,
            "position": [600, 0],
            "parameters": {"resume": "timeInterval", "amount": seconds, "unit": "seconds"},
        }
    )
    doc["connections"]["B"] = {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}
    return doc


def _finished(api: Api, eid: int, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with api.owner as c:
        while time.monotonic() < deadline:
            body = c.get(f"/api/v1/executions/{eid}").json()
            if body["finished"]:
                return dict(body)
            time.sleep(0.1)
    raise AssertionError(f"execution {eid} did not finish")


def test_health_docs_and_proxy(api: Api, cluster: Cluster) -> None:
    with api.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "runtime": "ok"}
        assert c.get("/docs").status_code == 200
        assert "/api/v1/executions/{execution_id}/events" in c.get("/openapi.json").json()["paths"]
        assert c.get("/api/v1/workflows").status_code == 401
    assert cluster.proxy in ("haproxy", "default")


def test_manual_run_waits_for_the_result(api: Api) -> None:
    wid = _create(api)
    with api.owner as c:
        r = c.post(f"/api/v1/workflows/{wid}/run?wait=true", json={"items": [{"n": 3}]})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "success" and body["mode"] == "manual"
        run_data = body["data"]["resultData"]["runData"]
        assert set(run_data) == {"Start", "A", "B"}
        assert run_data["B"][0]["data"]["main"][0][0]["json"] == {"n": 3, "a": "3", "b": "done"}
        again = c.get(f"/api/v1/executions/{body['id']}").json()
        assert again["data"]["resultData"]["runData"] == run_data
        listed = c.get(f"/api/v1/executions?workflowId={wid}&limit=20").json()
        assert [e["id"] for e in listed["data"]] == [body["id"]]


def test_run_without_wait_and_live_events(api: Api) -> None:
    wid = _create(api, _wait_doc(1))
    with api.owner as c:
        r = c.post(f"/api/v1/workflows/{wid}/run")
        assert r.status_code == 202
        eid = r.json()["executionId"]
        kinds: list[str] = []
        ids: list[str] = []
        with c.stream("GET", f"/api/v1/executions/{eid}/events", timeout=60.0) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    ids.append(line[4:])
                if line.startswith("event: "):
                    kinds.append(line[7:])
                    if line[7:] == "finished":
                        break
        assert kinds[0] == "started" and kinds[-1] == "finished"
        assert len(kinds) >= 8
        # resume after the second event: exactly the rest
        resumed = c.get(
            f"/api/v1/executions/{eid}/events", headers={"Last-Event-ID": ids[1]}, timeout=60.0
        )
        rest = [line[7:] for line in resumed.text.splitlines() if line.startswith("event: ")]
        assert rest == kinds[2:]
    assert _finished(api, eid)["status"] == "success"


def test_cancel_and_retry(api: Api) -> None:
    wid = _create(api, _wait_doc(60))
    with api.owner as c:
        eid = c.post(f"/api/v1/workflows/{wid}/run").json()["executionId"]
        for _ in range(200):  # parked by its Wait node
            if c.get(f"/api/v1/executions/{eid}").json()["status"] == "waiting":
                break
            time.sleep(0.1)
        canceled = c.post(f"/api/v1/executions/{eid}/cancel")
        assert canceled.status_code == 202, canceled.text
        assert _finished(api, eid)["status"] == "canceled", canceled.text
        retry = c.post(f"/api/v1/executions/{eid}/retry", json={"fromStart": True})
        assert retry.status_code == 202, retry.text
        new = retry.json()["executionId"]
        for _ in range(200):  # parked by its Wait node again
            detail = c.get(f"/api/v1/executions/{new}").json()
            if detail["status"] == "waiting":
                break
            time.sleep(0.1)
        assert detail["mode"] == "retry" and detail["retryOf"] == eid
        c.post(f"/api/v1/executions/{new}/cancel")
        _finished(api, new)
        assert c.delete(f"/api/v1/executions/{new}").status_code == 204


def test_api_keys_and_isolation(api: Api) -> None:
    hidden = _create(api, {**workflow_doc(), "projectId": api.other_project})
    with api.client(api.member_token) as member:
        mine = member.post(
            "/api/v1/workflows", json={**workflow_doc(), "projectId": api.member_project}
        )
        assert mine.status_code == 201
        key = member.post("/api/v1/api-keys", json={"name": "e2e"}).json()["key"]
        assert member.get(f"/api/v1/workflows/{hidden}").status_code == 404
        assert member.post(f"/api/v1/workflows/{hidden}/run").status_code == 404
        assert member.get(f"/api/v1/executions?workflowId={hidden}").status_code == 404
        listed = member.get("/api/v1/workflows?limit=250").json()["data"]
        assert hidden not in {w["id"] for w in listed}
    with api.client(headers={"X-N8N-API-KEY": key}) as by_key:
        r = by_key.post(f"/api/v1/workflows/{mine.json()['id']}/run?wait=true")
        assert r.status_code == 200 and r.json()["status"] == "success"
        assert by_key.get(f"/api/v1/credentials/{hidden}").status_code == 404


def test_credentials_stay_secret(api: Api) -> None:
    secret = "e2e-top-secret-value"
    with api.owner as c:
        made = c.post(
            "/api/v1/credentials",
            json={
                "name": "basic",
                "type": "httpBasicAuth",
                "data": {"user": "u", "password": secret},
            },
        )
        assert made.status_code == 201
        texts = [made.text, c.get(f"/api/v1/credentials/{made.json()['id']}").text]
        texts.append(c.get("/api/v1/credentials").text)
        texts.append(c.post(f"/api/v1/credentials/{made.json()['id']}/test").text)
        texts.append(c.get("/api/v1/audit").text)
        assert all(secret not in t for t in texts)
        assert json.loads(texts[3])["status"] == "OK"


def test_bad_input_and_limits_through_the_proxy(api: Api) -> None:
    with api.owner as c:
        bad = c.post(
            "/api/v1/workflows", content=b"{nope", headers={"content-type": "application/json"}
        )
        assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "body"
        form = c.post("/api/v1/workflows", content=b"a=1", headers={"content-type": "text/plain"})
        assert form.status_code == 415
        unknown = c.post("/api/v1/workflows", json={**workflow_doc(), "evil": True})
        assert (
            unknown.status_code == 422 and unknown.json()["error"]["fields"][0]["field"] == "evil"
        )
        huge = c.post(
            "/api/v1/workflows",
            content=b'{"name": "' + b"x" * (17 * 1024 * 1024) + b'"}',
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413
        forged = c.get("/api/v1/auth/me", headers={"Authorization": "Bearer a.b.c"})
        assert forged.status_code == 401
    # the principal limit (40/s, burst 80) answers 429 with Retry-After
    login = httpx.post(
        f"{api.url}/api/v1/auth/login",
        json={"email": "member@e2e.test", "password": "e2e password 123"},
    ).json()["accessToken"]
    # Concurrent, so the burst is exceeded however slow this machine is at the moment.
    with api.client(login) as c, ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: c.get("/api/v1/auth/me"), range(300)))
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) >= 1
    assert {r.status_code for r in statuses} <= {200, 429}


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
