"""Merge node: every typeVersion's modes and options, lineage of merged items, errors, fixtures."""

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
from tests.unit.nodes._param_checks import node_of

MERGE = "n8n-nodes-base.merge"
A = items({"id": 1, "a": "x"}, {"id": 2, "a": "y"}, {"id": 3, "a": "z"})
B = items({"id": 2, "b": "Y"}, {"id": 3, "b": "Z"}, {"id": 4, "b": "W"})


def merge(params: dict[str, Any], inputs: list[list[dict[str, Any]]], version: float = 2.1) -> list:
    out = execute_one(MERGE, params, inputs, version=version)
    assert isinstance(out, list)
    return out[0]


# ----------------------------------------------------------------------------- v2 / v3 basics
@pytest.mark.parametrize("version", [2, 2.1, 3, 3.1, 3.2])
def test_append_keeps_order_and_tags_lineage(version: float) -> None:
    out = merge({"mode": "append"}, [A, B], version)
    assert jsons(out) == [i["json"] for i in A + B]
    assert out[0]["pairedItem"] == {"item": 0}
    assert out[3]["pairedItem"] == {"item": 0, "input": 1}


def test_default_mode_is_append() -> None:
    assert len(merge({}, [A, B])) == 6


def test_v3_number_of_inputs() -> None:
    impl = default_registry().get(MERGE, 3)
    assert impl is not None
    assert impl.input_count(node_of(MERGE, {"numberInputs": 4}, 3)) == 4
    assert impl.input_count(node_of(MERGE, {}, 3)) == 2
    assert impl.input_count(node_of(MERGE, {"numberInputs": 4}, 2)) == 2
    c = items({"c": 1})
    out = merge({"mode": "append", "numberInputs": 3}, [A, B, c], 3)
    assert jsons(out)[-1] == {"c": 1}
    assert out[-1]["pairedItem"] == {"item": 0, "input": 2}


# ----------------------------------------------------------------------------- choose branch
def test_choose_branch_v2() -> None:
    assert jsons(merge({"mode": "chooseBranch"}, [A, B])) == jsons(A)
    out = merge({"mode": "chooseBranch", "output": "input2"}, [A, B])
    assert jsons(out) == jsons(B)
    assert out[1]["pairedItem"] == {"item": 1, "input": 1}
    empty = merge({"mode": "chooseBranch", "output": "empty"}, [A[:1], B[:2]])
    assert empty == [
        {"json": {}, "pairedItem": [{"item": 0}, {"item": 0, "input": 1}, {"item": 1, "input": 1}]}
    ]


def test_choose_branch_v3() -> None:
    params = {"mode": "chooseBranch", "useDataOfInput": 2}
    assert jsons(merge(params, [A, B], 3)) == jsons(B)
    with pytest.raises(NodeExecutionError) as err:
        merge({**params, "useDataOfInput": 4}, [A, B], 3)
    assert err.value.message == "Input 4 doesn't exist"
    assert err.value.description == (
        "The node has only 2 inputs, so selecting input 4 is not possible."
    )
    assert merge({"mode": "chooseBranch", "output": "empty"}, [A, B], 3)[0]["json"] == {}


def test_v3_sql_mode_is_refused() -> None:
    with pytest.raises(NodeExecutionError, match="SQL Query"):
        merge({"mode": "combineBySql", "query": "SELECT * FROM input1"}, [A, B], 3)


# ----------------------------------------------------------------------------- by position
def test_merge_by_position_v2() -> None:
    params = {"mode": "combine", "combinationMode": "mergeByPosition"}
    out = merge(params, [A, B[:2]])
    assert jsons(out) == [{"id": 2, "a": "x", "b": "Y"}, {"id": 3, "a": "y", "b": "Z"}]
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 0, "input": 1}]
    unpaired = merge({**params, "options": {"includeUnpaired": True}}, [A, B[:2]])
    assert jsons(unpaired)[2] == {"id": 3, "a": "z"}
    assert unpaired[2]["pairedItem"] == {"item": 2}
    assert jsons(merge(params, [A, []])) == jsons(A)


def test_merge_by_position_clash_handling() -> None:
    base = {"mode": "combine", "combinationMode": "mergeByPosition"}
    first = {"options": {"clashHandling": {"values": {"resolveClash": "preferInput1"}}}}
    assert jsons(merge({**base, **first}, [A[:1], B[:1]])) == [{"id": 1, "a": "x", "b": "Y"}]
    suffix = {"options": {"clashHandling": {"values": {"resolveClash": "addSuffix"}}}}
    assert jsons(merge({**base, **suffix}, [A[:1], B[:1]])) == [
        {"id_1": 1, "a_1": "x", "id_2": 2, "b_2": "Y"}
    ]


