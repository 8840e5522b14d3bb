"""The runtime's errors, under ``N8nworkError``:

    N8nworkRuntimeError          the runtime refused or failed a call
    ├── NotConnectedError        ``n8nwork.run`` before ``n8nwork.connect`` (or after shutdown)
    ├── ClusterError             the Ray cluster could not be started or joined
    ├── RunRefusedError          admission refused a submission (queue full): nothing runs
    ├── NotWaitingError          ``resume`` of an execution that is not waiting
    └── ResultTimeoutError       ``result(timeout=...)`` ran out before the run finished

Store errors (``NotFoundError`` for an unknown execution id, ...) pass through unchanged.
Every error crossing an actor boundary is one of these (or a store error), so it pickles.
"""

from __future__ import annotations

from n8nwork.errors import N8nworkError


class N8nworkRuntimeError(N8nworkError):
    """Raised when the runtime refuses or fails a call (root of the runtime's errors)."""


class NotConnectedError(N8nworkRuntimeError):
    """Raised when the runtime is used before ``connect()`` or after ``shutdown()``."""


class ClusterError(N8nworkRuntimeError):
    """Raised when the Ray cluster cannot be started or joined (the cause is chained)."""


class RunRefusedError(N8nworkRuntimeError):
    """Raised when admission refuses a submission: the run queue is full. Names the limit;
    the refused executions are recorded as canceled with the same message (``refused_ids``)."""

    def __init__(self, message: str, refused_ids: list[int] | None = None) -> None:
        super().__init__(message)
        self.refused_ids = list(refused_ids or [])

    def __reduce__(self) -> tuple[type, tuple[str, list[int]]]:
        return type(self), (str(self), self.refused_ids)


class NotWaitingError(N8nworkRuntimeError):
    """Raised when ``resume`` targets an execution that is not waiting (or already resumed)."""


class ResultTimeoutError(N8nworkRuntimeError, TimeoutError):
    """Raised when waiting for a run's result takes longer than the caller allowed."""
