"""Helpers for the expression tests: a workflow chain, a finished run over it and the scope of
one node execution, built from plain data (no runtime, no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from n8nwork.expressions import ExpressionEngine, ExpressionScope
from n8nwork.run.data import Items, NodeRun, Source
from n8nwork.workflow.model import Workflow
from nodes.sdk.testing import StaticRun


@pytest.fixture()
def engine() -> Iterator[ExpressionEngine]:
    yield ExpressionEngine()


@dataclass
class Chain:
    """Nodes ``names`` connected one after the other; ``runs`` holds finished node runs."""

    names: list[str]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_connections: list[tuple[str, int, str, int]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def workflow(self) -> Workflow:
        nodes = [
            {
                "name": n,
                "type": "n8n-nodes-base.noOp",
                "typeVersion": 1,
                "parameters": self.params.get(n, {}),
                "id": f"id-{n}",
            }
            for n in self.names
        ]
        conns: dict[str, Any] = {}
        edges = [(a, 0, b, 0) for a, b in zip(self.names, self.names[1:], strict=False)]
        for src, out, dst, inp in edges + self.extra_connections:
            outs = conns.setdefault(src, {"main": []})["main"]
            while len(outs) <= out:
                outs.append([])
            outs[out].append({"node": dst, "type": "main", "index": inp})
        return Workflow.from_json(
            {
                "name": "Test workflow",
                "id": "wf-1",
                "active": False,
                "nodes": nodes,
                "connections": conns,
                "settings": self.settings,
            }
        )


def node_run(outputs: list[Items], sources: list[Source | None] | None = None) -> NodeRun:
    return NodeRun(start_time=0, status="success", outputs=outputs, source=sources or [])


def scope_for(
    workflow: Workflow,
    node: str,
    items: Items,
    *,
    runs: dict[str, list[NodeRun]] | None = None,
    source: list[Source | None] | None = None,
    contexts: dict[str, dict[str, Any]] | None = None,
    **kwargs: Any,
) -> ExpressionScope:
    run = StaticRun(runs=runs or {}, contexts=contexts or {})
    parents = workflow.parents.get(node, ())
    default_source: list[Source | None] = [Source(parents[0].source)] if parents else []
    kwargs.setdefault("execution", {"id": "exec-1", "mode": "manual"})
    return ExpressionScope(
        workflow=workflow,
        node=workflow.node(node),
        run=run,
        inputs=[items],
        source=source if source is not None else default_source,
        **kwargs,
    )


def as_items(result: Any) -> list[dict[str, Any]]:
    """``run_code``'s result when it is a list of items."""
    assert isinstance(result, list)
    return result


def stamp(items: Items, input_index: int = 0) -> Items:
    """Input items as the runtime hands them to a node: paired with their own position."""
    out = []
    for i, item in enumerate(items):
        paired = {"item": i} if not input_index else {"item": i, "input": input_index}
        out.append({**item, "pairedItem": paired})
    return out


def simple_scope(items: Items | None = None, **kwargs: Any) -> ExpressionScope:
    """``Node`` fed by ``Prev``; ``Prev`` ran once and emitted ``items``."""
    items = [{"json": {"a": 1}}] if items is None else items
    wf = Chain(["Prev", "Node"], params=kwargs.pop("params", {})).workflow()
    runs = {"Prev": [node_run([items])]}
    return scope_for(wf, "Node", stamp(items), runs=runs, **kwargs)
