"""The Python client end to end: real HTTP to Ray Serve, runs on the Ray runtime (PostgreSQL
+ Redis, and the embedded default): log in with e-mail and password, save a workflow, run
it, and watch its events live as they happen."""

from __future__ import annotations

import time
from typing import Any

from n8nwork.client import Client
from tests.e2e.conftest import PASSWORD, Api
from tests.unit.serve.conftest import workflow_doc


def waiting_doc(seconds: float) -> dict[str, Any]:
    """Start → A → B → Wait ``seconds``: a run that lasts long enough to be watched."""
    doc = workflow_doc("Client e2e")
    doc["nodes"].append(
        {
            "id": "w",
            "name": "Wait",
            "type": "n8n-nodes-base.wait",
            "typeVersion": 1.1,
            "position": [600, 0],
            "parameters": {"resume": "timeInterval", "amount": seconds, "unit": "seconds"},
        }
    )
    doc["connections"]["B"] = {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}
    return doc


def test_client_runs_and_watches_a_workflow(api: Api) -> None:
    with Client(
        api.url, email="member@e2e.test", password=PASSWORD, timeout=60.0, progress=False
    ) as c:
        wid = c.workflows.create(waiting_doc(1.5), project_id=api.member_project).id
        started = c.run(wid, items=[{"n": 4}], wait=False)
        arrivals: list[tuple[str, float]] = []
        for event in c.executions.watch(started.id):
            arrivals.append((event.type, time.monotonic()))
        kinds = [kind for kind, _ in arrivals]
        assert kinds[0] == "started", kinds
        assert kinds[-1] == "finished", kinds
        assert len(kinds) >= 6, kinds
        # Live: the first events came while the Wait node still held the run
        assert arrivals[-1][1] - arrivals[0][1] >= 1.0, arrivals
        done = c.executions.wait(started.id, timeout=60)
        assert done.status == "success"
        assert done.output("B") == [{"n": 4, "a": "4", "b": "done"}]
        assert [n.name for n in done.nodes] == ["Start", "A", "B", "Wait"]
        quick = c.run(workflow_doc("Client e2e quick"), items=[{"n": 1}], timeout=60)
        assert quick.status == "success" and quick.output() == [{"n": 1, "a": "1", "b": "done"}]
        assert {e.id for e in c.executions.list(workflow_id=wid)} == {started.id}
