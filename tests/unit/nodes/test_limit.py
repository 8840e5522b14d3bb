"""Limit: first or last items, more than there are, lineage, fixture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from n8nwork.conformance import judge_file
from n8nwork.run.driver import VirtualClock
from nodes.sdk.registry import default_registry
from nodes.sdk.runner import run_workflow
from nodes.sdk.testing import execute_one, items, jsons

LIMIT = "n8n-nodes-base.limit"
ROWS = items({"n": 0}, {"n": 1}, {"n": 2}, {"n": 3})


def limit(params: dict[str, Any], data: list[Any] = ROWS) -> list:
    out = execute_one(LIMIT, params, [data], version=1)
    assert isinstance(out, list)
    return out[0]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [0]),
        ({"maxItems": 2}, [0, 1]),
        ({"maxItems": 2, "keep": "lastItems"}, [2, 3]),
        ({"maxItems": 4, "keep": "lastItems"}, [0, 1, 2, 3]),
        ({"maxItems": 9}, [0, 1, 2, 3]),
        ({"maxItems": 0}, []),
        ({"maxItems": 2.7}, [0, 1]),
    ],
)
def test_limit(params: dict[str, Any], expected: list[int]) -> None:
    assert [i["n"] for i in jsons(limit(params))] == expected


def test_lineage_points_at_kept_items() -> None:
    out = limit({"maxItems": 1, "keep": "lastItems"})
    assert out == [{"json": {"n": 3}, "pairedItem": {"item": 3}}]


def test_empty_input() -> None:
    assert limit({"maxItems": 3}, []) == []


def test_fixture(fixtures_dir: Path) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "Transform/Limit/test/workflow.limit.json", runner)
    assert verdict.passed, verdict.detail
