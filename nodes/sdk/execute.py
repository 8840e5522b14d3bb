"""Calling a node: run ``execute``, then normalise its output as n8n does (items wrapped in
``json``, ``pairedItem`` filled in where the node left it out and it can be inferred)."""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Items
from nodes.sdk.base import NodeResult, NodeType, WaitFor
from nodes.sdk.context import ExecutionContext


def run_node(node_type: NodeType, ctx: ExecutionContext) -> NodeResult:
    """Execute the node; outputs come back normalised, a WaitFor as is."""
    result = node_type.execute(ctx)
    if isinstance(result, WaitFor):
        result.outputs = normalise_outputs(result.outputs, ctx)
        return result
    return normalise_outputs(result, ctx)


def normalise_outputs(outputs: Any, ctx: ExecutionContext) -> list[Items]:
    if outputs is None:
        return []
    if not isinstance(outputs, list):
        raise NodeExecutionError(
            "node returned something other than a list of outputs", node=ctx.node.name
        )
    inputs = ctx.inputs
    single_in = len(inputs) == 1 and inputs[0] is not None and len(inputs[0]) == 1
    same_count = (
        len(outputs) == 1
        and len(inputs) == 1
        and inputs[0] is not None
        and outputs[0] is not None
        and len(inputs[0]) == len(outputs[0])
    )
    out: list[Items] = []
    for items in outputs:
        fixed: Items = []
        for index, item in enumerate(items or []):
            if not isinstance(item, dict) or "json" not in item:
                item = {"json": item if isinstance(item, dict) else {"data": item}}
            if "pairedItem" not in item:
                if single_in:
                    item["pairedItem"] = {"item": 0}
                elif same_count:
                    item["pairedItem"] = {"item": index}
            fixed.append(item)
        out.append(fixed)
    return out
