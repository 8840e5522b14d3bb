"""Sort: by fields (order, case, nested, mixed types), random, JavaScript comparator, errors."""

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

SORT = "n8n-nodes-base.sort"
ROWS = items(
    {"id": 3, "name": "bob", "o": {"n": 1}},
    {"id": 1, "name": "Ann", "o": {"n": 3}},
    {"id": 2, "name": "ann", "o": {"n": 2}},
)


def sort(params: dict[str, Any], data: list[Any] = ROWS) -> list:
    out = execute_one(SORT, params, [data], version=1)
    assert isinstance(out, list)
    return out[0]


def by(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"sortFieldsUi": {"sortField": list(fields)}, **extra}


def test_simple_sort() -> None:
    out = sort(by({"fieldName": "id"}))
    assert [i["id"] for i in jsons(out)] == [1, 2, 3]
    assert [i["pairedItem"] for i in out] == [{"item": 1}, {"item": 2}, {"item": 0}]
    down = sort(by({"fieldName": "id", "order": "descending"}))
    assert [i["id"] for i in jsons(down)] == [3, 2, 1]


def test_strings_ignore_case_and_ties_keep_order() -> None:
    out = sort(by({"fieldName": "name"}))
    assert [i["id"] for i in jsons(out)] == [1, 2, 3]
    two = sort(by({"fieldName": "name"}, {"fieldName": "id", "order": "descending"}))
    assert [i["id"] for i in jsons(two)] == [2, 1, 3]


def test_nested_and_dot_notation() -> None:
    assert [i["id"] for i in jsons(sort(by({"fieldName": "o.n"})))] == [3, 2, 1]
    with pytest.raises(NodeExecutionError) as err:
        sort(by({"fieldName": "o.n"}, options={"disableDotNotation": True}))
    assert err.value.message == "Couldn't find the field 'o.n' in the input data"
    assert "dot notation" in (err.value.description or "")


def test_mixed_types_follow_lodash_lt() -> None:
    rows = items({"v": "10"}, {"v": 9}, {"v": "a"}, {"v": 1})
    assert [i["v"] for i in jsons(sort(by({"fieldName": "v"}), rows))] == [1, 9, "10", "a"]


def test_errors() -> None:
    with pytest.raises(NodeExecutionError, match="No sorting specified"):
        sort({})
    with pytest.raises(NodeExecutionError, match="Couldn't find the field 'x'"):
        sort(by({"fieldName": "x"}))
    with pytest.raises(NodeExecutionError, match="doesn't return"):
        sort({"type": "code", "code": "a.json.id - b.json.id"})


def test_random_keeps_items() -> None:
    out = sort({"type": "random"})
    assert sorted(i["id"] for i in jsons(out)) == [1, 2, 3]


def test_code_sort() -> None:
    code = "fieldName = 'id';\nreturn a.json[fieldName] - b.json[fieldName];"
    out = sort({"type": "code", "code": code})
    assert [i["id"] for i in jsons(out)] == [1, 2, 3]
    assert out[0]["pairedItem"] == {"item": 1}
    let = "let k = 'name'; return a.json[k] < b.json[k] ? -1 : 1;"
    assert [i["name"] for i in jsons(sort({"type": "code", "code": let}))] == ["Ann", "ann", "bob"]


@pytest.mark.parametrize("name", ["workflow.sort.json", "code.sort.json"])
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Transform/Sort/test" / name, runner)
    assert verdict.passed, verdict.detail


def test_empty_input() -> None:
    assert sort(by({"fieldName": "id"}), []) == []
    assert sort({"type": "random"}, []) == []
