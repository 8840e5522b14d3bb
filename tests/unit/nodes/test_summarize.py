"""Summarize: every aggregation, splits, output formats, options, v1 vs v1.1, errors, fixtures."""

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

SUMMARIZE = "n8n-nodes-base.summarize"
SALES = items(
    {"region": "north", "rep": "ann", "amount": 10, "note": "a", "p": {"q": 1}},
    {"region": "south", "rep": "bob", "amount": 5, "note": ""},
    {"region": "north", "rep": "ann", "amount": 2.5, "note": None},
    {"region": 1, "rep": "cid", "amount": "7", "note": "b"},
)


def summarize(params: dict[str, Any], data: list[Any] = SALES, version: float = 1.1) -> list:
    out = execute_one(SUMMARIZE, params, [data], version=version)
    assert isinstance(out, list)
    return out[0]


def agg(*entries: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"fieldsToSummarize": {"values": list(entries)}, **extra}


def test_aggregations() -> None:
    out = summarize(
        agg(
            {"aggregation": "sum", "field": "amount"},
            {"aggregation": "average", "field": "amount"},
            {"aggregation": "min", "field": "amount"},
            {"aggregation": "max", "field": "amount"},
            {"aggregation": "count", "field": "note"},
            {"aggregation": "countUnique", "field": "rep"},
            {"aggregation": "append", "field": "rep"},
            {"aggregation": "concatenate", "field": "rep", "separateBy": ", "},
            {
                "aggregation": "concatenate",
                "field": "p",
                "separateBy": "other",
                "customSeparator": "|",
            },
        )
    )
    assert out == [
        {
            "json": {
                "sum_amount": 17.5,
                "average_amount": 17.5 / 3,
                "min_amount": 2.5,
                "max_amount": 10,  # JS comparison: "7" > 10 is false
                "count_note": 2,
                "unique_count_rep": 3,
                "appended_rep": ["ann", "bob", "ann", "cid"],
                "concatenated_rep": "ann, bob, ann, cid",
                "concatenated_p": '{"q":1}',
            },
            "pairedItem": [{"item": 0}, {"item": 1}, {"item": 2}, {"item": 3}],
        }
    ]


def test_include_empty() -> None:
    out = summarize(
        agg(
            {"aggregation": "count", "field": "note", "includeEmpty": True},
            {"aggregation": "countUnique", "field": "note", "includeEmpty": True},
            {"aggregation": "append", "field": "note", "includeEmpty": True},
        )
    )
    assert jsons(out) == [
        {"count_note": 4, "unique_count_note": 4, "appended_note": ["a", "", None, "b"]}
    ]


def test_split_by_keeps_value_types_in_v11() -> None:
    params = agg({"aggregation": "sum", "field": "amount"}, fieldsToSplitBy="region")
    out = summarize(params)
    assert jsons(out) == [
        {"region": "north", "sum_amount": 12.5},
        {"region": "south", "sum_amount": 5},
        {"region": 1, "sum_amount": 0},
    ]
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 2}]
    assert jsons(summarize(params, version=1))[2] == {"region": "1", "sum_amount": 0}


def test_split_by_two_fields_and_single_item() -> None:
    params = agg({"field": "rep"}, fieldsToSplitBy="region, rep")
    assert jsons(summarize(params))[0] == {"region": "north", "rep": "ann", "count_rep": 2}
    single = summarize({**params, "options": {"outputFormat": "singleItem"}})
    assert jsons(single) == [
        {
            "north": {"ann": {"count_rep": 2}},
            "south": {"bob": {"count_rep": 1}},
            "1": {"cid": {"count_rep": 1}},
        }
    ]


def test_skip_empty_split_fields() -> None:
    rows = items({"g": "x", "n": 1}, {"g": "", "n": 2}, {"n": 3}, {"g": 0, "n": 4})
    params = agg({"aggregation": "sum", "field": "n"}, fieldsToSplitBy="g")
    assert len(summarize(params, rows)) == 4
    skipped = summarize({**params, "options": {"skipEmptySplitFields": True}}, rows)
    assert jsons(skipped) == [{"g": "x", "sum_n": 1}, {"g": 0, "sum_n": 4}]


def test_dot_notation() -> None:
    params = agg({"aggregation": "append", "field": "p.q"})
    assert jsons(summarize(params)) == [{"appended_p_q": [1]}]
    flat = items({"p.q": 5})
    off = {**params, "options": {"disableDotNotation": True}}
    assert jsons(summarize(off, flat)) == [{"appended_p_q": [5]}]


def test_missing_fields() -> None:
    params = agg({"field": "nope"})
    with pytest.raises(NodeExecutionError) as err:
        summarize(params, version=1)
    assert err.value.message == "The field 'nope' does not exist in any items"
    assert jsons(
        summarize({**params, "options": {"continueIfFieldNotFound": True}}, version=1)
    ) == [{"count_nope": 0}]
    assert jsons(summarize(params, version=1.1)) == [{"count_nope": 0}]
    with pytest.raises(NodeExecutionError, match="at least one aggregation"):
        summarize(agg({"field": ""}))


@pytest.mark.parametrize(
    "name", ["workflow.summarize.json", "workflow.summarize_countWithEmpty.json"]
)
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Transform/Summarize/test" / name, runner)
    assert verdict.passed, verdict.detail


def test_empty_input() -> None:
    out = summarize(agg({"field": "x"}, {"aggregation": "sum", "field": "y"}), [])
    assert out == [{"json": {"count_x": 0, "sum_y": 0}, "pairedItem": []}]


def test_describe_json() -> None:
    for name in (
        "n8n-nodes-base.summarize",
        "n8n-nodes-base.merge",
        "n8n-nodes-base.compareDatasets",
        "n8n-nodes-base.itemLists",
        "n8n-nodes-base.splitInBatches",
    ):
        impl = default_registry().get(name, 1)
        assert impl is not None
        described = impl.describe_json()
        assert described["name"] == name
        assert described["properties"]
