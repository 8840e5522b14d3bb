"""Customer Messenger (n8n training): reports the message it pretends to send."""

from __future__ import annotations

from nodes.sdk.testing import execute_one, items, jsons


def test_message_per_item() -> None:
    out = execute_one(
        "n8n-nodes-base.n8nTrainingCustomerMessenger",
        {"customerId": "23423532", "message": "Hi"},
        [items({}, {})],
    )
    assert isinstance(out, list)
    assert jsons(out[0]) == [{"output": "Sent message to customer 23423532:  Hi"}] * 2
    assert [i["pairedItem"] for i in out[0]] == [{"item": 0}, {"item": 1}]
