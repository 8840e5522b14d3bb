"""The error tree of n8nwork: every error the library raises on purpose derives from one root.

    N8nworkError
    ├── WorkflowError            a workflow document is invalid (names node and problem)
    ├── ExpressionError          an expression failed to compile or evaluate
    ├── NodeExecutionError       a node failed while executing (names node, item, message)
    │   └── NodeApiError         a node's call to an outside service failed
    ├── ConformanceError         a conformance fixture could not be read or judged
    └── CacheUnavailableError    the shared cache (Redis) could not be reached or refused

Errors that cross a process or actor boundary are converted with ``to_dict`` / ``from_dict``
so they serialize cleanly as JSON.
"""

from __future__ import annotations

from typing import Any


class N8nworkError(Exception):
    """Raised when n8nwork refuses or fails something on purpose (root of all our errors)."""


class WorkflowError(N8nworkError):
    """Raised when a workflow document is invalid; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid workflow")


class ExpressionError(N8nworkError):
    """Raised when an expression fails to compile or to evaluate for an item."""

    def __init__(
        self,
        message: str,
        *,
        expression: str = "",
        parameter: str = "",
        item_index: int | None = None,
        description: str | None = None,
    ) -> None:
        self.message = message
        self.expression = expression
        self.parameter = parameter
        self.item_index = item_index
        self.description = description
        where = []
        if parameter:
            where.append(f"parameter '{parameter}'")
        if item_index is not None:
            where.append(f"item {item_index}")
        if expression:
            where.append(f"expression {expression!r}")
        suffix = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{message}{suffix}")


class NodeExecutionError(N8nworkError):
    """Raised when a node fails; carries the node name, the item index and n8n's error fields."""

    name = "NodeOperationError"

    def __init__(
        self,
        message: str,
        *,
        node: str | None = None,
        item_index: int | None = None,
        description: str | None = None,
        context: dict[str, Any] | None = None,
        error_name: str | None = None,
        stack: str | None = None,
    ) -> None:
        self.message = message
        self.node = node
        self.item_index = item_index
        self.description = description
        self.context = dict(context or {})
        if item_index is not None and "itemIndex" not in self.context:
            self.context["itemIndex"] = item_index
        self.error_name = error_name or type(self).name
        self.stack = stack
        super().__init__(message)

    def __str__(self) -> str:
        where = []
        if self.node:
            where.append(f"node '{self.node}'")
        if self.item_index is not None:
            where.append(f"item {self.item_index}")
        return f"{self.message} [{', '.join(where)}]" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in run data and sent across processes."""
        return {
            "message": self.message,
            "name": self.error_name,
            "description": self.description,
            "context": self.context,
            "node": self.node,
            "itemIndex": self.item_index,
            "stack": self.stack,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NodeExecutionError:
        """Rebuild an error from ``to_dict`` output."""
        return cls(
            str(data.get("message", "")),
            node=data.get("node"),
            item_index=data.get("itemIndex"),
            description=data.get("description"),
            context=data.get("context") or {},
            error_name=data.get("name"),
            stack=data.get("stack"),
        )


class NodeApiError(NodeExecutionError):
    """Raised when a node's request to an outside service fails (HTTP status, network)."""

    name = "NodeApiError"


class ConformanceError(N8nworkError):
    """Raised when a conformance fixture cannot be read or has no judgeable content."""


class CacheUnavailableError(N8nworkError):
    """Raised when the shared cache (Redis) cannot be reached or fails to serve a request."""
