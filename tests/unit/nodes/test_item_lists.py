"""Item Lists: each operation under each typeVersion's rules, errors, fixtures."""

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

ITEM_LISTS = "n8n-nodes-base.itemLists"
DATA = items(
    {"id": 1, "char": "a", "tags": ["x", "y"], "o": {"k": 1}},
    {"id": 2, "char": "b", "tags": ["z"], "o": {"k": 2}},
    {"id": 3, "char": "a", "tags": [], "o": {"k": 1}},
)


def run(params: dict[str, Any], data: list[Any] = DATA, version: float = 3.1) -> list:
    out = execute_one(ITEM_LISTS, params, [data], version=version)
    assert isinstance(out, list)
    return out[0]


# ----------------------------------------------------------------------------- split out
def test_split_out_is_the_default_operation() -> None:
    out = run({"fieldToSplitOut": "tags"})
    assert jsons(out) == [{"tags": "x"}, {"tags": "y"}, {"tags": "z"}]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 0}, {"item": 1}]


def test_split_out_include_and_destination() -> None:
    everything = run({"fieldToSplitOut": "tags", "include": "allOtherFields"}, DATA[:1])
    assert jsons(everything)[0] == {"id": 1, "char": "a", "o": {"k": 1}, "tags": "x"}
    selected = run(
        {"fieldToSplitOut": "tags", "include": "selectedOtherFields", "fieldsToInclude": "id"},
        DATA[:1],
    )
    assert jsons(selected) == [{"tags": "x", "id": 1}, {"tags": "y", "id": 1}]
    old_style = run(
        {
            "fieldToSplitOut": "tags",
            "include": "selectedOtherFields",
            "fieldsToInclude": {"fields": [{"fieldName": "char"}]},
        },
        DATA[:1],
        version=2,
    )
    assert jsons(old_style)[0] == {"tags": "x", "char": "a"}
    renamed = run({"fieldToSplitOut": "tags", "options": {"destinationFieldName": "t"}}, DATA[:1])
    assert jsons(renamed) == [{"t": "x"}, {"t": "y"}]
    with pytest.raises(NodeExecutionError, match="No fields specified"):
        run({"fieldToSplitOut": "tags", "include": "selectedOtherFields"}, DATA[:1])


def test_split_out_objects_and_several_fields() -> None:
    rows = items({"list": [{"a": 1}, {"a": 2}], "more": [10, 20]})
    assert jsons(run({"fieldToSplitOut": "list"}, rows)) == [{"a": 1}, {"a": 2}]
    both = run({"fieldToSplitOut": "list, more"}, rows)
    assert jsons(both) == [{"list": {"a": 1}, "more": 10}, {"list": {"a": 2}, "more": 20}]
    values = run({"fieldToSplitOut": "o"}, DATA[:1], version=2)
    assert jsons(values) == [{"o": 1}]
    with pytest.raises(NodeExecutionError, match="same number of destination"):
        run({"fieldToSplitOut": "list, more", "options": {"destinationFieldName": "x"}}, rows)


def test_split_out_version_rules() -> None:
    with pytest.raises(NodeExecutionError) as err:
        run({"fieldToSplitOut": "nope"}, version=2)
    assert err.value.message == "Couldn't find the field 'nope' in the input data"
    assert err.value.item_index == 0
    assert run({"fieldToSplitOut": "nope"}, version=2.1) == []
    with pytest.raises(NodeExecutionError, match="is not an array or object"):
        run({"fieldToSplitOut": "id"}, version=2.1)
    assert jsons(run({"fieldToSplitOut": "id"}, DATA[:1], version=2.2)) == [{"id": 1}]
    with pytest.raises(NodeExecutionError, match="is not an array"):
        run({"fieldToSplitOut": "o"}, version=1)


