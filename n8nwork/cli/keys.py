"""``keys create|ls|revoke``: your API keys (the key itself is shown once, at creation)."""

from __future__ import annotations

from typing import Annotated

import typer

from n8nwork.cli._app import app, options
from n8nwork.cli._render import echo_json, field, listing
from n8nwork.cli._session import connect

keys = typer.Typer(help="Your API keys.", no_args_is_help=True)
app.add_typer(keys, name="keys", rich_help_panel="Server")

COLUMNS = [
    ("id", ["id"]),
    ("label", ["name", "label"]),
    ("prefix", ["prefix"]),
    ("scopes", ["scopes"]),
    ("created", ["created_at", "createdAt"]),
    ("last used", ["last_used_at", "lastUsedAt"]),
]


@keys.command("create")
def create(
    label: Annotated[str, typer.Argument(help="A name for the key.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(help="A scope (repeat for several), e.g. workflow:read; default: all."),
    ] = None,
) -> None:
    """Create an API key and print it (this is the only time it is shown)."""
    with connect() as client:
        created = client.keys.create(label, scopes=list(scope) if scope else None)
    key = field(created, "key")
    if options().json:
        echo_json(created)
    else:
        typer.echo(f"created key {field(created, 'id')} ({label}); store it now, it is not "
                   "shown again:", err=True)  # fmt: skip
        typer.echo(key)


@keys.command("ls")
def ls(output_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List your API keys (never the keys themselves)."""
    with connect() as client:
        items = list(client.keys.list())
    listing(items, COLUMNS, as_json=output_json or options().json)


@keys.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="Key id.")]) -> None:
    """Revoke an API key."""
    with connect() as client:
        client.keys.revoke(key_id)
    typer.echo(f"revoked key {key_id}")