def test_deep_shallow_and_minimise_empty() -> None:
    one = items({"o": {"x": 1, "y": 2}, "e": "kept"})
    two = items({"o": {"y": 3}, "e": ""})
    base = {"mode": "combine", "combinationMode": "mergeByPosition"}

    def clash(**values: Any) -> dict[str, Any]:
        return {**base, "options": {"clashHandling": {"values": values}}}

    deep = merge(clash(resolveClash="preferInput2", mergeMode="deepMerge"), [one, two])
    assert jsons(deep) == [{"o": {"x": 1, "y": 3}, "e": ""}]
    shallow = merge(clash(resolveClash="preferInput2", mergeMode="shallowMerge"), [one, two])
    assert jsons(shallow) == [{"o": {"y": 3}, "e": ""}]
    minimal = clash(resolveClash="preferInput2", mergeMode="deepMerge", overrideEmpty=True)
    assert jsons(merge(minimal, [one, two])) == [{"o": {"x": 1, "y": 3}, "e": "kept"}]
    assert one[0]["json"] == {"o": {"x": 1, "y": 2}, "e": "kept"}  # inputs untouched


def test_v3_by_position_many_inputs() -> None:
    c = items({"id": 9, "c": True})
    params = {"mode": "combine", "combineBy": "combineByPosition", "numberInputs": 3}
    out = merge(params, [A[:1], B[:1], c], 3)
    assert jsons(out) == [{"id": 9, "a": "x", "b": "Y", "c": True}]
    assert out[0]["pairedItem"] == [
        {"item": 0},
        {"item": 0, "input": 1},
        {"item": 0, "input": 2},
        {"item": 0, "input": 2},
    ]
    first = {**params, "options": {"clashHandling": {"values": {"resolveClash": "preferInput1"}}}}
    assert jsons(merge(first, [A[:1], B[:1], c], 3))[0]["id"] == 1
    assert merge(params, [A, [], c], 3) == []


# ----------------------------------------------------------------------------- multiplex
@pytest.mark.parametrize(
    ("version", "params"),
    [
        (2, {"mode": "combine", "combinationMode": "multiplex"}),
        (3, {"mode": "combine", "combineBy": "combineAll"}),
    ],
)
def test_all_combinations(version: float, params: dict[str, Any]) -> None:
    out = merge(params, [A[:2], B[:2]], version)
    assert len(out) == 4
    assert out[1]["json"] == {"id": 3, "a": "x", "b": "Z"}
    assert out[1]["pairedItem"] == [{"item": 0}, {"item": 1, "input": 1}]
    first = {**params, "options": {"clashHandling": {"values": {"resolveClash": "preferInput1"}}}}
    assert merge(first, [A[:1], B[:1]], version)[0]["json"]["id"] == 1
    assert merge(params, [A, []], version) == []


# ----------------------------------------------------------------------------- by fields
def by_fields(version: float = 2.1, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "combine",
        "mergeByFields": {"values": [{"field1": "id", "field2": "id"}]},
        **extra,
    }
    if version >= 3:
        params = {"mode": "combine", "fieldsToMatchString": "id", **extra}
    return params


@pytest.mark.parametrize("version", [2, 2.1, 3])
def test_keep_matches(version: float) -> None:
    out = merge(by_fields(version), [A, B], version)
    assert jsons(out) == [{"id": 2, "a": "y", "b": "Y"}, {"id": 3, "a": "z", "b": "Z"}]
    assert out[0]["pairedItem"] == [{"item": 1}, {"item": 0, "input": 1}]
    only1 = merge(by_fields(version, outputDataFrom="input1"), [A, B], version)
    assert jsons(only1) == [{"id": 2, "a": "y"}, {"id": 3, "a": "z"}]
    only2 = merge(by_fields(version, outputDataFrom="input2"), [A, B], version)
    assert jsons(only2) == [{"id": 2, "b": "Y"}, {"id": 3, "b": "Z"}]
    assert only2[0]["pairedItem"] == {"item": 0, "input": 1}


def test_keep_non_matches_and_everything() -> None:
    out = merge(by_fields(joinMode="keepNonMatches"), [A, B])
    assert jsons(out) == [
        {"id": 1, "a": "x", "_source": "input1"},
        {"id": 4, "b": "W", "_source": "input2"},
    ]
    everything = merge(by_fields(joinMode="keepEverything"), [A, B])
    assert jsons(everything) == [
        {"id": 2, "a": "y", "b": "Y"},
        {"id": 3, "a": "z", "b": "Z"},
        {"id": 1, "a": "x"},
        {"id": 4, "b": "W"},
    ]