def test_split_out_dot_notation() -> None:
    rows = items({"a": {"b": [1, 2]}, "a.b": [9]})
    assert jsons(run({"fieldToSplitOut": "a.b"}, rows)) == [{"a.b": 9}]
    nested = items({"a": {"b": [1, 2]}})
    assert jsons(run({"fieldToSplitOut": "a.b"}, nested)) == [{"a.b": 1}, {"a.b": 2}]
    plain = {"fieldToSplitOut": "a.b", "options": {"disableDotNotation": True}}
    assert run(plain, nested) == []
    with pytest.raises(NodeExecutionError) as err:
        run(plain, nested, version=1)
    assert "turn off 'disable dot notation'" in (err.value.description or "")


# ----------------------------------------------------------------------------- concatenate
@pytest.mark.parametrize(("version", "operation"), [(1, "aggregateItems"), (3, "concatenateItems")])
def test_concatenate_fields(version: float, operation: str) -> None:
    params = {
        "operation": operation,
        "fieldsToAggregate": {"fieldToAggregate": [{"fieldToAggregate": "id"}]},
    }
    out = run(params, version=version)
    assert out == [
        {"json": {"id": [1, 2, 3]}, "pairedItem": [{"item": 0}, {"item": 1}, {"item": 2}]}
    ]


def test_concatenate_options() -> None:
    rows = items({"t": [1, None]}, {"t": None}, {"o": {"k": "v"}})
    base = {"operation": "concatenateItems"}

    def fields(*entries: dict[str, Any]) -> dict[str, Any]:
        return {**base, "fieldsToAggregate": {"fieldToAggregate": list(entries)}}

    assert jsons(run(fields({"fieldToAggregate": "t"}), rows)) == [{"t": [[1]]}]
    merged = {**fields({"fieldToAggregate": "t"}), "options": {"mergeLists": True}}
    assert jsons(run(merged, rows)) == [{"t": [1]}]
    keep = {**fields({"fieldToAggregate": "t"}), "options": {"keepMissing": True}}
    assert jsons(run(keep, rows)) == [{"t": [[1, None], None, None]}]
    nested = fields({"fieldToAggregate": "o.k"})
    assert jsons(run(nested, rows)) == [{"k": ["v"]}]
    renamed = fields({"fieldToAggregate": "o.k", "renameField": True, "outputFieldName": "a.b"})
    assert jsons(run(renamed, rows)) == [{"a": {"b": ["v"]}}]
    with pytest.raises(NodeExecutionError, match="used more than once"):
        run(fields({"fieldToAggregate": "t"}, {"fieldToAggregate": "t"}), rows)


def test_concatenate_missing_field_by_version() -> None:
    params = {
        "operation": "aggregateItems",
        "fieldsToAggregate": {"fieldToAggregate": [{"fieldToAggregate": "nope"}]},
    }
    with pytest.raises(NodeExecutionError) as err:
        run(params, version=2)
    assert err.value.message == "Couldn't find the field 'nope' in the input data"
    assert jsons(run(params, version=2.1)) == [{"nope": []}]


def test_concatenate_all_item_data() -> None:
    params = {"operation": "concatenateItems", "aggregate": "aggregateAllItemData"}
    out = run(params, DATA[:2])
    assert out[0]["json"] == {"data": [DATA[0]["json"], DATA[1]["json"]]}
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 1}]
    some = run({**params, "include": "specifiedFields", "fieldsToInclude": "id"}, DATA[:2])
    assert jsons(some) == [{"data": [{"id": 1}, {"id": 2}]}]
    less = run(
        {
            **params,
            "destinationFieldName": "all",
            "include": "allFieldsExcept",
            "fieldsToExclude": "o, tags",
        },
        DATA[:1],
    )
    assert jsons(less) == [{"all": [{"id": 1, "char": "a"}]}]


