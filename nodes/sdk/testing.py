"""Helpers to execute one node directly, without a workflow run, for node unit tests.

``execute_one("n8n-nodes-base.set", {...params}, [[items of input 0], ...], version=3.4)``
returns the node's outputs (or a WaitFor). ``StaticRun`` serves other nodes' outputs for
expressions such as ``$('Other').item`` when a test needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Items, NodeRun, Source
from n8nwork.run.items import assign_paired_items
from n8nwork.workflow.model import Workflow
from nodes.sdk.base import NodeResult
from nodes.sdk.context import ExecutionContext
from nodes.sdk.execute import run_node
from nodes.sdk.registry import Registry, default_registry


@dataclass
class StaticRun:
    """A RunView over fixed data: ``runs[name]`` and ``contexts[name]``."""

    runs: dict[str, list[NodeRun]] = field(default_factory=dict)
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def node_runs(self, name: str) -> list[NodeRun]:
        return self.runs.get(name, [])

    def node_context(self, name: str) -> dict[str, Any]:
        return self.contexts.setdefault(name, {})


def execute_one(
    type_name: str,
    parameters: dict[str, Any],
    inputs: list[Items],
    *,
    version: float = 1,
    node_fields: dict[str, Any] | None = None,
    run: StaticRun | None = None,
    run_index: int = 0,
    node_context: dict[str, Any] | None = None,
    registry: Registry | None = None,
    timezone: str = "UTC",
    extra_nodes: list[dict[str, Any]] | None = None,
) -> NodeResult:
    """Execute node ``type_name`` once over ``inputs`` and return its normalised outputs."""
    reg = registry or default_registry()
    impl = reg.get(type_name, version)
    if impl is None:
        raise LookupError(f"no node type {type_name} v{version}")
    raw_node = {
        "name": "Node",
        "type": type_name,
        "typeVersion": version,
        "parameters": parameters,
        "position": [0, 0],
        **(node_fields or {}),
    }
    wf = Workflow.from_json(
        {"name": "test", "nodes": [raw_node, *(extra_nodes or [])], "connections": {}}
    )
    scope = ExpressionScope(
        workflow=wf,
        node=wf.node(raw_node["name"]),
        run=run or StaticRun(),
        inputs=inputs,
        source=[Source("Previous") for _ in inputs],
        run_index=run_index,
        execution={"id": "test", "mode": "manual"},
        timezone=timezone,
    )
    defaults = {p.name: p.default for p in impl.params if p.applies_to(version)}
    ctx = ExecutionContext(scope=scope, defaults=defaults, node_context=node_context)
    result = run_node(impl, ctx)
    if isinstance(result, list):
        assign_paired_items(result, list(inputs))
    return result


def items(*jsons: dict[str, Any]) -> Items:
    """Wrap plain dicts as n8n items."""
    return [{"json": j} for j in jsons]


def jsons(output: Items) -> list[dict[str, Any]]:
    """The ``json`` of each item of one output."""
    return [i["json"] for i in output]
