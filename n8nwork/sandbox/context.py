"""What sandboxed Python may see besides its input items, built from an ``ExpressionScope``.

Only data, and only what the node's own expressions could see too: run index, workflow id and
name, execution id and mode, previous node, variables, the node's own parameters, the time
zone, and the outputs of the nodes the code names with ``_('Node')`` (with the item each input
item derives from, for ``_('Node').item``). Never credentials or the environment.
"""

from __future__ import annotations

import re
from typing import Any

from n8nwork.expressions.scope import ExpressionScope
from n8nwork.run.data import Item, NodeRun, Source
from n8nwork.workflow.frozen import thaw

_NODE_REFERENCE = re.compile(r"""\b_\(\s*(?P<q>['"])(?P<name>.+?)(?P=q)\s*\)""")
_MAX_LINEAGE_HOPS = 1000


def referenced_nodes(code: str) -> list[str]:
    """The node names the code refers to as ``_('Name')``, in order, without repeats."""
    return list(dict.fromkeys(m.group("name") for m in _NODE_REFERENCE.finditer(code)))


def sandbox_context(scope: ExpressionScope, code: str) -> dict[str, Any]:
    """The ``context`` of ``run_python`` for one execution of a Code node."""
    workflow = scope.workflow
    source = scope.source[0] if scope.source else None
    context: dict[str, Any] = {
        "runIndex": scope.run_index,
        "workflow": {
            "id": workflow.extras.get("id"),
            "name": workflow.name,
            "active": bool(workflow.extras.get("active", False)),
        },
        "execution": {
            "id": scope.execution.get("id"),
            "mode": "test" if scope.execution.get("mode") == "manual" else "production",
            "resumeUrl": scope.execution.get("resumeUrl"),
            "customData": thaw(scope.execution.get("customData") or {}),
        },
        "vars": thaw(dict(scope.variables)),
        "parameter": thaw(scope.node.parameters),
        "timezone": scope.timezone,
        "nodes": {},
    }
    if source is not None:
        context["prevNode"] = {
            "name": source.previous_node,
            "outputIndex": source.previous_node_output,
            "runIndex": source.previous_node_run,
        }
    for name in referenced_nodes(code):
        context["nodes"][name] = _node_data(scope, name)
    return context


def _node_data(scope: ExpressionScope, name: str) -> dict[str, Any] | None:
    runs = scope.run.node_runs(name)
    if not runs:
        return None
    node = scope.workflow.by_name.get(name)
    return {
        "items": runs[-1].output(0),
        "params": thaw(node.parameters) if node is not None else {},
        "paired": [paired_item(scope, name, i) for i in range(len(scope.items))],
    }


def paired_item(scope: ExpressionScope, target: str, item_index: int) -> Item | None:
    """The item of node ``target`` that input item ``item_index`` derives from, following
    ``pairedItem`` back through the runs; None when the lineage does not reach it."""
    items = scope.items
    if item_index >= len(items) or not scope.source or scope.source[0] is None:
        return None
    item: Item = items[item_index]
    source: Source = scope.source[0]
    for _ in range(_MAX_LINEAGE_HOPS):
        if source.previous_node == target:
            return item
        run = _run(scope, source)
        if run is None:
            return None
        index, input_index = _paired(item)
        if index is None or input_index >= len(run.source):
            return None
        upstream = run.source[input_index]
        if upstream is None:
            return None
        upstream_run = _run(scope, upstream)
        if upstream_run is None:
            return None
        outputs = upstream_run.output(upstream.previous_node_output)
        if index >= len(outputs):
            return None
        item, source = outputs[index], upstream
    return None


def _run(scope: ExpressionScope, source: Source) -> NodeRun | None:
    runs = scope.run.node_runs(source.previous_node)
    return runs[source.previous_node_run] if source.previous_node_run < len(runs) else None


def _paired(item: Item) -> tuple[int | None, int]:
    paired = item.get("pairedItem")
    if isinstance(paired, list):
        paired = paired[0] if paired else None
    if isinstance(paired, int) and not isinstance(paired, bool):
        return paired, 0
    if isinstance(paired, dict) and isinstance(paired.get("item"), int):
        return paired["item"], int(paired.get("input") or 0)
    return None, 0
