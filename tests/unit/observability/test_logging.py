"""JSON log lines: fields, context from the run scope and the current span, levels, text
format, and secrets masked whoever logs them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from n8nwork.observability import context, redaction, tracing
from n8nwork.observability.logging import configure_logging

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        yield out
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        redaction.forget_all()


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_a_line_is_one_json_object_with_the_run_context(stream: io.StringIO) -> None:
    log = logging.getLogger("n8nwork.test")
    span = tracing.start_span("x", parent=TRACEPARENT)
    with context.bound(execution_id=42, workflow_id="wf1"), tracing.use(span):
        with context.bound(node="HTTP Request"):
            log.info("node %s ran", "HTTP Request")
        log.warning("after the node")
    log.info("outside")
    first, second, third = lines(stream)
    assert first["msg"] == "node HTTP Request ran" and first["level"] == "INFO"
    assert first["logger"] == "n8nwork.test" and str(first["ts"]).endswith("Z")
    assert first["execution_id"] == "42" and first["workflow_id"] == "wf1"
    assert first["node"] == "HTTP Request"
    assert first["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert "span_id" in first
    assert "node" not in second and second["execution_id"] == "42"
    assert set(third) == {"ts", "level", "logger", "msg"}


def test_the_level_is_configurable_and_tracebacks_stay_in_the_line(stream: io.StringIO) -> None:
    log = logging.getLogger("n8nwork.test")
    log.debug("hidden at INFO")
    configure_logging("DEBUG", "json", stream=stream)
    log.debug("shown at DEBUG")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    found = lines(stream)
    assert [x["msg"] for x in found] == ["shown at DEBUG", "failed"]
    assert "ValueError: boom" in str(found[1]["exc"])


def test_known_secrets_are_masked_in_messages_arguments_and_tracebacks(
    stream: io.StringIO,
) -> None:
    secret = "s3cr3t-value-123"
    redaction.remember({"name": "X-Key", "value": secret}, "ab")  # "ab": too short to mask
    log = logging.getLogger("n8nwork.test")
    log.info("header %s", secret)
    log.info(f"inline {secret} and ab")
    try:
        raise RuntimeError(f"bad key {secret}")
    except RuntimeError:
        log.exception("failed")
    text = stream.getvalue()
    assert secret not in text and text.count("***") >= 3
    assert "and ab" in text


def test_other_handlers_of_the_root_logger_are_masked_too(stream: io.StringIO) -> None:
    other = io.StringIO()
    handler = logging.StreamHandler(other)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        configure_logging("INFO", "json", stream=stream)  # puts the filter on every handler
        redaction.remember("another-secret-xyz")
        logging.getLogger("x").warning("leak %s", "another-secret-xyz")
    finally:
        root.removeHandler(handler)
    assert "another-secret-xyz" not in other.getvalue() and "***" in other.getvalue()


def test_text_format_names_the_context(stream: io.StringIO) -> None:
    out = io.StringIO()
    configure_logging("INFO", "text", stream=out)
    with context.bound(execution_id=7, node="Set"):
        logging.getLogger("n8nwork.test").info("hello")
    line = out.getvalue().strip()
    assert "INFO n8nwork.test: hello [execution=7 node=Set]" in line
