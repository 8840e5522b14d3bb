"""What the runtime calls to observe runs: the execution's span and log scope, one span, log
scope and duration sample per node run, and the execution counters. Used by the run hosts
(``actors.run_loop``), the task workers (``actors.tasks``), runs inline in an API replica
(``serve.webhooks``) and the in-process runtime, so a run looks the same wherever it ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from n8nwork.observability import context, metrics, tracing
from n8nwork.run.events import Event, NodeFailed, NodeSucceeded, NodeWaiting

NODE_STATUS: dict[type, str] = {
    NodeSucceeded: "success",
    NodeFailed: "error",
    NodeWaiting: "waiting",
}


def execution_span(state: Any, execution_id: object, workflow_id: str, **attributes: Any) -> Span:
    """The span of one activation of a run, child of the traceparent stored in its state.
    Without a recording tracer: the stored parent itself (so logs still name the trace)."""
    parent = tracing.context_of(tracing.stamped(state))
    if not tracing.ENABLED:
        return trace.get_current_span(parent) if parent is not None else trace.INVALID_SPAN
    return tracing.start_span(
        "n8nwork.execution",
        parent=parent,
        attributes={
            "n8nwork.execution_id": str(execution_id),
            "n8nwork.workflow_id": workflow_id,
            "n8nwork.mode": state.mode,
            **attributes,
        },
    )


def end_span(span: Span | None, status: str | None = None) -> None:
    """End an execution span, noting how the run left (finished status, waiting, lost)."""
    if span is None or not span.is_recording():
        return
    if status is not None:
        span.set_attribute("n8nwork.status", status)
        if status in ("error", "crashed"):
            span.set_status(Status(StatusCode.ERROR))
    span.end()


class run_scope:
    """Logs name the run, and ``span`` is current, within the block."""

    __slots__ = ("_bound", "_span", "_token")

    def __init__(self, execution_id: object, workflow_id: str, span: Span | None) -> None:
        self._bound = context.bound(execution_id=execution_id, workflow_id=workflow_id)
        self._span = span
        self._token: object = None

    def __enter__(self) -> None:
        self._bound.__enter__()
        if self._span is not None:
            self._token = otel_context.attach(trace.set_span_in_context(self._span))

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            otel_context.detach(self._token)  # type: ignore[arg-type]
        self._bound.__exit__()


def remote_parent(traceparent: str | None) -> Span | None:
    """The span a ``traceparent`` from another process names, to make current here."""
    parent = tracing.context_of(traceparent)
    return trace.get_current_span(parent) if parent is not None else None


def run_node(
    execute: Callable[[Any, Any], Event],
    command: Any,
    state: Any,
    *,
    node_type: str,
    placement: str,
) -> Event:
    """``execute(command, state)`` in the node's log scope and span; samples its duration."""
    started = time.perf_counter()
    token = context.enter_node(command.node)
    try:
        if not tracing.ENABLED:
            event = execute(command, state)
        else:
            with tracing.span(
                "n8nwork.node",
                attributes={
                    "n8nwork.node": command.node,
                    "n8nwork.node_type": node_type,
                    "n8nwork.run_index": command.run_index,
                    "n8nwork.placement": placement,
                },
            ) as span:
                event = execute(command, state)
                if isinstance(event, NodeFailed):
                    message = str((event.error or {}).get("message", ""))[:200]
                    span.set_status(Status(StatusCode.ERROR, message))
    finally:
        context.leave(token)
    metrics.node_ran(
        node_type, placement, NODE_STATUS.get(type(event), "other"), time.perf_counter() - started
    )
    return event


def node_type_of(program: Any, node: str) -> str:
    """The type of node ``node`` of a program's workflow (``"unknown"`` if it is not there)."""
    found = program.workflow.by_name.get(node)
    return str(found.type) if found is not None else "unknown"


def started(state: Any, workflow_id: str) -> None:
    metrics.execution_started(state.mode, workflow_id)


def finished(state: Any, workflow_id: str, status: str) -> None:
    metrics.execution_finished(status, state.mode, workflow_id, metrics.run_duration_s(state))
