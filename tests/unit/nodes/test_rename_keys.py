"""Rename Keys: dotted renames, skipped entries, regex renames with depth and case options."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons
from tests.unit.nodes._param_checks import problems

RENAME = "n8n-nodes-base.renameKeys"


def run(params: dict, *data: dict[str, Any]) -> list[dict]:
    out = execute_one(RENAME, params, [items(*data)])
    assert isinstance(out, list)
    return jsons(out[0])


def keys(*pairs: tuple[str, str]) -> dict:
    return {"keys": {"key": [{"currentKey": c, "newKey": n} for c, n in pairs]}}


def test_simple_and_dotted_rename() -> None:
    assert run(keys(("propertyName", "test")), {"propertyName": 0}) == [{"test": 0}]
    data = {"propertyName": {"newPropertyName": 21}}
    assert run(keys(("propertyName.newPropertyName", "test.dot")), data) == [
        {"propertyName": {}, "test": {"dot": 21}}
    ]


def test_incomplete_or_missing_keys_are_ignored() -> None:
    data = {"a": 1}
    assert run({"keys": {"key": [{"currentKey": "a"}]}}, data) == [data]
    assert run(keys(("missing", "b")), data) == [data]
    assert run(keys(("a", "a")), data) == [data]


def test_input_is_not_mutated_and_binary_kept() -> None:
    source = {"json": {"a": {"b": 1}}, "binary": {"f": {"data": "x", "mimeType": "text/plain"}}}
    out = execute_one(RENAME, keys(("a.b", "c")), [[source]])
    assert isinstance(out, list)
    assert out[0][0]["json"] == {"a": {}, "c": 1}
    assert out[0][0]["binary"] == source["binary"]
    assert source["json"] == {"a": {"b": 1}}


def regex(search: str, replace: str, **options: Any) -> dict:
    return {
        "additionalOptions": {
            "regexReplacement": {
                "replacements": [
                    {"searchRegex": search, "replaceRegex": replace, "options": options}
                ]
            }
        }
    }


def test_regex_rename() -> None:
    data = {"propertyName": {"newPropertyName": 0}, "regex": 0}
    assert run(regex("reg", "test"), data) == [
        {"propertyName": {"newPropertyName": 0}, "testex": 0}
    ]


def test_regex_captures_case_and_depth() -> None:
    data = {"Name": 1, "nested": {"name": 2, "deeper": {"name": 3}}, "list": [{"name": 4}]}
    out = run(regex("(n)ame", "$1ick", caseInsensitive=True, depth=1), data)[0]
    assert out["Nick"] == 1
    assert out["nested"] == {"nick": 2, "deeper": {"name": 3}}
    assert out["list"] == [{"name": 4}]
    unlimited = run(regex("name", "label"), data)[0]
    assert unlimited["nested"]["deeper"] == {"label": 3} and unlimited["list"] == [{"label": 4}]


def test_bad_regex_names_item() -> None:
    with pytest.raises(NodeExecutionError) as exc:
        run(regex("(", "x"), {"a": 1})
    assert exc.value.item_index == 0


def test_validation() -> None:
    assert problems(RENAME, {"keys": {"key": "a"}})
    assert problems(RENAME, {"keys": []})
