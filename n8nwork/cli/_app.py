"""The Typer application, its global options and the error boundary of every command.

Global options (before the command): ``--url`` (env ``N8NWORK_URL``), ``--api-key`` (env
``N8NWORK_API_KEY``), ``--json``, ``--debug``. They land in ``Options`` on the click
context and in ``options()``. ``Group.invoke`` is the single place where an exception a
command raises becomes ``error: <one line>`` and an exit code (``_errors.classify``).
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from n8nwork.cli._errors import classify, one_line

DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass
class Options:
    """The global options of one invocation."""

    url: str = DEFAULT_URL
    api_key: str | None = None
    json: bool = False
    debug: bool = False


_current: ContextVar[Options | None] = ContextVar("n8nwork_cli_options", default=None)


def options() -> Options:
    """The global options of the running command (set by ``root``; defaults before it)."""
    opts = _current.get()
    if opts is None:
        opts = Options()
        _current.set(opts)
    return opts


def _is_cli_control(exc: BaseException) -> bool:
    """Exit, abort and usage errors of Typer and (its) click: theirs to handle."""
    return type(exc).__module__.split(".")[0] in ("typer", "click")


class Group(TyperGroup):
    """The root command group: turns any error of a command into one line + exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_cli_control(exc):
                raise
            opts = options()
            if opts.debug:
                raise
            code, message = classify(exc, opts.url)
            sys.stderr.write(f"error: {one_line(message)}\n")
            raise typer.Exit(code) from exc


app = typer.Typer(
    name="n8nwork",
    cls=Group,
    help="n8n-compatible workflow automation, executed on Ray.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option(envvar="N8NWORK_URL", help="Base URL of the n8nwork API.")
    ] = DEFAULT_URL,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="N8NWORK_API_KEY",
            help="API key (else the token saved by `n8nwork login`).",
            show_default=False,
        ),
    ] = None,
    output_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable JSON output.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    """n8n-compatible workflow automation, executed on Ray.

    Exit codes: 0 ok, 1 the thing run failed, 2 usage or input error, 3 server unreachable.
    """
    opts = Options(url=url.rstrip("/"), api_key=api_key or None, json=output_json, debug=debug)
    _current.set(opts)
    ctx.obj = opts


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
