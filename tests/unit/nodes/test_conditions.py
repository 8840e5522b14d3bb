"""The filter-parameter conditions (If v2, Filter v2, Switch v3) and the first-generation
comparisons (If v1, Filter v1, Switch v1/v2), plus the JS value, path and type helpers."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.builtin._conditions import FilterError, execute_filter, filter_problems
from nodes.builtin._conditions_v1 import CompareError, compare, convert_datetime, evaluate_groups
from nodes.builtin._field_types import validate_field_type
from nodes.builtin._fields import MISSING, get_path, set_path, string_to_path, unset_path
from nodes.builtin._jsvalues import number_to_string, stringify, to_number, to_string


def cond(left: Any, op: str, right: Any = "", type_: str = "string", **operator: Any) -> dict:
    return {
        "leftValue": left,
        "rightValue": right,
        "operator": {"type": type_, "operation": op, **operator},
    }


def filt(*conditions: dict, combinator: str = "and", **options: Any) -> dict:
    opts = {"caseSensitive": True, "typeValidation": "strict", **options}
    return {"conditions": list(conditions), "combinator": combinator, "options": opts}


class TestFilterTypes:
    def test_strict_number_refuses_string_with_n8n_message(self) -> None:
        with pytest.raises(FilterError) as exc:
            execute_filter(filt(cond("1", "equals", 1, "number")), item_index=3)
        assert exc.value.message == (
            "Wrong type: '1' is a string but was expecting a number [condition 0, item 3]"
        )
        assert "Converting the first field to a number" in exc.value.description

    def test_loose_number_converts_strings(self) -> None:
        assert execute_filter(filt(cond("1", "equals", "1", "number"), typeValidation="loose"))

    def test_loose_conversion_error_message(self) -> None:
        with pytest.raises(FilterError) as exc:
            execute_filter(filt(cond("abc", "gt", 1, "number"), typeValidation="loose"))
        assert exc.value.message == (
            "Conversion error: the string 'abc' can't be converted to a number "
            "[condition 0, item 0]"
        )

    def test_both_sides_wrong_of_same_type(self) -> None:
        with pytest.raises(FilterError) as exc:
            execute_filter(filt(cond("a", "equals", "b", "number")))
        assert exc.value.message == "Comparison type expects a number but both fields are a string"

    def test_right_side_is_reported_as_second(self) -> None:
        with pytest.raises(FilterError) as exc:
            execute_filter(filt(cond(1, "equals", "x", "number")))
        assert "[condition 0, item 0]" in exc.value.message
        assert "second field" in exc.value.description

    def test_missing_typevalidation_is_loose(self) -> None:
        value = {"conditions": [cond("5", "gt", "1", "number")], "combinator": "and", "options": {}}
        assert execute_filter(value)

    @pytest.mark.parametrize(
        ("value", "version", "expected"),
        [("false", 2, False), ("0", 2, False), (1, 2, True), ("false", 1, True), ("", 2, False)],
    )
    def test_loose_boolean_by_version(self, value: Any, version: int, expected: bool) -> None:
        value_ = filt(cond(value, "true", type_="boolean"), typeValidation="loose", version=version)
        assert execute_filter(value_) is expected

    def test_none_is_always_valid(self) -> None:
        assert not execute_filter(filt(cond(None, "gt", 1, "number")))
        assert execute_filter(filt(cond(None, "notExists", type_="number")))


class TestFilterOperations:
    @pytest.mark.parametrize(
        ("op", "right", "expected"),
        [
            ("equals", "Hello", True),
            ("notEquals", "Hello", False),
            ("contains", "ell", True),
            ("notContains", "x", True),
            ("startsWith", "He", True),
            ("endsWith", "lo", True),
            ("notStartsWith", "He", False),
            ("notEndsWith", "x", True),
            ("regex", "^H.*o$", True),
            ("regex", "/^h/i", True),
            ("notRegex", "^x", True),
            ("empty", "", False),
            ("notEmpty", "", True),
            ("exists", "", True),
        ],
    )
    def test_string(self, op: str, right: str, expected: bool) -> None:
        assert execute_filter(filt(cond("Hello", op, right))) is expected

    def test_case_insensitive(self) -> None:
        value = filt(cond("Victor", "startsWith", "v"), caseSensitive=False)
        assert execute_filter(value)
        assert not execute_filter(filt(cond("Victor", "startsWith", "v")))
        assert execute_filter(filt(cond("ABC", "regex", "^abc$"), caseSensitive=False))

    @pytest.mark.parametrize(
        ("op", "expected"),
        [
            ("gt", True),
            ("lt", False),
            ("gte", True),
            ("lte", False),
            ("equals", False),
            ("notEquals", True),
        ],
    )
    def test_number(self, op: str, expected: bool) -> None:
        assert execute_filter(filt(cond(5, op, 3, "number"))) is expected

    def test_datetime(self) -> None:
        left = "2020-10-05T14:48:00.000Z"
        assert execute_filter(filt(cond(left, "after", "2018-12-31T22:00:00", "dateTime")))
        assert not execute_filter(filt(cond(left, "before", "2018-12-31T22:00:00", "dateTime")))
        assert execute_filter(filt(cond(left, "equals", "2020-10-05T16:48:00+02:00", "dateTime")))

    def test_invalid_datetime_is_refused(self) -> None:
        with pytest.raises(FilterError, match="Wrong type: 'not a date'"):
            execute_filter(filt(cond("not a date", "after", "2020-01-01", "dateTime")))

    def test_array(self) -> None:
        assert execute_filter(
            filt(cond(["a", "B"], "contains", "b", "array", rightType="any"), caseSensitive=False)
        )
        assert not execute_filter(filt(cond(["a", "B"], "contains", "b", "array", rightType="any")))
        assert execute_filter(filt(cond([1, 2], "lengthEquals", 2, "array", rightType="number")))
        assert execute_filter(filt(cond([], "empty", type_="array")))
        assert execute_filter(filt(cond(None, "notContains", "x", "array", rightType="any")))

    def test_object(self) -> None:
        assert execute_filter(filt(cond({}, "empty", type_="object")))
        assert execute_filter(filt(cond({"a": 1}, "notEmpty", type_="object")))

    def test_boolean(self) -> None:
        assert execute_filter(filt(cond(True, "true", type_="boolean")))
        assert execute_filter(filt(cond(False, "false", type_="boolean")))
        assert execute_filter(filt(cond(True, "equals", True, "boolean")))

    def test_combinators(self) -> None:
        yes, no = cond("a", "equals", "a"), cond("a", "equals", "b")
        assert not execute_filter(filt(yes, no))
        assert execute_filter(filt(yes, no, combinator="or"))
        assert not execute_filter(filt(yes, combinator="xor"))

    def test_problems_name_the_parameter(self) -> None:
        bad = filt(cond("a", "bogus"), combinator="maybe")
        problems = filter_problems(bad, "conditions")
        assert any("conditions.combinator" in p for p in problems)
        assert any(
            "conditions.conditions[0].operator.operation" in p and "bogus" in p for p in problems
        )
        assert filter_problems({"conditions": [cond(1, "gt", type_="nope")]}, "c")


class TestLegacyComparisons:
    @pytest.mark.parametrize(
        ("op", "a", "b", "expected"),
        [
            ("equal", 1, 1, True),
            ("equal", "1", 1, False),
            ("notEqual", True, False, True),
            ("larger", 5, 3, True),
            ("smaller", None, 1, True),
            ("largerEqual", "2", 2, True),
            ("contains", "Elon Musk", "Elon", True),
            ("contains", None, "x", False),
            ("endsWith", "Elon Musk", "Musk", True),
            ("startsWith", "Elon", "E", True),
            ("regex", "Elon", "([E])", True),
            ("notRegex", "Sam", "^[A-Z]+$/", True),
            ("regex", "abc", "/B/i", True),
            ("isEmpty", "", None, True),
            ("isEmpty", {}, None, True),
            ("isNotEmpty", 0, None, True),
            ("isEmpty", float("nan"), None, True),
        ],
    )
    def test_compare(self, op: str, a: Any, b: Any, expected: bool) -> None:
        assert compare(op, a, b) is expected

    def test_string_method_on_non_string_fails_like_js(self) -> None:
        with pytest.raises(CompareError, match="Cannot read properties of null"):
            compare("endsWith", None, "x")
        with pytest.raises(CompareError, match="is not a function"):
            compare("startsWith", 5, "x")

    def test_convert_datetime(self) -> None:
        assert convert_datetime("2023-01-01T00:00:00.000-05:00") == 1672549200000
        assert convert_datetime(5) == 5
        assert convert_datetime("2023-01-01") == 1672531200000
        with pytest.raises(CompareError, match=r'The value "" is not a valid DateTime\.'):
            convert_datetime("")

    def test_groups_any_and_all(self) -> None:
        groups = {
            "boolean": [{"value1": True, "value2": True}],
            "number": [{"value1": 1, "operation": "larger", "value2": 5}],
        }
        assert not evaluate_groups(groups, combine_all=True)
        assert evaluate_groups(groups, combine_all=False)
        assert evaluate_groups({}, combine_all=True)
        assert not evaluate_groups({}, combine_all=False)


class TestHelpers:
    def test_paths(self) -> None:
        assert string_to_path("a.b[0].c") == ["a", "b", "0", "c"]
        assert string_to_path('a["x.y"]') == ["a", "x.y"]
        data: dict = {}
        set_path(data, "data[1]", 1)
        assert data == {"data": [None, 1]}
        assert get_path({"a.b": 1}, "a.b") == 1
        assert get_path({"a": {"b": None}}, "a.b") is None
        assert get_path({"a": 1}, "a.b.c") is MISSING
        nested = {"a": {"b": 1, "c": 2}}
        unset_path(nested, "a.b")
        assert nested == {"a": {"c": 2}}

    def test_js_values(self) -> None:
        assert number_to_string(1.0) == "1"
        assert number_to_string(1e21) == "1e+21"
        assert number_to_string(0.000001) == "0.000001"
        assert number_to_string(1e-7) == "1e-7"
        assert to_string([1, None, "a"]) == "1,,a"
        assert to_string({"a": 1}) == "[object Object]"
        assert stringify({"a": [1, 2.0, None], "b": "é"}) == '{"a":[1,2,null],"b":"é"}'
        assert to_number(" 12 ") == 12
        assert to_number("0x1A") == 26
        assert str(to_number("1_0")) == "nan"
        assert to_number("") == 0
        assert to_number(True) == 1

    @pytest.mark.parametrize(
        ("value", "type_", "valid", "converted"),
        [
            ("3", "number", True, 3),
            ("3,14", "number", False, None),
            (" ", "number", True, 0),
            ("TRUE", "boolean", True, True),
            ("0", "boolean", True, False),
            ("3", "boolean", False, None),
            ('["a"]', "array", True, ["a"]),
            ("['a']", "array", True, ["a"]),
            ("3", "array", False, None),
            ('{"a": 1}', "object", True, {"a": 1}),
            ("{a: 1}", "object", True, {"a": 1}),
            ("[1]", "object", False, None),
            ("12:30", "time", True, "12:30"),
        ],
    )
    def test_field_types(self, value: Any, type_: str, valid: bool, converted: Any) -> None:
        result = validate_field_type("f", value, type_)
        assert result.valid is valid
        if valid:
            assert result.value == converted
        else:
            assert result.error.startswith("'f' expects a")
