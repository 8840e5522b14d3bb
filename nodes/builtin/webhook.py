"""Webhook trigger: starts a workflow from an HTTP request. The HTTP side (routes, response
modes, authentication) is the serving layer's; in a run the node emits the request item."""

from __future__ import annotations

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class Webhook(NodeType):
    type_name = "n8n-nodes-base.webhook"
    versions = (1, 1.1, 2, 2.1)
    display_name = "Webhook"
    description = "Starts the workflow when an HTTP request arrives."
    is_trigger = True
    params = (
        Param("httpMethod", "options", "GET", ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")),
        Param("path", "string", ""),
        Param("authentication", "options", "none", ("none", "basicAuth", "headerAuth", "jwtAuth")),
        Param(
            "responseMode",
            "options",
            "onReceived",
            ("onReceived", "lastNode", "responseNode", "streaming"),
        ),
        Param("responseCode", "number", 200),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        if not items:
            raise ctx.error(
                "The Webhook node starts a workflow from an HTTP request; it has no request data "
                "in this run"
            )
        return [items]
