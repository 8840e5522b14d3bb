"""Validation refuses workflows that cannot run, naming the node and the problem."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import WorkflowError
from n8nwork.workflow import Workflow
from n8nwork.workflow.validate import problems_of, validate
from nodes.sdk import default_registry


def wf(nodes: list[dict[str, Any]], connections: dict[str, Any] | None = None) -> Workflow:
    full = [{"parameters": {}, "typeVersion": 1, **n} for n in nodes]
    return Workflow.from_json({"nodes": full, "connections": connections or {}})


def link(*pairs: tuple[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a, b in pairs:
        out.setdefault(a, {"main": [[]]})["main"][0].append({"node": b, "type": "main", "index": 0})
    return out


T = {"name": "T", "type": "n8n-nodes-base.manualTrigger"}


def test_valid_workflow_passes() -> None:
    w = wf([T, {"name": "A", "type": "n8n-nodes-base.noOp"}], link(("T", "A")))
    assert validate(w, default_registry()) is w


def test_unknown_type_and_version_name_the_node() -> None:
    w = wf(
        [
            {"name": "X", "type": "acme.nothing"},
            {"name": "Y", "type": "n8n-nodes-base.noOp", "typeVersion": 9},
        ]
    )
    problems = problems_of(w, default_registry())
    assert "node 'X': unknown node type 'acme.nothing'" in problems
    assert any(
        p.startswith("node 'Y': type 'n8n-nodes-base.noOp' has no typeVersion 9") for p in problems
    )


def test_duplicate_names_are_refused() -> None:
    w = wf([T, {"name": "T", "type": "n8n-nodes-base.noOp"}])
    with pytest.raises(WorkflowError, match="node 'T': the name is used by 2 nodes"):
        validate(w, default_registry())


def test_connection_to_missing_node_or_input() -> None:
    w = wf(
        [T, {"name": "A", "type": "n8n-nodes-base.noOp"}],
        {
            "T": {
                "main": [
                    [
                        {"node": "Nope", "type": "main", "index": 0},
                        {"node": "A", "type": "main", "index": 3},
                    ]
                ]
            }
        },
    )
    problems = problems_of(w, default_registry())
    assert any("'Nope', which does not exist" in p for p in problems)
    assert any("input 3 of node 'A', which has 1 input(s)" in p for p in problems)


def test_cycle_without_loop_node_is_refused() -> None:
    nodes = [
        T,
        {"name": "A", "type": "n8n-nodes-base.noOp"},
        {"name": "B", "type": "n8n-nodes-base.noOp"},
    ]
    w = wf(nodes, link(("T", "A"), ("A", "B"), ("B", "A")))
    with pytest.raises(WorkflowError, match=r"nodes 'A', 'B' form a cycle"):
        validate(w, default_registry())
