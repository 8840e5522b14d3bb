"""``executions retry|cancel|watch|rm`` and ``workflows run`` of failing and waiting runs,
against a real server (in-process runtime): exit codes and the live view's output."""

from __future__ import annotations

import io
import itertools
import json
import time
from types import SimpleNamespace
from typing import Any

from rich.console import Console

from n8nwork.cli._watch import Progress, follow
from tests.unit.cli.conftest import Server
from tests.unit.cli.test_workflows_cmd import cli, stored_workflow


def node(name: str, type_: str, x: int, version: float = 1, **params: Any) -> dict[str, Any]:
    return {
        "id": name.lower().replace(" ", "-"),
        "name": name,
        "type": type_,
        "typeVersion": version,
        "position": [x, 0],
        "parameters": params,
    }


def chain(name: str, *nodes: dict[str, Any]) -> dict[str, Any]:
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(nodes)
    }
    return {
        "name": name,
        "nodes": list(nodes),
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


START = node("Start", "n8n-nodes-base.manualTrigger", 0)


def failing() -> dict[str, Any]:
    stop = node("Fail", "n8n-nodes-base.stopAndError", 200, errorMessage="boom on purpose")
    return chain("Fails", START, stop)


def waiting(seconds: int) -> dict[str, Any]:
    wait = node("Pause", "n8n-nodes-base.wait", 200, 1.1, amount=seconds, unit="seconds")
    return chain("Waits", START, wait, node("After", "n8n-nodes-base.noOp", 400))


def status_of(server: Server, eid: int) -> str:
    with server.owner() as http:
        return str(http.get(f"/api/v1/executions/{eid}?includeData=false").json()["status"])


def until_status(server: Server, eid: int, wanted: set[str], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while (status := status_of(server, eid)) not in wanted:
        assert time.monotonic() < deadline, f"execution {eid} stayed {status}"
        time.sleep(0.1)
    return status


def test_failed_run_exit_1_then_retry(server: Server) -> None:
    wid = stored_workflow(server, failing())
    ran = cli(server, "workflows", "run", wid)
    assert ran.exit_code == 1, ran.output
    assert "boom on purpose" in ran.output
    eid = json.loads(cli(server, "executions", "ls", "--workflow", wid, "--json").stdout)[0]["id"]
    retried = cli(server, "--json", "executions", "retry", str(eid))
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout)["retryOf"] == eid
    waited = cli(server, "executions", "retry", str(eid), "--wait")
    assert waited.exit_code == 1, waited.output


def test_watch_live_plain_lines_and_json(server: Server) -> None:
    wid = stored_workflow(server, waiting(1))
    started = json.loads(cli(server, "workflows", "run", wid, "--no-wait", "--json").stdout)
    eid = started["executionId"]
    # Given a run that is still going, when it is watched (not a terminal: plain lines),
    # then every node shows up and the command ends with the run, exit 0.
    watched = cli(server, "executions", "watch", str(eid))
    assert watched.exit_code == 0, watched.output
    lines = watched.stdout.strip().splitlines()
    assert any(line.startswith("After: success") for line in lines), lines
    assert lines[-1] == f"execution {eid} finished: success"
    # Replayed after the end, as JSON: one event per line, the last one the finish.
    replay = cli(server, "executions", "watch", str(eid), "--json")
    assert replay.exit_code == 0, replay.output
    events = [json.loads(line) for line in replay.stdout.strip().splitlines()]
    assert events[-1]["type"] == "finished"
    assert events[-1]["data"]["status"] == "success"
    assert {e["data"].get("node") for e in events} >= {"Start", "Pause", "After"}


def test_cancel_and_watch_canceled_exit_1(server: Server) -> None:
    wid = stored_workflow(server, waiting(60))
    eid = json.loads(cli(server, "workflows", "run", wid, "--no-wait", "--json").stdout)[
        "executionId"
    ]
    until_status(server, eid, {"running", "waiting"})
    canceled = cli(server, "executions", "cancel", str(eid))
    assert canceled.exit_code == 0, canceled.output
    assert until_status(server, eid, {"canceled"}) == "canceled"
    watched = cli(server, "executions", "watch", str(eid))
    assert watched.exit_code == 1
    again = cli(server, "executions", "cancel", str(eid))  # already finished: 409
    assert again.exit_code == 2 and again.stderr.startswith("error: ")
    assert cli(server, "executions", "rm", str(eid)).exit_code == 0
    assert cli(server, "executions", "show", str(eid)).exit_code == 2
    missing = cli(server, "executions", "watch", str(eid))
    assert missing.exit_code == 2 and "not found" in missing.stderr.lower()


def test_progress_folds_both_runtimes_vocabularies() -> None:
    ray_events: list[tuple[str, dict[str, Any]]] = [
        ("started", {}),
        ("nodeStarted", {"node": "Fetch", "placement": "task"}),
        ("nodeFailed", {"node": "Fetch", "error": "timeout", "retrying": True}),
        ("nodeFinished", {"node": "Fetch", "status": "success", "items": 3, "executionTime": 12.5}),
        ("finished", {"status": "error", "error": {"message": "bad", "node": "Load"}}),
    ]
    progress = Progress(5)
    lines = [progress.apply(kind, data) for kind, data in ray_events]
    assert lines[1] == "Fetch: running (task)"
    assert lines[2] == "Fetch: failed, retrying (timeout)"
    assert progress.nodes["Fetch"].items == 3 and progress.nodes["Fetch"].runs == 1
    assert progress.status == "error" and progress.error == "bad (node Load)"
    again = Progress(6)
    again.apply("nodeStarted", {"node": "A"})
    again.apply("nodeFinished", {"node": "A", "status": "success", "items": 3})
    again.apply("finished", {"status": "success"})
    assert again.nodes["A"].items == 3 and again.finished
    assert again.table().row_count == 1


def test_live_table_on_a_terminal() -> None:
    # Given a terminal, the events redraw one table: a row per node, the run's status on top.
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    events = [
        SimpleNamespace(type="started", data={}),
        SimpleNamespace(type="nodeStarted", data={"node": "Fetch", "placement": "task"}),
        SimpleNamespace(type="nodeFinished", data={"node": "Fetch", "items": 4}),
        SimpleNamespace(type="finished", data={"status": "success"}),
    ]
    progress = follow(events, Progress(9), as_json=False, console=console)
    assert progress.status == "success" and progress.nodes["Fetch"].items == 4
    drawn = screen.getvalue()
    assert "execution 9" in drawn and "Fetch" in drawn and "success" in drawn
