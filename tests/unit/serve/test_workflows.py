"""Workflows and executions through the API with the in-process runtime: versions, import
and export, runs (waited and not), run data, pagination, retry, cancel, live events, and
project isolation."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.unit.serve.conftest import World, workflow_doc


def run(world: World, wid: str, actor: str = "owner", **body: Any) -> Any:
    r = world.client.post(
        f"/api/v1/workflows/{wid}/run?wait=true", json=body or None, headers=world.headers(actor)
    )
    assert r.status_code == 200, r.text
    return r.json()


def wait_finished(world: World, eid: int) -> dict[str, Any]:
    for _ in range(200):
        r = world.client.get(f"/api/v1/executions/{eid}", headers=world.headers("owner")).json()
        if r["finished"]:
            return dict(r)
        time.sleep(0.02)
    raise AssertionError(f"execution {eid} did not finish")


def test_create_run_and_read_back(world: World) -> None:
    owner = world.headers("owner")
    made = world.client.post(
        "/api/v1/workflows", json={**workflow_doc(), "projectId": world.p}, headers=owner
    )
    assert made.status_code == 201
    wid = made.json()["id"]
    result = run(world, wid, items=[{"n": 1}, {"json": {"n": 2}}])
    assert result["status"] == "success" and result["workflowVersion"] == 1
    run_data = result["data"]["resultData"]["runData"]
    assert list(run_data) == ["Start", "A", "B"]
    out = [i["json"] for i in run_data["B"][0]["data"]["main"][0]]
    assert out == [{"n": 1, "a": "1", "b": "done"}, {"n": 2, "a": "2", "b": "done"}]
    # not waited: 202 with the id, the row exists at once
    r = world.client.post(f"/api/v1/workflows/{wid}/run", headers=owner)
    assert r.status_code == 202 and r.headers["location"].endswith(str(r.json()["executionId"]))
    assert wait_finished(world, r.json()["executionId"])["status"] == "success"
    pinned = run(world, wid, pinData={"A": [{"json": {"a": "pinned"}}]})
    b = pinned["data"]["resultData"]["runData"]["B"][0]["data"]["main"][0]
    assert b == [{"json": {"a": "pinned", "b": "done"}, "pairedItem": {"item": 0}}]


def test_versions_update_restore_conflict(world: World) -> None:
    owner = world.headers("owner")
    wid = world.workflow(world.p)
    doc = workflow_doc("Second")
    r = world.client.put(
        f"/api/v1/workflows/{wid}", json={**doc, "expectedVersion": 1}, headers=owner
    )
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "Second"
    stale = world.client.put(
        f"/api/v1/workflows/{wid}", json={**doc, "expectedVersion": 1}, headers=owner
    )
    assert stale.status_code == 409
    versions = world.client.get(f"/api/v1/workflows/{wid}/versions?limit=1", headers=owner).json()
    assert [v["version"] for v in versions["data"]] == [2] and versions["nextCursor"] == "2"
    page2 = world.client.get(
        f"/api/v1/workflows/{wid}/versions?limit=1&cursor=2", headers=owner
    ).json()
    assert [v["version"] for v in page2["data"]] == [1] and page2["nextCursor"] is None
    v1 = world.client.get(f"/api/v1/workflows/{wid}/versions/1", headers=owner).json()
    assert v1["document"]["name"] == "Three nodes"
    restored = world.client.post(f"/api/v1/workflows/{wid}/versions/1/restore", headers=owner)
    assert restored.json()["version"] == 3 and restored.json()["name"] == "Three nodes"
    assert world.client.get(f"/api/v1/workflows/{wid}/versions/9", headers=owner).status_code == 404
    act = world.client.post(f"/api/v1/workflows/{wid}/activate", json={"version": 2}, headers=owner)
    assert act.json()["active"] is True and act.json()["activeVersion"] == 2
    assert world.client.get(f"/api/v1/workflows/{wid}", headers=owner).json()["activeVersion"] == 2
    off = world.client.post(f"/api/v1/workflows/{wid}/deactivate", headers=owner)
    assert off.json()["active"] is False


def test_export_import_roundtrip(world: World) -> None:
    owner = world.headers("owner")
    wid = world.workflow(world.p)
    exported = world.client.get(f"/api/v1/workflows/{wid}/export", headers=owner).json()
    assert exported["id"] == wid and exported["versionId"] == "1" and exported["active"] is False
    exported["tags"] = [{"name": "n8n"}]  # what n8n adds on export is ignored
    r = world.client.post(
        f"/api/v1/workflows/import?projectId={world.p}", json=[exported, exported], headers=owner
    )
    assert r.status_code == 201
    ids = [w["id"] for w in r.json()["data"]]
    assert len(set(ids)) == 2 and wid not in ids
    again = world.client.get(f"/api/v1/workflows/{ids[0]}/export", headers=owner).json()
    assert again["nodes"] == exported["nodes"] and again["connections"] == exported["connections"]
    bad = world.client.post(
        "/api/v1/workflows/import", json=[exported, {"nodes": [{"name": "x"}]}], headers=owner
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"].startswith("[1]")


def test_execution_list_pagination_and_filters(world: World) -> None:
    owner = world.headers("owner")
    wid = world.workflow(world.p)
    ids = [run(world, wid)["id"] for _ in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        url = f"/api/v1/executions?workflowId={wid}&limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = world.client.get(url, headers=owner).json()
        seen += [e["id"] for e in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    page = world.client.get(
        f"/api/v1/executions?workflowId={wid}&status=error&status=canceled", headers=owner
    ).json()
    assert page["data"] == []
    page = world.client.get(
        f"/api/v1/executions?workflowId={wid}&startedAfter=2000-01-01T00:00:00Z&limit=3",
        headers=owner,
    ).json()
    assert [e["id"] for e in page["data"]] == sorted(ids, reverse=True)[:3]


def test_retry_from_failed_node_and_from_start(world: World) -> None:
    owner = world.headers("owner")
    doc = workflow_doc("Fails")
    doc["nodes"].append(
        {
            "id": "c",
            "name": "Fail",
            "type": "n8n-nodes-base.stopAndError",
            "typeVersion": 1,
            "position": [600, 0],
            "parameters": {"errorMessage": "boom"},
        }
    )
    doc["connections"]["B"] = {"main": [[{"node": "Fail", "type": "main", "index": 0}]]}
    wid = world.client.post("/api/v1/workflows", json=doc, headers=owner).json()["id"]
    failed = run(world, wid, items=[{"n": 7}])
    assert failed["status"] == "error" and failed["lastNode"] == "Fail"
    assert (
        world.client.post(f"/api/v1/executions/{failed['id']}/cancel", headers=owner).status_code
        == 409
    )
    retry = world.client.post(f"/api/v1/executions/{failed['id']}/retry", headers=owner)
    assert retry.status_code == 202
    again = wait_finished(world, retry.json()["executionId"])
    assert again["mode"] == "retry" and again["retryOf"] == failed["id"]
    assert again["status"] == "error"
    detail = world.client.get(f"/api/v1/executions/{again['id']}", headers=owner).json()
    result = detail["data"]["resultData"]
    assert set(result["pinData"]) == {"Start", "A", "B"}  # succeeded nodes were kept
    assert result["runData"]["B"][0]["data"]["main"][0][0]["json"]["a"] == "7"
    fresh = world.client.post(
        f"/api/v1/executions/{failed['id']}/retry", json={"fromStart": True}, headers=owner
    )
    again = wait_finished(world, fresh.json()["executionId"])
    detail = world.client.get(f"/api/v1/executions/{again['id']}", headers=owner).json()
    assert "pinData" not in detail["data"]["resultData"]
    assert detail["data"]["resultData"]["runData"]["A"][0]["data"]["main"][0][0]["json"]["a"] == "7"
    ok = run(world, world.workflow(world.p))
    assert (
        world.client.post(f"/api/v1/executions/{ok['id']}/retry", headers=owner).status_code == 409
    )
    assert world.client.delete(f"/api/v1/executions/{ok['id']}", headers=owner).status_code == 204
    assert world.client.get(f"/api/v1/executions/{ok['id']}", headers=owner).status_code == 404


def test_cancel_a_running_execution(world: World) -> None:
    owner = world.headers("owner")
    doc = workflow_doc("Waits")
    doc["nodes"].append(
        {
            "id": "w",
            "name": "Wait",
            "type": "n8n-nodes-base.wait",
            "typeVersion": 1.1,
            "position": [600, 0],
            "parameters": {"resume": "timeInterval", "amount": 30, "unit": "seconds"},
        }
    )
    doc["connections"]["B"] = {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}
    wid = world.client.post("/api/v1/workflows", json=doc, headers=owner).json()["id"]
    started = world.client.post(f"/api/v1/workflows/{wid}/run?wait=true&timeout=0.5", headers=owner)
    assert started.status_code == 202  # still running after the timeout
    eid = started.json()["executionId"]
    assert world.client.post(f"/api/v1/executions/{eid}/cancel", headers=owner).status_code == 202
    assert wait_finished(world, eid)["status"] == "canceled"
    assert world.client.delete(f"/api/v1/executions/{eid}", headers=owner).status_code == 204


def _events(text: str) -> list[tuple[str | None, str, str]]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
        )
        if "event" in fields:
            out.append((fields.get("id"), fields["event"], fields["data"]))
    return out


def test_live_events_replay_and_resume(world: World) -> None:
    owner = world.headers("owner")
    eid = run(world, world.workflow(world.p))["id"]
    r = world.client.get(f"/api/v1/executions/{eid}/events", headers=owner)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    kinds = [k for _, k, _ in events]
    assert kinds == ["started"] + ["nodeStarted", "nodeFinished"] * 3 + ["finished"]
    datas = [json.loads(d) for *_, d in events]
    assert all(d["executionId"] == eid and d["at"] > 0 for d in datas)
    third = events[2][0]
    resumed = world.client.get(
        f"/api/v1/executions/{eid}/events", headers={**owner, "Last-Event-ID": third}
    )
    assert [k for _, k, _ in _events(resumed.text)] == kinds[3:]
    bad = world.client.get(
        f"/api/v1/executions/{eid}/events", headers={**owner, "Last-Event-ID": "x; DROP"}
    )
    assert bad.status_code == 422
    # a finished execution whose stream is gone still ends cleanly
    old = world.execution(world.p)
    r = world.client.get(f"/api/v1/executions/{old}/events", headers=owner)
    assert [k for _, k, _ in _events(r.text)] == ["finished"]


def test_members_never_see_other_projects(world: World) -> None:
    hidden_wf = world.workflow(world.q)
    hidden_ex = world.execution(world.q)
    hidden_cred = world.credential(world.q)
    visible_wf = world.workflow(world.p)
    for actor in ("padmin", "editor", "viewer"):
        h = world.headers(actor)
        workflows = world.client.get("/api/v1/workflows?limit=250", headers=h).json()["data"]
        assert {w["projectId"] for w in workflows} <= {world.p} | {
            p["id"] for p in world.client.get("/api/v1/projects", headers=h).json()["data"]
        }
        assert hidden_wf not in {w["id"] for w in workflows}
        assert visible_wf in {w["id"] for w in workflows}
        executions = world.client.get("/api/v1/executions?limit=250", headers=h).json()["data"]
        assert hidden_ex not in {e["id"] for e in executions}
        creds = world.client.get("/api/v1/credentials", headers=h).json()["data"]
        assert hidden_cred not in {c["id"] for c in creds}
        for url in (
            f"/api/v1/workflows/{hidden_wf}",
            f"/api/v1/executions/{hidden_ex}",
            f"/api/v1/credentials/{hidden_cred}",
            f"/api/v1/executions?workflowId={hidden_wf}",
            f"/api/v1/projects/{world.q}",
        ):
            missing = world.client.get(url, headers=h)
            assert missing.status_code == 404
            never = world.client.get(
                url.replace(hidden_wf, "x").replace(str(hidden_ex), "999999"), headers=h
            )
            assert missing.json()["error"]["code"] == never.json()["error"]["code"]
    owner_sees = world.client.get("/api/v1/workflows?limit=250", headers=world.headers("owner"))
    assert (
        hidden_wf in {w["id"] for w in owner_sees.json()["data"]} or owner_sees.json()["nextCursor"]
    )


def test_health_docs_and_node_types(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    ready = world.client.get("/readyz").json()
    assert ready == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "runtime": "ok"},
    }
    assert world.client.get("/metrics").status_code == 200
    assert world.client.get("/docs").status_code == 200
    schema = world.client.get("/openapi.json").json()
    assert "/api/v1/workflows/{workflow_id}/run" in schema["paths"]
    types = world.client.get("/api/v1/node-types", headers=world.headers("viewer")).json()
    names = {t["name"] for t in types}
    assert {"n8n-nodes-base.set", "n8n-nodes-base.if"} <= names
    set_type = world.client.get(
        "/api/v1/node-types/n8n-nodes-base.set", headers=world.headers("viewer")
    )
    assert set_type.json()["properties"]
    assert (
        world.client.get("/api/v1/node-types/nope", headers=world.headers("viewer")).status_code
        == 404
    )
