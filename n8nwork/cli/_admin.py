"""Operator commands: ``up`` (the platform on this machine), ``migrate`` (database schema)
and ``rotate-key`` (re-encrypt credentials under a new key)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from n8nwork.cli._app import app
from n8nwork.cli._errors import EXIT_FAILED, EXIT_UNREACHABLE, fail
from n8nwork.errors import N8nworkError


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
        raise fail(str(exc)) from exc
    return settings


@app.command(rich_help_panel="Operate")
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
        raise fail(f"cannot reach the database: {exc.orig or exc}", EXIT_UNREACHABLE) from exc
    finally:
        engine.dispose()
    typer.echo(f"database at {after} (was {before or 'empty'})")


@app.command("rotate-key", rich_help_panel="Operate")
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
        raise fail(f"cannot reach the database: {exc.orig or exc}", EXIT_UNREACHABLE) from exc
    except (StoreError, CryptoError) as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    typer.echo(f"primary key {report.primary}: {report.resealed} credential(s) re-encrypted")
    if report.retired:
        typer.echo(f"retired keys: {', '.join(report.retired)}")
    stale = {k: n for k, n in report.remaining.items() if k != report.primary}
    if stale:
        raise fail(f"credentials still under old keys: {stale}", EXIT_FAILED)


@app.command(rich_help_panel="Operate")
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
        raise fail(f"invalid settings: {exc}") from exc
    except N8nworkError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    raise typer.Exit(code)
