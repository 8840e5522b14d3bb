"""Date & Time v1: the ``format`` and ``calculate`` actions with moment.js semantics.
Dates without an offset are read in UTC (the process zone of n8n's moment).

Format: numbers (and numeric strings) are epoch seconds (fewer than 12 digits) or
milliseconds; strings are read by moment (ISO, RFC 2822, then ``new Date``) or with the
``fromFormat`` option; ``fromTimezone``/``toTimezone`` convert; output uses moment tokens.
Calculate: ``new Date(value)`` (or strict ``fromFormat``), then moment's ``add``/``subtract``,
written as ``toISOString()``.
"""

from __future__ import annotations

import math
from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._dt_format import moment_format, moment_parse_format
from nodes.builtin._dt_parse import js_date_parse, looks_iso, moment_parse
from nodes.builtin._ldt import LDT, Zone, ZoneError, zone
from nodes.builtin._values import js_string
from nodes.sdk import ExecutionContext

_MISSING: Any = object()
# moment's "local" zone is the n8n process's zone; n8nwork workers run in UTC. The workflow's
# time zone is only used where n8n uses it (converting when a from/to zone option is set).
LOCAL = zone("Etc/UTC")


def js_to_number(value: Any) -> float:
    """JavaScript's ``Number(value)`` for JSON values (NaN when not a number)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, dict)):
        if isinstance(value, dict):
            return math.nan
        return js_to_number(js_string(value))
    text = str(value).strip()
    if text == "":
        return 0.0
    if text in ("Infinity", "+Infinity", "-Infinity"):
        return float(text.replace("Infinity", "inf"))
    try:
        if text.lower().startswith(("0x", "0o", "0b")):
            return float(int(text, 0))
        if not all(c in "0123456789+-.eE" for c in text):
            return math.nan
        return float(text)
    except ValueError:
        return math.nan


def _zone(ctx: ExecutionContext, name: str, item: int) -> Zone:
    try:
        return zone(name)
    except ZoneError:
        raise ctx.error(f"Unknown time zone '{name}'", item_index=item) from None


def _format_one(ctx: ExecutionContext, i: int, value: Any, options: dict[str, Any]) -> str | None:
    local = LOCAL
    from_format = options.get("fromFormat")
    from_tz, to_tz = options.get("fromTimezone"), options.get("toTimezone")
    number = js_to_number(value)
    current: Any = value
    if not math.isnan(number):
        current = number if number.is_integer() else number * 1000
    parsed: LDT | None
    if isinstance(current, float) and current.is_integer() and math.isfinite(current):
        digits = len(str(int(current)))
        ms = current * 1000 if digits < 12 else current
        parsed = LDT.from_millis(ms, local)
    elif isinstance(current, float):
        parsed = LDT.from_millis(current, local) if math.isfinite(current) else None
    elif from_tz or to_tz:
        source = _zone(ctx, from_tz or ctx.timezone, i)
        text = js_string(current)
        if from_format:
            parsed = moment_parse_format(text, from_format, source, strict=False)
        else:
            parsed = _moment_tz_parse(text, source)
    elif from_format:
        parsed = moment_parse_format(js_string(current), from_format, local, strict=False)
    else:
        parsed = moment_parse(js_string(current), local)
    if from_format is None and parsed is None:
        raise ctx.error(
            'The date input format could not be recognized. Please set the "From Format" field',
            item_index=i,
        )
    if parsed is None:
        return "Invalid date"
    if to_tz or from_tz:
        parsed = parsed.set_zone(_zone(ctx, to_tz or ctx.timezone, i))
    return moment_format(parsed, str(ctx.param("toFormat", i, "MM/DD/YYYY") or ""))


def _moment_tz_parse(text: str, source: Zone) -> LDT | None:
    """``moment.tz(text, zone)``: ISO text without offset is wall time in ``zone``; text only
    ``new Date`` understands is read as UTC, then shown in ``zone``."""
    iso = moment_parse(text, source)
    fallback = js_date_parse(text, zone("UTC"))
    if looks_iso(text):
        return iso
    return fallback.set_zone(source) if fallback is not None else None


def _calculate_one(ctx: ExecutionContext, i: int, value: Any, options: dict[str, Any]) -> str:
    local = LOCAL
    from_format = options.get("fromFormat")
    if from_format:
        parsed = moment_parse_format(js_string(value), from_format, local, strict=True)
        if parsed is None:
            raise ctx.error(
                'Date input cannot be parsed. Please recheck the value and the "From Format" '
                "field.",
                item_index=i,
            )
    else:
        parsed = _new_date(value, local)
        if parsed is None:
            raise ctx.error(
                'Unrecognized date input. Please specify a format in the "From Format" field.',
                item_index=i,
            )
    operation = ctx.param("operation", i, "add")
    amount = js_to_number(ctx.param("duration", i, 0))
    unit = str(ctx.param("timeUnit", i, "days"))
    if math.isnan(amount):
        amount = 0.0
    sign = 1 if operation == "add" else -1
    return _moment_add(parsed, sign * amount, unit).to_js_iso()


def _new_date(value: Any, local: Zone) -> LDT | None:
    """``new Date(value)`` (None for an invalid date)."""
    if value is None or isinstance(value, bool):
        return LDT.from_millis(float(bool(value)), local)
    if isinstance(value, (int, float)):
        return LDT.from_millis(value, local) if math.isfinite(value) else None
    return js_date_parse(js_string(value), local)


def _moment_add(dt: LDT, amount: float, unit: str) -> LDT:
    unit = unit.rstrip("s") + "s" if unit else "days"
    months = {"years": 12, "quarters": 3, "months": 1}
    days = {"weeks": 7, "days": 1}
    millis = {"hours": 3_600_000, "minutes": 60_000, "seconds": 1000, "milliseconds": 1}
    if unit in months:
        return dt.plus({"months": _abs_round(amount * months[unit])})
    if unit in days:
        return dt.plus({"days": _abs_round(amount * days[unit])})
    return LDT.from_millis(dt.ms + amount * millis.get(unit, 86_400_000), dt.zone)


def _abs_round(value: float) -> int:
    return math.floor(abs(value) + 0.5) * (-1 if value < 0 else 1)


def execute_v1(ctx: ExecutionContext) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        try:
            action = ctx.param("action", 0, "format")
            value = ctx.param("value", i, "")
            options = ctx.param("options", i, {}) or {}
            name = str(ctx.param("dataPropertyName", i, "data"))
            if action == "format":
                if value is _MISSING:
                    continue
                result: Any = _format_one(ctx, i, value, options)
            elif action == "calculate":
                result = _calculate_one(ctx, i, value, options)
            else:
                continue
        except NodeExecutionError as exc:
            if ctx.continue_on_fail:
                out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                continue
            raise
        new: dict[str, Any] = {"json": dict(item.get("json", {})), "pairedItem": {"item": i}}
        if item.get("binary") is not None:
            new["binary"] = item["binary"]
        new["json"][name] = result
        out.append(new)
    return out
