"""n8nwork: n8n-compatible workflow automation on Ray. The core library."""

from n8nwork.errors import (
    ExpressionError,
    N8nworkError,
    NodeApiError,
    NodeExecutionError,
    WorkflowError,
)
from n8nwork.workflow import Workflow

__version__ = "0.1.0"

__all__ = [
    "ExpressionError",
    "N8nworkError",
    "NodeApiError",
    "NodeExecutionError",
    "Workflow",
    "WorkflowError",
    "__version__",
]
