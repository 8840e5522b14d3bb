"""``login`` and ``logout``: a user's login to a server, kept in the user's config folder
(``_tokens``: mode 0600, written atomically), used by every later API command."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from n8nwork.cli import _tokens
from n8nwork.cli._app import app, options
from n8nwork.cli._errors import CliError
from n8nwork.cli._render import echo_json
from n8nwork.cli._session import connect


@app.command(rich_help_panel="Server")
def login(
    email: Annotated[
        str | None, typer.Option("--email", "-e", help="Your e-mail (prompted if missing).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Log in to the server (--url) and save the tokens for the next commands.

    The password is prompted for (hidden), read from stdin with --password-stdin, or taken
    from N8NWORK_PASSWORD; it is never an option (it would show in the process list)."""
    opts = options()
    email = email or os.environ.get("N8NWORK_EMAIL") or typer.prompt("E-mail")
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = os.environ.get("N8NWORK_PASSWORD") or typer.prompt("Password", hide_input=True)
    if not email.strip() or not password:
        raise CliError("give an e-mail and a password")
    with connect(opts, authenticated=False) as client:
        tokens = client.login(email.strip(), password)
    access = tokens.get("access_token") or tokens.get("accessToken")
    refresh = tokens.get("refresh_token") or tokens.get("refreshToken")
    if not isinstance(access, str):
        raise CliError("the server's login answer has no access token", code=1)
    path = _tokens.save(opts.url, _tokens.SavedLogin(access, refresh, email.strip()))
    if opts.json:
        echo_json({"url": opts.url, "email": email.strip(), "saved": str(path)})
    else:
        typer.echo(f"logged in to {opts.url} as {email.strip()} (token saved in {path})")


@app.command(rich_help_panel="Server")
def logout() -> None:
    """Revoke the login saved for the server (--url) on the server, and forget it."""
    opts = options()
    if _tokens.load(opts.url) is not None:
        try:
            with connect(opts) as client:
                client.logout()
        except Exception as exc:  # the local copy goes anyway; say why the server kept it
            typer.echo(f"warning: the server did not revoke the login: {exc}", err=True)
    removed = _tokens.forget(opts.url)
    typer.echo(f"logged out of {opts.url}" if removed else f"no saved login for {opts.url}")
