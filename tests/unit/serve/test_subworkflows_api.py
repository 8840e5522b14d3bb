"""Sub-workflows through the API with the in-process runtime (``LocalRuntime``): the child,
saved in the store, runs in the parent's thread and its output is the node's."""

from __future__ import annotations

from typing import Any

from tests.unit.serve.conftest import World


def _doc(name: str, first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "nodes": [
            {"position": [0, 0], "typeVersion": 1, "parameters": {}, **first},
            {"position": [200, 0], **second},
        ],
        "connections": {
            first["name"]: {"main": [[{"node": second["name"], "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"},
    }


def test_a_parent_runs_a_saved_child_through_the_api(world: World) -> None:
    owner = world.headers("owner")
    child = _doc(
        "child",
        {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger"},
        {
            "name": "Set",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"id": "1", "name": "y", "type": "number", "value": "={{ $json.n + 1 }}"}
                    ]
                }
            },
        },
    )
    made = world.client.post(
        "/api/v1/workflows", json={**child, "projectId": world.p}, headers=owner
    )
    assert made.status_code == 201, made.text
    parent = _doc(
        "parent",
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger"},
        {
            "name": "Call",
            "type": "n8n-nodes-base.executeWorkflow",
            "typeVersion": 1,
            "parameters": {"workflowId": made.json()["id"], "mode": "each"},
        },
    )
    wid = world.client.post(
        "/api/v1/workflows", json={**parent, "projectId": world.p}, headers=owner
    ).json()["id"]

    r = world.client.post(
        f"/api/v1/workflows/{wid}/run?wait=true", json={"items": [{"n": 1}, {"n": 5}]},
        headers=owner,
    )  # fmt: skip

    assert r.status_code == 200, r.text
    result = r.json()
    assert result["status"] == "success"
    out = result["data"]["resultData"]["runData"]["Call"][0]["data"]["main"][0]
    assert [i["json"] for i in out] == [{"y": 2}, {"y": 6}]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]
