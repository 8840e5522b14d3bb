"""No Operation: passes its input through unchanged."""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType


class NoOp(NodeType):
    type_name = "n8n-nodes-base.noOp"
    display_name = "No Operation, do nothing"

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        return [ctx.input(0)]
