"""``workflows ls|show|run|activate|deactivate|rm``: workflows on the server."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any

import typer

from n8nwork.cli import _files
from n8nwork.cli._app import app, options
from n8nwork.cli._errors import EXIT_FAILED
from n8nwork.cli._render import echo_json, field, listing, record, table
from n8nwork.cli._session import connect

workflows = typer.Typer(help="Workflows on the server.", no_args_is_help=True)
app.add_typer(workflows, name="workflows", rich_help_panel="Server")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PAGE = 250  # the API's largest page
SUMMARY = [
    ("id", ["id"]),
    ("name", ["name"]),
    ("active", ["active"]),
    ("version", ["version"]),
    ("project", ["project_id", "projectId"]),
    ("updated", ["updated_at", "updatedAt"]),
]


@workflows.command("ls")
def ls(
    name: Annotated[str | None, typer.Option(help="Only names containing this.")] = None,
    project: Annotated[str | None, typer.Option(help="Only this project.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 100,
    output_json: JsonOpt = False,
) -> None:
    """List the workflows you can see."""
    filters: dict[str, Any] = {"limit": min(limit or PAGE, PAGE)}  # page size
    if name:
        filters["name"] = name
    if project:
        filters["project_id"] = project
    with connect() as client:
        found = client.workflows.list(**filters)
        items = list(itertools.islice(found, limit) if limit else found)
    listing(items, SUMMARY, as_json=output_json or options().json)


@workflows.command("show")
def show(workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
         output_json: JsonOpt = False) -> None:  # fmt: skip
    """A workflow and its nodes."""
    with connect() as client:
        wf = client.workflows.get(workflow_id)
    if output_json or options().json:
        echo_json(wf)
        return
    record(wf, [*SUMMARY, ("created", ["created_at", "createdAt"])], as_json=False)
    nodes = field(wf, "nodes", default=[])
    table(
        None,
        ["node", "type", "version", "disabled"],
        [[n.get("name"), n.get("type"), n.get("typeVersion"), n.get("disabled")] for n in nodes],
    )


@workflows.command("run")
def run(
    workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
    input_file: Annotated[
        Path | None, typer.Option("--input", "-i", help="Items (JSON list) for the start node.")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait for the end and show the nodes.")] = True,
    timeout: Annotated[float | None, typer.Option(min=0.1, help="Seconds to wait at most.")] = None,
    output_json: JsonOpt = False,
) -> None:
    """Run a stored workflow on the server (exit 1 if the run does not succeed)."""
    from n8nwork.cli.executions import show_execution

    items = _files.load_items(input_file) if input_file else None
    as_json = output_json or options().json
    with connect() as client:
        execution = client.run(workflow_id, items=items, wait=wait, timeout=timeout,
                               progress=False)  # fmt: skip
    if not wait:
        eid = field(execution, "id", "execution_id")
        if as_json:
            echo_json({"executionId": eid, "status": field(execution, "status")})
        else:
            typer.echo(f"execution {eid} started")
        return
    show_execution(execution, as_json=as_json)
    if field(execution, "status") not in ("success", "waiting"):
        raise typer.Exit(EXIT_FAILED)


def _activation(workflow_id: str, active: bool) -> None:
    with connect() as client:
        if active:
            wf = client.workflows.activate(workflow_id)
        else:
            wf = client.workflows.deactivate(workflow_id)
    if options().json:
        echo_json(wf)
    else:
        state = "active" if field(wf, "active") else "inactive"
        typer.echo(f"workflow {workflow_id} is {state}")


@workflows.command("activate")
def activate(workflow_id: Annotated[str, typer.Argument(help="Workflow id.")]) -> None:
    """Activate a workflow (its triggers: webhooks, schedules)."""
    _activation(workflow_id, True)


@workflows.command("deactivate")
def deactivate(workflow_id: Annotated[str, typer.Argument(help="Workflow id.")]) -> None:
    """Deactivate a workflow."""
    _activation(workflow_id, False)


@workflows.command("rm")
def rm(workflow_ids: Annotated[list[str], typer.Argument(help="Workflow ids.")]) -> None:
    """Delete workflows."""
    with connect() as client:
        for wid in workflow_ids:
            client.workflows.delete(wid)
            if not options().json:
                typer.echo(f"deleted workflow {wid}")
    if options().json:
        echo_json({"deleted": workflow_ids})
