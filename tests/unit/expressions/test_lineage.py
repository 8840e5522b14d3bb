"""Paired-item lineage: ``$('X').item`` through several nodes, merges, filters and its errors."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import ExpressionError
from n8nwork.expressions import ExpressionEngine
from n8nwork.run.data import Source
from n8nwork.run.lineage import (
    ItemRef,
    LineageError,
    ancestors,
    connection_output_index,
    resolve_paired_item,
)
from nodes.sdk.testing import StaticRun
from tests.unit.expressions.conftest import Chain, node_run, scope_for, stamp

START: list[dict[str, Any]] = [{"json": {"s": i}} for i in range(3)]


def chain_run():
    """Start -> Filter (keeps items 1 and 2) -> Split (two items per input) -> Node."""
    wf = Chain(["Start", "Filter", "Split", "Node"]).workflow()
    filtered = [
        {"json": {"f": 1}, "pairedItem": {"item": 1}},
        {"json": {"f": 2}, "pairedItem": {"item": 2}},
    ]
    split: list[dict[str, Any]] = [
        {"json": {"x": "1a"}, "pairedItem": {"item": 0}},
        {"json": {"x": "1b"}, "pairedItem": 0},
        {"json": {"x": "2a"}, "pairedItem": [{"item": 1}]},
    ]
    runs = {
        "Start": [node_run([START])],
        "Filter": [node_run([filtered], [Source("Start")])],
        "Split": [node_run([split], [Source("Filter")])],
    }
    return wf, runs, split


def test_walks_back_through_several_nodes(engine: ExpressionEngine) -> None:
    wf, runs, split = chain_run()
    scope = scope_for(wf, "Node", stamp(split), runs=runs)
    assert engine.evaluate_all("={{ $('Start').item.json.s }}", scope) == [1, 1, 2]
    assert engine.evaluate_all("={{ $('Filter').item.json.f }}", scope) == [1, 1, 2]
    assert engine.evaluate_all("={{ $('Split').item.json.x }}", scope) == ["1a", "1b", "2a"]
    assert engine.evaluate_all("={{ $('Start').itemMatching(2).json.s }}", scope) == [2, 2, 2]


def test_resolver_gives_item_references() -> None:
    wf, runs, split = chain_run()
    ref = resolve_paired_item(
        StaticRun(runs=runs),
        wf,
        current_node="Node",
        sources=[Source("Split")],
        input_items=stamp(split),
        item_index=2,
        target="Start",
    )
    assert ref == ItemRef("Start", 0, 0, 2)


def test_merge_inputs_resolve_through_the_right_input(engine: ExpressionEngine) -> None:
    wf = Chain(
        ["T", "A", "B", "M", "Node"],
        extra_connections=[("T", 0, "B", 0), ("A", 0, "M", 0), ("B", 0, "M", 1)],
    ).workflow()
    t_out: list[dict[str, Any]] = [{"json": {}}]
    a_out = [{"json": {"id": 1}, "pairedItem": {"item": 0}}]
    b_out = [{"json": {"id": 2}, "pairedItem": {"item": 0}}]
    # Merge's "empty" output pairs with both its inputs' items
    m_out = [{"json": {}, "pairedItem": [{"item": 0}, {"item": 0, "input": 1}]}]
    runs = {
        "T": [node_run([t_out])],
        "A": [node_run([a_out], [Source("T")])],
        "B": [node_run([b_out], [Source("T")])],
        "M": [node_run([m_out], [Source("A"), Source("B")])],
    }
    scope = scope_for(wf, "Node", stamp(m_out), runs=runs, source=[Source("M")])
    assert engine.evaluate("={{ $('A').item.json.id }}", scope, 0) == 1
    assert engine.evaluate("={{ $('B').item.json.id }}", scope, 0) == 2
    assert engine.evaluate("={{ $('T').item.json }}", scope, 0) == {}


def test_multiple_different_matches_fail() -> None:
    wf = Chain(["T", "Agg", "Node"]).workflow()
    t_out = [{"json": {"v": 1}}, {"json": {"v": 2}}]
    agg = [{"json": {"all": [1, 2]}, "pairedItem": [{"item": 0}, {"item": 1}]}]
    runs = {"T": [node_run([t_out])], "Agg": [node_run([agg], [Source("T")])]}
    with pytest.raises(LineageError, match="Multiple matches found"):
        resolve_paired_item(
            StaticRun(runs=runs),
            wf,
            current_node="Node",
            sources=[Source("Agg")],
            input_items=stamp(agg),
            item_index=0,
            target="T",
        )


def test_missing_paired_item_names_the_node(engine: ExpressionEngine) -> None:
    wf = Chain(["T", "Code", "Node"]).workflow()
    code_out = [{"json": {"a": 1}}, {"json": {"a": 2}}]  # the code did not pair its items
    runs = {"T": [node_run([[{"json": {}}]])], "Code": [node_run([code_out], [Source("T")])]}
    scope = scope_for(wf, "Node", stamp(code_out), runs=runs)
    with pytest.raises(ExpressionError) as info:
        engine.evaluate("={{ $('T').item.json }}", scope, 1, parameter="value")
    assert info.value.message == (
        "Paired item data for item from node 'Code' is unavailable. "
        "Ensure 'Code' is providing the required output."
    )
    assert info.value.item_index == 1 and info.value.parameter == "value"


def test_not_an_ancestor_and_not_executed(engine: ExpressionEngine) -> None:
    wf = Chain(["T", "A", "Node", "Side"]).workflow()  # Side comes after Node
    runs = {
        "T": [node_run([[{"json": {}}]])],
        "A": [node_run([[{"json": {}, "pairedItem": {"item": 0}}]], [Source("T")])],
    }
    scope = scope_for(wf, "Node", stamp([{"json": {}}]), runs=runs)
    with pytest.raises(ExpressionError, match="Invalid expression"):
        engine.evaluate("={{ $('Side').item }}", scope, 0)
    runs2 = {"A": runs["A"]}
    scope2 = scope_for(wf, "Node", stamp([{"json": {}}]), runs=runs2)
    with pytest.raises(ExpressionError, match="Node 'T' hasn't been executed"):
        engine.evaluate("={{ $('T').item }}", scope2, 0)


def test_out_of_range_references_fail() -> None:
    wf = Chain(["T", "A", "Node"]).workflow()
    a_out = [{"json": {}, "pairedItem": {"item": 5}}]
    runs = {"T": [node_run([[{"json": {}}]])], "A": [node_run([a_out], [Source("T")])]}
    with pytest.raises(LineageError, match="Can't get data for expression"):
        resolve_paired_item(
            StaticRun(runs=runs),
            wf,
            current_node="Node",
            sources=[Source("A")],
            input_items=stamp(a_out),
            item_index=0,
            target="T",
        )


def test_source_overwrite_and_run_index() -> None:
    wf = Chain(["T", "Loop", "Node"]).workflow()
    t_runs = [node_run([[{"json": {"r": 0}}]]), node_run([[{"json": {"r": 1}}]])]
    loop_out = [
        {
            "json": {},
            "pairedItem": {
                "item": 0,
                "sourceOverwrite": {
                    "previousNode": "T",
                    "previousNodeOutput": 0,
                    "previousNodeRun": 1,
                },
            },
        }
    ]
    runs = {"T": t_runs, "Loop": [node_run([loop_out], [Source("T")])]}
    ref = resolve_paired_item(
        StaticRun(runs=runs),
        wf,
        current_node="Node",
        sources=[Source("Loop")],
        input_items=stamp(loop_out),
        item_index=0,
        target="T",
    )
    assert ref == ItemRef("T", 0, 1, 0)


def test_graph_helpers() -> None:
    wf = Chain(["A", "B", "C"], extra_connections=[("A", 1, "C", 0)]).workflow()
    assert ancestors(wf, "C") == {"A", "B"}
    assert connection_output_index(wf, "C", "B") == 0
    assert connection_output_index(wf, "C", "A") in (0, 1)
    assert connection_output_index(wf, "A", "C") is None
