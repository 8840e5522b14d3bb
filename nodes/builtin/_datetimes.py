"""Parsing date strings the way n8n does: Luxon's ``fromISO``/``fromHTTP``/``fromRFC2822``/
``fromSQL`` chain (used by type validation) and JavaScript's ``new Date(string)`` (used by the
legacy If/Filter/Switch date comparisons). Results are aware ``datetime`` values; strings with
no offset are read in the given zone (the workflow's time zone).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_NAMED_OFFSETS = {
    "UT": 0,
    "GMT": 0,
    "UTC": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}

_ISO_DATE = r"(?P<year>[+-]\d{6}|\d{4})(?:-?(?P<month>\d{2})(?:-?(?P<day>\d{2}))?)?"
_ISO_WEEK = r"(?P<wyear>\d{4})-?W(?P<week>\d{2})(?:-?(?P<wday>[1-7]))?"
_ISO_ORDINAL = r"(?P<oyear>\d{4})-?(?P<ordinal>\d{3})"
_ISO_TIME = (
    r"(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<frac>\d{1,30}))?)?)?"
)
_OFFSET = r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?(?:\[(?P<zone>[^\]]+)\])?"
_ISO_RE = re.compile(rf"^(?:{_ISO_DATE}|{_ISO_WEEK}|{_ISO_ORDINAL})(?:T{_ISO_TIME}{_OFFSET})?$")
_ISO_TIME_ONLY = re.compile(rf"^T?{_ISO_TIME}{_OFFSET}$")
_SQL_RE = re.compile(
    r"^(?:(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?"
    r"(?:(?(year) )(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r"\s?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?(?: (?P<zone>[A-Za-z_/+-]+))?)?$"
)
_RFC2822 = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?(?P<day>\d{1,2})\s(?P<mon>[A-Za-z]{3})\s"
    r"(?P<year>\d{2,4})\s(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s"
    r"(?P<tz>UT|GMT|[ECMP][SD]T|[Zz]|[+-]\d{4})$"
)
_RFC1123 = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<day>\d{2}) (?P<mon>[A-Za-z]{3}) (?P<year>\d{4}) "
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) GMT$"
)
_RFC850 = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (?P<day>\d{2})-"
    r"(?P<mon>[A-Za-z]{3})-(?P<year>\d{2}) (?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) GMT$"
)
_ASCTIME = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>[A-Za-z]{3}) +(?P<day>\d{1,2}) "
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) (?P<year>\d{4})$"
)
_JS_ISO = re.compile(
    r"^(?P<year>[+-]\d{6}|\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d+))?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?)?$"
)
_LEGACY_NUMERIC = re.compile(
    r"^(?P<a>\d{1,4})[/-](?P<b>\d{1,2})[/-](?P<c>\d{1,4})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d+))?)?)?"
    r"\s*(?:(?:GMT|UTC|Z)?\s*(?P<offset>[+-]\d{2}:?\d{2})?|(?P<utc>GMT|UTC|Z))?$",
    re.I,
)
_LEGACY_WORDS = re.compile(
    r"^(?:[A-Za-z]+,?\s+)?(?:(?P<mon1>[A-Za-z]{3,})\.?\s+(?P<day1>\d{1,2}),?|(?P<day2>\d{1,2})\s+"
    r"(?P<mon2>[A-Za-z]{3,})\.?,?)\s+(?P<year>\d{4})"
    r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?:(?:GMT|UTC|Z)?\s*(?P<offset>[+-]\d{2}:?\d{2})?)?$",
    re.I,
)


def zone_of(name: str | None) -> tzinfo:
    """The tzinfo for an IANA name (UTC when unknown or empty)."""
    if not name or name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "z"):
        return UTC
    if text.upper() in _NAMED_OFFSETS:
        return timezone(timedelta(hours=_NAMED_OFFSETS[text.upper()]))
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _frac_us(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def _build(
    year: int, month: int, day: int, groups: dict[str, Any], zone: tzinfo, default_tz: tzinfo
) -> datetime | None:
    hour = int(groups.get("hour") or 0)
    minute = int(groups.get("minute") or 0)
    second = int(groups.get("second") or 0)
    extra = timedelta()
    if hour == 24 and minute == 0 and second == 0:
        hour, extra = 0, timedelta(days=1)
    try:
        naive = datetime(year, month, day, hour, minute, second, _frac_us(groups.get("frac")))
    except ValueError:
        return None
    return (naive + extra).replace(tzinfo=zone or default_tz)


def _from_iso(text: str, default_tz: tzinfo) -> datetime | None:
    match = _ISO_RE.match(text)
    if match:
        g = match.groupdict()
        zone = _offset(g.get("offset")) or (zone_of(g["zone"]) if g.get("zone") else None)
        if g.get("year"):
            y, m, d = int(g["year"]), int(g.get("month") or 1), int(g.get("day") or 1)
        elif g.get("wyear"):
            try:
                base = date.fromisocalendar(
                    int(g["wyear"]), int(g["week"]), int(g.get("wday") or 1)
                )
            except ValueError:
                return None
            y, m, d = base.year, base.month, base.day
        else:
            ordinal = int(g["ordinal"])
            try:
                base = date(int(g["oyear"]), 1, 1) + timedelta(days=ordinal - 1)
            except (ValueError, OverflowError):
                return None
            if ordinal < 1 or base.year != int(g["oyear"]):
                return None
            y, m, d = base.year, base.month, base.day
        return _build(y, m, d, g, zone or default_tz, default_tz)
    match = _ISO_TIME_ONLY.match(text)
    if match and ":" in text:
        g = match.groupdict()
        zone = _offset(g.get("offset")) or default_tz
        today = datetime.now(zone)
        return _build(today.year, today.month, today.day, g, zone, default_tz)
    return None


def _year2(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 50 else 2000
    return year


def _from_named_month(g: dict[str, Any], zone: tzinfo, default_tz: tzinfo) -> datetime | None:
    month = _MONTHS.get(g["mon"][:3].lower())
    if month is None:
        return None
    return _build(_year2(g["year"]), month, int(g["day"]), g, zone, default_tz)


def _from_http(text: str, default_tz: tzinfo) -> datetime | None:
    for pattern in (_RFC1123, _RFC850, _ASCTIME):
        match = pattern.match(text)
        if match:
            return _from_named_month(match.groupdict(), UTC, default_tz)
    return None


def _from_rfc2822(text: str, default_tz: tzinfo) -> datetime | None:
    match = _RFC2822.match(re.sub(r"\([^)]*\)|[\n\t]", " ", text).strip())
    if not match:
        return None
    g = match.groupdict()
    return _from_named_month(g, _offset(g["tz"]) or UTC, default_tz)


def _from_sql(text: str, default_tz: tzinfo) -> datetime | None:
    match = _SQL_RE.match(text)
    if not match or not (match.group("year") or match.group("hour")):
        return None
    g = match.groupdict()
    zone = _offset(g.get("offset")) or (zone_of(g["zone"]) if g.get("zone") else None)
    zone = zone or default_tz
    if g.get("year"):
        return _build(int(g["year"]), int(g["month"]), int(g["day"]), g, zone, default_tz)
    today = datetime.now(zone)
    return _build(today.year, today.month, today.day, g, zone, default_tz)


def _from_legacy(text: str, default_tz: tzinfo) -> datetime | None:
    match = _LEGACY_NUMERIC.match(text)
    if match:
        g = match.groupdict()
        a, b, c = g["a"], g["b"], g["c"]
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            month, day, year = int(a), int(b), _year2(c)
        zone = UTC if g.get("utc") else (_offset(g.get("offset")) or default_tz)
        return _build(year, month, day, g, zone, default_tz)
    match = _LEGACY_WORDS.match(text)
    if match:
        g = match.groupdict()
        month_name = g.get("mon1") or g.get("mon2") or ""
        named_month = _MONTHS.get(month_name[:3].lower())
        if named_month is None:
            return None
        zone = _offset(g.get("offset")) or (UTC if "GMT" in text.upper() else default_tz)
        day_text = g.get("day1") or g.get("day2") or "1"
        return _build(int(g["year"]), named_month, int(day_text), g, zone, default_tz)
    return None


def parse_datetime(value: Any, zone: str | None = None) -> datetime | None:
    """n8n's ``tryToParseDateTime``: an aware datetime, or None when it is not a date."""
    default_tz = zone_of(zone)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=default_tz)
    text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from nodes.builtin._jsvalues import number_to_string

        text = number_to_string(value)
    for parser in (_from_iso, _from_http, _from_rfc2822, _from_sql):
        result = parser(text, default_tz)
        if result is not None:
            return result
    return _js_date_parse(text, default_tz)


def _js_date_parse(text: str, default_tz: tzinfo) -> datetime | None:
    match = _JS_ISO.match(text)
    if match:
        g = match.groupdict()
        date_only = g.get("hour") is None
        zone = _offset(g.get("offset")) or (UTC if date_only else default_tz)
        return _build(
            int(g["year"]), int(g.get("month") or 1), int(g.get("day") or 1), g, zone, default_tz
        )
    for parser in (_from_rfc2822, _from_http, _from_legacy):
        result = parser(text, default_tz)
        if result is not None:
            return result
    return None


def js_date_millis(value: Any, zone: str | None = None) -> float | None:
    """``new Date(value).getTime()`` for strings, numbers and datetimes; None for NaN."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=zone_of(zone))
        return aware.timestamp() * 1000
    if not isinstance(value, str):
        return None
    parsed = _js_date_parse(value.strip(), zone_of(zone))
    return parsed.timestamp() * 1000 if parsed else None


def to_millis(value: datetime) -> float:
    """Epoch milliseconds of an aware datetime."""
    return value.timestamp() * 1000
