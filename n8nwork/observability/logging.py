"""Log lines: JSON (one object per line: ``ts``, ``level``, ``logger``, ``msg``,
``execution_id``, ``workflow_id``, ``node``, ``trace_id``, ``span_id``, and ``exc`` for a
traceback) or text, at a configurable level, with every known secret masked.

The execution, workflow and node come from ``context`` (set by the run loop, the task
workers and inline webhook runs), the trace and span ids from the current span
(``tracing``); a record's own ``extra=`` values win. ``configure_logging`` installs one
handler on the root logger (replacing the one it installed before) and puts the
redaction filter on every root handler, so lines written by other handlers are masked too.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO, Any

from n8nwork.observability import context, redaction, tracing

FIELDS = ("execution_id", "workflow_id", "node", "trace_id", "span_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ContextFilter(logging.Filter):
    """Stamps the context fields on each record (in the emitting thread, where they are)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "execution_id"):
            execution_id, workflow_id, node = context.current()
            record.execution_id = execution_id
            record.workflow_id = workflow_id
            record.node = node
        if not hasattr(record, "trace_id"):
            record.trace_id, record.span_id = tracing.current_ids()
        return True


class RedactingFilter(logging.Filter):
    """Masks known secrets in the message (formatted with its arguments) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the formatter's report
            return True
        masked = redaction.redact(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text and redaction.active():
            # rendered here, masked: formatters use ``exc_text`` when it is set
            record.exc_text = redaction.redact(_PLAIN.formatException(record.exc_info))
        return True


_PLAIN = logging.Formatter()


class JsonFormatter(logging.Formatter):
    """One JSON object per line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        return redaction.redact(json.dumps(out, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """The classic line plus ``[execution=... node=... trace=...]`` when known."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        known = [
            f"{name.split('_')[0]}={value}"
            for name in ("execution_id", "workflow_id", "node", "trace_id")
            if (value := getattr(record, name, None)) is not None
        ]
        if known:
            first, nl, rest = line.partition("\n")
            line = f"{first} [{' '.join(known)}]{nl}{rest}"
        return redaction.redact(line)


def _timestamp(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


_MARK = "_n8nwork_handler"


def configure_logging(
    level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None
) -> None:
    """Log ``level`` and above of every logger to ``stream`` (default stderr) in ``fmt``
    (``json`` or ``text``). Idempotent: calling again replaces the handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _MARK, True)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    redacting = RedactingFilter()
    for each in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in each.filters):
            each.addFilter(redacting)
