"""Compare Datasets: the four outputs, each way of resolving differences, options, versions."""

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

COMPARE = "n8n-nodes-base.compareDatasets"
MATCH_ID = {"mergeByFields": {"values": [{"field1": "id", "field2": "id"}]}}
A = items({"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 3, "n": "c"})
B = items({"id": 2, "n": "b"}, {"id": 3, "n": "C"}, {"id": 4, "n": "d"})


def compare(
    params: dict[str, Any], a: list[Any] = A, b: list[Any] = B, version: float = 2.3
) -> list[list[dict[str, Any]]]:
    out = execute_one(COMPARE, {**MATCH_ID, **params}, [a, b], version=version)
    assert isinstance(out, list)
    assert len(out) == 4
    return out


def test_four_outputs_and_lineage() -> None:
    only_a, same, different, only_b = compare({})
    assert jsons(only_a) == [{"id": 1, "n": "a"}]
    assert jsons(same) == [{"id": 2, "n": "b"}]
    assert jsons(only_b) == [{"id": 4, "n": "d"}]
    assert only_b[0]["pairedItem"] == {"item": 2, "input": 1}
    assert different[0]["json"] == {
        "keys": {"id": 3},
        "same": {"id": 3},
        "different": {"n": {"inputA": "c", "inputB": "C"}},
    }
    assert different[0]["pairedItem"] == [{"item": 2}, {"item": 1, "input": 1}]


def test_resolve_defaults_by_version() -> None:
    assert compare({}, version=2)[2][0]["json"] == {"id": 3, "n": "C"}  # prefer B
    v1 = compare({"resolve": "includeBoth"}, version=1)[2][0]["json"]
    assert v1["different"] == {"n": {"input1": "c", "input2": "C"}}


def test_prefer_and_mix() -> None:
    assert jsons(compare({"resolve": "preferInput1"})[2]) == [{"id": 3, "n": "c"}]
    assert jsons(compare({"resolve": "preferInput2"})[2]) == [{"id": 3, "n": "C"}]
    a = items({"id": 1, "x": "a1", "y": "a2"})
    b = items({"id": 1, "x": "b1", "y": "b2"})
    mix = compare({"resolve": "mix", "exceptWhenMix": "y"}, a, b)[2]
    assert jsons(mix) == [{"id": 1, "x": "a1", "y": "b2"}]
    mix_b = compare({"resolve": "mix", "preferWhenMix": "input2", "exceptWhenMix": "x"}, a, b)[2]
    assert jsons(mix_b) == [{"id": 1, "x": "a1", "y": "b2"}]
    assert a[0]["json"] == {"id": 1, "x": "a1", "y": "a2"}  # input not changed


def test_skip_fields() -> None:
    a = items({"id": 1, "n": "same", "at": 1, "o": {"k": 1, "t": 5}})
    b = items({"id": 1, "n": "same", "at": 2, "o": {"k": 1, "t": 6}})
    assert compare({"options": {"skipFields": "at, o"}}, a, b)[1] != []
    both = compare({"options": {"skipFields": "at"}}, a, b)[2][0]["json"]
    assert both["skipped"] == {"at": {"inputA": 1, "inputB": 2}}
    assert both["different"] == {"o": {"inputA": {"k": 1, "t": 5}, "inputB": {"k": 1, "t": 6}}}
    nested = compare({"options": {"skipFields": "at, o.t"}}, a, b)
    assert jsons(nested[1]) == jsons(a)
    with pytest.raises(NodeExecutionError) as err:
        compare({"options": {"skipFields": "o.t", "disableDotNotation": True}}, a, b)
    assert (
        err.value.message
        == "Dot notation is disabled, but field to skip comparing 'o.t' contains dot"
    )


def test_fuzzy_compare() -> None:
    a = items({"id": 1, "v": 3, "e": None})
    b = items({"id": "1", "v": "3", "e": ""})
    assert jsons(compare({}, a, b)[0]) == jsons(a)
    fuzzy = compare({"fuzzyCompare": True}, a, b)
    assert len(fuzzy[1]) == 1
    v1 = compare({"options": {"fuzzyCompare": True}}, a, b, version=1)
    assert len(v1[1]) == 1


def test_multiple_matches() -> None:
    b = items({"id": 1, "n": "x"}, {"id": 1, "n": "y"})
    first = compare({"resolve": "preferInput2"}, A[:1], b)
    assert jsons(first[2]) == [{"id": 1, "n": "x"}]
    assert jsons(first[3]) == [{"id": 1, "n": "y"}]
    every = compare({"resolve": "preferInput2", "options": {"multipleMatches": "all"}}, A[:1], b)
    assert jsons(every[2]) == jsons(b)
    assert every[3] == []


def test_dot_notation_in_match_fields() -> None:
    params = {"mergeByFields": {"values": [{"field1": "k.c", "field2": "k.c"}]}}
    a = items({"k": {"c": 1}, "v": 1})
    b = items({"k": {"c": 1}, "v": 1})
    assert jsons(compare(params, a, b)[1]) == jsons(a)
    flat = items({"k.c": 1, "v": 1})
    assert len(compare({**params, "options": {"disableDotNotation": True}}, flat, flat)[1]) == 1


def test_missing_fields_and_empty_items() -> None:
    params = {"mergeByFields": {"values": [{"field1": "nope", "field2": "id"}]}}
    with pytest.raises(NodeExecutionError) as err:
        compare(params, version=2.1)
    assert err.value.message == "Field 'nope' is not present in any of items in 'Input A'"
    out = compare(params, version=2.2)
    assert jsons(out[0]) == jsons(A)
    assert compare({}, items({}), [])[0] == []
    with pytest.raises(NodeExecutionError, match="at least one pair"):
        execute_one(COMPARE, {}, [A, B], version=2.3)


# ----------------------------------------------------------------------------- fixtures
@pytest.mark.parametrize(
    "name",
    [
        "workflow.compareDatasets.forceInputNodeExecution.json",
        "workflow.compareDatasets.fuzzy.json",
        "workflow.compareDatasets.json",
        "workflow.compareDatasets.skipFields.json",
    ],
)
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "CompareDatasets/test/node" / name, runner)
    assert verdict.passed, verdict.detail
