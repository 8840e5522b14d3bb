"""A workflow uses only the credentials of its own project, on SQLite and PostgreSQL: a node
referencing another user's credential fails with an error naming node, type and reason (and
sends nothing), and a webhook cannot authenticate its callers with another project's
credential. Neither leaks the other user's secret."""

from __future__ import annotations

import base64

import pytest

from tests.security.api.conftest import Seeded
from tests.security.api.test_secret_hygiene import (  # noqa: F401 (the echo fixture)
    EchoServer,
    Recorder,
    echo,
    http_workflow,
)
from tests.unit.serve.test_webhooks_api import webhook_workflow

pytestmark = pytest.mark.integration


def test_a_node_cannot_use_a_credential_of_another_project(
    seeded: Seeded,
    echo: EchoServer,  # noqa: F811 (the fixture imported above)
) -> None:
    call = Recorder(seeded)
    theirs = {"id": seeded.credentials["victim"], "name": "victim basic"}
    doc = http_workflow(echo.url + "/ok", theirs)
    node = doc["nodes"][1]
    node["parameters"]["genericAuthType"] = "httpBasicAuth"
    node["credentials"] = {"httpBasicAuth": theirs}
    wf = call("POST", "/api/v1/workflows", json=doc)
    assert wf.status_code == 201, wf.text

    run = call("POST", f"/api/v1/workflows/{wf.json()['id']}/run?wait=true")

    assert run.status_code == 200, run.text
    body = run.json()
    assert body["status"] == "error", body
    message = body["data"]["resultData"]["error"]["message"]
    assert "'Call API'" in message and "'httpBasicAuth'" in message
    assert "is not usable by this workflow" in message
    assert echo.seen == []
    assert not seeded.leaks("\n".join(call.seen))


def test_a_webhook_cannot_authenticate_with_a_credential_of_another_project(
    seeded: Seeded,
) -> None:
    call = Recorder(seeded)
    theirs = {"id": seeded.credentials["victim"], "name": "victim basic"}
    doc = webhook_workflow(
        "not-mine",
        extra_params={"authentication": "basicAuth"},
        credentials={"httpBasicAuth": theirs},
    )
    wf = call("POST", "/api/v1/workflows", json=doc)
    assert wf.status_code == 201, wf.text
    assert call("POST", f"/api/v1/workflows/{wf.json()['id']}/activate").status_code == 200
    password = seeded.secrets["credential value of victim"]
    basic = base64.b64encode(f"user-victim:{password}".encode()).decode()

    r = seeded.world.client.post(
        "/webhook/not-mine", json={"x": 1}, headers={"Authorization": f"Basic {basic}"}
    )

    assert r.status_code == 401, r.text
    assert password not in r.text


def test_a_webhook_run_inline_in_the_api_sends_its_credential(
    seeded: Seeded,
    echo: EchoServer,  # noqa: F811 (the fixture imported above)
) -> None:
    # Given an active webhook workflow whose last node (inline, so the whole run executes in
    # the API process) calls the local server with the member's own credential
    call = Recorder(seeded)
    secret = "inline-hook-secret-1f2e3d4c5b6a"
    made = call(
        "POST",
        "/api/v1/credentials",
        json={
            "name": "Mine",
            "type": "httpHeaderAuth",
            "data": {"name": "Authorization", "value": secret},
        },
    )
    assert made.status_code == 201, made.text
    ref = {"id": made.json()["id"], "name": "Mine"}
    doc = webhook_workflow("inline-creds")
    call_node = http_workflow(echo.url + "/ok", ref)["nodes"][1]
    call_node["n8nwork"] = {"placement": "inline"}
    doc["nodes"].append(call_node)
    doc["connections"]["Respond"] = {"main": [[{"node": "Call API", "type": "main", "index": 0}]]}
    wf = call("POST", "/api/v1/workflows", json=doc)
    assert wf.status_code == 201, wf.text
    assert call("POST", f"/api/v1/workflows/{wf.json()['id']}/activate").status_code == 200

    # When the webhook is called (twice: the second uses the replica's cached credential)
    for x in (1, 2):
        r = seeded.world.client.post("/webhook/inline-creds", json={"x": x})
        assert r.status_code == 200, r.text

    # Then the server got the credential, and the runs hold only its masked echo
    assert echo.seen == [secret, secret]
    listed = call("GET", f"/api/v1/executions?workflowId={wf.json()['id']}")
    runs = listed.json()["data"]
    assert len(runs) == 2 and {e["status"] for e in runs} == {"success"}, runs
    for run in runs:
        detail = call("GET", f"/api/v1/executions/{run['id']}?includeData=true")
        assert "**hidden**" in detail.text
    assert secret not in "\n".join(call.seen)
