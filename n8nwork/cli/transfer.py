"""``import`` and ``export``: n8n JSON files and folders in and out of the server
(file handling in ``_files``; round trip byte-stable for n8n's fields)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from n8nwork.cli import _files
from n8nwork.cli._app import app, options
from n8nwork.cli._errors import CliError, classify
from n8nwork.cli._render import echo_json, field
from n8nwork.cli._session import connect

IMPORT_BATCH = 100
"""Workflows per import request (the server takes at most 100, all or none)."""


@app.command("import", rich_help_panel="Server")
def import_(
    paths: Annotated[
        list[Path], typer.Argument(help="n8n workflow JSON files, or folders of them.")
    ],
    project: Annotated[
        str | None, typer.Option("--project", help="Project to import into (default: yours).")
    ] = None,
    output_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import n8n workflow JSON (as exported by n8n or by `n8nwork export`).

    Every file is read and checked (JSON, workflow shape) before anything is sent: such a
    problem imports nothing. The server imports them all or none (in batches of
    100: a refused workflow fails its batch; the error names its file and how many were
    imported in earlier batches). Each workflow is a new workflow on the server (the
    file's id is not reused)."""
    found = _files.read_paths(paths)
    results: list[dict[str, Any]] = []
    with connect() as client:
        for start in range(0, len(found), IMPORT_BATCH):
            batch = found[start : start + IMPORT_BATCH]
            try:
                created = client.workflows.import_many(
                    [wf.document for wf in batch], project_id=project
                )
            except Exception as exc:
                done = f" ({len(results)} imported before it)" if results else ""
                raise _with_place(exc, _refused_file(exc, batch), done) from exc
            results.extend(
                {"file": wf.where, "id": field(made, "id"), "name": field(made, "name")}
                for wf, made in zip(batch, created, strict=True)
            )
    if output_json or options().json:
        echo_json(results)
        return
    for r in results:
        typer.echo(f"imported {r['file']} -> {r['id']} {r['name']}")
    typer.echo(f"{len(results)} workflow(s) imported")


def _refused_file(exc: Exception, batch: list[Any]) -> str:
    """The file of the workflow the server named in its refusal (``[i]...``), else all."""
    for entry in getattr(exc, "fields", None) or []:
        match = re.match(r"\[(\d+)\]", str(entry.get("loc", "")))
        if match and int(match.group(1)) < len(batch):
            return str(batch[int(match.group(1))].where)
    return str(batch[0].where) if len(batch) == 1 else f"{len(batch)} files"


def _with_place(exc: Exception, where: str, done: str) -> Exception:
    """``exc`` with the file it was about at the front of its message."""
    code, message = classify(exc, options().url)
    return CliError(f"{where}: {message}{done}", code)


@app.command(rich_help_panel="Server")
def export(
    ids: Annotated[list[str] | None, typer.Argument(help="Workflow ids.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every workflow you can see.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="A folder (one <id>.json per workflow) or, for one workflow, a .json file. "
            "Default: stdout for one workflow.",
        ),
    ] = None,
) -> None:
    """Export workflows as n8n JSON (importable into n8n and by `n8nwork import`)."""
    ids = list(ids or [])
    if all_ and ids:
        raise CliError("give workflow ids or --all, not both")
    if not all_ and not ids:
        raise CliError("give workflow ids, or --all")
    to_file = output is not None and output.suffix == ".json" and not output.is_dir()
    if output is None and (all_ or len(ids) > 1):
        raise CliError("several workflows: give a folder with --output")
    if to_file and (all_ or len(ids) > 1):
        raise CliError(f"{output}: several workflows go to a folder, not one .json file")
    if output is not None and output.exists() and not output.is_dir() and not to_file:
        raise CliError(f"{output}: not a folder")
    with connect() as client:
        if all_:
            ids = [str(field(w, "id")) for w in client.workflows.list()]
        documents = [client.workflows.export(wid) for wid in ids]
    if output is None:
        sys.stdout.write(_files.dump(documents[0]))
        return
    written: list[Path] = []
    for document in documents:
        path = output if to_file else output / _files.file_name(document)
        _files.write_atomic(path, _files.dump(document))
        written.append(path)
    if options().json:
        echo_json([str(p) for p in written])
    else:
        for path in written:
            typer.echo(f"wrote {path}")
