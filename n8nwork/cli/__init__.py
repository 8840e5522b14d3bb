"""The ``n8nwork`` command line (typer + rich), one module per command group.

    _app        the Typer app, global options (--url, --api-key, --json, --debug) and the
                error boundary; _errors: exit codes, exception -> one line + code
    _local      run, conformance (in this process)      _admin     up, migrate, rotate-key
    auth        login, logout (tokens kept by _tokens)   transfer   import, export (_files)
    workflows   workflows ls|show|run|activate|deactivate|rm
    executions  executions ls|show|retry|cancel|watch|rm (the live view: _watch)
    users       users create|ls|disable                  keys       keys create|ls|revoke
    _session    the API client of a command              _render    tables and JSON output

Exit codes: 0 ok, 1 the thing run failed, 2 usage or input error, 3 server unreachable.
API commands talk to the server through ``n8nwork.client`` only (``_session.connect``).
"""

from __future__ import annotations

from n8nwork.cli import (  # importing a module registers its commands
    _admin,
    _local,
    auth,
    executions,
    keys,
    transfer,
    users,
    workflows,
)
from n8nwork.cli._app import app, main
from n8nwork.cli._errors import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "_admin",
    "_local",
    "app",
    "auth",
    "executions",
    "keys",
    "main",
    "transfer",
    "users",
    "workflows",
]
