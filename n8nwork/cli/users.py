"""``users create|ls|disable``: the instance's users (owner and admins only)."""

from __future__ import annotations

import itertools
import os
from typing import Annotated

import typer

from n8nwork.cli._app import app, options
from n8nwork.cli._errors import CliError
from n8nwork.cli._render import echo_json, field, listing
from n8nwork.cli._session import connect

users = typer.Typer(help="Users of the instance (owner and admins).", no_args_is_help=True)
app.add_typer(users, name="users", rich_help_panel="Server")

ROLES = ("member", "admin")
COLUMNS = [
    ("id", ["id"]),
    ("email", ["email"]),
    ("role", ["role"]),
    ("disabled", ["disabled"]),
    ("last login", ["last_login_at", "lastLoginAt"]),
]


@users.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The new user's e-mail.")],
    role: Annotated[str, typer.Option(help="member or admin.")] = "member",
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read a password from stdin (else N8NWORK_NEW_PASSWORD, else none: the user "
            "cannot log in until one is set).",
        ),
    ] = False,
) -> None:
    """Create a user."""
    short = role.removeprefix("global:")
    if short not in ROLES:
        raise CliError(f"--role must be one of {', '.join(ROLES)}, got {role!r}")
    password = None
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n") or None
    else:
        password = os.environ.get("N8NWORK_NEW_PASSWORD") or None
    with connect() as client:
        user = client.users.create(email, role=f"global:{short}", password=password,
                                   first_name=first_name, last_name=last_name)  # fmt: skip
    if options().json:
        echo_json(user)
    else:
        typer.echo(f"created user {field(user, 'id')} {field(user, 'email')} ({short})")


@users.command("ls")
def ls(
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 0,
    output_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users."""
    with connect() as client:
        found = client.users.list()
        items = list(itertools.islice(found, limit) if limit else found)
    listing(items, COLUMNS, as_json=output_json or options().json)


@users.command("disable")
def disable(user_id: Annotated[str, typer.Argument(help="User id.")]) -> None:
    """Disable a user: their logins and API keys stop working."""
    with connect() as client:
        user = client.users.disable(user_id)
    if options().json:
        echo_json(user)
    else:
        typer.echo(f"disabled user {user_id}")
