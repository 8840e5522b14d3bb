"""If node: v1 typed conditions with all/any, v2+ filter conditions, outputs true/false."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import execute_one, items, jsons
from tests.unit.nodes._param_checks import problems

IF = "n8n-nodes-base.if"


def v2_conditions(*conditions: dict[str, Any], combinator: str = "and", **options: Any) -> dict:
    return {
        "conditions": list(conditions),
        "combinator": combinator,
        "options": {"caseSensitive": True, "typeValidation": "strict", "version": 2, **options},
    }


def run(params: dict, data: list[dict], version: float = 2.2, **kw: Any) -> list:
    out = execute_one(IF, params, [items(*data)], version=version, **kw)
    assert isinstance(out, list)
    return out


def test_declares_two_outputs_and_loops() -> None:
    impl = default_registry().get(IF, 2.2)
    assert impl is not None and impl.outputs == 2 and impl.loop_capable


class TestV1:
    def test_boolean_any(self) -> None:
        params = {
            "conditions": {
                "boolean": [{"value1": True, "value2": True}, {"value1": False, "value2": True}]
            },
            "combineOperation": "any",
        }
        true, false = run(params, [{"a": 1}], version=1)
        assert jsons(true) == [{"a": 1}] and false == []

    def test_string_default_operation_is_equal(self) -> None:
        params = {"conditions": {"string": [{"value1": "Elon Musk", "value2": "Elon Musk"}]}}
        true, false = run(params, [{}], version=1)
        assert len(true) == 1 and not false

    def test_number_default_operation_is_smaller(self) -> None:
        params = {"conditions": {"number": [{"value1": 1, "value2": 10}]}}
        true, _ = run(params, [{}], version=1)
        assert len(true) == 1

    def test_datetime_after_and_invalid_date(self) -> None:
        params = {"conditions": {"dateTime": [{"value1": "2023-01-02", "value2": "2023-01-01"}]}}
        true, _ = run(params, [{}], version=1)
        assert len(true) == 1
        bad = {"conditions": {"dateTime": [{"value1": "nope", "value2": "2023-01-01"}]}}
        with pytest.raises(
            NodeExecutionError, match='The value "nope" is not a valid DateTime'
        ) as exc:
            run(bad, [{}], version=1)
        assert exc.value.item_index == 0 and exc.value.node == "Node"

    def test_items_are_paired_with_their_input(self) -> None:
        params = {"conditions": {"number": [{"value1": 1, "operation": "equal", "value2": 1}]}}
        true, _ = run(params, [{"a": 1}, {"a": 2}], version=1)
        assert [i["pairedItem"] for i in true] == [{"item": 0}, {"item": 1}]

    def test_unknown_operation_is_refused_at_validation(self) -> None:
        found = problems(IF, {"conditions": {"string": [{"operation": "bogus"}]}}, 1)
        assert any("conditions.string[0].operation" in p for p in found)
        assert problems(IF, {"combineOperation": "some"}, 1)


class TestV2:
    def test_routes_by_condition(self) -> None:
        cond = {"leftValue": 5, "rightValue": 3, "operator": {"type": "number", "operation": "gt"}}
        true, false = run({"conditions": v2_conditions(cond)}, [{}], version=2)
        assert len(true) == 1 and not false

    def test_strict_type_error_names_condition_and_item(self) -> None:
        cond = {
            "leftValue": "5",
            "rightValue": 3,
            "operator": {"type": "number", "operation": "gt"},
        }
        with pytest.raises(NodeExecutionError) as exc:
            run({"conditions": v2_conditions(cond)}, [{}, {}])
        assert exc.value.message == (
            "Wrong type: '5' is a string but was expecting a number [condition 0, item 0]"
        )
        assert exc.value.item_index == 0
        assert exc.value.description

    def test_loose_type_validation_parameter(self) -> None:
        cond = {
            "leftValue": "5",
            "rightValue": 3,
            "operator": {"type": "number", "operation": "gt"},
        }
        params = {"conditions": v2_conditions(cond), "looseTypeValidation": True}
        true, _ = run(params, [{}], version=2.1)
        assert len(true) == 1

    def test_loose_type_validation_option_in_v2(self) -> None:
        cond = {
            "leftValue": "5",
            "rightValue": 3,
            "operator": {"type": "number", "operation": "gt"},
        }
        params = {"conditions": v2_conditions(cond), "options": {"looseTypeValidation": True}}
        true, _ = run(params, [{}], version=2)
        assert len(true) == 1

    def test_ignore_case_option(self) -> None:
        cond = {
            "leftValue": "ABC",
            "rightValue": "abc",
            "operator": {"type": "string", "operation": "equals"},
        }
        params = {"conditions": v2_conditions(cond), "options": {"ignoreCase": True}}
        true, _ = run(params, [{}])
        assert len(true) == 1

    def test_continue_on_fail_sends_failing_items_to_false(self) -> None:
        cond = {
            "leftValue": "x",
            "rightValue": 3,
            "operator": {"type": "number", "operation": "gt"},
        }
        true, false = run(
            {"conditions": v2_conditions(cond)},
            [{"a": 1}],
            node_fields={"onError": "continueRegularOutput"},
        )
        assert true == [] and jsons(false) == [{"a": 1}]

    def test_unknown_operator_is_refused_at_validation(self) -> None:
        cond = {"leftValue": 1, "operator": {"type": "number", "operation": "between"}}
        found = problems(IF, {"conditions": v2_conditions(cond)}, 2.2)
        assert any("between" in p for p in found)
        assert any("must be of kind" in p for p in problems(IF, {"conditions": "nope"}, 2))
