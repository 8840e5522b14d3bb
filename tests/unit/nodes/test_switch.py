"""Switch node: v1 (4 outputs), v2 (one output per rule / outputsAmount), v3 (filter rules,
fallback output, all matching outputs, expression mode with numberOutputs)."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import execute_one, items, jsons
from tests.unit.nodes._param_checks import output_count, problems

SWITCH = "n8n-nodes-base.switch"


def run(params: dict, data: list[dict], version: float, **kw: Any) -> list:
    out = execute_one(SWITCH, params, [items(*data)], version=version, **kw)
    assert isinstance(out, list)
    return [jsons(o) for o in out]


def rule(left: Any, right: Any, op: str = "equals", type_: str = "string") -> dict:
    return {
        "conditions": {
            "options": {"caseSensitive": True, "typeValidation": "strict"},
            "conditions": [
                {
                    "leftValue": left,
                    "rightValue": right,
                    "operator": {"type": type_, "operation": op},
                }
            ],
            "combinator": "and",
        }
    }


def test_loop_capable() -> None:
    impl = default_registry().get(SWITCH, 3.2)
    assert impl is not None and impl.loop_capable


class TestOutputCount:
    def test_v1_has_four(self) -> None:
        assert output_count(SWITCH, {}, 1) == 4

    def test_v2(self) -> None:
        assert output_count(SWITCH, {"mode": "expression"}, 2) == 4
        assert output_count(SWITCH, {"mode": "expression", "outputsAmount": 2}, 2) == 2
        assert output_count(SWITCH, {"rules": {"rules": [{}, {}, {}]}}, 2) == 3

    def test_v3(self) -> None:
        assert output_count(SWITCH, {}, 3) == 1  # n8n's default: one rule
        assert output_count(SWITCH, {"mode": "expression", "numberOutputs": 3}, 3.2) == 3
        rules = {"values": [rule(1, 1), rule(2, 2)]}
        assert output_count(SWITCH, {"rules": rules}, 3.1) == 2
        assert (
            output_count(SWITCH, {"rules": rules, "options": {"fallbackOutput": "extra"}}, 3.2) == 3
        )


class TestV1V2:
    def test_v1_expression_mode(self) -> None:
        outs = run({"mode": "expression", "output": 2}, [{"a": 1}], 1)
        assert outs == [[], [], [{"a": 1}], []]

    def test_v1_output_out_of_range(self) -> None:
        with pytest.raises(
            NodeExecutionError, match=r"The ouput 4 is not allowed\. It has to be between 0 and 3!"
        ):
            run({"mode": "expression", "output": 4}, [{}], 1)

    def test_v1_rules_and_fallback(self) -> None:
        params = {
            "value1": 2,
            "rules": {
                "rules": [
                    {"operation": "equal", "value2": 1, "output": 1},
                    {"operation": "equal", "value2": 2, "output": 2},
                ]
            },
            "fallbackOutput": 3,
        }
        assert run(params, [{}], 1) == [[], [], [{}], []]
        assert run({**params, "value1": 9}, [{}], 1) == [[], [], [], [{}]]
        assert run({**params, "value1": 9, "fallbackOutput": -1}, [{}], 1) == [[], [], [], []]

    def test_v2_routes_by_rule_index(self) -> None:
        params = {
            "dataType": "string",
            "value1": "second",
            "rules": {"rules": [{"value2": "first"}, {"value2": "second"}]},
        }
        assert run(params, [{}], 2) == [[], [{}]]

    def test_v2_string_operations_and_dates(self) -> None:
        params = {
            "dataType": "dateTime",
            "value1": "2024-01-02",
            "rules": {
                "rules": [{"operation": "before", "value2": "2024-01-01"}, {"value2": "2023-01-01"}]
            },
        }
        assert run(params, [{}], 2) == [[], [{}]]

    def test_v1_continue_on_fail(self) -> None:
        outs = run(
            {"mode": "expression", "output": 9},
            [{}],
            1,
            node_fields={"onError": "continueRegularOutput"},
        )
        assert outs[0] == [{"error": "The ouput 9 is not allowed. It has to be between 0 and 3!"}]

    def test_validation(self) -> None:
        found = problems(
            SWITCH, {"dataType": "number", "rules": {"rules": [{"operation": "contains"}]}}, 1
        )
        assert any("rules.rules[0].operation" in p for p in found)
        assert problems(SWITCH, {"mode": "random"}, 2)


class TestV3:
    def test_first_matching_rule_wins(self) -> None:
        params = {"rules": {"values": [rule("a", "a"), rule("a", "a")]}}
        assert run(params, [{}], 3) == [[{}], []]

    def test_all_matching_outputs(self) -> None:
        params = {
            "rules": {"values": [rule("a", "a"), rule("a", "a")]},
            "options": {"allMatchingOutputs": True},
        }
        assert run(params, [{}], 3.2) == [[{}], [{}]]

    def test_fallback_extra_and_index(self) -> None:
        rules = {"values": [rule("a", "b"), rule("a", "c")]}
        assert run({"rules": rules, "options": {"fallbackOutput": "extra"}}, [{}], 3) == [
            [],
            [],
            [{}],
        ]
        assert run({"rules": rules, "options": {"fallbackOutput": 1}}, [{}], 3) == [[], [{}]]
        assert run({"rules": rules, "options": {"fallbackOutput": "none"}}, [{}], 3) == [[], []]

    def test_fallback_index_out_of_range(self) -> None:
        rules = {"values": [rule("a", "b")]}
        with pytest.raises(NodeExecutionError) as exc:
            run({"rules": rules, "options": {"fallbackOutput": 1}}, [{}], 3)
        assert exc.value.message == "The ouput 1 is not allowed. "
        assert (
            exc.value.description
            == "Output indexes are zero based, if you want to use the extra output use 0"
        )

    def test_expression_mode(self) -> None:
        params = {"mode": "expression", "numberOutputs": 3, "output": 1}
        assert run(params, [{"a": 1}], 3.2) == [[], [{"a": 1}], []]
        with pytest.raises(NodeExecutionError, match="The ouput 5 is not allowed"):
            run({**params, "output": 5}, [{}], 3.2)

    def test_type_errors_and_loose_validation(self) -> None:
        params = {"rules": {"values": [rule("3", 3, "equals", "number")]}}
        with pytest.raises(NodeExecutionError, match=r"\[condition 0, item 0\]"):
            run(params, [{}], 3.1)
        assert run({**params, "looseTypeValidation": True}, [{}], 3.1) == [[{}]]
        assert run({**params, "options": {"looseTypeValidation": True}}, [{}], 3) == [[{}]]

    def test_rule_validation(self) -> None:
        bad = {
            "values": [
                {
                    "conditions": {
                        "conditions": [{"operator": {"type": "string", "operation": "like"}}]
                    }
                }
            ]
        }
        assert any("rules.values[0].conditions" in p for p in problems(SWITCH, {"rules": bad}, 3))
        assert problems(
            SWITCH, {"rules": {"values": []}, "options": {"fallbackOutput": "somewhere"}}, 3
        )
