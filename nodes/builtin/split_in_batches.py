"""Split In Batches / Loop Over Items (``n8n-nodes-base.splitInBatches``, typeVersions 1, 2, 3).

The node keeps its state in its node context (n8n's ``getContext('node')``) between runs, under
n8n's key names so expressions can read them (``$node["X"].context["noItemsLeft"]``):
``items`` (still to hand out), ``currentRunIndex``, ``maxRunIndex``, ``sourceData`` (where
the first input came from), ``noItemsLeft``, and from v2 ``processedItems`` and ``done``.

As in n8n, a run starts a new set of batches when the context holds no ``items`` yet or the
``reset`` option is true; otherwise the incoming items are what came back from the loop and the
next batch is handed out. Later batches carry ``sourceOverwrite`` in their ``pairedItem`` so
their lineage points at the node that fed the first run, not at the loop's last node.

Outputs: v1 one output (the batch; nothing once all are handed out); v2 ``loop`` (0) and
``done`` (1); v3 ``done`` (0) and ``loop`` (1). ``done`` gets every item that came back through
the loop, once no items are left.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from n8nwork.run.data import Item, Items
from n8nwork.workflow.model import Node
from nodes.builtin._item_ops import get_param, tag_items, to_num
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class SplitInBatches(NodeType):
    type_name = "n8n-nodes-base.splitInBatches"
    versions = (1, 2, 3)
    display_name = "Loop Over Items (Split in Batches)"
    description = "Split data into batches and iterate over each batch"
    loop_capable = True
    outputs = 2
    params = (
        Param("batchSize", "number", 10, versions=(1, 2)),
        Param("batchSize", "number", 1, versions=(3, 3)),
        Param("options", "collection", {}),
    )

    def output_count(self, node: Node) -> int:
        return 1 if float(node.type_version) < 2 else 2

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        state = ctx.node_context
        items = tag_items(ctx.input(0))
        size = _batch_size(ctx)
        reset = get_param(ctx, "options.reset", 0, False) is True
        version = ctx.version
        if state.get("items") is None or reset:
            state["currentRunIndex"] = 0
            state["maxRunIndex"] = math.ceil(len(items) / size)
            state["sourceData"] = _source(ctx)
            batch = items[:size]
            state["items"] = copy.deepcopy(items[size:])
            if version >= 2:
                state["processedItems"] = []
        else:
            state["currentRunIndex"] = int(state.get("currentRunIndex", 0)) + 1
            pending: Items = state.get("items") or []
            batch, state["items"] = pending[:size], pending[size:]
            if version >= 2:
                came_back = _source(ctx)
                state["processedItems"] = [
                    *(state.get("processedItems") or []),
                    *(
                        {**item, "pairedItem": {"sourceOverwrite": came_back, "item": index}}
                        for index, item in enumerate(items)
                    ),
                ]
            batch = [_overwrite_source(item, state.get("sourceData")) for item in batch]
        state["noItemsLeft"] = len(state["items"]) == 0
        if version < 2:
            return [batch] if batch else []
        if not batch:
            state["done"] = True
            done = list(state.get("processedItems") or [])
            return [[], done] if version < 3 else [done, []]
        state["done"] = False
        return [batch, []] if version < 3 else [[], batch]


def _batch_size(ctx: ExecutionContext) -> int:
    value = to_num(ctx.param("batchSize", 0))
    if math.isnan(value) or value < 1:
        raise ctx.error(
            "The batch size must be a number of at least 1",
            description=f"'Batch Size' is {ctx.param('batchSize', 0)!r}",
        )
    return int(value)


def _source(ctx: ExecutionContext) -> dict[str, Any] | None:
    sources = ctx.scope.source
    first = sources[0] if sources else None
    return first.to_json() if first is not None else None


def _overwrite_source(item: Item, source: Any) -> Item:
    paired = item.get("pairedItem")
    if paired is None:
        new_paired: Any = {"item": 0, "sourceOverwrite": source}
    elif isinstance(paired, list):
        new_paired = [_with_source(p, source) for p in paired]
    else:
        new_paired = _with_source(paired, source)
    return {**item, "pairedItem": new_paired}


def _with_source(paired: Any, source: Any) -> dict[str, Any]:
    if isinstance(paired, int) and not isinstance(paired, bool):
        return {"item": paired, "sourceOverwrite": source}
    return {**paired, "sourceOverwrite": source}
