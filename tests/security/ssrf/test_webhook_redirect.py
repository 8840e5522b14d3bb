"""Respond to Webhook's redirect: the caller's browser follows it, not the server, so the
target is not checked against the network policy; it must be an http(s) URL or a relative
path, never ``javascript:``/``data:``/``file:``, and never carry control characters (header
splitting). Run inside a real in-process workflow started by a Webhook trigger."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.net.redirects import UnsafeRedirect, check_redirect_target
from n8nwork.run.state import RunState
from n8nwork.workflow import Workflow
from nodes.sdk.runner import run_workflow


def respond_redirect(url: str) -> RunState:
    nodes: list[dict[str, Any]] = [
        {
            "name": "Hook",
            "type": "n8n-nodes-base.webhook",
            "typeVersion": 2,
            "parameters": {"path": "r", "responseMode": "responseNode"},
        },
        {
            "name": "Respond",
            "type": "n8n-nodes-base.respondToWebhook",
            "typeVersion": 1.1,
            "parameters": {"respondWith": "redirect", "redirectURL": url},
        },
    ]
    for index, node in enumerate(nodes):
        node["position"] = [index * 200, 0]
    workflow = Workflow.from_json(
        {
            "name": "redirect",
            "nodes": nodes,
            "connections": {"Hook": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}},
        }
    )
    return run_workflow(workflow, items=[{"json": {"query": {}}}], mode="webhook")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "https://ok.example/\r\nSet-Cookie: session=stolen",
        "java\tscript:alert(1)",
        "http:///no-host",
        "",
    ],
)
def test_unsafe_redirect_targets_fail_the_node(url: str) -> None:
    state = respond_redirect(url)
    assert state.status == "error"
    assert state.error is not None and state.error.get("node") == "Respond"
    assert "redirect URL" in str(state.error["message"])
    assert "webhookResponse" not in state.to_json()["context"].get("Respond", {})


@pytest.mark.parametrize(
    "url",
    [
        "https://n8n.io/welcome?x=1",
        "http://127.0.0.1:8080/internal",  # the caller's network view, not the server's
        "/thank-you",
        "thanks.html",
    ],
)
def test_http_urls_and_relative_paths_are_sent(url: str) -> None:
    state = respond_redirect(url)
    assert state.status == "success", state.error
    response = state.to_json()["context"]["Respond"]["webhookResponse"]
    assert (response["status"], response["headers"]["location"]) == (307, url)


def test_the_check_names_the_scheme() -> None:
    with pytest.raises(UnsafeRedirect, match="scheme 'javascript:'"):
        check_redirect_target("javascript:alert(1)")
