"""Traces with the OpenTelemetry API only: without the SDK (the ``otel`` extra) every span is
a no-op that still carries the trace and span ids it continues, so a ``traceparent`` passes
through every process and lands in the logs even when nothing records spans.

One trace per execution: the API request's span (continuing the caller's ``traceparent``) is
the parent of the execution's span in the run host (one per activation of the run: a run
that waits and resumes has one per stretch), which is the parent of one span per node run,
inline in the host or in a task worker. The link between processes is a W3C
``traceparent`` string: stamped into the run's state when it is created (``stamp``; it is
stored with the execution, so a run recovered or resumed elsewhere continues the same
trace), and sent to task workers with each task.

``ENABLED`` is set when an SDK provider was installed (``tracing_setup``); the hot paths
(webhooks) skip span work entirely while it is unset and the caller sent no traceparent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER_NAME = "n8nwork"
TRACE_KEY = "$trace"
"""The key of ``RunState.context`` holding ``{"traceparent": ...}`` (node names are the
other keys; a node cannot be named so by the editor)."""

ENABLED = False
_PROPAGATOR = TraceContextTextMapPropagator()

__all__ = [
    "TRACE_KEY",
    "Span",
    "SpanKind",
    "context_of",
    "current_ids",
    "current_traceparent",
    "span",
    "stamp",
    "stamped",
    "start_span",
    "traceparent_of",
    "use",
]


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def context_of(traceparent: str | None) -> otel_context.Context | None:
    """The context a ``traceparent`` header value continues (``None``: none or invalid)."""
    if not traceparent:
        return None
    ctx = _PROPAGATOR.extract({"traceparent": traceparent})
    if not trace.get_current_span(ctx).get_span_context().is_valid:
        return None
    return ctx


def traceparent_of(span_: Span | None = None) -> str | None:
    """The ``traceparent`` of ``span_`` (default: the current span); ``None`` if invalid."""
    ctx = trace.set_span_in_context(span_) if span_ is not None else None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=ctx)
    return carrier.get("traceparent")


def current_traceparent() -> str | None:
    return traceparent_of(None)


def start_span(
    name: str,
    *,
    parent: str | otel_context.Context | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
) -> Span:
    """A started span (end it yourself), child of ``parent`` (a traceparent or a context;
    default: the current span)."""
    ctx = context_of(parent) if isinstance(parent, str) else parent
    return tracer().start_span(name, context=ctx, kind=kind, attributes=_clean(attributes))


@contextmanager
def use(span_: Span | None) -> Iterator[None]:
    """Make ``span_`` the current span within the block (it is not ended)."""
    if span_ is None:
        yield
        return
    token = otel_context.attach(trace.set_span_in_context(span_))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def span(
    name: str,
    *,
    parent: str | otel_context.Context | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """A span current within the block, ended after it (an exception marks it failed)."""
    started = start_span(name, parent=parent, kind=kind, attributes=attributes)
    with trace.use_span(started, end_on_exit=True):
        yield started


def current_ids() -> tuple[str | None, str | None]:
    """Hex trace id and span id of the current span (``None``s when there is none)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def stamp(state: Any, traceparent: str | None = None) -> None:
    """Store ``traceparent`` (default: the current span's) in a new run's state."""
    value = traceparent or current_traceparent()
    if value:
        state.context[TRACE_KEY] = {"traceparent": value}


def stamped(state: Any) -> str | None:
    """The traceparent stored in a run's state, if any."""
    found = state.context.get(TRACE_KEY)
    if isinstance(found, Mapping):
        value = found.get("traceparent")
        return value if isinstance(value, str) else None
    return None


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not attributes:
        return None
    return {k: v for k, v in attributes.items() if v is not None}
