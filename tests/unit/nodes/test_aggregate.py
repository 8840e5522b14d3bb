"""Aggregate: individual fields (rename, merge lists, missing values), all item data, binaries."""

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

AGGREGATE = "n8n-nodes-base.aggregate"
ROWS = items(
    {"id": 1, "tags": ["a", None], "o": {"k": "x"}},
    {"id": 2, "tags": ["b"], "o": {"k": None}},
    {"id": None},
)


def aggregate(params: dict[str, Any], data: list[Any] = ROWS) -> dict[str, Any]:
    out = execute_one(AGGREGATE, params, [data], version=1)
    assert isinstance(out, list)
    assert len(out[0]) == 1
    return out[0][0]


def fields(*entries: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"fieldsToAggregate": {"fieldToAggregate": list(entries)}, **extra}


def test_individual_fields() -> None:
    out = aggregate(fields({"fieldToAggregate": "id"}))
    assert out == {
        "json": {"id": [1, 2]},
        "pairedItem": [{"item": 0}, {"item": 1}, {"item": 2}],
    }
    renamed = aggregate(
        fields({"fieldToAggregate": "id", "renameField": True, "outputFieldName": "ids"})
    )
    assert renamed["json"] == {"ids": [1, 2]}
    assert aggregate(fields({"fieldToAggregate": "o.k"}))["json"] == {"k": ["x"]}
    both = aggregate(fields({"fieldToAggregate": "id"}, {"fieldToAggregate": "tags"}))
    assert both["json"] == {"id": [1, 2], "tags": [["a"], ["b"]]}


def test_options() -> None:
    merged = aggregate(fields({"fieldToAggregate": "tags"}, options={"mergeLists": True}))
    assert merged["json"] == {"tags": ["a", "b"]}
    kept = aggregate(fields({"fieldToAggregate": "id"}, options={"keepMissing": True}))
    assert kept["json"] == {"id": [1, 2, None]}
    flat = items({"o.k": 1}, {"o.k": 2})
    off = aggregate(fields({"fieldToAggregate": "o.k"}, options={"disableDotNotation": True}), flat)
    assert off["json"] == {"o.k": [1, 2]}
    assert aggregate(fields({"fieldToAggregate": "nope"}))["json"] == {"nope": []}


def test_errors() -> None:
    with pytest.raises(NodeExecutionError) as err:
        aggregate({"fieldsToAggregate": {"fieldToAggregate": []}})
    assert err.value.message == "No fields specified"
    with pytest.raises(NodeExecutionError, match="'id' output field is used more than once"):
        aggregate(fields({"fieldToAggregate": "id"}, {"fieldToAggregate": "id"}))


def test_all_item_data() -> None:
    out = aggregate({"aggregate": "aggregateAllItemData"})
    assert out["json"] == {"data": [r["json"] for r in ROWS]}
    only = aggregate(
        {"aggregate": "aggregateAllItemData", "include": "specifiedFields", "fieldsToInclude": "o"}
    )
    assert only["json"] == {"data": [{"o": {"k": "x"}}, {"o": {"k": None}}]}
    assert only["pairedItem"] == [{"item": 0}, {"item": 1}]
    but = aggregate(
        {
            "aggregate": "aggregateAllItemData",
            "destinationFieldName": "rows",
            "include": "allFieldsExcept",
            "fieldsToExclude": ["tags", "o"],
        }
    )
    assert but["json"] == {"rows": [{"id": 1}, {"id": 2}, {"id": None}]}


def test_binaries() -> None:
    pdf = {"mimeType": "application/pdf", "fileSize": "1 kB", "data": "x"}
    rows = [
        {"json": {"id": 1}, "binary": {"file": pdf}},
        {"json": {"id": 2}, "binary": {"file": {**pdf, "data": "y"}}},
        {"json": {"id": 3}, "binary": {"file": {"mimeType": "text/plain", "data": "z"}}},
    ]
    params = fields({"fieldToAggregate": "id"}, options={"includeBinaries": True})
    assert list(aggregate(params, rows)["binary"]) == ["file", "file_1", "file_2"]
    unique = fields(
        {"fieldToAggregate": "id"}, options={"includeBinaries": True, "keepOnlyUnique": True}
    )
    assert list(aggregate(unique, rows)["binary"]) == ["file", "file_1"]
    assert "binary" not in aggregate(fields({"fieldToAggregate": "id"}), rows)


def test_empty_input() -> None:
    assert jsons([aggregate(fields({"fieldToAggregate": "id"}), [])]) == [{"id": []}]


def test_fixture(fixtures_dir: Path) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Transform/Aggregate/test/workflow.aggregate.json", runner)
    assert verdict.passed, verdict.detail
