"""Manual Trigger: starts a workflow by hand; emits one empty item (or the run's start items)."""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType


class ManualTrigger(NodeType):
    type_name = "n8n-nodes-base.manualTrigger"
    display_name = "Manual Trigger"
    description = "Runs the workflow when you start it by hand."
    is_trigger = True

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        return [items if items else [{"json": {}}]]
