"""Webhooks through the app (no Ray: the in-process runtime): activation registers routes,
``/webhook/<path>`` runs the active version and answers per the node's response mode,
conflicts, 404/405, authentication, idempotency keys, test webhooks, dynamic paths."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from n8nwork.store.repo.executions import iter_node_runs
from n8nwork.store.tables.executions import Execution
from tests.unit.serve.conftest import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("webhooks"))


def webhook_workflow(
    path: str,
    *,
    mode: str = "responseNode",
    method: str = "POST",
    name: str = "hook",
    extra_params: dict[str, Any] | None = None,
    credentials: dict[str, Any] | None = None,
    set_settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Webhook → Set (y = body.x * 2) → Respond to Webhook (first item)."""
    hook: dict[str, Any] = {
        "id": "w",
        "name": "Webhook",
        "type": "n8n-nodes-base.webhook",
        "typeVersion": 2,
        "position": [0, 0],
        "webhookId": "5f1c0d2e-0000-4000-8000-00000000abcd",
        "parameters": {
            "httpMethod": method,
            "path": path,
            "responseMode": mode,
            "options": {},
            **(extra_params or {}),
        },
    }
    if credentials:
        hook["credentials"] = credentials
    set_node: dict[str, Any] = {
        "id": "s",
        "name": "Double",
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "position": [200, 0],
        "parameters": {
            "mode": "manual",
            "assignments": {
                "assignments": [
                    {"id": "a", "name": "y", "value": "={{ $json.body.x * 2 }}", "type": "number"}
                ]
            },
            "options": {},
        },
        **(set_settings or {}),
    }
    nodes = [hook, set_node]
    connections: dict[str, Any] = {
        "Webhook": {"main": [[{"node": "Double", "type": "main", "index": 0}]]}
    }
    if mode == "responseNode":
        nodes.append(
            {
                "id": "r",
                "name": "Respond",
                "type": "n8n-nodes-base.respondToWebhook",
                "typeVersion": 1.1,
                "position": [400, 0],
                "parameters": {"respondWith": "firstIncomingItem", "options": {}},
            }
        )
        connections["Double"] = {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}
    return {
        "name": name,
        "nodes": nodes,
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


def create_active(world: World, document: dict[str, Any], actor: str = "editor") -> str:
    r = world.client.post(
        "/api/v1/workflows",
        json={**document, "projectId": world.p},
        headers=world.headers(actor),
    )
    assert r.status_code == 201, r.text
    wid = str(r.json()["id"])
    r = world.client.post(f"/api/v1/workflows/{wid}/activate", headers=world.headers(actor))
    assert r.status_code == 200, r.text
    return wid


def executions_of(world: World, wid: str) -> list[Execution]:
    with world.store.sessions() as s:
        return list(s.exec(select(Execution).where(Execution.workflow_id == wid)))


def test_an_active_webhook_runs_inline_and_answers_from_the_respond_node(world: World) -> None:
    wid = create_active(world, webhook_workflow("double"))
    r = world.client.post("/webhook/double", json={"x": 21})
    assert r.status_code == 200, r.text
    assert r.json() == {"y": 42}
    (execution,) = executions_of(world, wid)
    assert execution.status == "success" and execution.mode == "webhook"
    with world.store.sessions() as s:
        runs = [(n, run.status) for n, _, run in iter_node_runs(
            session=s, execution_id=execution.id)]  # fmt: skip
    assert runs == [("Webhook", "success"), ("Double", "success"), ("Respond", "success")]


def test_last_node_and_on_received_modes(world: World) -> None:
    create_active(world, webhook_workflow("last", mode="lastNode"))
    r = world.client.post("/webhook/last", json={"x": 2})
    assert r.status_code == 200 and r.json() == {"y": 4}
    create_active(world, webhook_workflow("received", mode="onReceived"))
    r = world.client.post("/webhook/received", json={"x": 2})
    assert r.status_code == 200 and r.json() == {"message": "Workflow was started"}


def test_unknown_paths_get_404_and_wrong_methods_405(world: World) -> None:
    create_active(world, webhook_workflow("only-post"))
    r = world.client.get("/webhook/only-post")
    assert r.status_code == 405
    assert "POST" in r.json()["message"] and r.headers["allow"] == "POST"
    r = world.client.post("/webhook/no/such/path", json={})
    assert r.status_code == 404
    assert "no/such/path" in r.json()["message"]


def test_a_taken_path_is_refused_at_activation_naming_the_other_workflow(world: World) -> None:
    create_active(world, webhook_workflow("taken", name="First holder"))
    r = world.client.post(
        "/api/v1/workflows",
        json={**webhook_workflow("taken", name="Second"), "projectId": world.p},
        headers=world.headers("editor"),
    )
    second = r.json()["id"]
    r = world.client.post(f"/api/v1/workflows/{second}/activate", headers=world.headers("editor"))
    assert r.status_code == 409
    assert "First holder" in r.json()["error"]["message"]
    assert "/taken" in r.json()["error"]["message"]


def test_deactivation_removes_the_route(world: World) -> None:
    wid = create_active(world, webhook_workflow("short-lived"))
    assert world.client.post("/webhook/short-lived", json={"x": 1}).status_code == 200
    r = world.client.post(f"/api/v1/workflows/{wid}/deactivate", headers=world.headers("editor"))
    assert r.status_code == 200
    assert world.client.post("/webhook/short-lived", json={"x": 1}).status_code == 404


def test_an_idempotency_key_replays_the_first_answer(world: World) -> None:
    wid = create_active(world, webhook_workflow("once"))
    headers = {"Idempotency-Key": "order-1234"}
    first = world.client.post("/webhook/once", json={"x": 1}, headers=headers)
    again = world.client.post("/webhook/once", json={"x": 5}, headers=headers)
    other = world.client.post("/webhook/once", json={"x": 5}, headers={"Idempotency-Key": "b"})
    assert first.json() == again.json() == {"y": 2}
    assert again.headers.get("idempotent-replay") == "true"
    assert other.json() == {"y": 10}
    assert len(executions_of(world, wid)) == 2


def test_basic_auth_through_a_credential(world: World) -> None:
    credential = world.credential(world.p)
    create_active(
        world,
        webhook_workflow(
            "guarded",
            extra_params={"authentication": "basicAuth"},
            credentials={"httpBasicAuth": {"id": credential, "name": "Basic"}},
        ),
    )
    r = world.client.post("/webhook/guarded", json={"x": 1})
    assert r.status_code == 401
    assert "s3cret-value" not in r.text
    bad = base64.b64encode(b"alice:wrong").decode()
    r = world.client.post("/webhook/guarded", json={"x": 1},
                          headers={"Authorization": f"Basic {bad}"})  # fmt: skip
    assert r.status_code == 403
    good = base64.b64encode(b"alice:s3cret-value").decode()
    r = world.client.post("/webhook/guarded", json={"x": 1},
                          headers={"Authorization": f"Basic {good}"})  # fmt: skip
    assert r.status_code == 200 and r.json() == {"y": 2}


def test_a_run_that_needs_the_runtime_still_answers(world: World) -> None:
    # A node placed as a task cannot run in the replica: the run goes to the runtime and
    # the answer waits for its Respond node.
    document = webhook_workflow("via-runtime", set_settings={"n8nwork": {"placement": "task"}})
    wid = create_active(world, document)
    r = world.client.post("/webhook/via-runtime", json={"x": 4})
    assert r.status_code == 200, r.text
    assert r.json() == {"y": 8}
    (execution,) = executions_of(world, wid)
    assert execution.mode == "webhook"


def test_a_failed_run_answers_without_internals(world: World) -> None:
    document = webhook_workflow("fails", mode="lastNode")
    document["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = (
        "={{ $json.body.x * }}"
    )
    wid = create_active(world, document)
    r = world.client.post("/webhook/fails", json={"x": 1})
    # n8n's answer for a failed run, nothing of the error itself; the failure is stored.
    assert r.status_code == 500
    assert r.json() == {"message": "Error in workflow"}
    (execution,) = executions_of(world, wid)
    assert execution.status == "error"


def test_dynamic_paths_pass_their_parameters(world: World) -> None:
    document = webhook_workflow("user/:id", mode="lastNode")
    document["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = (
        "={{ $json.params.id }}"
    )
    document["nodes"][1]["parameters"]["assignments"]["assignments"][0]["type"] = "string"
    create_active(world, document)
    r = world.client.post("/webhook/5f1c0d2e-0000-4000-8000-00000000abcd/user/77", json={"x": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {"y": "77"}


def test_a_test_webhook_answers_one_call_after_listening(world: World) -> None:
    r = world.client.post(
        "/api/v1/workflows",
        json={**webhook_workflow("draft-path"), "projectId": world.p},
        headers=world.headers("editor"),
    )
    wid = r.json()["id"]
    assert world.client.post("/webhook-test/draft-path", json={"x": 1}).status_code == 404
    r = world.client.post(f"/api/v1/workflows/{wid}/webhook-test", headers=world.headers("editor"))
    assert r.status_code == 200, r.text
    assert r.json()["webhooks"][0]["path"] == "draft-path"
    r = world.client.post("/webhook-test/draft-path", json={"x": 3})
    assert r.status_code == 200 and r.json() == {"y": 6}
    assert world.client.post("/webhook-test/draft-path", json={"x": 3}).status_code == 404
    (execution,) = executions_of(world, wid)
    assert execution.mode == "manual"
    assert world.client.post("/webhook/draft-path", json={"x": 3}).status_code == 404


def test_bad_bodies_get_a_clear_400(world: World) -> None:
    create_active(world, webhook_workflow("strict", mode="lastNode"))
    r = world.client.post(
        "/webhook/strict", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert r.json()["message"]


def test_a_webhook_path_in_use_twice_in_one_workflow_is_refused(world: World) -> None:
    document = webhook_workflow("twice")
    second = copy.deepcopy(document["nodes"][0])
    second["name"], second["id"] = "Webhook 2", "w2"
    document["nodes"].append(second)
    r = world.client.post(
        "/api/v1/workflows",
        json={**document, "projectId": world.p},
        headers=world.headers("editor"),
    )
    wid = r.json()["id"]
    r = world.client.post(f"/api/v1/workflows/{wid}/activate", headers=world.headers("editor"))
    assert r.status_code == 422
    assert "Webhook 2" in r.json()["error"]["message"]


def wait_workflow(path: str, *, resume: str = "webhook", mode: str = "lastNode") -> dict[str, Any]:
    """Webhook (answers at once) → Wait for a resume call → Set (got = body.answer)."""
    return {
        "name": f"waits for {resume}",
        "nodes": [
            {
                "id": "w",
                "name": "Webhook",
                "type": "n8n-nodes-base.webhook",
                "typeVersion": 2,
                "position": [0, 0],
                "parameters": {"httpMethod": "POST", "path": path, "options": {}},
            },
            {
                "id": "wait",
                "name": "Wait",
                "type": "n8n-nodes-base.wait",
                "typeVersion": 1.1,
                "position": [200, 0],
                "parameters": {
                    "resume": resume,
                    "httpMethod": "POST",
                    "responseMode": mode,
                    "formTitle": "Approve?",
                    "formFields": {
                        "values": [
                            {"fieldLabel": "answer", "fieldType": "text", "requiredField": True}
                        ]
                    },
                },
            },
            {
                "id": "s",
                "name": "After",
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "position": [400, 0],
                "parameters": {
                    "mode": "manual",
                    "assignments": {
                        "assignments": [
                            {
                                "id": "a",
                                "name": "got",
                                "value": "={{ $json.body ? $json.body.answer : $json.answer }}",
                                "type": "string",
                            }
                        ]
                    },
                    "options": {},
                },
            },
        ],
        "connections": {
            "Webhook": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]},
            "Wait": {"main": [[{"node": "After", "type": "main", "index": 0}]]},
        },
        "settings": {"executionOrder": "v1"},
    }


def parked_execution(world: World, wid: str) -> int:
    import time

    for _ in range(200):
        found = [e for e in executions_of(world, wid) if e.status == "waiting"]
        if found:
            return int(found[0].id or 0)
        time.sleep(0.02)
    raise AssertionError("the run did not park")


def test_a_waiting_run_resumes_through_its_resume_url(world: World) -> None:
    wid = create_active(world, wait_workflow("approve"))
    r = world.client.post("/webhook/approve", json={"x": 1})
    assert r.status_code == 200 and r.json() == {"message": "Workflow was started"}
    execution_id = parked_execution(world, wid)
    assert world.client.get(f"/webhook-waiting/{execution_id}").status_code == 405
    r = world.client.post(f"/webhook-waiting/{execution_id}", json={"answer": "yes"})
    assert r.status_code == 200, r.text
    assert r.json() == {"got": "yes"}
    (execution,) = executions_of(world, wid)
    assert execution.status == "success"
    r = world.client.post(f"/webhook-waiting/{execution_id}", json={"answer": "again"})
    assert r.status_code == 409 and "finished" in r.json()["message"]
    assert world.client.post("/webhook-waiting/999999999", json={}).status_code == 404
    assert world.client.post("/webhook-waiting/not-a-number", json={}).status_code == 404


def test_a_form_wait_shows_its_form_and_resumes_on_submit(world: World) -> None:
    wid = create_active(world, wait_workflow("form-approve", resume="form"))
    world.client.post("/webhook/form-approve", json={"x": 1})
    execution_id = parked_execution(world, wid)
    assert world.client.post(f"/webhook-waiting/{execution_id}", json={}).status_code == 409
    page = world.client.get(f"/form-waiting/{execution_id}")
    assert page.status_code == 200 and "Approve?" in page.text
    r = world.client.post(f"/form-waiting/{execution_id}", data={"field-0": ""})
    assert r.status_code == 400
    r = world.client.post(f"/form-waiting/{execution_id}", data={"field-0": "ok"})
    assert r.status_code == 200, r.text
    import time

    for _ in range(200):
        (execution,) = executions_of(world, wid)
        if execution.status == "success":
            break
        time.sleep(0.02)
    assert execution.status == "success"
