"""Split Out: fields, objects, several fields, include options, $binary, errors, fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from n8nwork.conformance import judge_file
from n8nwork.errors import NodeExecutionError
from n8nwork.run.driver import VirtualClock
from nodes.sdk.registry import default_registry
from nodes.sdk.runner import run_workflow
from nodes.sdk.testing import execute_one, items, jsons

SPLIT = "n8n-nodes-base.splitOut"
ROWS = items(
    {"name": "a", "list": [{"x": 1}, {"x": 2}], "nums": [1, 2], "obj": {"p": 1, "q": 2}},
    {"name": "b", "list": [], "nums": [3], "obj": {}},
)


def split(params: dict[str, Any], data: list[Any] = ROWS) -> list:
    out = execute_one(SPLIT, params, [data], version=1)
    assert isinstance(out, list)
    return out[0]


def test_split_list_of_objects_and_values() -> None:
    out = split({"fieldToSplitOut": "list"})
    assert jsons(out) == [{"x": 1}, {"x": 2}]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 0}]
    assert jsons(split({"fieldToSplitOut": "nums"})) == [{"nums": 1}, {"nums": 2}, {"nums": 3}]
    assert jsons(split({"fieldToSplitOut": "obj"})) == [{"obj": 1}, {"obj": 2}]
    assert jsons(split({"fieldToSplitOut": "name"})) == [{"name": "a"}, {"name": "b"}]
    assert split({"fieldToSplitOut": "missing"}) == []
    assert jsons(split({"fieldToSplitOut": "$json.nums"}))[0] == {"nums": 1}


def test_several_fields_side_by_side() -> None:
    out = split({"fieldToSplitOut": "list, nums"}, ROWS[:1])
    assert jsons(out) == [{"list": {"x": 1}, "nums": 1}, {"list": {"x": 2}, "nums": 2}]
    named = split(
        {"fieldToSplitOut": "list, nums", "options": {"destinationFieldName": "l, n"}}, ROWS[:1]
    )
    assert jsons(named)[1] == {"l": {"x": 2}, "n": 2}
    with pytest.raises(NodeExecutionError) as err:
        split({"fieldToSplitOut": "list, nums", "options": {"destinationFieldName": "l"}})
    assert err.value.message == (
        "If multiple fields to split out are given, the same number of destination fields "
        "must be given"
    )


def test_include_other_fields() -> None:
    every = split({"fieldToSplitOut": "nums", "include": "allOtherFields"}, ROWS[:1])
    assert jsons(every)[0] == {
        "name": "a",
        "list": [{"x": 1}, {"x": 2}],
        "obj": {"p": 1, "q": 2},
        "nums": 1,
    }
    some = split(
        {
            "fieldToSplitOut": "nums",
            "include": "selectedOtherFields",
            "fieldsToInclude": "name, obj.p",
        },
        ROWS[:1],
    )
    assert jsons(some)[0] == {"nums": 1, "name": "a", "obj.p": 1}
    with pytest.raises(NodeExecutionError) as err:
        split({"fieldToSplitOut": "nums", "include": "selectedOtherFields"})
    assert err.value.message == "No fields specified"
    assert err.value.description == "Please add a field to include"


def test_dot_notation() -> None:
    rows = items({"a": {"b": [1, 2]}})
    assert jsons(split({"fieldToSplitOut": "a.b"}, rows)) == [{"a.b": 1}, {"a.b": 2}]
    off = {"fieldToSplitOut": "a.b", "options": {"disableDotNotation": True}}
    assert split(off, rows) == []
    rest = split({"fieldToSplitOut": "a.b", "include": "allOtherFields"}, rows)
    assert jsons(rest)[0] == {"a": {}, "a.b": 1}
    assert rows[0]["json"] == {"a": {"b": [1, 2]}}  # the input is not changed


def test_binary() -> None:
    rows = [{"json": {"n": 1, "l": [1, 2]}, "binary": {"f": {"data": "A"}, "g": {"data": "B"}}}]
    out = split({"fieldToSplitOut": "$binary"}, rows)
    assert [i.get("binary") for i in out] == [{"f": {"data": "A"}}, {"g": {"data": "B"}}]
    kept = split({"fieldToSplitOut": "l", "options": {"includeBinary": True}}, rows)
    assert kept[0]["binary"] == rows[0]["binary"]
    assert "binary" not in split({"fieldToSplitOut": "l"}, rows)[0]


@pytest.mark.parametrize("name", ["workflow.splitOut.json", "workflow.splitOutObject.json"])
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Transform/SplitOut/test" / name, runner)
    assert verdict.passed, verdict.detail


def test_empty_input() -> None:
    assert split({"fieldToSplitOut": "nums"}, []) == []
