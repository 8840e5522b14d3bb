"""Aggregate (``n8n-nodes-base.aggregate``, typeVersion 1): combines a field of many items into a
list in one item (individual fields, renamed, merged lists, missing values kept or dropped), or
all item data into one list; optionally with the items' binaries."""

from __future__ import annotations

from nodes.builtin._aggregate_ops import (
    add_binaries,
    aggregate_all,
    aggregate_individual,
    source_items,
)
from nodes.builtin._item_ops import get_param, tag_items
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class Aggregate(NodeType):
    type_name = "n8n-nodes-base.aggregate"
    versions = (1,)
    display_name = "Aggregate"
    description = "Combine a field from many items into a list in a single item"
    params = (
        Param(
            "aggregate",
            "options",
            "aggregateIndividualFields",
            ("aggregateIndividualFields", "aggregateAllItemData"),
        ),
        Param(
            "fieldsToAggregate",
            "fixedCollection",
            {"fieldToAggregate": [{"fieldToAggregate": "", "renameField": False}]},
        ),
        Param("destinationFieldName", "string", "data"),
        Param(
            "include",
            "options",
            "allFields",
            ("allFields", "specifiedFields", "allFieldsExcept"),
        ),
        Param("fieldsToExclude", "any", ""),
        Param("fieldsToInclude", "any", ""),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = tag_items(ctx.input(0))
        if get_param(ctx, "aggregate", 0, "") == "aggregateIndividualFields":
            result = aggregate_individual(ctx, items, check_missing=False)
        else:
            result = aggregate_all(ctx, items)
        if get_param(ctx, "options.includeBinaries", 0, False):
            unique = bool(get_param(ctx, "options.keepOnlyUnique", 0, False))
            add_binaries(result, source_items(items, result.get("pairedItem")), unique)
        return [[result]]
