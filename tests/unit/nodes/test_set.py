"""Set / Edit Fields: v1/v2 typed values, v3-3.2 fields, v3.3+ assignments, raw JSON mode,
include modes, dot notation, type conversion and its errors, binary handling."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, jsons
from tests.unit.nodes._param_checks import problems

SET = "n8n-nodes-base.set"
PERSON = {"name": "John", "age": 32, "object": {"nested": True}}


def run(
    params: dict, data: list[dict] | None = None, version: float = 3.4, **kw: Any
) -> list[dict]:
    inputs = [[d if "json" in d else {"json": d} for d in (data if data is not None else [PERSON])]]
    out = execute_one(SET, params, inputs, version=version, **kw)
    assert isinstance(out, list)
    return out[0]


def assign(name: str, value: Any, type_: str = "string") -> dict:
    return {"id": name, "name": name, "value": value, "type": type_}


class TestV1V2:
    def test_defaults_and_dot_notation(self) -> None:
        params = {"values": {"number": [{}, {"name": "data[1]", "value": 1}]}}
        assert jsons(run(params, [{}], 1)) == [{"propertyName": 0, "data": [None, 1]}]

    def test_keep_only_set_and_types(self) -> None:
        params = {
            "keepOnlySet": True,
            "values": {
                "boolean": [{"name": "b", "value": "yes"}],
                "string": [{"name": "a.b", "value": "x"}],
            },
        }
        assert jsons(run(params, version=1)) == [{"b": True, "a": {"b": "x"}}]

    def test_dot_notation_off(self) -> None:
        params = {
            "keepOnlySet": True,
            "values": {"string": [{"name": "a.b", "value": "x"}]},
            "options": {"dotNotation": False},
        }
        assert jsons(run(params, version=2)) == [{"a.b": "x"}]

    def test_v2_turns_numeric_strings_into_numbers(self) -> None:
        params = {"keepOnlySet": True, "values": {"number": [{"name": "n", "value": "123456"}]}}
        assert jsons(run(params, version=1)) == [{"n": "123456"}]
        assert jsons(run(params, version=2)) == [{"n": 123456}]

    def test_no_input_gives_one_item(self) -> None:
        params = {"values": {"string": [{"name": "a", "value": "b"}]}}
        assert jsons(run(params, [], 1)) == [{"a": "b"}]


class TestManualV3:
    def test_fields_default_to_string(self) -> None:
        params = {"fields": {"values": [{"name": "test", "stringValue": "foo"}]}, "include": "none"}
        assert jsons(run(params, version=3)) == [{"test": "foo"}]

    def test_conversions(self) -> None:
        fields = [
            {"name": "s", "stringValue": 52472},
            {"name": "o", "stringValue": {"a": [1, 2]}},
            {"name": "n", "type": "numberValue", "numberValue": "3.14"},
            {"name": "b", "type": "booleanValue", "booleanValue": "TRUE"},
            {"name": "a", "type": "arrayValue", "arrayValue": '["x", "y"]'},
            {"name": "j", "type": "objectValue", "objectValue": '{"a": 1}'},
        ]
        out = jsons(run({"fields": {"values": fields}, "include": "none"}, version=3.1))
        assert out == [
            {"s": "52472", "o": '{"a":[1,2]}', "n": 3.14, "b": True, "a": ["x", "y"], "j": {"a": 1}}
        ]

    def test_conversion_error_names_field_and_item(self) -> None:
        params = {
            "fields": {"values": [{"name": "n", "type": "numberValue", "numberValue": "hello"}]}
        }
        with pytest.raises(NodeExecutionError) as exc:
            run(params, [PERSON, PERSON], version=3.1)
        assert exc.value.message == "'n' expects a number but we got 'hello' [item 0]"
        assert exc.value.item_index == 0
        assert "Ignore Type Conversion Errors" in (exc.value.description or "")

    def test_ignore_conversion_errors_keeps_value(self) -> None:
        params = {
            "fields": {"values": [{"name": "n", "type": "numberValue", "numberValue": "hello"}]},
            "include": "none",
            "options": {"ignoreConversionErrors": True},
        }
        assert jsons(run(params, version=3)) == [{"n": "hello"}]

    def test_null_values_from_3_2(self) -> None:
        params = {
            "fields": {"values": [{"name": "n", "type": "numberValue", "numberValue": None}]},
            "include": "none",
        }
        assert jsons(run(params, version=3.2)) == [{"n": None}]
        with pytest.raises(NodeExecutionError, match="'n' expects a string but we got 'null'"):
            run({"fields": {"values": [{"name": "n", "stringValue": None}]}}, version=3.1)

    def test_include_modes(self) -> None:
        base = {"fields": {"values": [{"name": "test", "stringValue": "foo"}]}}
        assert jsons(run(base, version=3)) == [{**PERSON, "test": "foo"}]
        selected = {**base, "include": "selected", "includeFields": "name, object.nested"}
        assert jsons(run(selected, version=3)) == [{"name": "John", "nested": True, "test": "foo"}]
        excepted = {**base, "include": "except", "excludeFields": "age,name"}
        assert jsons(run(excepted, version=3)) == [{"object": {"nested": True}, "test": "foo"}]

    def test_continue_on_fail_gives_error_item(self) -> None:
        params = {"fields": {"values": [{"name": "n", "type": "numberValue", "numberValue": "x"}]}}
        out = run(params, version=3, node_fields={"onError": "continueRegularOutput"})
        assert jsons(out) == [{"error": "'n' expects a number but we got 'x' [item 0]"}]


class TestAssignments:
    def test_include_other_fields(self) -> None:
        params = {"assignments": {"assignments": [assign("test", "foo")]}}
        assert jsons(run(params)) == [{"test": "foo"}]
        assert jsons(run({**params, "includeOtherFields": True})) == [{**PERSON, "test": "foo"}]
        selected = {
            **params,
            "includeOtherFields": True,
            "include": "selected",
            "includeFields": "object, age",
        }
        assert jsons(run(selected)) == [{"object": {"nested": True}, "age": 32, "test": "foo"}]

    def test_typed_assignments(self) -> None:
        params = {
            "assignments": {
                "assignments": [
                    assign("n", "3", "number"),
                    assign("b", 0, "boolean"),
                    assign("o", "{a: 1}", "object"),
                ]
            }
        }
        assert jsons(run(params, version=3.3)) == [{"n": 3, "b": False, "o": {"a": 1}}]

    def test_does_not_mutate_input(self) -> None:
        data = [{"json": {"a": {"b": 1}}}]
        params = {
            "assignments": {"assignments": [assign("a.b", "2", "number")]},
            "includeOtherFields": True,
        }
        assert jsons(run(params, data)) == [{"a": {"b": 2}}]
        assert data[0]["json"] == {"a": {"b": 1}}

    def test_binary_kept_stripped_and_assigned(self) -> None:
        binary = {"data": {"data": "aGk=", "mimeType": "text/plain"}}
        data = [{"json": {"a": 1}, "binary": binary}]
        keep = {"assignments": {"assignments": []}, "includeOtherFields": True}
        assert run(keep, data, 3.4)[0]["binary"] == binary
        assert "binary" not in run({**keep, "options": {"stripBinary": True}}, data, 3.4)[0]
        assert "binary" not in run(keep, data, 3.3)[0]
        assert run({**keep, "options": {"includeBinary": True}}, data, 3.3)[0]["binary"] == binary
        copy = {"assignments": {"assignments": [assign("file", "data", "binary")]}}
        assert run(copy, data, 3.4)[0]["binary"] == {"file": binary["data"]}
        with pytest.raises(NodeExecutionError, match="binary file 'nope'"):
            run({"assignments": {"assignments": [assign("f", "nope", "binary")]}}, data, 3.4)

    def test_duplicate_item_in_manual_mode(self) -> None:
        params = {
            "assignments": {"assignments": [assign("x", "1")]},
            "duplicateItem": True,
            "duplicateCount": 2,
        }
        assert len(run(params)) == 3


class TestExpressionValues:
    """Assignments whose values hold expressions: one engine call for all items, the same
    items and errors whichever way the node builds them."""

    DATA: ClassVar[list[dict[str, Any]]] = [
        {"n": 1, "s": "12", "o": {"a": [1]}},
        {"n": 2, "s": "nope", "o": {"a": []}},
        {"s": "3"},
    ]

    def test_values_types_and_other_fields(self) -> None:
        params = {
            "assignments": {
                "assignments": [
                    assign("m", "={{ ($json.n || 0) * 2 }}", "number"),
                    assign("t", "=x{{ $json.s }}"),
                    assign("b", "={{ $json.n > 1 }}", "boolean"),
                    assign("k", "fixed"),
                ]
            },
            "includeOtherFields": True,
        }
        out = jsons(run(params, self.DATA))
        assert out[0] == {**self.DATA[0], "m": 2, "t": "x12", "b": False, "k": "fixed"}
        assert out[2] == {"s": "3", "m": 0, "t": "x3", "b": False, "k": "fixed"}

    def test_a_shared_expression_gives_each_field_its_own_value(self) -> None:
        params = {
            "assignments": {
                "assignments": [
                    assign("a", "={{ $json.o }}", "object"),
                    assign("b", "={{ $json.o }}", "object"),
                ]
            }
        }
        data = [{"json": d} for d in self.DATA[:1]]
        [item] = run(params, data)
        assert item["json"]["a"] == item["json"]["b"] == {"a": [1]}
        assert item["json"]["a"] is not item["json"]["b"]
        assert item["json"]["a"]["a"] is not data[0]["json"]["o"]["a"]

    def test_a_failed_expression_wins_over_a_conversion_error(self) -> None:
        params = {
            "assignments": {
                "assignments": [
                    assign("a", "={{ $json.s }}", "number"),
                    assign("b", "={{ $json.s.toNumber() }}", "number"),
                ]
            }
        }
        out = run(params, self.DATA, node_fields={"onError": "continueRegularOutput"})
        assert jsons(out) == [
            {"a": 12, "b": 12},
            {"error": "cannot convert to number"},
            {"a": 3, "b": 3},
        ]
        with pytest.raises(NodeExecutionError) as exc:
            run(params, self.DATA)
        assert exc.value.message == "cannot convert to number"
        assert exc.value.item_index == 1

    def test_names_and_types_may_hold_expressions_too(self) -> None:
        params = {
            "assignments": {
                "assignments": [
                    assign("={{ 'f' + $itemIndex }}", "={{ $json.s }}", "={{ 'number' }}")
                ]
            }
        }
        out = run(params, self.DATA, node_fields={"onError": "continueRegularOutput"})
        assert jsons(out) == [
            {"f0": 12},
            {"error": "'f1' expects a number but we got 'nope' [item 1]"},
            {"f2": 3},
        ]


class TestRawMode:
    def test_json_output(self) -> None:
        params = {"mode": "raw", "jsonOutput": '{"a": 1, "b": [true]}'}
        assert jsons(run(params, version=3.3)) == [{"a": 1, "b": [True]}]

    def test_json_is_repaired(self) -> None:
        params = {"mode": "raw", "jsonOutput": "{a: 'x', b: 2,}"}
        assert jsons(run(params, version=3.2, **{})) == [{**PERSON, "a": "x", "b": 2}]

    def test_invalid_json(self) -> None:
        with pytest.raises(
            NodeExecutionError, match="The 'JSON Output' in item 0 contains invalid JSON"
        ):
            run({"mode": "raw", "jsonOutput": "{nope"}, version=3.3)
        with pytest.raises(NodeExecutionError, match="does not contain a valid JSON object"):
            run({"mode": "raw", "jsonOutput": "[1]"}, version=3.3)


def test_validation() -> None:
    assert problems(SET, {"mode": "sql"}, 3.4)
    assert any(
        "assignments.assignments[0].type" in p
        for p in problems(SET, {"assignments": {"assignments": [assign("a", 1, "date")]}}, 3.4)
    )
    assert any(
        "fields.values[0].type" in p
        for p in problems(SET, {"fields": {"values": [{"type": "x"}]}}, 3)
    )
    assert problems(SET, {"values": {"date": []}}, 1)
    assert problems(SET, {"keepOnlySet": "yes"}, 1)
