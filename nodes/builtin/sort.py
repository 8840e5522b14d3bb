"""Sort (``n8n-nodes-base.sort``, typeVersion 1): orders items by fields (ascending or
descending, strings case-insensitive), at random, or with a JavaScript comparator run in the
expression engine's isolate."""

from __future__ import annotations

from nodes.builtin._item_ops import tag_items
from nodes.builtin._order_ops import sort_items
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_DEFAULT_CODE = """// The two items to compare are in the variables a and b
\t// Access the fields in a.json and b.json
\t// Return -1 if a should go before b
\t// Return 1 if b should go before a
\t// Return 0 if there's no difference

\tfieldName = 'myField';

\tif (a.json[fieldName] < b.json[fieldName]) {
\treturn -1;
\t}
\tif (a.json[fieldName] > b.json[fieldName]) {
\treturn 1;
\t}
\treturn 0;"""


class Sort(NodeType):
    type_name = "n8n-nodes-base.sort"
    versions = (1,)
    display_name = "Sort"
    description = "Change items order"
    params = (
        Param("type", "options", "simple", ("simple", "random", "code")),
        Param("sortFieldsUi", "fixedCollection", {}),
        Param("code", "string", _DEFAULT_CODE),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        return [sort_items(ctx, tag_items(ctx.input(0)))]
