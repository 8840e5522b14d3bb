"""Date & Time (``n8n-nodes-base.dateTime``): v1 formats and calculates dates with moment.js
semantics; v2 gets the current date, adds, subtracts, formats (Luxon tokens), rounds, measures
the time between dates and extracts parts, with Luxon semantics.

v2 reads times without an offset as wall time in the zone it works in (the workflow's time
zone, ``ctx.timezone``, or UTC where n8n uses none); v1 reads them in UTC, the process zone.
"""

from __future__ import annotations

import math
import time
from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._dt_format import luxon_format, luxon_parse
from nodes.builtin._dt_parse import any_date, from_iso
from nodes.builtin._ldt import LDT, Zone, ZoneError, duration_iso, zone
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_V1 = (1.0, 1.0)
_V2 = (2.0, 2.0)
_UNITS = (
    "years",
    "quarters",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)
_PARTS = ("year", "month", "week", "day", "hour", "minute", "second")


class DateTime(NodeType):
    type_name = "n8n-nodes-base.dateTime"
    versions = (1, 2)
    display_name = "Date & Time"
    description = "Manipulate date and time values"
    params = (
        # v1
        Param("action", "options", "format", ("calculate", "format"), versions=_V1),
        Param("value", "string", "", versions=_V1),
        Param("dataPropertyName", "string", "data", versions=_V1),
        Param("custom", "boolean", False, versions=_V1),
        Param("toFormat", "string", "MM/DD/YYYY", versions=_V1),
        Param("operation", "options", "add", ("add", "subtract"), versions=_V1),
        Param("duration", "number", 0, versions=_V1),
        Param("timeUnit", "options", "days", _UNITS, versions=_V1),
        Param(
            "options",
            "collection",
            {},
            versions=_V1,
            description="fromFormat, fromTimezone, toTimezone",
        ),
        # v2
        Param(
            "operation",
            "options",
            "getCurrentDate",
            (
                "addToDate",
                "extractDate",
                "formatDate",
                "getCurrentDate",
                "getTimeBetweenDates",
                "roundDate",
                "subtractFromDate",
            ),
            versions=_V2,
        ),
        Param("includeTime", "boolean", True, versions=_V2),
        Param(
            "outputFieldName",
            "string",
            None,
            versions=_V2,
            description="default depends on the operation",
        ),
        Param("magnitude", "string", "", versions=_V2),
        Param("timeUnit", "options", "days", _UNITS, versions=_V2),
        Param("duration", "number", 0, versions=_V2),
        Param("date", "string", "", versions=_V2),
        Param("format", "string", "MM/dd/yyyy", versions=_V2),
        Param("customFormat", "string", "", versions=_V2),
        Param("mode", "options", "roundDown", ("roundDown", "roundUp"), versions=_V2),
        Param(
            "toNearest",
            "options",
            "month",
            ("year", "month", "week", "day", "hour", "minute", "second"),
            versions=_V2,
        ),
        Param("to", "options", "month", ("month",), versions=_V2),
        Param("startDate", "string", "", versions=_V2),
        Param("endDate", "string", "", versions=_V2),
        Param(
            "units",
            "multiOptions",
            ["day"],
            ("year", "month", "week", "day", "hour", "minute", "second", "millisecond"),
            versions=_V2,
        ),
        Param("part", "options", "month", _PARTS, versions=_V2),
        Param(
            "options",
            "collection",
            {},
            versions=_V2,
            description="timezone, includeInputFields, fromFormat, isoString",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        if ctx.version < 2:
            from nodes.builtin._date_time_v1 import execute_v1

            return [execute_v1(ctx)]
        return [_execute_v2(ctx)]


# ---------------------------------------------------------------------------------- v2
_DEFAULT_OUTPUT = {
    "getCurrentDate": "currentDate",
    "addToDate": "newDate",
    "subtractFromDate": "newDate",
    "formatDate": "formattedDate",
    "roundDate": "roundedDate",
    "getTimeBetweenDates": "timeDifference",
    "extractDate": "datePart",
}


def _now_ms(ctx: ExecutionContext) -> float:
    now = getattr(ctx.scope, "now_ms", None)
    return float(now) if now is not None else time.time() * 1000


def _zone_or_error(ctx: ExecutionContext, name: str, item: int) -> Zone:
    try:
        return zone(name)
    except ZoneError:
        raise ctx.error(
            f"The timezone {name} is not valid. Please check the timezone.", item_index=item
        ) from None


def parse_date(value: Any, tz: Zone | None, from_format: str | None = None) -> LDT:
    """The v2 ``parseDate``: numbers are epoch seconds (< 1e12) or milliseconds, strings are
    ISO (or ``fromFormat``, or any common date form); naive times are wall time in ``tz``."""
    target = tz or zone("Etc/UTC")
    if value is None or isinstance(value, (bool, dict, list)):
        raise ValueError("Invalid date type")
    numeric: float | None = None
    if isinstance(value, (int, float)):
        numeric = float(value)
    elif isinstance(value, str) and not from_format:
        numeric = _js_number(value)
    if numeric is not None:
        if not math.isfinite(numeric):
            raise ValueError("Invalid numeric timestamp")
        ms = numeric * 1000 if abs(numeric) < 1e12 else numeric
        return LDT.from_millis(round(ms, 3), target)
    text = str(value).strip()
    if not text:
        raise ValueError("Empty date string")
    if from_format:
        found = luxon_parse(text, from_format, target)
    else:
        found = from_iso(text, target) or any_date(text, target)
    if found is None:
        raise ValueError("Invalid date format")
    return found


def _js_number(text: str) -> float | None:
    """``Number(text)`` when it is not NaN, else None."""
    stripped = text.strip()
    if stripped == "":
        return 0.0
    try:
        if stripped.lower().startswith(("0x", "0o", "0b")):
            return float(int(stripped, 0))
        if stripped in ("Infinity", "+Infinity", "-Infinity"):
            return float(stripped.replace("Infinity", "inf"))
        if not all(c in "0123456789+-.eE" for c in stripped):
            return None
        return float(stripped)
    except ValueError:
        return None


def _execute_v2(ctx: ExecutionContext) -> list[dict[str, Any]]:
    operation = ctx.param("operation", 0)
    workflow_tz = ctx.timezone
    include_input = bool(ctx.param("options.includeInputFields", 0, False))
    out: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        new: dict[str, Any] = {"json": dict(item.get("json", {})) if include_input else {}}
        if include_input and item.get("binary") is not None:
            new["binary"] = item["binary"]
        new["pairedItem"] = {"item": i}
        try:
            field = ctx.param("outputFieldName", i, None) or _DEFAULT_OUTPUT.get(operation, "data")
            value = _operation_v2(ctx, operation, i, workflow_tz)
        except NodeExecutionError as exc:
            if ctx.continue_on_fail:
                out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                continue
            raise
        except (ValueError, ZoneError) as exc:
            if ctx.continue_on_fail:
                out.append({"json": {"error": str(exc)}, "pairedItem": {"item": i}})
                continue
            raise ctx.error(str(exc), item_index=i) from None
        if value is _SKIP:
            continue
        new["json"][field] = value
        out.append(new)
    return out


_SKIP: Any = object()


def _operation_v2(ctx: ExecutionContext, operation: str, i: int, workflow_tz: str) -> Any:
    options = ctx.param("options", i, {}) or {}
    if operation == "getCurrentDate":
        tz = _zone_or_error(ctx, options.get("timezone") or workflow_tz, i)
        now = LDT.from_millis(_now_ms(ctx), tz)
        include_time = ctx.param("includeTime", i, True)
        return (now if include_time else now.start_of("day")).to_iso()
    wf_zone = _zone_or_error(ctx, workflow_tz, i)
    if operation in ("addToDate", "subtractFromDate"):
        unit = ctx.param("timeUnit", i, "days")
        amount = _number(ctx.param("duration", i, 0))
        base = parse_date(ctx.param("magnitude", i, ""), wf_zone)
        delta = {unit: amount if operation == "addToDate" else -amount}
        return base.plus(delta).to_iso()
    if operation == "formatDate":
        date = ctx.param("date", i, "")
        if date is None:
            return None
        parsed = parse_date(
            date, wf_zone if options.get("timezone") else None, options.get("fromFormat") or None
        )
        fmt = ctx.param("format", i, "MM/dd/yyyy")
        if fmt == "custom":
            fmt = ctx.param("customFormat", i, "")
        return luxon_format(parsed, str(fmt))
    if operation == "roundDate":
        parsed = parse_date(ctx.param("date", i, ""), wf_zone)
        mode = ctx.param("mode", i, "roundDown")
        if mode == "roundDown":
            return parsed.start_of(ctx.param("toNearest", i, "month")).to_iso()
        if mode == "roundUp":
            to = ctx.param("to", i, "month")
            return parsed.plus({to: 1}).start_of(to).to_iso()
        return _SKIP
    if operation == "getTimeBetweenDates":
        start = parse_date(ctx.param("startDate", i, ""), wf_zone)
        end = parse_date(ctx.param("endDate", i, ""), wf_zone)
        units = ctx.param("units", i, ["day"]) or []
        if isinstance(units, str):
            units = [units]
        result = end.diff(start, list(units))
        return duration_iso(result) if options.get("isoString") else result
    if operation == "extractDate":
        parsed = parse_date(ctx.param("date", i, ""), wf_zone)
        part = ctx.param("part", i, "month")
        return parsed.get(part)
    raise ctx.error(f'The operation "{operation}" is not known!', item_index=i)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    found = _js_number(str(value))
    return 0.0 if found is None else found
