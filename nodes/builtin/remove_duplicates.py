"""Remove Duplicates (``n8n-nodes-base.removeDuplicates``, typeVersions 1, 1.1 and 2): drops
items that repeat an earlier item on all fields, all but some, or selected fields.

Version 2's "remove items processed in previous executions" and "clear deduplication history"
operations need n8n's deduplication store, which n8nwork does not have; they are refused with
a clear error instead of silently keeping every item."""

from __future__ import annotations

from nodes.builtin._dedupe_ops import DedupeRules, remove_duplicates
from nodes.builtin._item_ops import tag_items
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_OPERATIONS = (
    "removeDuplicateInputItems",
    "removeItemsSeenInPreviousExecutions",
    "clearDeduplicationHistory",
)


class RemoveDuplicates(NodeType):
    type_name = "n8n-nodes-base.removeDuplicates"
    versions = (1, 1.1, 2)
    display_name = "Remove Duplicates"
    description = "Delete items with matching field values"
    params = (
        Param("operation", "options", "removeDuplicateInputItems", _OPERATIONS, versions=(2, 2)),
        Param(
            "compare",
            "options",
            "allFields",
            ("allFields", "allFieldsExcept", "selectedFields"),
        ),
        Param("fieldsToExclude", "any", ""),
        Param("fieldsToCompare", "any", ""),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = tag_items(ctx.input(0))
        if ctx.version >= 2:
            operation = ctx.param("operation", 0)
            if operation != "removeDuplicateInputItems":
                raise ctx.error(
                    f"The operation '{operation}' is not supported",
                    description=(
                        "Removing items seen in previous executions needs a deduplication "
                        "store across executions, which n8nwork does not provide."
                    ),
                )
        later = ctx.version > 1
        rules = DedupeRules(skip_null=later, detailed_type_error=later)
        return [remove_duplicates(ctx, items, rules)]
