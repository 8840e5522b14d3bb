"""n8n's normalizeItems and Code node result validation, with n8n's texts."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.sandbox import CodeValidationError
from n8nwork.sandbox.validation import (
    JS_TEXT,
    PYTHON_TEXT,
    normalize_items,
    validate_all_items,
    validate_each_item,
)


def error_of(fn: Any, *args: Any) -> CodeValidationError:
    with pytest.raises(CodeValidationError) as info:
        fn(*args)
    return info.value


def test_normalize_items_wraps_and_refuses_mixed_shapes() -> None:
    assert normalize_items([{"a": 1}]) == [{"json": {"a": 1}}]
    assert normalize_items({"a": 1}) == [{"json": {"a": 1}}]
    assert normalize_items({"json": {"a": 1}}) == [{"json": {"a": 1}}]
    # n8n tests ``executionData.json`` for truthiness: an empty string is wrapped again
    assert normalize_items({"json": ""}) == [{"json": {"json": ""}}]
    assert normalize_items([{"binary": {"b": {}}, "x": 1}]) == [
        {"json": {"x": 1}, "binary": {"b": {}}}
    ]
    assert error_of(normalize_items, [{"json": {}}, {"a": 1}]).message == (
        "Inconsistent item format"
    )
    assert error_of(normalize_items, [{"binary": {}}, {"a": 1}]).message == (
        "Inconsistent item format"
    )


def test_all_items_json_must_be_an_object() -> None:
    err = error_of(validate_all_items, {"json": "test"}, JS_TEXT)
    assert err.message == "A 'json' property isn't an object [item 0]"
    assert (
        err.description == "In the returned data, every key named 'json' must point to an object."
    )
    assert err.context == {"itemIndex": 0}


def test_all_items_must_be_objects() -> None:
    for bad in ("x", 5, None, [1], [{"a": 1}, "b"]):
        err = error_of(validate_all_items, bad, PYTHON_TEXT)
        assert err.message == "Code doesn't return items properly"
        assert err.description == (
            "Please return an array of dictionaries, one for each item you would like to output."
        )


def test_unknown_top_level_keys_next_to_item_keys() -> None:
    err = error_of(validate_all_items, [{"json": {}}, {"json": {}, "foo": 1}], JS_TEXT)
    assert err.message == "Invalid output format [item 1]"
    assert "reserved key <code>json</code>" in (err.description or "")
    err = error_of(validate_each_item, {"json": {}, "pairedItem": 0, "z": 1}, 3, JS_TEXT)
    assert err.message == "Invalid output format [item 3]"


def test_binary_must_be_an_object() -> None:
    err = error_of(validate_all_items, [{"json": {}, "binary": 5}], PYTHON_TEXT)
    assert err.message == "A 'binary' property isn't a dictionary [item 0]"


def test_each_item_texts() -> None:
    err = error_of(validate_each_item, "x", 2, JS_TEXT)
    assert err.message == "Code doesn't return an object [item 2]"
    assert err.description == (
        "Please return an object representing the output item. ('x' was returned instead.)"
    )
    err = error_of(validate_each_item, [{"a": 1}], 0, JS_TEXT)
    assert err.message == "Code doesn't return a single object [item 0]"
    assert err.description == (
        "An array of objects was returned. If you need to output multiple items, please use "
        "the 'Run Once for All Items' mode instead."
    )
    err = error_of(validate_each_item, [], 0, PYTHON_TEXT)
    assert (err.description or "").startswith("An empty array was returned.")


def test_valid_results_pass_through() -> None:
    assert validate_all_items([{"json": {"a": 1}, "pairedItem": {"item": 0}}]) == [
        {"json": {"a": 1}, "pairedItem": {"item": 0}}
    ]
    assert validate_each_item({"a": 1}, 0) == {"json": {"a": 1}}
    assert validate_each_item({"json": {"a": 1}, "binary": {}}, 0) == {
        "json": {"a": 1},
        "binary": {},
    }
