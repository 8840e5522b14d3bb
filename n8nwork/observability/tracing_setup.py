"""Installing the OpenTelemetry SDK (the ``otel`` extra) as this process's tracer provider,
with the exporter the settings name: ``otlp`` (OTLP over HTTP), ``console`` (stderr) or
``files`` (``JsonLinesExporter``: one file of JSON lines per process in a directory, for
debugging and for the tests that follow a trace across processes). Without the SDK,
nothing is installed and a warning says why; spans stay no-ops.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from n8nwork.observability import tracing

log = logging.getLogger(__name__)

_installed: str | None = None
_lock = threading.Lock()


def install(
    kind: str, *, process: str, endpoint: str = "", directory: str = "", sample_ratio: float = 1.0
) -> bool:
    """Install the SDK provider with exporter ``kind`` (once per process: OpenTelemetry
    refuses to replace a provider). Returns whether spans are recorded now."""
    global _installed
    if kind == "none":
        return _installed is not None
    with _lock:
        if _installed is not None:
            return True
        try:
            from opentelemetry import trace
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import (
                BatchSpanProcessor,
                ConsoleSpanExporter,
                SimpleSpanProcessor,
                SpanExporter,
            )
            from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
        except ImportError:
            log.warning("traces: %s asked for, but the OpenTelemetry SDK is not installed "
                        "(pip install 'n8nwork[otel]'); spans are not recorded", kind)  # fmt: skip
            return False
        resource = Resource.create({"service.name": "n8nwork", "n8nwork.process": process})
        provider = TracerProvider(
            resource=resource, sampler=ParentBased(TraceIdRatioBased(sample_ratio))
        )
        exporter: SpanExporter
        if kind == "otlp":
            try:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )
            except ImportError:
                log.warning("traces: the OTLP exporter is not installed "
                            "(pip install 'n8nwork[otel]'); spans are not recorded")  # fmt: skip
                return False
            exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
            provider.add_span_processor(BatchSpanProcessor(exporter))
        elif kind == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        elif kind == "files":
            if not directory:
                log.warning("traces: 'files' needs N8NWORK_TELEMETRY__TRACES_DIR; not recorded")
                return False
            provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(directory)))  # type: ignore[arg-type]
        else:
            log.warning("traces: unknown exporter %r; spans are not recorded", kind)
            return False
        trace.set_tracer_provider(provider)
        _installed = kind
        tracing.ENABLED = True
        return True


class JsonLinesExporter:
    """Appends each finished span as a JSON line to ``<directory>/spans-<pid>.jsonl`` (an
    SDK ``SpanExporter`` by shape; the SDK is imported only when spans are exported)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        lines = [json.dumps(span_json(s), default=str) + "\n" for s in spans]
        with self._lock, open(self.directory / f"spans-{os.getpid()}.jsonl", "a") as f:
            f.writelines(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


def span_json(span: Any) -> dict[str, Any]:
    """A finished SDK span as plain JSON (hex ids, as in a traceparent)."""
    context = span.get_span_context()
    parent = span.parent
    return {
        "name": span.name,
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "parent_span_id": format(parent.span_id, "016x") if parent is not None else None,
        "kind": span.kind.name,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "pid": os.getpid(),
        "process": (span.resource.attributes or {}).get("n8nwork.process"),
    }
