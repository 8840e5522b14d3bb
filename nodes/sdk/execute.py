"""Calling a node: run ``execute`` and check the shape of what it returned (one list of items
per output; plain dicts without ``json`` are wrapped as n8n does). Lineage (``pairedItem``)
is inferred afterwards by the run core, the same for every node."""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Items
from nodes.sdk.base import NodeResult, NodeType, RunWorkflows, WaitFor
from nodes.sdk.context import ExecutionContext


def run_node(node_type: NodeType, ctx: ExecutionContext) -> NodeResult:
    """Execute the node; outputs come back normalised, a WaitFor as is."""
    result = node_type.execute(ctx)
    if isinstance(result, WaitFor):
        result.outputs = normalise_outputs(result.outputs, ctx)
        return result
    if isinstance(result, RunWorkflows):
        result.passthrough = normalise_outputs(result.passthrough, ctx)
        return result
    return normalise_outputs(result, ctx)


def normalise_outputs(outputs: Any, ctx: ExecutionContext) -> list[Items]:
    if outputs is None:
        return []
    if not isinstance(outputs, list):
        raise NodeExecutionError(
            "node returned something other than a list of outputs", node=ctx.node.name
        )
    for index, items in enumerate(outputs):
        if items is None:
            outputs[index] = []
            continue
        if not isinstance(items, list):
            raise NodeExecutionError(
                f"node returned output {index} as {type(items).__name__}, not a list of items",
                node=ctx.node.name,
            )
        for i, item in enumerate(items):
            if type(item) is not dict or "json" not in item:
                items[i] = {"json": item if isinstance(item, dict) else {"data": item}}
    return outputs
