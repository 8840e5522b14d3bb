"""Customer Datastore (n8n training): one person or the first N (or all) per input item."""

from __future__ import annotations

from nodes.sdk.testing import execute_one, items, jsons

DS = "n8n-nodes-base.n8nTrainingCustomerDatastore"


def names(params: dict, count: int = 1) -> list[str]:
    out = execute_one(DS, params, [items(*([{}] * count))])
    assert isinstance(out, list)
    return [row["name"] for row in jsons(out[0])]


def test_operations() -> None:
    assert names({}) == ["Jay Gatsby"]
    assert names({}, count=2) == ["Jay Gatsby", "Jay Gatsby"]
    assert len(names({"operation": "getAllPeople"})) == 5
    assert names({"operation": "getAllPeople", "limit": 2}) == [
        "Jay Gatsby",
        "José Arcadio Buendía",
    ]
    assert len(names({"operation": "getAllPeople", "returnAll": True})) == 5
    out = execute_one(DS, {"operation": "getAllPeople", "returnAll": True}, [items({})])
    assert isinstance(out, list)
    assert jsons(out[0])[3] == {
        "id": "23423535",
        "name": "Zaphod Beeblebrox",
        "email": "captain@heartofgold.com",
        "notes": "Felt like I was talking to more than one person",
        "country": None,
        "created": "1979-10-12",
    }
