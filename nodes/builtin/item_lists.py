"""Item Lists (``n8n-nodes-base.itemLists``, typeVersions 1, 2, 2.1, 2.2, 3, 3.1): the older
all-in-one list node. Operations: concatenate items (``aggregateItems`` before v3,
``concatenateItems`` from v3; either name is accepted), limit, remove duplicates, sort, split
out items and summarize. The work is done by the helpers the standalone nodes share; this
module picks each version's rules."""

from __future__ import annotations

from nodes.builtin._aggregate_ops import aggregate_all, aggregate_individual
from nodes.builtin._dedupe_ops import DedupeRules, remove_duplicates
from nodes.builtin._item_ops import get_param, tag_items
from nodes.builtin._order_ops import limit, sort_items
from nodes.builtin._split_out_ops import SplitRules, split_out
from nodes.builtin._summarize_ops import SummarizeRules, summarize
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_OPERATIONS_V1 = (
    "aggregateItems",
    "limit",
    "removeDuplicates",
    "sort",
    "splitOutItems",
    "summarize",
)
_OPERATIONS_V3 = (
    "concatenateItems",
    "limit",
    "removeDuplicates",
    "sort",
    "splitOutItems",
    "summarize",
)
_OLD = (1.0, 2.2)
_NEW = (3.0, 3.1)
_SORT_CODE = """// The two items to compare are in the variables a and b
// Access the fields in a.json and b.json
// Return -1 if a should go before b
// Return 1 if b should go before a
// Return 0 if there's no difference

fieldName = 'myField';

if (a.json[fieldName] < b.json[fieldName]) {
\t\treturn -1;
}
if (a.json[fieldName] > b.json[fieldName]) {
\t\treturn 1;
}
return 0;"""


class ItemLists(NodeType):
    type_name = "n8n-nodes-base.itemLists"
    versions = (1, 2, 2.1, 2.2, 3, 3.1)
    display_name = "Item Lists"
    description = "Helper for working with lists of items and transforming arrays"
    params = (
        Param("resource", "options", "itemList", ("itemList",)),
        Param("operation", "options", "splitOutItems", _OPERATIONS_V1, versions=_OLD),
        Param("operation", "options", "splitOutItems", _OPERATIONS_V3, versions=_NEW),
        Param("fieldToSplitOut", "string", ""),
        Param(
            "include",
            "options",
            "noOtherFields",
            (
                "noOtherFields",
                "allOtherFields",
                "selectedOtherFields",
                "allFields",
                "specifiedFields",
                "allFieldsExcept",
            ),
        ),
        Param("fieldsToInclude", "fixedCollection", {}, versions=_OLD),
        Param("fieldsToExclude", "fixedCollection", {}, versions=_OLD),
        Param("fieldsToCompare", "fixedCollection", {}, versions=_OLD),
        Param("fieldsToInclude", "any", "", versions=_NEW),
        Param("fieldsToExclude", "any", "", versions=_NEW),
        Param("fieldsToCompare", "any", "", versions=_NEW),
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
            "compare",
            "options",
            "allFields",
            ("allFields", "allFieldsExcept", "selectedFields"),
        ),
        Param("type", "options", "simple", ("simple", "random", "code")),
        Param("sortFieldsUi", "fixedCollection", {}),
        Param("code", "string", _SORT_CODE),
        Param("maxItems", "number", 1),
        Param("keep", "options", "firstItems", ("firstItems", "lastItems")),
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
        version = ctx.version
        resource = ctx.param("resource", 0)
        operation = ctx.param("operation", 0)
        if resource != "itemList":
            raise ctx.error(f"Resource '{resource}' is not recognized")
        if operation in ("aggregateItems", "concatenateItems"):
            if get_param(ctx, "aggregate", 0, "") == "aggregateIndividualFields":
                check = version < 2.1
                return [[aggregate_individual(ctx, items, check_missing=check)]]
            return [[aggregate_all(ctx, items)]]
        if operation == "limit":
            return [limit(items, ctx.param("maxItems", 0), ctx.param("keep", 0))]
        if operation == "removeDuplicates":
            return [remove_duplicates(ctx, items, DedupeRules(order_by_type=version >= 3.1))]
        if operation == "sort":
            return [sort_items(ctx, items)]
        if operation == "splitOutItems":
            rules = SplitRules(
                legacy=version < 2,
                missing_is_empty=version >= 2.1,
                scalar_is_list=version >= 2.2,
            )
            return [split_out(ctx, items, rules)]
        if operation == "summarize":
            return [summarize(ctx, items, _summarize_rules(version))]
        raise ctx.error(f"Operation '{operation}' is not recognized")


def _summarize_rules(version: float) -> SummarizeRules:
    if version < 2:
        return SummarizeRules(math_min_max=True, normalize_keys=False, check_fields="error")
    if version < 3:
        return SummarizeRules(math_min_max=True, check_fields="error" if version < 2.1 else "none")
    return SummarizeRules()