# ----------------------------------------------------------------------------- limit / sort
def test_limit() -> None:
    assert jsons(run({"operation": "limit", "maxItems": 2}))[-1]["id"] == 2
    last = run({"operation": "limit", "maxItems": 1, "keep": "lastItems"})
    assert jsons(last) == [DATA[2]["json"]]
    assert last[0]["pairedItem"] == {"item": 2}
    assert len(run({"operation": "limit", "maxItems": 10})) == 3


def test_sort() -> None:
    params = {
        "operation": "sort",
        "sortFieldsUi": {
            "sortField": [{"fieldName": "char"}, {"fieldName": "id", "order": "descending"}]
        },
    }
    assert [i["id"] for i in jsons(run(params))] == [3, 1, 2]
    with pytest.raises(NodeExecutionError, match="Couldn't find the field 'x'"):
        run({"operation": "sort", "sortFieldsUi": {"sortField": [{"fieldName": "x"}]}})
    assert len(run({"operation": "sort", "type": "random"})) == 3


# ----------------------------------------------------------------------------- remove duplicates
def test_remove_duplicates_versions() -> None:
    rows = items({"v": "1", "m": 1}, {"v": 1, "m": 1}, {"v": "1", "m": 1})
    assert len(run({"operation": "removeDuplicates"}, rows, version=3.1)) == 2
    with pytest.raises(NodeExecutionError) as err:
        run({"operation": "removeDuplicates"}, rows, version=3)
    assert err.value.message == "'v' isn't always the same type"
    old = {
        "operation": "removeDuplicates",
        "compare": "selectedFields",
        "fieldsToCompare": {"fields": [{"fieldName": "m"}]},
        "options": {"removeOtherFields": True},
    }
    assert run(old, rows, version=2) == [{"json": {"m": 1}, "pairedItem": {"item": 0}}]


# ----------------------------------------------------------------------------- summarize
def test_summarize_versions() -> None:
    params = {
        "operation": "summarize",
        "fieldsToSummarize": {
            "values": [{"aggregation": "max", "field": "char"}, {"field": "o.k"}]
        },
    }
    assert jsons(run(params, version=3)) == [{"max_char": "b", "count_o_k": 3}]
    assert jsons(run(params, version=2.1)) == [{"max_char": None, "count_o_k": 3}]
    assert jsons(run(params, version=1)) == [{"max_char": None, "count_o.k": 3}]
    missing = {"operation": "summarize", "fieldsToSummarize": {"values": [{"field": "nope"}]}}
    with pytest.raises(NodeExecutionError, match="The field 'nope' does not exist in any items"):
        run(missing, version=2)
    assert jsons(run(missing, version=2.1)) == [{"count_nope": 0}]


def test_summarize_split_orders_keys_like_js_objects() -> None:
    rows = items({"g": "b", "n": 1}, {"g": 10, "n": 2}, {"g": 2, "n": 3}, {"g": "a", "n": 4})
    params = {
        "operation": "summarize",
        "fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "n"}]},
        "fieldsToSplitBy": "g",
    }
    out = run(params, rows)
    assert jsons(out) == [
        {"g": "2", "sum_n": 3},
        {"g": "10", "sum_n": 2},
        {"g": "b", "sum_n": 1},
        {"g": "a", "sum_n": 4},
    ]
    assert out[0]["pairedItem"] == [{"item": 2}]


def test_unknown_operation() -> None:
    with pytest.raises(NodeExecutionError, match="Operation 'nope' is not recognized"):
        run({"operation": "nope"})


# ----------------------------------------------------------------------------- fixtures
@pytest.mark.parametrize(
    "name",
    [
        "workflow.aggregateItems.json",
        "workflow.concatenate_pairedItems.json",
        "workflow.removeDuplicates.json",
        "workflow.removeDuplicates_3_1.json",
        "workflow.splitOutItems.json",
        "workflow.splitOutItems.split_object.json",
        "workflow.update_2_1.json",
        "workflow.update_2_2.json",
    ],
)
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "ItemLists/test/node" / name, runner)
    assert verdict.passed, verdict.detail
