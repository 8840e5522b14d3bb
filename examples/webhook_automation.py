"""A webhook-driven automation, built in Python with the builder (``n8nwork.builder``).

Orders are POSTed to ``/webhook/<path>``; big ones (total over 100) are flagged for review,
the others approved, and the caller gets the decision as the HTTP answer:

    Webhook (POST) -> If "Big order?" -> true:  Set "Needs review"  -> Respond to Webhook
                                      -> false: Set "Auto-approve" -> Respond to Webhook

Run it against a running platform (``n8nwork up``) with an API key (``n8nwork keys create``):

    N8NWORK_URL=http://127.0.0.1:8000 N8NWORK_API_KEY=n8nw_... python examples/webhook_automation.py

It stores the workflow, activates it, sends three orders, prints the answers (the last line
is a JSON summary), and deactivates the workflow again (``--keep`` leaves it active).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

import httpx

from n8nwork.builder import Flow, assign, cond, expr, where
from n8nwork.builder import nodes as n
from n8nwork.client import Client

REVIEW_ABOVE = 100


def build(path: str) -> Flow:
    """The order-triage workflow, answering on ``/webhook/<path>``."""
    hook = n.Webhook("Order received", path=path, httpMethod="POST", responseMode="responseNode")
    big = n.If("Big order?", conditions=where(cond(expr("$json.body.total"), ">", REVIEW_ABOVE)))

    def decide(name: str, decision: str) -> Any:
        return n.Set(
            name,
            assignments=[
                assign("order", expr("$json.body.id"), "number"),
                assign("total", expr("$json.body.total"), "number"),
                assign("decision", decision),
            ],
        )

    respond = n.RespondToWebhook("Answer", respondWith="firstIncomingItem")
    hook >> big
    big.output("true") >> decide("Needs review", "review") >> respond
    big.output("false") >> decide("Auto-approve", "approved") >> respond
    return Flow("Order triage (example)", hook, settings={"executionOrder": "v1"})


def post(url: str, order: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    """POST an order; a just-activated route may need a moment to be known everywhere."""
    deadline = time.monotonic() + timeout
    while True:
        answer = httpx.post(url, json=order, timeout=60.0)
        if answer.status_code != 404 or time.monotonic() > deadline:
            answer.raise_for_status()
            return dict(answer.json())
        time.sleep(0.2)


def main(api_url: str, api_key: str, *, keep: bool = False) -> dict[str, Any]:
    path = f"orders-{uuid.uuid4().hex[:8]}"
    orders: list[dict[str, Any]] = [
        {"id": 1, "total": 40},
        {"id": 2, "total": 250},
        {"id": 3, "total": 99.5},
    ]
    with Client(api_url, api_key=api_key) as client:
        workflow = client.workflows.create(build(path))
        client.workflows.activate(workflow.id)
        try:
            answers = [post(f"{api_url}/webhook/{path}", order) for order in orders]
        finally:
            if not keep:
                client.workflows.deactivate(workflow.id)
    for order, answer in zip(orders, answers, strict=True):
        print(f"order {order['id']} ({order['total']}): {answer['decision']}")
    return {"workflowId": workflow.id, "path": path, "answers": answers}


if __name__ == "__main__":
    summary = main(
        os.environ.get("N8NWORK_URL", "http://127.0.0.1:8000").rstrip("/"),
        os.environ["N8NWORK_API_KEY"],
        keep="--keep" in sys.argv[1:],
    )
    print(json.dumps(summary))
