"""Spans with the SDK installed (an in-memory exporter in this process): a traceparent is
continued, the execution span is the parent of the node spans, failed nodes are marked,
and the traceparent travels in the run's state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from n8nwork.observability import runs, tracing
from n8nwork.run.events import ExecuteNode, NodeFailed, NodeSucceeded
from n8nwork.run.state import RunState

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    monkeypatch.setattr(tracing, "tracer", lambda: provider.get_tracer("n8nwork"))
    monkeypatch.setattr(tracing, "ENABLED", True)
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def attrs(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


def command(node: str) -> ExecuteNode:
    return ExecuteNode(node=node, run_index=0, inputs=[[]], source=[])


def test_without_the_sdk_a_traceparent_still_passes_through() -> None:
    assert not tracing.ENABLED or trace.get_tracer_provider()  # whatever ran before
    span = tracing.start_span("x", parent=TRACEPARENT)
    assert tracing.traceparent_of(span) is not None
    with tracing.use(span):
        assert tracing.current_ids()[0] == TRACE_ID
    assert tracing.context_of("garbage") is None and tracing.context_of(None) is None


def test_execution_and_node_spans_continue_the_stored_traceparent(
    spans: InMemorySpanExporter,
) -> None:
    state = RunState(execution_id="5", mode="webhook")
    tracing.stamp(state, TRACEPARENT)
    assert tracing.stamped(RunState.from_json(state.to_json())) == TRACEPARENT

    def ok(cmd: Any, st: Any) -> Any:
        return NodeSucceeded(node=cmd.node, run_index=0, outputs=[[]])

    def bad(cmd: Any, st: Any) -> Any:
        return NodeFailed(node=cmd.node, run_index=0, error={"message": "no"})

    execution = runs.execution_span(state, 5, "wf")
    with runs.run_scope(5, "wf", execution):
        runs.run_node(ok, command("A"), state, node_type="t.a", placement="inline")
        # a task worker gets the execution's traceparent and continues it in its process
        carried = tracing.current_traceparent()
    with runs.run_scope(5, "wf", runs.remote_parent(carried)):
        runs.run_node(bad, command("B"), state, node_type="t.b", placement="task")
    runs.end_span(execution, "error")
    finished = {f"{s.name}:{attrs(s).get('n8nwork.node')}": s for s in spans.get_finished_spans()}
    exe = finished["n8nwork.execution:None"]
    a, b = finished["n8nwork.node:A"], finished["n8nwork.node:B"]
    assert exe.context.trace_id == int(TRACE_ID, 16)
    assert exe.parent is not None and exe.parent.span_id == int("b7ad6b7169203331", 16)
    assert a.parent.span_id == exe.context.span_id == b.parent.span_id  # type: ignore[union-attr]
    assert {a.context.trace_id, b.context.trace_id} == {exe.context.trace_id}
    assert b.status.status_code.name == "ERROR" and attrs(exe)["n8nwork.status"] == "error"
    assert attrs(a)["n8nwork.placement"] == "inline" and attrs(a)["n8nwork.node_type"] == "t.a"


def test_a_run_without_a_traceparent_starts_its_own_trace(spans: InMemorySpanExporter) -> None:
    state = RunState(execution_id="6")
    execution = runs.execution_span(state, 6, "wf")
    runs.end_span(execution, "success")
    (span,) = spans.get_finished_spans()
    assert span.parent is None and attrs(span)["n8nwork.execution_id"] == "6"


def test_the_files_exporter_writes_json_lines(tmp_path: Any) -> None:
    from n8nwork.observability.tracing_setup import JsonLinesExporter

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(str(tmp_path))))  # type: ignore[arg-type]
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("outer"), tracer.start_as_current_span("inner"):
        pass
    (path,) = tmp_path.glob("spans-*.jsonl")
    inner, outer = [json.loads(line) for line in path.read_text().splitlines()]
    assert inner["parent_span_id"] == outer["span_id"] and outer["parent_span_id"] is None
    assert inner["trace_id"] == outer["trace_id"] and len(inner["trace_id"]) == 32


def test_installing_the_sdk_in_a_fresh_process(tmp_path: Any) -> None:
    # A process installs its provider once (OpenTelemetry refuses to replace it): run the
    # installation where it cannot change this test process's global provider.
    import subprocess
    import sys

    script = f"""
from n8nwork.observability import TelemetryConfig, configure, runs, tracing
from n8nwork.run.state import RunState
config = TelemetryConfig(traces="files", traces_dir={str(tmp_path)!r})
configure(config, process="host")
assert tracing.ENABLED
configure(config, process="host")  # idempotent
state = RunState(execution_id="1")
tracing.stamp(state, "00-{TRACE_ID}-b7ad6b7169203331-01")
runs.end_span(runs.execution_span(state, 1, "wf"), "success")
from n8nwork.observability import tracing_setup
assert tracing_setup.install("otlp", process="host", endpoint="http://127.0.0.1:9/v1/traces")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    (path,) = tmp_path.glob("spans-*.jsonl")
    (span,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert span["trace_id"] == TRACE_ID and span["process"] == "host"
    assert span["attributes"]["n8nwork.status"] == "success"
