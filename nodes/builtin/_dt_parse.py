"""Reading date strings for the Date & Time node the ways n8n's libraries do: Luxon's
``fromISO`` / ``fromHTTP`` / ``fromRFC2822`` / ``fromSQL``, moment's default parse (ISO 8601,
RFC 2822, then JavaScript's ``new Date``) and JavaScript's own ``Date.parse``.

Every parser returns an ``LDT`` or None. Strings without an offset are read as wall time in the
given zone ("local"); strings with one name an instant.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser

from nodes.builtin._ldt import LDT, Zone, fixed_offset_zone

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NAMED = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}

_DATE = (
    r"(?P<year>[+-]\d{6}|\d{4})"
    r"(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?|(?P<cmonth>\d{2})(?P<cday>\d{2}))?"
)
_WEEK = r"(?P<wyear>\d{4})-?W(?P<week>\d{2})(?:-?(?P<wday>[1-7]))?"
_ORD = r"(?P<oyear>\d{4})-?(?P<ordinal>\d{3})"
_TIME = (
    r"(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})"
    r"(?:[.,](?P<frac>\d{1,30}))?)?)?"
)
_OFF = r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
_ISO = re.compile(rf"^(?:{_WEEK}|{_ORD}|{_DATE})(?:[T ]{_TIME}{_OFF})?$", re.I)
_LUXON_ISO = re.compile(rf"^(?:{_WEEK}|{_ORD}|{_DATE})(?:T{_TIME}{_OFF})?$", re.I)
_SQL = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?: (?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r" ?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_RFC2822 = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?(?P<day>\d{1,2})\s+(?P<mon>[a-z]{3})\s+"
    r"(?P<year>\d{2,4})\s+(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s+"
    r"(?P<tz>UT|GMT|[ECMP][SD]T|Z|[+-]\d{4})$",
    re.I,
)
_HTTP = re.compile(
    r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+(?P<day>\d{1,2})[\s-](?P<mon>[a-z]{3})[\s-]"
    r"(?P<year>\d{2,4})\s+(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})\s+GMT$",
    re.I,
)


def _offset_minutes(text: str | None) -> int | None:
    if not text:
        return None
    if text.upper() in _NAMED:
        return _NAMED[text.upper()]
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0))


def _frac_ms(frac: str | None) -> tuple[int, float]:
    """Milliseconds of a fraction of a second and the remainder below a millisecond."""
    if not frac:
        return 0, 0.0
    value = float("0." + frac) * 1000
    whole = int(value)
    return whole, value - whole


def _assemble(
    parts: tuple[int, int, int],
    g: dict[str, str | None],
    offset: int | None,
    local: Zone,
    keep_offset: bool,
) -> LDT | None:
    year, month, day = parts
    hour = int(g.get("hour") or 0)
    minute = int(g.get("minute") or 0)
    second = int(g.get("second") or 0)
    millis, _ = _frac_ms(g.get("frac"))
    extra = timedelta()
    if hour == 24 and minute == 0 and second == 0 and millis == 0:
        hour, extra = 0, timedelta(days=1)
    try:
        naive = datetime(year, month, day, hour, minute, second, millis * 1000) + extra
    except ValueError:
        return None
    if offset is None:
        return LDT.from_wall(
            local,
            naive.year,
            naive.month,
            naive.day,
            naive.hour,
            naive.minute,
            naive.second,
            naive.microsecond // 1000,
        )
    fixed = fixed_offset_zone(offset)
    instant = LDT.from_wall(
        fixed,
        naive.year,
        naive.month,
        naive.day,
        naive.hour,
        naive.minute,
        naive.second,
        naive.microsecond // 1000,
    )
    return instant if keep_offset else instant.set_zone(local)


def _date_parts(g: dict[str, str | None]) -> tuple[int, int, int] | None:
    try:
        if g.get("wyear"):
            d = date.fromisocalendar(
                int(g["wyear"] or 0), int(g["week"] or 1), int(g.get("wday") or 1)
            )
            return d.year, d.month, d.day
        if g.get("oyear"):
            d = date(int(g["oyear"] or 0), 1, 1) + timedelta(days=int(g["ordinal"] or 1) - 1)
            return d.year, d.month, d.day
        month = g.get("month") or g.get("cmonth") or 1
        day = g.get("day") or g.get("cday") or 1
        return int(g["year"] or 0), int(month), int(day)
    except ValueError:
        return None


def from_iso(text: str, local: Zone, keep_offset: bool = False) -> LDT | None:
    """Luxon's ``DateTime.fromISO(text, {zone: local, setZone: keep_offset})``."""
    m = _LUXON_ISO.match(text.strip())
    if not m:
        return None
    g = m.groupdict()
    parts = _date_parts(g)
    if parts is None:
        return None
    return _assemble(parts, g, _offset_minutes(g.get("offset")), local, keep_offset)


