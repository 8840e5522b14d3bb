"""Every n8n fixture in ../shared/n8n-conformance passes the conformance judgement."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from n8nwork.cli import app


def test_all_fixtures_pass(fixtures_dir: Path) -> None:
    result = CliRunner().invoke(app, ["conformance", str(fixtures_dir)])
    lines = result.stdout.strip().splitlines()
    failures = [line for line in lines if line.startswith("FAIL")]
    assert not failures, "\n".join(failures)
    assert lines[-1].endswith("passed, 0 failed")
    assert int(lines[-1].split()[0]) == len(list(fixtures_dir.rglob("*.json")))
    assert result.exit_code == 0
