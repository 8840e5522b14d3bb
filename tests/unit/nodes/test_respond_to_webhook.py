"""Respond to Webhook: passes items through and records the response for the webhook."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Source
from n8nwork.workflow.model import Workflow
from nodes.sdk.context import ExecutionContext
from nodes.sdk.execute import run_node
from nodes.sdk.registry import default_registry
from serve.webhooks.response import node_response
from tests.unit.nodes._param_checks import output_count

RESPOND = "n8n-nodes-base.respondToWebhook"
SECRET = "a-shared-secret-long-enough-for-hs256-0123456789"
ITEMS = [{"json": {"a": 1}}, {"json": {"a": 2}}]


def respond(
    params: dict[str, Any],
    version: float = 1.1,
    items: list[dict[str, Any]] | None = None,
    *,
    trigger: str | None = "n8n-nodes-base.webhook",
    credentials: dict[str, Any] | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """Runs the node after a trigger; returns its outputs and the recorded response."""
    impl = default_registry().get(RESPOND, version)
    assert impl is not None
    nodes: list[dict[str, Any]] = [
        {"name": "Respond", "type": RESPOND, "typeVersion": version, "parameters": params}
    ]
    connections: dict[str, Any] = {}
    if trigger:
        nodes.insert(0, {"name": "Hook", "type": trigger, "typeVersion": 1, "parameters": {}})
        nodes.insert(1, {"name": "Mid", "type": "n8n-nodes-base.noOp", "typeVersion": 1})
        connections = {
            "Hook": {"main": [[{"node": "Mid", "type": "main", "index": 0}]]},
            "Mid": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]},
        }
    for index, node in enumerate(nodes):
        node.setdefault("parameters", {})
        node["position"] = [index * 200, 0]
    wf = Workflow.from_json({"name": "t", "nodes": nodes, "connections": connections})
    inputs = [list(ITEMS if items is None else items)]
    scope = ExpressionScope(
        workflow=wf,
        node=wf.node("Respond"),
        run=_Run(),
        inputs=inputs,
        source=[Source("Mid")],
        execution={"id": "1", "mode": "webhook"},
    )
    defaults = {p.name: p.default for p in impl.params if p.applies_to(version)}
    ctx = ExecutionContext(scope=scope, defaults=defaults)
    if credentials is not None:
        ctx.credentials = credentials  # type: ignore[attr-defined]
    outputs = run_node(impl, ctx)
    assert isinstance(outputs, list)
    return outputs, ctx.node_context.get("webhookResponse", {})


class _Run:
    def node_runs(self, name: str) -> list[Any]:
        return []

    def node_context(self, name: str) -> dict[str, Any]:
        return {}


def test_default_first_incoming_item_and_passthrough() -> None:
    outputs, response = respond({})
    assert [i["json"] for i in outputs[0]] == [{"a": 1}, {"a": 2}]
    assert response == {"status": 200, "headers": {}, "kind": "json", "body": {"a": 1}}


def test_all_incoming_items_with_response_key_and_headers() -> None:
    params = {
        "respondWith": "allIncomingItems",
        "options": {
            "responseKey": "data.items",
            "responseCode": 201,
            "responseHeaders": {"entries": [{"name": "X-Count", "value": 2}]},
        },
    }
    _, response = respond(params)
    assert response["status"] == 201
    assert response["headers"] == {"x-count": "2"}
    assert response["body"] == {"data": {"items": [{"a": 1}, {"a": 2}]}}


def test_json_body_default_and_expression() -> None:
    _, default = respond({"respondWith": "json"})
    assert default["body"] == {"myField": "value"}
    _, evaluated = respond({"respondWith": "json", "responseBody": '={{ {"n": $json.a * 10} }}'})
    assert evaluated["body"] == {"n": 10}


def test_invalid_json_body_names_the_parameter() -> None:
    with pytest.raises(NodeExecutionError) as err:
        respond({"respondWith": "json", "responseBody": "{nope"})
    assert "Invalid JSON in 'Response Body' field" in str(err.value)


def test_text_and_redirect_and_no_data() -> None:
    _, text = respond({"respondWith": "text", "responseBody": "=Hi {{ $json.a }}"})
    assert (text["kind"], text["body"]) == ("text", "Hi 1")
    _, redirect = respond({"respondWith": "redirect", "redirectURL": "https://n8n.io"})
    assert redirect == {
        "status": 307,
        "headers": {"location": "https://n8n.io"},
        "kind": "redirect",
        "body": None,
    }
    _, moved = respond(
        {"respondWith": "redirect", "redirectURL": "/x", "options": {"responseCode": 301}}
    )
    assert moved["status"] == 301
    _, nothing = respond({"respondWith": "noData"})
    assert (nothing["kind"], nothing["body"]) == ("noData", None)


def test_binary_automatically_and_set() -> None:
    data = base64.b64encode(b"PNG!").decode()
    items = [{"json": {}, "binary": {"img": {"data": data, "mimeType": "image/png"}}}]
    _, auto = respond({"respondWith": "binary"}, items=items)
    assert auto == {
        "status": 200,
        "headers": {"content-type": "image/png"},
        "kind": "binary",
        "mimeType": "image/png",
        "body": data,
    }
    assert node_response(auto).body == b"PNG!"
    with pytest.raises(NodeExecutionError) as err:
        respond(
            {"respondWith": "binary", "responseDataSource": "set", "inputFieldName": "nope"},
            items=items,
        )
    assert "binary file 'nope'" in str(err.value)


def test_binary_by_reference_records_the_id() -> None:
    items = [{"json": {}, "binary": {"f": {"id": "store:1", "mimeType": "text/plain"}}}]
    _, response = respond({"respondWith": "binary"}, items=items)
    assert (response["body"], response["binaryId"]) == (None, "store:1")


def test_binary_missing() -> None:
    with pytest.raises(NodeExecutionError) as err:
        respond({"respondWith": "binary"})
    assert "No binary data exists on the first item!" in str(err.value)


def test_jwt_is_signed_with_the_credential() -> None:
    cred = {"jwtAuth": {"keyType": "passphrase", "secret": SECRET, "algorithm": "HS256"}}
    _, response = respond(
        {"respondWith": "jwt", "payload": '{"sub": "ada"}'}, credentials=cred, version=1.2
    )
    token = response["body"]["token"]
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "ada"}


def test_jwt_without_credential_fails() -> None:
    with pytest.raises(NodeExecutionError):
        respond({"respondWith": "jwt"})


def test_jwt_bad_payload() -> None:
    cred = {"jwtAuth": {"keyType": "passphrase", "secret": SECRET, "algorithm": "HS256"}}
    with pytest.raises(NodeExecutionError) as err:
        respond({"respondWith": "jwt", "payload": "[1]"}, credentials=cred)
    assert "Error signing JWT token" in str(err.value)


def test_bad_response_code() -> None:
    with pytest.raises(NodeExecutionError) as err:
        respond({"options": {"responseCode": 1000}})
    assert "Invalid response code" in str(err.value)


def test_no_webhook_ancestor_from_v1_1() -> None:
    with pytest.raises(NodeExecutionError) as err:
        respond({}, version=1.1, trigger=None)
    assert "No Webhook node found in the workflow" in str(err.value)
    _, response = respond({}, version=1, trigger=None)
    assert response["body"] == {"a": 1}
    respond({}, version=1.1, trigger="n8n-nodes-base.wait")


def test_response_output_branch() -> None:
    outputs, _ = respond({"respondWith": "text", "responseBody": "ok"}, version=1.3)
    assert len(outputs) == 2
    assert outputs[1][0]["json"] == {"response": {"body": "ok", "headers": {}, "statusCode": 200}}
    one, _ = respond({}, version=1.4)
    assert len(one) == 1
    two, _ = respond({"enableResponseOutput": True}, version=1.5)
    assert len(two) == 2


def test_output_count() -> None:
    assert output_count(RESPOND, {}, 1) == 1
    assert output_count(RESPOND, {}, 1.3) == 2
    assert output_count(RESPOND, {}, 1.4) == 1
    assert output_count(RESPOND, {"enableResponseOutput": True}, 1.4) == 2
