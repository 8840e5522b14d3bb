"""Exit codes and the one place where errors become one line on stderr and an exit code.

    0  ok
    1  the thing run failed: a workflow or execution ended in error, a fixture failed, the
       server answered with an error that is not about the input (500, 429 after retries)
    2  usage or input error: bad option or file, invalid workflow, unknown id, refused
       (401 not logged in, 403 not allowed, 404, 409, 400/422 validation)
    3  the server is unreachable (connection refused, DNS, connect timeout, 502/503/504)

Commands raise; ``classify`` maps the exception to ``(code, message)``; the app's group
(``_app.Group``) prints ``error: <message>`` and exits, or re-raises with ``--debug``.
Client exception types are matched lazily so that local commands never import the client.
"""

from __future__ import annotations

import sys

import typer

from n8nwork.errors import N8nworkError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


class CliError(N8nworkError):
    """Raised by a command to stop with one line and an exit code (default 2: usage)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def one_line(message: str) -> str:
    """``message`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(message).split())


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``error: message`` on stderr and return the ``typer.Exit`` to raise."""
    sys.stderr.write(f"error: {one_line(message)}\n")
    return typer.Exit(code)


def classify(exc: BaseException, url: str | None = None) -> tuple[int, str]:
    """The exit code and the one-line message for an exception a command raised."""
    if isinstance(exc, CliError):
        return exc.code, str(exc)
    try:
        from n8nwork import client as c
    except ImportError:  # the client package is optional for local commands
        c = None  # type: ignore[assignment]
    if c is not None:
        where = f" at {url}" if url else ""
        if isinstance(exc, c.Unreachable):
            return EXIT_UNREACHABLE, f"cannot reach the server{where}: {exc}"
        if isinstance(exc, c.ServerUnavailable):
            return EXIT_UNREACHABLE, f"the server{where} is unavailable: {exc}"
        if isinstance(exc, c.Unauthorized):
            hint = "log in with `n8nwork login` or give --api-key / N8NWORK_API_KEY"
            return EXIT_USAGE, f"not authenticated: {exc}; {hint}"
        if isinstance(exc, c.Forbidden | c.NotFound | c.Conflict | c.ValidationFailed):
            return EXIT_USAGE, str(exc)
        if isinstance(exc, c.ApiError):  # 429 after the retries, 500, other statuses
            return EXIT_FAILED, str(exc)
    if isinstance(exc, N8nworkError):
        return EXIT_FAILED, str(exc)
    if isinstance(exc, OSError):
        return EXIT_USAGE, str(exc)
    return EXIT_FAILED, f"unexpected {type(exc).__name__}: {exc} (run with --debug for the trace)"
