"""The workflow model parses n8n JSON into immutable values and exports it without loss."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from n8nwork.errors import WorkflowError
from n8nwork.workflow import Workflow


def test_every_fixture_round_trips(fixtures_dir: Path) -> None:
    files = sorted(fixtures_dir.rglob("*.json"))
    assert len(files) >= 60
    for path in files:
        raw = json.loads(path.read_text())
        assert Workflow.from_json(raw).to_json() == raw, path


def test_parsed_workflow_is_immutable() -> None:
    wf = Workflow.from_json(
        {
            "nodes": [{"name": "A", "type": "x.y", "typeVersion": 1, "parameters": {"a": [1]}}],
            "connections": {},
        }
    )
    node = wf.nodes[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "B"  # type: ignore[misc]
    with pytest.raises(TypeError):
        node.parameters["a"] = 2  # type: ignore[index]
    assert isinstance(node.parameters["a"], tuple)
    exported = wf.to_json()
    exported["nodes"][0]["parameters"]["a"].append(3)
    assert wf.nodes[0].parameters["a"] == (1,)


def test_unknown_fields_are_kept_verbatim() -> None:
    raw = {
        "name": "w",
        "nodes": [
            {
                "name": "A",
                "type": "x.y",
                "typeVersion": 1.1,
                "parameters": {},
                "webhookId": "h",
                "credentials": {"api": {"id": "1", "name": "c"}},
                "retryOnFail": True,
                "maxTries": 4,
            }
        ],
        "connections": {},
        "meta": {"instanceId": "abc"},
        "tags": [],
        "settings": {"executionOrder": "v1"},
        "staticData": None,
    }
    wf = Workflow.from_json(raw)
    assert wf.to_json() == raw
    assert wf.nodes[0].retry_on_fail is True and wf.nodes[0].max_tries == 4
    assert wf.execution_order == "v1"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"nodes": "x"}, "'nodes' must be a list"),
        ({"nodes": [{"type": "a.b"}]}, "nodes[0]: 'name'"),
        ({"nodes": [{"name": "A", "type": "a.b", "typeVersion": "1"}]}, "node 'A': 'typeVersion'"),
        ({"nodes": [{"name": "A", "type": "a.b", "parameters": []}]}, "node 'A': 'parameters'"),
        ({"nodes": [{"name": "A", "type": "a.b", "onError": "explode"}]}, "node 'A': 'onError'"),
        ({"nodes": [], "connections": {"A": {"main": [[{"x": 1}]]}}}, "each target needs 'node'"),
        ({"nodes": [], "connections": {"A": {"main": [[{"node": "B", "index": -1}]]}}}, "'index'"),
        ([], "must be a JSON object"),
    ],
)
def test_malformed_documents_are_refused_with_the_place(raw: object, needle: str) -> None:
    with pytest.raises(WorkflowError) as info:
        Workflow.from_json(raw)
    assert needle in str(info.value)


def test_from_file_reports_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text("{not json")
    with pytest.raises(WorkflowError, match="not valid JSON"):
        Workflow.from_file(bad)
    with pytest.raises(WorkflowError, match="cannot read"):
        Workflow.from_file(tmp_path / "missing.json")
