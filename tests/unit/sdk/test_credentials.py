"""Credentials in the node SDK: the provider handed to the executor reaches every node's
context (``ctx.get_credentials``); errors name the node and the type; the values a node got
are scrubbed from its error and output items."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from n8nwork.credential_refs import HIDDEN, credential_ref, scrub, secret_values
from n8nwork.errors import NodeExecutionError
from n8nwork.net import NetworkPolicy, set_policy
from n8nwork.workflow.model import Node, Workflow
from nodes.sdk.credentials import StaticCredentials, resolve_node_credentials
from nodes.sdk.runner import run_workflow

SECRET = "tok-9a8b7c6d5e4f3a2b1c0d"
FIELDS = {"name": "X-Api-Key", "value": SECRET}


def node(credentials: dict[str, Any] | None = None, name: str = "Call") -> Node:
    raw: dict[str, Any] = {"name": name, "type": "n8n-nodes-base.noOp", "parameters": {}}
    if credentials is not None:
        raw["credentials"] = credentials
    return Node.from_json(raw, 0)


class _Echo(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(str(self.headers.get("x-api-key")))
        body = json.dumps({"got": dict(self.headers)}).encode()
        self.send_response(500 if self.path.startswith("/fail") else 200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[tuple[str, list[str]]]:
    handler: Any = type("Handler", (_Echo,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    set_policy(NetworkPolicy.build(allowed=["127.0.0.1"]))
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
    finally:
        set_policy(None)
        server.shutdown()
        server.server_close()


def http_workflow(url: str, on_error: str = "stopWorkflow") -> Workflow:
    return Workflow.from_json(
        {
            "name": "creds",
            "nodes": [
                {
                    "name": "Start",
                    "type": "n8n-nodes-base.manualTrigger",
                    "typeVersion": 1,
                    "parameters": {},
                },
                {
                    "name": "Call",
                    "type": "n8n-nodes-base.httpRequest",
                    "typeVersion": 4.2,
                    "parameters": {
                        "url": url,
                        "authentication": "genericCredentialType",
                        "genericAuthType": "httpHeaderAuth",
                        "options": {},
                    },
                    "credentials": {"httpHeaderAuth": {"id": "c1", "name": "Key"}},
                    "onError": on_error,
                },
            ],
            "connections": {"Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}},
            "settings": {"executionOrder": "v1"},
        }
    )


# ------------------------------------------------------------------ references and scrubbing
def test_a_node_without_a_credential_of_the_type_gets_an_error_naming_both() -> None:
    with pytest.raises(NodeExecutionError) as caught:
        credential_ref(node({"httpBasicAuth": {"id": "c1"}}), "httpHeaderAuth")
    assert "'Call'" in caught.value.message and "'httpHeaderAuth'" in caught.value.message
    assert caught.value.node == "Call"
    assert "httpBasicAuth" in str(caught.value.description)


def test_the_reference_gives_the_id_and_name() -> None:
    ref = credential_ref(node({"httpHeaderAuth": {"id": "c1", "name": "Key"}}), "httpHeaderAuth")
    assert (ref.type, ref.id, ref.name) == ("httpHeaderAuth", "c1", "Key")


def test_secret_values_skip_names_and_look_inside_json_fields() -> None:
    found = secret_values({**FIELDS, "json": json.dumps({"headers": {"X-Token": "inner-secret"}})})
    assert SECRET in found and "inner-secret" in found
    assert "X-Api-Key" not in found


def test_scrub_replaces_secrets_in_keys_and_nested_strings() -> None:
    value = {"message": f"got {SECRET}!", "context": {SECRET: [f"a{SECRET}"]}, "n": 1}
    assert scrub(value, [SECRET]) == {
        "message": f"got {HIDDEN}!",
        "context": {HIDDEN: [f"a{HIDDEN}"]},
        "n": 1,
    }
    assert scrub(value, []) is value


# ------------------------------------------------------------------ providers
def test_static_credentials_give_a_copy_and_name_missing_ones() -> None:
    provider = StaticCredentials({"Call": {"httpHeaderAuth": FIELDS}})
    got = provider.get(node({"httpHeaderAuth": {"id": "c1"}}), "httpHeaderAuth")
    got["value"] = "changed"
    assert provider.get(node({"httpHeaderAuth": {"id": "c1"}}), "httpHeaderAuth") == FIELDS
    with pytest.raises(NodeExecutionError, match="none are assigned"):
        provider.get(node(name="Other"), "httpHeaderAuth")
    assert SECRET not in repr(provider)


def test_static_credentials_raise_the_hosts_error() -> None:
    provider = StaticCredentials(errors={"Call": {"httpHeaderAuth": "Credential 'x' is gone"}})
    with pytest.raises(NodeExecutionError, match="is gone"):
        provider.get(node({"httpHeaderAuth": {"id": "x"}}), "httpHeaderAuth")


def test_resolving_a_nodes_credentials_keeps_errors_by_type() -> None:
    provider = StaticCredentials({"Call": {"httpHeaderAuth": FIELDS}})
    target = node({"httpHeaderAuth": {"id": "c1"}, "httpBasicAuth": {"id": "c2"}})
    found, errors = resolve_node_credentials(provider, target)
    assert found == {"httpHeaderAuth": FIELDS}
    assert list(errors) == ["httpBasicAuth"]


# ------------------------------------------------------------------ through the executor
def test_without_a_provider_the_node_fails_naming_node_and_type(
    echo: tuple[str, list[str]],
) -> None:
    url, seen = echo
    state = run_workflow(http_workflow(f"{url}/ok"))
    assert state.status == "error"
    assert state.error is not None
    assert "'Call'" in state.error["message"] and "'httpHeaderAuth'" in state.error["message"]
    assert seen == []


def test_the_node_sends_the_credential_and_its_output_is_scrubbed(
    echo: tuple[str, list[str]],
) -> None:
    url, seen = echo
    provider = StaticCredentials({"Call": {"httpHeaderAuth": FIELDS}})
    state = run_workflow(http_workflow(f"{url}/ok"), credentials=provider)
    assert state.status == "success", state.error
    assert seen == [SECRET]
    outputs = state.run_data["Call"][0].outputs
    assert outputs is not None
    output = outputs[0][0]["json"]
    assert output["got"]["X-Api-Key"] == HIDDEN  # the server echoed it back
    assert SECRET not in json.dumps(state.to_json())


@pytest.mark.parametrize("on_error", ["stopWorkflow", "continueRegularOutput"])
def test_a_node_error_never_holds_the_credential(
    echo: tuple[str, list[str]], on_error: str
) -> None:
    url, seen = echo
    provider = StaticCredentials({"Call": {"httpHeaderAuth": FIELDS}})
    state = run_workflow(http_workflow(f"{url}/fail", on_error), credentials=provider)
    assert seen == [SECRET]
    text = json.dumps(state.to_json())
    assert SECRET not in text
    assert HIDDEN in text
