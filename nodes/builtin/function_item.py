"""Function Item (``n8n-nodes-base.functionItem`` v1): the legacy node that runs JavaScript once
per input item, with ``item`` being that item's ``json`` (``$json``, ``$node``, ``$item(i)`` ...
as for the item).

The code returns the new ``json`` of the item; the output item keeps the input's binary data
and is paired with the input item. It runs in the expression engine's isolate (``run_code``
with ``legacy_function=True``). Errors read "... [Line 3 | Item Index: 0]"; with "continue on
fail" a failing item becomes ``{"json": {"error": message}}``.
"""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

DEFAULT_CODE = """// Code here will run once per input item.
// More info and help: https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.functionitem/
// Tip: You can use luxon for dates and $jmespath for querying JSON structures

// Add a new field called 'myNewField' to the JSON of the item
item.myNewField = 1;

// You can write logs to the browser console
console.log('Done!');

return item;"""


class FunctionItem(NodeType):
    type_name = "n8n-nodes-base.functionItem"
    display_name = "Function Item"
    description = "Run custom function code once per item (legacy; use the Code node)"
    versions = (1,)
    placement = "task"
    params = (Param("functionCode", "string", DEFAULT_CODE),)

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        code = str(ctx.raw_param("functionCode", DEFAULT_CODE) or "")
        result = ctx.engine.run_code(
            code,
            ctx.scope,
            mode="runOnceForEachItem",
            legacy_function=True,
            continue_on_fail=ctx.continue_on_fail,
        )
        return [list(result) if isinstance(result, list) else []]
