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

__version__ = "0.1.0"


def connect(address: str | None = None, **kwargs: Any) -> Runtime:
    """Start a local Ray cluster (or join the one at ``address``) and return the runtime;
    see ``actors.client.connect``."""
    # Imported here, not at the top: the core library does not depend on the Ray runtime
    # (``actors`` imports ``n8nwork``, never the other way round), as the CLI does for nodes.
    from actors.client import connect as _connect

    return _connect(address, **kwargs)


__all__ = [
    "BuilderError",
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
