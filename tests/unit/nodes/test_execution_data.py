"""Execution Data: saves key/value pairs in the execution's custom data, passes items on."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Source
from n8nwork.workflow.model import Workflow
from nodes.sdk import ExecutionContext, run_node
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import StaticRun, items, jsons

EXEC_DATA = "n8n-nodes-base.executionData"


def run(
    values: list[dict[str, Any]], *, mode: str = "manual", version: float = 1, **node: Any
) -> tuple[list, dict[str, Any]]:
    raw = {
        "name": "Node",
        "type": EXEC_DATA,
        "typeVersion": version,
        "parameters": {"dataToSave": {"values": values}},
        **node,
    }
    wf = Workflow.from_json({"name": "t", "nodes": [raw], "connections": {}})
    execution: dict[str, Any] = {"id": "1", "mode": mode}
    scope = ExpressionScope(
        workflow=wf,
        node=wf.node("Node"),
        run=StaticRun(),
        inputs=[items({"id": "123456"})],
        source=[Source("Previous")],
        execution=execution,
    )
    impl = default_registry().get(EXEC_DATA, version)
    assert impl is not None
    out = run_node(impl, ExecutionContext(scope=scope))
    assert isinstance(out, list)
    return out, execution


def test_saves_custom_data_and_passes_items() -> None:
    out, execution = run([{"key": "id", "value": "123456"}, {"key": "n", "value": 5}])
    assert jsons(out[0]) == [{"id": "123456"}]
    assert execution["customData"] == {"id": "123456", "n": "5"}


def test_limits() -> None:
    values = [{"key": f"k{i}", "value": "v" * 600} for i in range(12)] + [
        {"key": "x" * 60, "value": "y"}
    ]
    _, execution = run(values)
    data = execution["customData"]
    assert len(data) == 10 and all(len(v) == 512 for v in data.values())


def test_invalid_key_fails_manual_runs_only() -> None:
    with pytest.raises(NodeExecutionError, match="letters, numbers, and underscores"):
        run([{"key": "bad key", "value": "x"}])
    out, execution = run([{"key": "bad key", "value": "x"}], mode="trigger")
    assert len(out[0]) == 1 and execution.get("customData") == {}


def test_empty_value_in_1_1() -> None:
    _, execution = run([{"key": "a", "value": None}], version=1.1)
    assert execution["customData"] == {"a": ""}
    with pytest.raises(NodeExecutionError, match="must be a string"):
        run([{"key": "a", "value": None}], version=1)


def test_continue_on_fail() -> None:
    out, _ = run([{"key": "bad key", "value": "x"}], onError="continueRegularOutput")
    message = 'Custom data key can only contain letters, numbers, and underscores (key "bad key")'
    assert jsons(out[0]) == [{"error": message}]
