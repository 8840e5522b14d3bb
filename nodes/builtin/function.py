"""Function (``n8n-nodes-base.function`` v1): the legacy node that runs JavaScript once over all
items (``items``, each with ``json``/``binary``; ``$item(i)``, ``$node``, ``$input`` ...).

The code must return an array of items (``{json: {...}}``); plain objects are wrapped as n8n's
``normalizeItems`` does. It runs in the expression engine's isolate (``run_code`` with
``legacy_function=True``). Errors carry n8n's texts ("... [Line 3]"); with "continue on fail"
the output is one item ``{"json": {"error": message}}``.
"""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

DEFAULT_CODE = """// Code here will run only once, no matter how many input items there are.
// More info and help:https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.function/
// Tip: You can use luxon for dates and $jmespath for querying JSON structures

// Loop over inputs and add a new field called 'myNewField' to the JSON of each one
for (item of items) {
  item.json.myNewField = 1;
}

// You can write logs to the browser console
console.log('Done!');

return items;"""


class Function(NodeType):
    type_name = "n8n-nodes-base.function"
    display_name = "Function"
    description = "Run custom function code once over all items (legacy; use the Code node)"
    versions = (1,)
    placement = "task"
    params = (Param("functionCode", "string", DEFAULT_CODE),)

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        code = str(ctx.raw_param("functionCode", DEFAULT_CODE) or "")
        result = ctx.engine.run_code(
            code,
            ctx.scope,
            mode="runOnceForAllItems",
            legacy_function=True,
            continue_on_fail=ctx.continue_on_fail,
        )
        return [list(result) if isinstance(result, list) else []]
