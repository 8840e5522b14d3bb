"""Sticky Note: a canvas annotation. It has no inputs or outputs and never executes."""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class StickyNote(NodeType):
    type_name = "n8n-nodes-base.stickyNote"
    display_name = "Sticky Note"
    inputs = 0
    outputs = 0
    params = (Param("content", "string", ""), Param("height", "number"), Param("width", "number"))

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        return []
