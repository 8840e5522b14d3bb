"""Customer Datastore (n8n training) (``n8n-nodes-base.n8nTrainingCustomerDatastore`` v1): a dummy
node from n8n's courses that returns one or several people from a fixed list, per input item."""

from __future__ import annotations

import copy
from typing import Any

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

PEOPLE: tuple[dict[str, Any], ...] = (
    {
        "id": "23423532",
        "name": "Jay Gatsby",
        "email": "gatsby@west-egg.com",
        "notes": "Keeps asking about a green light??",
        "country": "US",
        "created": "1925-04-10",
    },
    {
        "id": "23423533",
        "name": "José Arcadio Buendía",
        "email": "jab@macondo.co",
        "notes": "Lots of people named after him. Very confusing",
        "country": "CO",
        "created": "1967-05-05",
    },
    {
        "id": "23423534",
        "name": "Max Sendak",
        "email": "info@in-and-out-of-weeks.org",
        "notes": "Keeps rolling his terrible eyes",
        "country": "US",
        "created": "1963-04-09",
    },
    {
        "id": "23423535",
        "name": "Zaphod Beeblebrox",
        "email": "captain@heartofgold.com",
        "notes": "Felt like I was talking to more than one person",
        "country": None,
        "created": "1979-10-12",
    },
    {
        "id": "23423536",
        "name": "Edmund Pevensie",
        "email": "edmund@narnia.gov",
        "notes": "Passionate sailor",
        "country": "UK",
        "created": "1950-10-16",
    },
)


class N8nTrainingCustomerDatastore(NodeType):
    type_name = "n8n-nodes-base.n8nTrainingCustomerDatastore"
    display_name = "Customer Datastore (n8n training)"
    description = "Dummy node used for n8n training"
    params = (
        Param("operation", "options", "getOnePerson", ("getOnePerson", "getAllPeople")),
        Param("returnAll", "boolean", False),
        Param("limit", "number", 5),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        operation = ctx.param("operation", 0)
        out: list[dict[str, Any]] = []
        for i, _item in enumerate(ctx.input(0)):
            if operation == "getOnePerson":
                people = [PEOPLE[0]]
            elif operation == "getAllPeople":
                if ctx.param("returnAll", i):
                    people = list(PEOPLE)
                else:
                    limit = ctx.param("limit", i)
                    count = int(limit) if isinstance(limit, (int, float)) else 5
                    people = list(PEOPLE[: max(count, 0)])
            else:
                raise ctx.error(f'The operation "{operation}" is not known!', item_index=i)
            out.extend({"json": copy.deepcopy(p), "pairedItem": {"item": i}} for p in people)
        return [out]