def test_enrich() -> None:
    left = merge(by_fields(joinMode="enrichInput1"), [A, B])
    assert jsons(left)[-1] == {"id": 1, "a": "x"}
    assert len(left) == 3
    right = merge(by_fields(joinMode="enrichInput2"), [items({"id": 2, "v": "A"}), B])
    assert jsons(right) == [{"id": 2, "v": "A", "b": "Y"}, {"id": 3, "b": "Z"}, {"id": 4, "b": "W"}]
    clash = merge(
        by_fields(joinMode="enrichInput2"),
        [items({"id": 2, "b": "from 1"}), B[:1]],
    )
    assert jsons(clash) == [{"id": 2, "b": "from 1"}]  # enriching input 2: input 1 wins


def test_matching_options() -> None:
    many = items({"id": 2, "b": "one"}, {"id": 2, "b": "two"})
    assert len(merge(by_fields(), [A, many])) == 2
    first = merge(by_fields(options={"multipleMatches": "first"}), [A, many])
    assert jsons(first) == [{"id": 2, "a": "y", "b": "one"}]
    text = items({"id": "2", "b": "Y"})
    assert merge(by_fields(), [A, text]) == []
    assert len(merge(by_fields(options={"fuzzyCompare": True}), [A, text])) == 1


def test_dot_notation() -> None:
    nested1 = items({"k": {"id": 1}, "x": 1})
    nested2 = items({"k": {"id": 1}, "y": 2}, {"k.id": 1, "z": 3})
    params = by_fields(mergeByFields={"values": [{"field1": "k.id", "field2": "k.id"}]})
    assert jsons(merge(params, [nested1, nested2])) == [
        {"k": {"id": 1}, "x": 1, "y": 2},
        {"k": {"id": 1}, "k.id": 1, "x": 1, "z": 3},  # lodash: an existing literal key wins
    ]
    plain = {**params, "options": {"disableDotNotation": True}}
    assert merge(plain, [nested1, nested2]) == []
    flat = items({"k.id": 1, "x": 1})
    assert jsons(merge(plain, [flat, nested2])) == [{"k.id": 1, "x": 1, "z": 3}]


def test_fields_to_match_errors() -> None:
    with pytest.raises(NodeExecutionError) as err:
        merge({"mode": "combine"}, [A, B])
    assert err.value.message == (
        'You need to define at least one pair of fields in "Fields to Match" to match on'
    )
    half = {"mode": "combine", "mergeByFields": {"values": [{"field1": "id", "field2": ""}]}}
    with pytest.raises(NodeExecutionError, match="for pair 1"):
        merge(half, [A, B])
    with pytest.raises(NodeExecutionError) as missing:
        merge(by_fields(mergeByFields={"values": [{"field1": "no", "field2": "id"}]}), [A, B], 2)
    assert missing.value.message == "Field 'no' is not present in any of items in 'Input 1'"
    assert missing.value.node == "Node"
    unknown = by_fields(mergeByFields={"values": [{"field1": "no", "field2": "id"}]})
    assert merge(unknown, [A, B], 2.1) == []


def test_empty_inputs_by_fields() -> None:
    assert merge(by_fields(), [A, []]) == []
    assert jsons(merge(by_fields(joinMode="keepEverything"), [A, []])) == jsons(A)
    assert merge(by_fields(joinMode="enrichInput1"), [[], B]) == []
    assert merge(by_fields(joinMode="keepNonMatches", outputDataFrom="input1"), [[], B]) == []


def test_suffix_clash_on_fields() -> None:
    params = by_fields(options={"clashHandling": {"values": {"resolveClash": "addSuffix"}}})
    assert jsons(merge(params, [A[1:2], B[:1]])) == [{"id_1": 2, "a_1": "y", "id_2": 2, "b_2": "Y"}]


# ----------------------------------------------------------------------------- v1
def v1(params: dict[str, Any], inputs: list[list[dict[str, Any]]]) -> list:
    return merge(params, inputs, 1)


def test_v1_append_pass_through_and_wait() -> None:
    assert len(v1({}, [A, B])) == 6
    assert jsons(v1({"mode": "passThrough", "output": "input2"}, [A, B])) == jsons(B)
    assert v1({"mode": "wait"}, [A[:2], B]) == [
        {"json": {}, "pairedItem": [{"item": 0}, {"item": 1}]}
    ]


