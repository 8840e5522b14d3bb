"""n8nwork: n8n-compatible workflow automation on Ray. The core library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from n8nwork import run  # the run core's package; callable: ``n8nwork.run(workflow, ...)``
from n8nwork.builder import BuilderError, Flow, expr, node
from n8nwork.errors import (
    ExpressionError,
    N8nworkError,
    NodeApiError,
    NodeExecutionError,
    WorkflowError,
)
from n8nwork.workflow import Workflow

if TYPE_CHECKING:
    from actors.client import Runtime
    from n8nwork.client import AsyncClient, Client

__version__ = "0.1.0"


def connect(address: str | None = None, **kwargs: Any) -> Runtime:
    """Start a local Ray cluster (or join the one at ``address``) and return the runtime;
    see ``actors.client.connect``."""
    # Imported here, not at the top: the core library does not depend on the Ray runtime
    # (``actors`` imports ``n8nwork``, never the other way round), as the CLI does for nodes.
    from actors.client import connect as _connect

    return _connect(address, **kwargs)


_LAZY = {"AsyncClient": "n8nwork.client", "Client": "n8nwork.client"}
"""Exported names loaded on first use, so ``import n8nwork`` stays cheap (no httpx, rich)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'n8nwork' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncClient",
    "BuilderError",
    "Client",
    "ExpressionError",
    "Flow",
    "N8nworkError",
    "NodeApiError",
    "NodeExecutionError",
    "Workflow",
    "WorkflowError",
    "__version__",
    "connect",
    "expr",
    "node",
    "run",
]
