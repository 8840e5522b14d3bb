"""Limit (``n8n-nodes-base.limit``, typeVersion 1): keeps at most ``maxItems`` items, the first
or the last ones."""

from __future__ import annotations

from nodes.builtin._item_ops import tag_items
from nodes.builtin._order_ops import limit
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class Limit(NodeType):
    type_name = "n8n-nodes-base.limit"
    versions = (1,)
    display_name = "Limit"
    description = "Restrict the number of items"
    params = (
        Param("maxItems", "number", 1),
        Param("keep", "options", "firstItems", ("firstItems", "lastItems")),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = tag_items(ctx.input(0))
        return [limit(items, ctx.param("maxItems", 0), ctx.param("keep", 0))]
