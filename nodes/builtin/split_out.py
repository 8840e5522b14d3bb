"""Split Out (``n8n-nodes-base.splitOut``, typeVersion 1): turns a list (or an object's values)
inside each item into separate items; several comma-separated fields split side by side,
``$binary`` splits the item's binaries, other fields can be kept all, some or none."""

from __future__ import annotations

from nodes.builtin._item_ops import tag_items
from nodes.builtin._split_out_ops import SplitRules, split_out
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class SplitOut(NodeType):
    type_name = "n8n-nodes-base.splitOut"
    versions = (1,)
    display_name = "Split Out"
    description = "Turn a list inside item(s) into separate items"
    params = (
        Param("fieldToSplitOut", "string", "", required=True),
        Param(
            "include",
            "options",
            "noOtherFields",
            ("noOtherFields", "allOtherFields", "selectedOtherFields"),
        ),
        Param("fieldsToInclude", "any", ""),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = tag_items(ctx.input(0))
        return [split_out(ctx, items, SplitRules(standalone=True))]
