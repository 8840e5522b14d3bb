"""The ``n8nwork`` command line.

Exit codes: 0 ok, 1 the thing run failed (a workflow ended in error, a fixture failed),
2 usage or input error (unreadable or invalid file), 3 server unreachable (API commands).
Errors are one line on stderr; ``--debug`` shows the trace.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from n8nwork.errors import N8nworkError, WorkflowError

app = typer.Typer(
    name="n8nwork",
    help="n8n-compatible workflow automation, executed on Ray.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    one_line = " ".join(message.split())
    sys.stderr.write(f"error: {one_line}\n")
    return typer.Exit(code)


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
        raise _fail(f"invalid settings: {exc}") from exc


def _load_items(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{path}: cannot read input items ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise _fail(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise _fail(f"{path}: input items must be a JSON object or a list of objects")
    return [i if "json" in i and isinstance(i["json"], dict) else {"json": i} for i in data]


@app.command()
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

    try:
        registry = _node_registry()
        workflow = Workflow.from_file(workflow_file)
    except WorkflowError as exc:
        if debug:
            raise
        raise _fail(str(exc)) from exc
    try:
        workflow = validate(workflow, registry)
        items = _load_items(input_file) if input_file else None
        state = run_workflow(
            workflow, items=items, registry=registry, timezone=_settings().timezone
        )
    except WorkflowError as exc:
        if debug:
            raise
        raise _fail(f"{workflow_file}: {exc}") from exc
    except N8nworkError as exc:
        if debug:
            raise
        raise _fail(str(exc), EXIT_FAILED) from exc
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
        table = Table(title=f"{workflow.name or workflow_file.name}: {state.status}")
        table.add_column("node")
        table.add_column("run", justify="right")
        table.add_column("status")
        table.add_column("items out", justify="right")
        table.add_column("ms", justify="right")
        for name, node_runs in state.run_data.items():
            for i, r in enumerate(node_runs):
                counts = "/".join(str(len(o)) for o in (r.outputs or [])) or "-"
                table.add_row(name, str(i), r.status, counts, f"{r.execution_time:.2f}")
        console.print(table)
        if state.error:
            err_console.print(f"error: {state.error.get('message')}", markup=False)
        typer.echo(json.dumps(final, indent=2, default=str))
    if state.status not in ("success", "waiting"):
        raise typer.Exit(EXIT_FAILED)


@app.command()
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
        raise _fail(f"no such file or folder: {missing[0]}")
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


def _settings_or_fail(database_url: str | None) -> Any:
    """Settings from the environment (``N8NWORK_*``), with ``--database-url`` on top."""
    from pydantic import ValidationError

    from n8nwork.settings import DatabaseSettings, Settings, SettingsError

    try:
        settings = Settings()
        if database_url:
            db = settings.database.model_dump() | {"url": database_url}
            settings = settings.model_copy(update={"database": DatabaseSettings(**db)})
    except (SettingsError, ValidationError) as exc:
        raise _fail(str(exc)) from exc
    return settings


@app.command()
def migrate(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Default: N8NWORK_DATABASE__URL, else the SQLite file."
        ),
    ] = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations (PostgreSQL or SQLite) up to REVISION."""
    from sqlalchemy.exc import OperationalError

    from n8nwork.store.engine import create_engine
    from n8nwork.store.migrate import current_revision, upgrade

    settings = _settings_or_fail(database_url)
    engine = create_engine(settings.database_url())
    try:
        before = current_revision(engine)
        upgrade(engine, revision)
        after = current_revision(engine)
    except OperationalError as exc:
        raise _fail(f"cannot reach the database: {exc.orig or exc}", EXIT_UNREACHABLE) from exc
    finally:
        engine.dispose()
    typer.echo(f"database at {after} (was {before or 'empty'})")


@app.command("rotate-key")
def rotate_key(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Default: N8NWORK_DATABASE__URL, else the SQLite file."
        ),
    ] = None,
    retire: Annotated[
        bool, typer.Option(help="Drop keys no credential uses any more (key file only).")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Credentials per transaction.")] = 100,
) -> None:
    """Re-encrypt every credential under a new primary key, while the service runs.

    With the embedded key file a new key is generated and added to it. With
    N8NWORK_ENCRYPTION__KEYS, put the new key first in the setting (keep the old ones after
    it) on every process, then run this, then remove the old keys from the setting."""
    from sqlalchemy.exc import OperationalError

    from n8nwork.crypto import CryptoError
    from n8nwork.store import StoreError, open_store
    from n8nwork.store.rotation import rotate_keys

    settings = _settings_or_fail(database_url)
    try:
        store = open_store(settings)
        try:
            report = rotate_keys(
                sessions=store.sessions,
                key_ring=store.key_ring,
                new_key=settings.encryption.keys is None,
                retire=retire,
                batch_size=batch_size,
            )
        finally:
            store.close()
    except OperationalError as exc:
        raise _fail(f"cannot reach the database: {exc.orig or exc}", EXIT_UNREACHABLE) from exc
    except (StoreError, CryptoError) as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    typer.echo(f"primary key {report.primary}: {report.resealed} credential(s) re-encrypted")
    if report.retired:
        typer.echo(f"retired keys: {', '.join(report.retired)}")
    stale = {k: n for k, n in report.remaining.items() if k != report.primary}
    if stale:
        raise _fail(f"credentials still under old keys: {stale}", EXIT_FAILED)


@app.command()
def up(
    address: Annotated[
        str | None, typer.Option(help="Join this Ray cluster instead of starting a local one.")
    ] = None,
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the API.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="PostgreSQL URL (default: the SQLite file)."),
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option("--redis-url", help="Redis URL (default: in-process caches).")
    ] = None,
    num_cpus: Annotated[
        int | None, typer.Option(min=1, help="CPUs of the local Ray cluster.")
    ] = None,
    proxy: Annotated[
        str, typer.Option(help="HTTP front end: auto, haproxy or default (Serve's proxy).")
    ] = "auto",
    dashboard: Annotated[bool, typer.Option(help="Start the Ray dashboard.")] = True,
) -> None:
    """Start the platform: Ray, migrations, the owner account, the API on Ray Serve."""
    from serve.up import UpOptions
    from serve.up import up as bring_up

    options = UpOptions(
        address=address,
        host=host,
        port=port,
        database_url=database_url,
        redis_url=redis_url,
        num_cpus=num_cpus,
        proxy=proxy,
        dashboard=dashboard,
    )
    from pydantic import ValidationError

    try:
        code = bring_up(options)
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}") from exc
    except N8nworkError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
