"""The ``n8nwork run`` and ``n8nwork conformance`` commands: output, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from n8nwork.cli import app

runner = CliRunner()


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def noop_workflow() -> dict[str, Any]:
    return {
        "name": "two nodes",
        "nodes": [
            {
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "parameters": {},
                "position": [0, 0],
            },
            {
                "name": "Pass",
                "type": "n8n-nodes-base.noOp",
                "typeVersion": 1,
                "parameters": {},
                "position": [200, 0],
            },
        ],
        "connections": {"Start": {"main": [[{"node": "Pass", "type": "main", "index": 0}]]}},
    }


def test_run_prints_nodes_and_final_output(tmp_path: Path) -> None:
    wf = write(tmp_path, "wf.json", noop_workflow())
    items = write(tmp_path, "items.json", [{"a": 1}, {"json": {"b": 2}}])
    result = runner.invoke(app, ["run", str(wf), "--input", str(items), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "success"
    assert summary["nodes"]["Pass"][0]["items"] == [2]
    assert [i["json"] for i in summary["output"]] == [{"a": 1}, {"b": 2}]


def test_run_table_output(tmp_path: Path) -> None:
    wf = write(tmp_path, "wf.json", noop_workflow())
    result = runner.invoke(app, ["run", str(wf)])
    assert result.exit_code == 0, result.output
    assert "Pass" in result.stdout and "success" in result.stdout


def test_bad_files_give_one_line_and_exit_2(tmp_path: Path) -> None:
    cases = {
        "missing.json": None,
        "broken.json": "{nope",
        "invalid.json": {
            "nodes": [{"name": "X", "type": "acme.unknown", "typeVersion": 1}],
            "connections": {},
        },
    }
    for name, content in cases.items():
        path = tmp_path / name if content is None else write(tmp_path, name, content)
        result = runner.invoke(app, ["run", str(path)])
        assert result.exit_code == 2, (name, result.output)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (name, result.stderr)
        assert "Traceback" not in result.output


def test_bad_input_items_exit_2(tmp_path: Path) -> None:
    wf = write(tmp_path, "wf.json", noop_workflow())
    items = write(tmp_path, "items.json", "[1, 2]")
    result = runner.invoke(app, ["run", str(wf), "--input", str(items)])
    assert result.exit_code == 2
    assert "input items must be" in result.stderr


def test_conformance_reports_failures_and_exit_code(tmp_path: Path) -> None:
    good = noop_workflow()
    good["pinData"] = {"Pass": [{"json": {}}]}
    bad = noop_workflow()
    bad["pinData"] = {"Pass": [{"json": {"x": 1}}]}
    folder = tmp_path / "fx"
    folder.mkdir()
    write(folder, "good.json", good)
    write(folder, "bad.json", bad)
    write(folder, "unreadable.json", "{")
    result = runner.invoke(app, ["conformance", str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "1 passed, 2 failed"
    assert any(line.startswith("FAIL") and "bad.json" in line for line in lines)
    assert any("cannot read fixture" in line for line in lines)
    assert "node 'Pass' output differs" in result.stdout


def test_conformance_missing_path_is_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["conformance", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_up_is_a_command() -> None:
    from typer.testing import CliRunner

    from n8nwork.cli import app

    result = CliRunner().invoke(app, ["up", "--help"])
    assert result.exit_code == 0
    for option in ("--address", "--database-url", "--redis-url", "--port", "--proxy"):
        assert option in result.output
