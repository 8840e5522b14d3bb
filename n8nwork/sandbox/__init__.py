"""The contained Python runtime of the Code node (DESIGN section 4).

User Python runs in a child process per execution, forked from a warm zygote: CPU seconds,
address space, open files, file size and process count are limited by rlimits, the parent
enforces a wall-clock timeout by killing the child, the child starts from an empty
environment as ``nobody`` in an empty, deleted root directory (chroot; when the worker is
root), imports only an allow-list of
computation modules, and a default-deny audit hook refuses files, sockets, processes, signals,
ctypes and code-object construction. Results travel as one length-prefixed JSON frame on a
dedicated pipe; printed output is captured inside that frame.

Layout: ``runner`` (``run_python``: request, error mapping), ``pool`` (zygote, cold path,
pipe exchange with deadline and size cap), ``limits`` (limits, result, errors),
``validation`` (n8n's output rules), ``context`` (what the code may see of the run), and
``inside/`` (runs in the sandbox processes only; standard library, no n8nwork).

Public surface: ``run_python``, ``SandboxLimits``, ``SandboxResult``, ``SandboxError``,
``CodeValidationError``, ``ALLOWED_MODULES``, the n8n output rules in
``n8nwork.sandbox.validation``, and ``warm_up()`` / ``shutdown()`` for the zygote.
"""

from __future__ import annotations

from n8nwork.sandbox.inside.guard import ALLOWED_MODULES
from n8nwork.sandbox.limits import (
    DEFAULT_LIMITS,
    CodeValidationError,
    SandboxError,
    SandboxLimits,
    SandboxResult,
)
from n8nwork.sandbox.pool import get_zygote, shutdown
from n8nwork.sandbox.runner import run_python


def warm_up() -> None:
    """Start this process's zygote now rather than on the first execution."""
    get_zygote()


__all__ = [
    "ALLOWED_MODULES",
    "DEFAULT_LIMITS",
    "CodeValidationError",
    "SandboxError",
    "SandboxLimits",
    "SandboxResult",
    "run_python",
    "shutdown",
    "warm_up",
]
