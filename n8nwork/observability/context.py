"""What the code running now works on: the execution, its workflow and the node, as one
context variable (one set and one reset per scope). Log records take it (``logging``); the
run loop, the task workers and the inline webhook runs set it."""

from __future__ import annotations

from contextvars import ContextVar, Token

Scope = tuple[str | None, str | None, str | None]
"""(execution id, workflow id, node name)."""

_SCOPE: ContextVar[Scope] = ContextVar("n8nwork_scope", default=(None, None, None))


def current() -> Scope:
    """The execution id, workflow id and node name of the code running now (or ``None``s)."""
    return _SCOPE.get()


class bound:
    """Within the block, log records name this execution/workflow/node; what is not given is
    kept from the enclosing scope. (A class, not a generator: it runs per node run on the
    webhook path, where a microsecond counts.)"""

    __slots__ = ("_scope", "_token")

    def __init__(
        self, *, execution_id: object = None, workflow_id: object = None, node: str | None = None
    ) -> None:
        outer = _SCOPE.get()
        self._scope = (
            str(execution_id) if execution_id is not None else outer[0],
            str(workflow_id) if workflow_id is not None else outer[1],
            node if node is not None else outer[2],
        )
        self._token: Token[Scope] | None = None

    def __enter__(self) -> None:
        self._token = _SCOPE.set(self._scope)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _SCOPE.reset(self._token)


def enter_node(node: str) -> Token[Scope]:
    """Name ``node`` in log records until ``leave(token)`` (the cheapest form of ``bound``)."""
    outer = _SCOPE.get()
    return _SCOPE.set((outer[0], outer[1], node))


def leave(token: Token[Scope]) -> None:
    _SCOPE.reset(token)
