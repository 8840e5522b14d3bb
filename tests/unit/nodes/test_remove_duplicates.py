"""Remove Duplicates: all fields, all but some, selected fields, options, versions, errors."""

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

DEDUPE = "n8n-nodes-base.removeDuplicates"
PEOPLE = items(
    {"id": 1, "name": "Ann", "age": 18, "tags": {"t": 1}},
    {"id": 1, "name": "Ann", "age": 18, "tags": {"t": 1}},
    {"id": 1, "name": "Ann", "age": 98, "tags": {"t": 2}},
    {"id": 3, "name": "Bob", "age": 34, "tags": {"t": 1}},
)


def dedupe(params: dict[str, Any], data: list[Any] = PEOPLE, version: float = 1.1) -> list:
    out = execute_one(DEDUPE, params, [data], version=version)
    assert isinstance(out, list)
    return out[0]


def test_all_fields_keeps_first_in_input_order() -> None:
    out = dedupe({})
    assert jsons(out) == [PEOPLE[0]["json"], PEOPLE[2]["json"], PEOPLE[3]["json"]]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 2}, {"item": 3}]


def test_selected_and_excepted_fields() -> None:
    assert len(dedupe({"compare": "selectedFields", "fieldsToCompare": "name"})) == 2
    assert len(dedupe({"compare": "selectedFields", "fieldsToCompare": "name, age"})) == 3
    assert len(dedupe({"compare": "allFieldsExcept", "fieldsToExclude": "age, tags.t"})) == 2
    assert len(dedupe({"compare": "selectedFields", "fieldsToCompare": "tags.t"})) == 2


def test_remove_other_fields() -> None:
    params = {
        "compare": "selectedFields",
        "fieldsToCompare": "name, tags.t",
        "options": {"removeOtherFields": True},
    }
    out = dedupe(params)
    assert jsons(out) == [
        {"name": "Ann", "tags": {"t": 1}},
        {"name": "Ann", "tags": {"t": 2}},
        {"name": "Bob", "tags": {"t": 1}},
    ]
    assert out[1]["pairedItem"] == {"item": 2}


def test_dot_notation_off() -> None:
    rows = items({"a.b": 1, "a": {"b": 2}}, {"a.b": 1, "a": {"b": 3}})
    plain = {"compare": "selectedFields", "fieldsToCompare": "a.b"}
    assert len(dedupe(plain, rows)) == 1  # the literal key "a.b" exists, lodash uses it
    off = {**plain, "options": {"disableDotNotation": True}}
    assert len(dedupe(off, rows)) == 1
    nested = items({"a": {"b": 1}}, {"a": {"b": 1}})
    with pytest.raises(NodeExecutionError) as err:
        dedupe(off, nested)
    assert err.value.message == "'a.b' field is missing from some input items"
    assert "dot notation" in (err.value.description or "")


def test_errors() -> None:
    with pytest.raises(NodeExecutionError) as err:
        dedupe({"compare": "selectedFields"})
    assert err.value.message == "No fields specified. Please add a field to compare on"
    with pytest.raises(NodeExecutionError, match="exclude from comparison"):
        dedupe({"compare": "allFieldsExcept"})
    with pytest.raises(NodeExecutionError, match="'nope' field is missing"):
        dedupe({"compare": "selectedFields", "fieldsToCompare": "nope"})
    mixed = items({"v": 1}, {"v": "1"})
    with pytest.raises(NodeExecutionError) as typed:
        dedupe({}, mixed, version=1.1)
    assert typed.value.message == "'v' isn't always the same type"
    assert typed.value.description == (
        "The type of this field varies between items, in item [0] it's a number "
        "and in item [1] it's a string "
    )
    with pytest.raises(NodeExecutionError) as plain:
        dedupe({}, mixed, version=1)
    assert plain.value.description == "The type of this field varies between items"


def test_null_values() -> None:
    rows = items({"v": None}, {"v": 1}, {"v": None})
    assert jsons(dedupe({}, rows, version=1.1)) == [{"v": None}, {"v": 1}]
    with pytest.raises(NodeExecutionError, match="isn't always the same type"):
        dedupe({}, rows, version=1)


def test_v2_operations() -> None:
    assert len(dedupe({"operation": "removeDuplicateInputItems"}, version=2)) == 3
    with pytest.raises(NodeExecutionError, match="not supported"):
        dedupe({"operation": "removeItemsSeenInPreviousExecutions"}, version=2)


def test_empty_input() -> None:
    assert dedupe({}, []) == []


def test_fixture(fixtures_dir: Path) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    path = fixtures_dir / "Transform/RemoveDuplicates/test/workflow.removeDuplicates.json"
    verdict = judge_file(path, runner)
    assert verdict.passed, verdict.detail