def test_v1_merge_by_index() -> None:
    binary1: list[dict[str, Any]] = [{"json": {"a": 1}, "binary": {"f": {"data": "1"}}}]
    binary2: list[dict[str, Any]] = [
        {"json": {"b": 2}, "binary": {"g": {"data": "2"}}},
        {"json": {"c": 3}},
    ]
    left = v1({"mode": "mergeByIndex"}, [binary1, binary2])
    assert left[0]["json"] == {"a": 1, "b": 2}
    assert set(left[0]["binary"]) == {"f", "g"}
    assert left[0]["pairedItem"] == [{"item": 0}, {"item": 0, "input": 1}]
    assert len(v1({"mode": "mergeByIndex", "join": "outer"}, [binary1, binary2])) == 2
    assert len(v1({"mode": "mergeByIndex", "join": "inner"}, [binary1, []])) == 0
    assert len(v1({"mode": "mergeByIndex", "join": "outer"}, [[], binary2])) == 2


def test_v1_key_modes() -> None:
    one = items({"k": 1, "v": "a", "blank": ""}, {"k": 2, "v": "b"}, {"v": "no key"})
    two = items({"key": "1", "v": "A", "blank": "filled", "new": True}, {"key": 0, "v": "zero"})
    params = {"propertyName1": "k", "propertyName2": "key"}
    merged = v1({"mode": "mergeByKey", **params}, [one, two])
    assert jsons(merged) == [
        {"k": 1, "v": "A", "blank": "filled", "new": True},
        {"k": 2, "v": "b"},
    ]
    blank = v1({"mode": "mergeByKey", "overwrite": "blank", **params}, [one, two])
    assert jsons(blank)[0] == {"k": 1, "v": "a", "blank": "filled", "new": True}
    missing = v1({"mode": "mergeByKey", "overwrite": "undefined", **params}, [one, two])
    assert jsons(missing)[0] == {"k": 1, "v": "a", "blank": "", "new": True}
    keep = v1({"mode": "keepKeyMatches", **params}, [one, two])
    assert jsons(keep) == [jsons(one)[0]]
    remove = v1({"mode": "removeKeyMatches", **params}, [one, two])
    assert jsons(remove) == jsons(one)[1:]


def test_v1_multiplex() -> None:
    out = v1({"mode": "multiplex"}, [A[:2], B[:2]])
    assert len(out) == 4
    assert out[3]["pairedItem"] == [{"item": 1}, {"item": 1, "input": 1}]


# ----------------------------------------------------------------------------- fixtures
PASSING = [
    "workflow.append.json",
    "workflow.chooseBranch.empty.paired.items.json",
    "workflow.combine.mergeByFields.json",
    "workflow.combine.mergeByPosition.json",
    "workflow.keep_non_matches.json",
    "workflow.mixed.forceInputNodeExecution.json",
    "workflow.update_2_1.json",
]


@pytest.mark.parametrize("name", PASSING)
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Merge/test/node" / name, runner)
    assert verdict.passed, verdict.detail


def test_deep_merge_merges_lists_by_index() -> None:
    base = {"mode": "combine", "combinationMode": "mergeByPosition"}
    one, two = items({"l": [1, 2, 3], "o": {"a": 1}}), items({"l": [4], "o": None})
    assert jsons(merge(base, [one, two])) == [{"l": [4, 2, 3], "o": None}]
    values = {"mergeMode": "shallowMerge", "resolveClash": "preferInput2"}
    shallow = {**base, "options": {"clashHandling": {"values": values}}}
    assert jsons(merge(shallow, [one, two])) == [{"l": [4], "o": None}]


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (3, "3", True),
        ("3", 3.0, True),
        (None, "", True),
        ([], None, True),
        (True, "TRUE", True),
        (False, 0, True),
        (True, "1", True),
        ({"a": 1}, '{"a":1}', True),
        (None, 0, False),
        (1, "1.0", False),
        ("a", "b", False),
    ],
)
def test_fuzzy_compare_rules(a: Any, b: Any, equal: bool) -> None:
    from nodes.builtin._merge_ops import fuzzy_compare

    assert fuzzy_compare(True)(a, b) is equal
    assert fuzzy_compare(True)(b, a) is equal
    assert fuzzy_compare(False)(a, b) is False


def test_fuzzy_compare_v2_treats_null_as_zero() -> None:
    from nodes.builtin._merge_ops import fuzzy_compare

    assert fuzzy_compare(True, 2)(None, 0) is True
    assert fuzzy_compare(True, 2)("0", None) is True
