"""Customer Messenger (n8n training) (``n8n-nodes-base.n8nTrainingCustomerMessenger`` v1): a dummy
node from n8n's courses that pretends to send a message to a customer and says so."""

from __future__ import annotations

from typing import Any

from nodes.builtin._values import js_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class N8nTrainingCustomerMessenger(NodeType):
    type_name = "n8n-nodes-base.n8nTrainingCustomerMessenger"
    display_name = "Customer Messenger (n8n training)"
    description = "Dummy node used for n8n training"
    params = (
        Param("customerId", "string", ""),
        Param("message", "string", ""),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        out: list[dict[str, Any]] = []
        for i, _item in enumerate(ctx.input(0)):
            customer = js_string(ctx.param("customerId", i))
            message = js_string(ctx.param("message", i))
            out.append(
                {
                    "json": {"output": f"Sent message to customer {customer}:  {message}"},
                    "pairedItem": {"item": i},
                }
            )
        return [out]
