"""``executions ls|show|retry|cancel|watch|rm``: runs on the server (``watch``: ``_watch``)."""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import typer
from rich.console import Console

from n8nwork.cli._app import app, options
from n8nwork.cli._errors import EXIT_FAILED, CliError
from n8nwork.cli._render import echo_json, field, listing, record, table
from n8nwork.cli._session import connect
from n8nwork.cli._watch import Progress, follow

executions = typer.Typer(help="Executions (runs) on the server.", no_args_is_help=True)
app.add_typer(executions, name="executions", rich_help_panel="Server")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PAGE = 250  # the API's largest page
IdArg = Annotated[int, typer.Argument(min=1, help="Execution id.")]
STATUSES = ("new", "running", "waiting", "success", "error", "canceled", "crashed")
SUMMARY = [
    ("id", ["id"]),
    ("workflow", ["workflow_id", "workflowId"]),
    ("status", ["status"]),
    ("mode", ["mode"]),
    ("started", ["started_at", "startedAt"]),
    ("stopped", ["stopped_at", "stoppedAt"]),
]


def show_execution(execution: Any, *, as_json: bool) -> None:
    """An execution: its fields and one row per node (JSON: everything the server sent)."""
    if as_json:
        echo_json(execution)
        return
    record(execution, [*SUMMARY, ("last node", ["last_node", "lastNode"])], as_json=False)
    try:
        nodes = list(field(execution, "nodes", default=[]))
    except ValueError:  # fetched without its run data
        nodes = []
    if nodes:
        table(
            None,
            ["node", "status", "runs", "items", "ms", "error"],
            [[n.name, n.status, n.runs, n.items, f"{n.duration_ms:.0f}", n.error] for n in nodes],
        )
    error = field(execution, "error")
    if isinstance(error, dict) and error.get("message"):
        typer.echo(f"error: {error['message']}", err=True)


@executions.command("ls")
def ls(
    workflow: Annotated[str | None, typer.Option(help="Only this workflow's.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help=f"Only these statuses ({', '.join(STATUSES)}).")
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 50,
    output_json: JsonOpt = False,
) -> None:
    """List executions, newest first."""
    bad = [s for s in status or [] if s not in STATUSES]
    if bad:
        raise CliError(f"--status {bad[0]!r} is not one of {', '.join(STATUSES)}")
    with connect() as client:
        found = client.executions.list(
            workflow_id=workflow, status=list(status or []) or None, limit=min(limit or PAGE, PAGE)
        )
        items = list(itertools.islice(found, limit) if limit else found)
    listing(items, SUMMARY, as_json=output_json or options().json)


@executions.command("show")
def show(
    execution_id: IdArg,
    node: Annotated[
        str | None, typer.Option(help="Print the items this node output (JSON).")
    ] = None,
    output_json: JsonOpt = False,
) -> None:
    """An execution: status, times, and every node's status, items and time."""
    with connect() as client:
        execution = client.executions.get(execution_id, include_data=True)
    if node is not None:
        try:
            echo_json(execution.output(node))
        except KeyError as exc:
            raise CliError(str(exc.args[0] if exc.args else exc)) from exc
        return
    show_execution(execution, as_json=output_json or options().json)


@executions.command("retry")
def retry(
    execution_id: IdArg,
    wait: Annotated[bool, typer.Option(help="Wait for the new run to end.")] = False,
) -> None:
    """Run a failed execution again, from the failed node; prints the new execution."""
    as_json = options().json
    with connect() as client:
        execution = client.executions.retry(execution_id)
        if wait:
            execution = client.executions.wait(field(execution, "id"), progress=False)
    if wait:
        show_execution(execution, as_json=as_json)
        if field(execution, "status") not in ("success", "waiting"):
            raise typer.Exit(EXIT_FAILED)
    elif as_json:
        echo_json(execution)
    else:
        typer.echo(f"execution {field(execution, 'id')} retries {execution_id}")


@executions.command("cancel")
def cancel(execution_id: IdArg) -> None:
    """Stop a running or waiting execution (it ends 'canceled')."""
    with connect() as client:
        client.executions.cancel(execution_id)
    typer.echo(f"execution {execution_id}: cancel requested")


@executions.command("rm")
def rm(execution_ids: Annotated[list[int], typer.Argument(min=1, help="Execution ids.")]) -> None:
    """Delete finished executions and their run data."""
    with connect() as client:
        for eid in execution_ids:
            client.executions.delete(eid)
            typer.echo(f"deleted execution {eid}")


@executions.command("watch")
def watch(execution_id: IdArg, output_json: JsonOpt = False) -> None:
    """Follow a run live, node by node, until it ends (exit 1 unless it succeeds).

    On a terminal: a live table; piped: one line per event; --json: one JSON event per line."""
    as_json = output_json or options().json
    progress = Progress(execution_id)
    with connect() as client:
        follow(client.executions.watch(execution_id), progress, as_json=as_json,
               console=Console())  # fmt: skip
        if not progress.finished:  # the stream ended without its last event: ask
            progress.status = str(
                field(client.executions.get(execution_id, include_data=False), "status")
            )
    if not as_json and Console().is_terminal and progress.error:
        typer.echo(f"error: {progress.error}", err=True)
    if progress.status not in ("success", "waiting"):
        raise typer.Exit(EXIT_FAILED)
