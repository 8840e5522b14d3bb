"""Commands that run in this process, without a server: ``run`` (a workflow file, no Ray)
and ``conformance`` (judges n8n's own fixtures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from n8nwork.cli import _files
from n8nwork.cli._app import app, options
from n8nwork.cli._errors import EXIT_FAILED, fail
from n8nwork.errors import N8nworkError, WorkflowError

err_console = Console(stderr=True)


def _node_registry() -> Any:
    # The CLI is an edge of the system: it is where the core meets the node packages.
    from nodes.sdk.registry import default_registry

    return default_registry()


def _settings() -> Any:
    from pydantic import ValidationError

    from n8nwork.settings import Settings, SettingsError

    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        raise fail(f"invalid settings: {exc}") from exc


@app.command(rich_help_panel="In this process")
def run(
    workflow_file: Annotated[Path, typer.Argument(help="An n8n workflow JSON file.")],
    input_file: Annotated[
        Path | None, typer.Option("--input", "-i", help="Items (JSON list) for the start node.")
    ] = None,
    output_json: Annotated[
        bool, typer.Option("--json", help="Print only the run (status, nodes, output) as JSON.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Run a workflow in this process and print each node's status, then the final output."""
    from n8nwork.workflow.model import Workflow
    from n8nwork.workflow.validate import validate
    from nodes.sdk.runner import run_workflow

    opts = options()
    opts.debug = opts.debug or debug
    debug, output_json = opts.debug, output_json or opts.json
    try:
        registry = _node_registry()
        workflow = Workflow.from_file(workflow_file)
    except WorkflowError as exc:
        if debug:
            raise
        raise fail(str(exc)) from exc
    items = _files.load_items(input_file) if input_file else None  # CliError: exit 2
    try:
        workflow = validate(workflow, registry)
        state = run_workflow(
            workflow, items=items, registry=registry, timezone=_settings().timezone
        )
    except WorkflowError as exc:
        if debug:
            raise
        raise fail(f"{workflow_file}: {exc}") from exc
    except N8nworkError as exc:
        if debug:
            raise
        raise fail(str(exc), EXIT_FAILED) from exc
    last = state.last_node_executed
    runs = state.run_data.get(last or "", [])
    final = runs[-1].output(0) if runs else []
    if output_json:
        summary = {
            "status": state.status,
            "error": state.error,
            "nodes": {
                name: [
                    {
                        "status": r.status,
                        "items": [len(o) for o in (r.outputs or [])],
                        "ms": round(r.execution_time, 3),
                    }
                    for r in node_runs
                ]
                for name, node_runs in state.run_data.items()
            },
            "lastNode": last,
            "output": final,
        }
        typer.echo(json.dumps(summary, indent=2, default=str))
    else:
        console = Console()
        table = Table(title=Text(f"{workflow.name or workflow_file.name}: {state.status}"))
        table.add_column("node")
        table.add_column("run", justify="right")
        table.add_column("status")
        table.add_column("items out", justify="right")
        table.add_column("ms", justify="right")
        for name, node_runs in state.run_data.items():
            for i, r in enumerate(node_runs):
                counts = "/".join(str(len(o)) for o in (r.outputs or [])) or "-"
                table.add_row(Text(name), str(i), r.status, counts, f"{r.execution_time:.2f}")
        console.print(table)
        if state.error:
            err_console.print(f"error: {state.error.get('message')}", markup=False)
        typer.echo(json.dumps(final, indent=2, default=str))
    if state.status not in ("success", "waiting"):
        raise typer.Exit(EXIT_FAILED)


@app.command(rich_help_panel="In this process")
def conformance(
    paths: Annotated[list[Path], typer.Argument(help="Fixture files or folders.")],
) -> None:
    """Judge n8n fixture workflows; one line per file, then 'N passed, M failed'."""
    from n8nwork.conformance import fixture_files, judge_file
    from n8nwork.run.driver import VirtualClock
    from n8nwork.settings import Settings
    from nodes.sdk.runner import run_workflow

    registry = _node_registry()
    n8n_default_zone = Settings.model_fields["timezone"].default

    def runner(workflow: Any, items: Any, mode: str) -> Any:
        # The fixtures' expected outputs were produced with n8n's default instance time zone
        # (GENERIC_TIMEZONE, America/New_York; the process itself ran in UTC), which is also
        # our settings' default; the judgement does not depend on this machine's settings.
        return run_workflow(
            workflow,
            items=items,
            mode=mode,
            registry=registry,
            clock=VirtualClock(),
            timezone=n8n_default_zone,
        )

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or folder: {missing[0]}")
    passed = failed = 0
    for path in fixture_files(paths):
        verdict = judge_file(path, runner)
        typer.echo(verdict.line())
        if verdict.passed:
            passed += 1
        else:
            failed += 1
    typer.echo(f"{passed} passed, {failed} failed")
    if failed or passed == 0:
        raise typer.Exit(EXIT_FAILED)
