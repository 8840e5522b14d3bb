"""Summarize (``n8n-nodes-base.summarize``, typeVersions 1 and 1.1): sum, count, average, min,
max, append, concatenate and count-unique of fields across items, optionally split by other
fields, as one item per split or all splits in one item. Version 1.1 keeps the type of split
values (``1`` stays a number) and never fails on a field no item has."""

from __future__ import annotations

from nodes.builtin._item_ops import tag_items
from nodes.builtin._summarize_ops import SummarizeRules, summarize
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class Summarize(NodeType):
    type_name = "n8n-nodes-base.summarize"
    versions = (1, 1.1)
    display_name = "Summarize"
    description = "Sum, count, max, etc. across items"
    params = (
        Param(
            "fieldsToSummarize",
            "fixedCollection",
            {"values": [{"aggregation": "count", "field": ""}]},
        ),
        Param("fieldsToSplitBy", "string", ""),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = tag_items(ctx.input(0))
        if ctx.version > 1:
            rules = SummarizeRules(check_fields="hint", grouping="typed", count_empty=True)
        else:
            rules = SummarizeRules(check_fields="option", grouping="string", count_empty=True)
        return [summarize(ctx, items, rules)]