def from_sql(text: str, local: Zone, keep_offset: bool = False) -> LDT | None:
    m = _SQL.match(text.strip())
    if not m:
        return None
    g = m.groupdict()
    return _assemble(
        (int(g["year"]), int(g["month"]), int(g["day"])),
        g,
        _offset_minutes(g.get("offset")),
        local,
        keep_offset,
    )


def _named_month(
    g: dict[str, str | None], zone_text: str | None, local: Zone, keep_offset: bool
) -> LDT | None:
    mon = (g.get("mon") or "").lower()[:3]
    if mon not in _MONTHS:
        return None
    year = int(g["year"] or 0)
    if year < 100:
        year += 2000 if year < 50 else 1900
    return _assemble(
        (year, _MONTHS.index(mon) + 1, int(g["day"] or 1)),
        g,
        _offset_minutes(zone_text) if zone_text else 0,
        local,
        keep_offset,
    )


def from_rfc2822(text: str, local: Zone, keep_offset: bool = False) -> LDT | None:
    m = _RFC2822.match(text.strip())
    return _named_month(m.groupdict(), m.group("tz"), local, keep_offset) if m else None


def from_http(text: str, local: Zone, keep_offset: bool = False) -> LDT | None:
    m = _HTTP.match(text.strip())
    return _named_month(m.groupdict(), "GMT", local, keep_offset) if m else None


def js_date_parse(text: str, local: Zone) -> LDT | None:
    """JavaScript's ``new Date(text)``: ISO date-only strings are UTC, other strings local."""
    text = text.strip()
    m = _ISO.match(text)
    if m:
        g = m.groupdict()
        parts = _date_parts(g)
        if parts is None:
            return None
        offset = 0 if g.get("hour") is None else _offset_minutes(g.get("offset"))
        return _assemble(parts, g, offset, local, False)
    for parser in (from_rfc2822, from_http):
        found = parser(text, local)
        if found is not None:
            return found
    return _legacy(text, local)


def _legacy(text: str, local: Zone) -> LDT | None:
    """V8's lenient fallback for strings like ``08/01/2022`` or ``April 11, 2023 2:30 PM``."""
    if not text or not re.search(r"\d", text):
        return None
    try:
        parsed = dateutil_parser.parse(text, default=datetime(2001, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is not None:
        off = parsed.utcoffset() or timedelta()
        minutes = int(off.total_seconds() // 60)
        naive = parsed.replace(tzinfo=None)
        instant = LDT.from_wall(
            fixed_offset_zone(minutes),
            naive.year,
            naive.month,
            naive.day,
            naive.hour,
            naive.minute,
            naive.second,
            naive.microsecond // 1000,
        )
        return instant.set_zone(local)
    return LDT.from_wall(
        local,
        parsed.year,
        parsed.month,
        parsed.day,
        parsed.hour,
        parsed.minute,
        parsed.second,
        parsed.microsecond // 1000,
    )


def moment_parse(text: str, local: Zone) -> LDT | None:
    """moment's ``moment(text)``: ISO 8601 (local when no offset), RFC 2822, then ``new Date``."""
    stripped = text.strip()
    m = _ISO.match(stripped)
    if m:
        g = m.groupdict()
        parts = _date_parts(g)
        if parts is None:
            return None
        return _assemble(parts, g, _offset_minutes(g.get("offset")), local, False)
    found = from_rfc2822(stripped, local)
    if found is not None:
        return found
    return js_date_parse(stripped, local)


def looks_iso(text: str) -> bool:
    """True when moment would read ``text`` as ISO 8601."""
    return _ISO.match(text.strip()) is not None


def any_date(text: str, local: Zone) -> LDT | None:
    """n8n's ``tryToParseDateTime``: ISO, HTTP, RFC 2822, SQL, then ``Date.parse``."""
    for parser in (from_iso, from_http, from_rfc2822, from_sql):
        found = parser(text, local)
        if found is not None:
            return found
    return js_date_parse(text, local)
