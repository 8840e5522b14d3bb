"""Filter node: keeps matching items (v1 typed conditions with AND/OR, v2+ filter conditions)."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons
from tests.unit.nodes._param_checks import output_count, problems

FILTER = "n8n-nodes-base.filter"
PEOPLE = [{"id": 1, "name": "Adam"}, {"id": 2, "name": "Victor"}, {"id": 3, "name": "Sam"}]


def run(params: dict, version: float = 2.2, **kw: Any) -> list:
    out = execute_one(FILTER, params, [items(*PEOPLE)], version=version, **kw)
    assert isinstance(out, list) and len(out) == 1
    return jsons(out[0])


def test_one_output() -> None:
    assert output_count(FILTER, {}, 2.2) == 1


def test_v1_and_or() -> None:
    number = {"number": [{"value1": 2, "operation": "largerEqual", "value2": 2}]}
    assert len(run({"conditions": number}, version=1)) == 3
    conditions = {
        "string": [{"value1": "x", "operation": "equal", "value2": "y"}],
        "boolean": [{"value1": True, "value2": True}],
    }
    assert run({"conditions": conditions}, version=1) == []
    assert len(run({"conditions": conditions, "combineConditions": "OR"}, version=1)) == 3


def test_v2_filters_on_item_values() -> None:
    # Literal per-item values stand in for expressions like {{ $json.id }}.
    cond = {"leftValue": 2, "rightValue": 1, "operator": {"type": "number", "operation": "gt"}}
    value = {"conditions": [cond], "combinator": "and", "options": {"typeValidation": "strict"}}
    assert len(run({"conditions": value})) == 3


def test_v2_type_error_and_continue_on_fail() -> None:
    cond = {"leftValue": "a", "rightValue": 1, "operator": {"type": "number", "operation": "gt"}}
    value = {"conditions": [cond], "combinator": "and", "options": {"typeValidation": "strict"}}
    with pytest.raises(NodeExecutionError, match=r"Wrong type: 'a' is a string"):
        run({"conditions": value})
    assert run({"conditions": value}, node_fields={"onError": "continueRegularOutput"}) == []


def test_v2_loose_parameter_from_2_1() -> None:
    cond = {"leftValue": "3", "rightValue": 1, "operator": {"type": "number", "operation": "gt"}}
    value = {"conditions": [cond], "combinator": "and", "options": {"typeValidation": "strict"}}
    assert len(run({"conditions": value, "looseTypeValidation": True}, version=2.1)) == 3


def test_validation() -> None:
    assert problems(FILTER, {"combineConditions": "XOR"}, 1)
    assert problems(FILTER, {"conditions": {"strings": []}}, 1)
    bad = {"conditions": [{"operator": {"type": "string", "operation": "like"}}]}
    assert any("like" in p for p in problems(FILTER, {"conditions": bad}, 2))
