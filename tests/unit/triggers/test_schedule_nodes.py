"""The Schedule Trigger and Cron nodes: registered, emit the scheduler's item when given one,
else the item for now (manual runs), and refuse invalid rules when a workflow is checked."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.sdk.registry import default_registry
from nodes.sdk.testing import execute_one


def test_registered_with_n8n_versions() -> None:
    registry = default_registry()
    for version in (1, 1.1, 1.2):
        impl = registry.get("n8n-nodes-base.scheduleTrigger", version)
        assert impl is not None and impl.is_trigger
    cron = registry.get("n8n-nodes-base.cron", 1)
    assert cron is not None and cron.is_trigger


def test_emits_the_fire_item_it_is_given() -> None:
    fire = [{"json": {"timestamp": "2024-01-01T00:00:00.000-05:00"}}]
    out: Any = execute_one("n8n-nodes-base.scheduleTrigger", {}, [fire], version=1.2)
    assert out[0][0]["json"] == fire[0]["json"]


@pytest.mark.parametrize("version", [1, 1.1, 1.2])
def test_manual_run_emits_now_in_the_workflow_timezone(version: float) -> None:
    out: Any = execute_one(
        "n8n-nodes-base.scheduleTrigger", {}, [], version=version, timezone="Europe/Berlin"
    )
    item = out[0][0]["json"]
    assert set(item) == {
        "timestamp",
        "Readable date",
        "Readable time",
        "Day of week",
        "Year",
        "Month",
        "Day of month",
        "Hour",
        "Minute",
        "Second",
        "Timezone",
    }
    assert item["Timezone"].startswith("Europe/Berlin (UTC+0")


def test_cron_node_emits_an_empty_item() -> None:
    out: Any = execute_one("n8n-nodes-base.cron", {}, [], version=1)
    assert out == [[{"json": {}}]]


def node(type_name: str, version: float, parameters: dict[str, Any]) -> Any:
    from n8nwork.workflow.model import Workflow

    raw = {
        "name": "S",
        "type": type_name,
        "typeVersion": version,
        "parameters": parameters,
        "position": [0, 0],
    }
    return Workflow.from_json({"name": "t", "nodes": [raw], "connections": {}}).node("S")


def test_validation_names_the_bad_rule() -> None:
    registry = default_registry()
    impl = registry.get("n8n-nodes-base.scheduleTrigger", 1.2)
    assert impl is not None
    bad = {"rule": {"interval": [{"field": "hours", "hoursInterval": 30}]}}
    problems = impl.validate(node("n8n-nodes-base.scheduleTrigger", 1.2, bad))
    assert problems == ["node 'S', rule 1 (hours): 'hoursInterval' must be 1-23, got 30"]
    good = {"rule": {"interval": [{"field": "cronExpression", "expression": "0 9 * * 1-5"}]}}
    assert impl.validate(node("n8n-nodes-base.scheduleTrigger", 1.2, good)) == []
    cron = registry.get("n8n-nodes-base.cron", 1)
    assert cron is not None
    assert cron.validate(node("n8n-nodes-base.cron", 1, {})) == []  # no rules: never fires
    bad_cron = {"triggerTimes": {"item": [{"mode": "custom", "cronExpression": "nope"}]}}
    assert (
        "invalid cron expression 'nope'"
        in cron.validate(node("n8n-nodes-base.cron", 1, bad_cron))[0]
    )
