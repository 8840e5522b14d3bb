"""Error Trigger (``n8n-nodes-base.errorTrigger``): where an error workflow starts. The runtime
starts it when a workflow whose ``settings.errorWorkflow`` names this workflow fails
(``n8nwork.run.error_workflow``); it outputs the item it was given::

    {"execution": {"id", "url", "retryOf", "error": {"message", "stack", ...},
                   "lastNodeExecuted", "mode"},
     "workflow": {"id", "name"}}

Run by hand without data it outputs n8n's example of that item, to build error workflows.
"""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

EXAMPLE_ID = 231


class ErrorTrigger(NodeType):
    type_name = "n8n-nodes-base.errorTrigger"
    display_name = "Error Trigger"
    description = "Triggers the workflow when another workflow has an error"
    is_trigger = True
    params = (Param("notice", "string", ""),)

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        empty = not items or (
            len(items) == 1 and not items[0].get("json") and not items[0].get("binary")
        )
        if ctx.mode == "manual" and empty:
            items = [
                {
                    "json": {
                        "execution": {
                            "id": EXAMPLE_ID,
                            "url": f"/api/v1/executions/{EXAMPLE_ID}",
                            "retryOf": "34",
                            "error": {"message": "Example Error Message", "stack": "Stacktrace"},
                            "lastNodeExecuted": "Node With Error",
                            "mode": "manual",
                        },
                        "workflow": {"id": "1", "name": "Example Workflow"},
                    }
                }
            ]
        return [items]
