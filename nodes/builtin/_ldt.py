"""A Luxon-like date-time for the Date & Time node: an instant (epoch milliseconds) seen in a
zone, with Luxon's calendar arithmetic (``plus``/``minus``/``startOf``/``diff``), its ISO
output (``toISO``: milliseconds and ``+00:00``, or ``Z`` for Luxon's fixed UTC zone) and
durations (``toObject`` / ``toISO``).

Zones follow Luxon's ``normalizeZone``: ``utc``/``gmt`` (any case) and ``UTC+3``-style names are
fixed offsets ("universal", so offset zero prints as ``Z``); anything else is an IANA zone.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ORDERED_UNITS = (
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
_UNIT_ALIASES = {u[:-1]: u for u in ORDERED_UNITS} | {u: u for u in ORDERED_UNITS}
_CASUAL_MS = {
    "years": 365 * 86_400_000,
    "quarters": 91 * 86_400_000,
    "months": 30 * 86_400_000,
    "weeks": 7 * 86_400_000,
    "days": 86_400_000,
    "hours": 3_600_000,
    "minutes": 60_000,
    "seconds": 1000,
    "milliseconds": 1,
}
_FIXED_RE = re.compile(r"^(?:utc|gmt)(?:([+-]\d{1,2})(?::(\d{2}))?)?$", re.I)


class ZoneError(ValueError):
    """Raised when a time zone name is not known."""


@dataclass(frozen=True)
class Zone:
    """A time zone as Luxon sees it."""

    name: str
    tz: tzinfo
    universal: bool  # a fixed offset: ISO output writes ``Z`` for offset zero


def zone(name: str | None) -> Zone:
    """Luxon's ``normalizeZone`` for a zone name; raises ZoneError for unknown names."""
    if name is None or name == "":
        return Zone("Etc/UTC", ZoneInfo("Etc/UTC"), False)
    fixed = _FIXED_RE.match(name.strip())
    if fixed:
        hours = int(fixed.group(1) or 0)
        minutes = int(fixed.group(2) or 0) * (-1 if hours < 0 else 1)
        if hours == 0 and minutes == 0:
            return Zone("UTC", UTC, True)
        sign = "+" if hours >= 0 else "-"
        label = f"UTC{sign}{abs(hours)}" + (f":{abs(minutes):02d}" if minutes else "")
        return Zone(label, timezone(timedelta(hours=hours, minutes=minutes)), True)
    try:
        return Zone(name, ZoneInfo(name), False)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ZoneError(f"unknown time zone {name!r}") from exc


def fixed_offset_zone(minutes: int) -> Zone:
    """A fixed-offset zone (what Luxon's ``setZone: true`` keeps from a parsed offset)."""
    if minutes == 0:
        return Zone("UTC", UTC, True)
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    label = f"UTC{sign}{h}" + (f":{m:02d}" if m else "")
    return Zone(label, timezone(timedelta(minutes=minutes)), True)


def _wall_to_ms(wall: datetime) -> int:
    """Epoch ms of a naive wall time read in ``wall.tzinfo`` (aware datetime)."""
    return calendar.timegm(wall.utctimetuple()) * 1000 + wall.microsecond // 1000


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True)
class LDT:
    """An instant (epoch ms) in a zone."""

    ms: int
    zone: Zone

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_millis(cls, ms: float, zn: Zone) -> LDT:
        return cls(math.floor(ms), zn)

    @classmethod
    def from_wall(
        cls,
        zn: Zone,
        year: int,
        month: int = 1,
        day: int = 1,
        hour: int = 0,
        minute: int = 0,
        second: int = 0,
        millisecond: int = 0,
    ) -> LDT:
        wall = datetime(year, month, day, hour, minute, second, millisecond * 1000, tzinfo=zn.tz)
        return cls(_wall_to_ms(wall), zn)

    # ------------------------------------------------------------------ views
    @property
    def wall(self) -> datetime:
        """The aware datetime of this instant in its zone (millisecond precision)."""
        seconds, millis = divmod(self.ms, 1000)
        base = datetime.fromtimestamp(seconds, tz=UTC) + timedelta(milliseconds=millis)
        return base.astimezone(self.zone.tz)

    @property
    def offset_minutes(self) -> int:
        off = self.wall.utcoffset() or timedelta()
        return int(off.total_seconds() // 60)

    def set_zone(self, zn: Zone) -> LDT:
        return LDT(self.ms, zn)

    def get(self, unit: str) -> int:
        w = self.wall
        values = {
            "year": w.year,
            "month": w.month,
            "day": w.day,
            "hour": w.hour,
            "minute": w.minute,
            "second": w.second,
            "millisecond": w.microsecond // 1000,
            "weekday": w.isoweekday(),
            "weekNumber": w.isocalendar()[1],
            "weekYear": w.isocalendar()[0],
            "ordinal": w.timetuple().tm_yday,
            "quarter": (w.month - 1) // 3 + 1,
        }
        if unit == "week":
            unit = "weekNumber"
        if unit not in values:
            raise ValueError(f"unknown date part {unit!r}")
        return values[unit]

    # ------------------------------------------------------------------ arithmetic
    def plus(self, amounts: dict[str, float]) -> LDT:
        """Luxon's ``plus``: calendar units move the wall clock, time units the instant."""
        dur = {normalize_unit(k): float(v) for k, v in amounts.items()}
        w = self.wall
        trunc = {k: math.trunc(v) for k, v in dur.items()}
        year = w.year + trunc.get("years", 0)
        month0 = w.month - 1 + trunc.get("months", 0) + trunc.get("quarters", 0) * 3
        year += month0 // 12
        month = month0 % 12 + 1
        day = min(w.day, days_in_month(year, month))
        extra_days = trunc.get("days", 0) + trunc.get("weeks", 0) * 7
        base = datetime(year, month, day, w.hour, w.minute, w.second, w.microsecond)
        base = base + timedelta(days=extra_days)
        ms = _wall_to_ms(base.replace(tzinfo=self.zone.tz))
        rest = 0.0
        for unit, value in dur.items():
            frac = (
                value - trunc[unit]
                if unit in ("years", "quarters", "months", "weeks", "days")
                else value
            )
            rest += frac * _CASUAL_MS[unit]
        return LDT(int(ms + round(rest)), self.zone)

    def minus(self, amounts: dict[str, float]) -> LDT:
        return self.plus({k: -float(v) for k, v in amounts.items()})

    def start_of(self, unit: str) -> LDT:
        """Luxon's ``startOf``: the wall clock truncated to ``unit`` (weeks start on Monday)."""
        unit = normalize_unit(unit)
        w = self.wall
        if unit == "milliseconds":
            return self
        if unit == "weeks":
            monday = w.date() - timedelta(days=w.isoweekday() - 1)
            return LDT.from_wall(self.zone, monday.year, monday.month, monday.day)
        if unit == "quarters":
            return LDT.from_wall(self.zone, w.year, (w.month - 1) // 3 * 3 + 1, 1)
        fields = [w.year, w.month, w.day, w.hour, w.minute, w.second, 0]
        keep = {"years": 1, "months": 2, "days": 3, "hours": 4, "minutes": 5, "seconds": 6}[unit]
        defaults = [0, 1, 1, 0, 0, 0, 0]
        return LDT.from_wall(self.zone, *(fields[:keep] + defaults[keep:]))

    def diff(self, other: LDT, units: list[str]) -> dict[str, float]:
        """Luxon's ``this.diff(other, units).toObject()``."""
        norm = [normalize_unit(u) for u in units] or ["milliseconds"]
        other_is_later = other.ms > self.ms
        earlier, later = (self, other) if other_is_later else (other, self)
        result = _diff(earlier, later, norm)
        if other_is_later:
            result = {k: (-v if v else 0) for k, v in result.items()}
        return result

    # ------------------------------------------------------------------ output
    def to_iso(self) -> str:
        """Luxon's ``toISO()`` / ``toString()``."""
        w = self.wall
        year = f"{w.year:04d}" if 0 <= w.year <= 9999 else f"{w.year:+07d}"
        text = (
            f"{year}-{w.month:02d}-{w.day:02d}T{w.hour:02d}:{w.minute:02d}:{w.second:02d}"
            f".{w.microsecond // 1000:03d}"
        )
        return text + offset_text(self.offset_minutes, self.zone.universal)

    def to_js_iso(self) -> str:
        """JavaScript's ``Date.prototype.toISOString()`` (always UTC, ``Z``)."""
        return LDT(self.ms, zone("UTC")).to_iso()


def offset_text(minutes: int, universal: bool, colon: bool = True) -> str:
    if universal and minutes == 0:
        return "Z"
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def normalize_unit(unit: str) -> str:
    found = _UNIT_ALIASES.get(unit) or _UNIT_ALIASES.get(unit.lower())
    if found is None:
        raise ValueError(f"Invalid unit {unit}")
    return found


def _day_diff(a: LDT, b: LDT) -> int:
    def utc_day_start(x: LDT) -> int:
        w = x.wall
        return calendar.timegm((w.year, w.month, w.day, 0, 0, 0)) * 1000

    return math.floor((utc_day_start(b) - utc_day_start(a)) / 86_400_000)


def _differ(unit: str, a: LDT, b: LDT) -> int:
    wa, wb = a.wall, b.wall
    if unit == "years":
        return wb.year - wa.year
    if unit == "quarters":
        return ((wb.month - 1) // 3) - ((wa.month - 1) // 3) + (wb.year - wa.year) * 4
    if unit == "months":
        return wb.month - wa.month + (wb.year - wa.year) * 12
    days = _day_diff(a, b)
    if unit == "weeks":
        return int((days - math.fmod(days, 7)) / 7)
    return days


def _diff(earlier: LDT, later: LDT, units: list[str]) -> dict[str, float]:
    results: dict[str, float] = {}
    cursor = earlier
    lowest: str | None = None
    high_water = earlier
    for unit in ("years", "quarters", "months", "weeks", "days"):
        if unit not in units:
            continue
        lowest = unit
        results[unit] = _differ(unit, cursor, later)
        high_water = earlier.plus(results)
        if high_water.ms > later.ms:
            results[unit] -= 1
            cursor = earlier.plus(results)
            if cursor.ms > later.ms:
                high_water = cursor
                results[unit] -= 1
                cursor = earlier.plus(results)
        else:
            cursor = high_water
    remaining = later.ms - cursor.ms
    lower = [u for u in ("hours", "minutes", "seconds", "milliseconds") if u in units]
    if not lower and lowest is not None:
        if high_water.ms < later.ms:
            high_water = cursor.plus({lowest: 1})
        if high_water.ms != cursor.ms:
            results[lowest] = results.get(lowest, 0) + remaining / (high_water.ms - cursor.ms)
    if lower:
        left = float(remaining)
        for i, unit in enumerate(lower):
            size = _CASUAL_MS[unit]
            if i == len(lower) - 1:
                value = left / size
            else:
                value = math.trunc(left / size)
                left -= value * size
            results[unit] = results.get(unit, 0) + value
    ordered = {u: results[u] for u in ORDERED_UNITS if u in results}
    return {k: (int(v) if float(v).is_integer() else v) for k, v in ordered.items()}


def duration_iso(obj: dict[str, float]) -> str:
    """Luxon's ``Duration.toISO()``."""
    text = "P"
    if obj.get("years"):
        text += f"{_num(obj['years'])}Y"
    months = obj.get("months", 0) + obj.get("quarters", 0) * 3
    if months:
        text += f"{_num(months)}M"
    if obj.get("weeks"):
        text += f"{_num(obj['weeks'])}W"
    if obj.get("days"):
        text += f"{_num(obj['days'])}D"
    hours, minutes = obj.get("hours", 0), obj.get("minutes", 0)
    seconds = obj.get("seconds", 0) + obj.get("milliseconds", 0) / 1000
    if hours or minutes or seconds:
        text += "T"
    if hours:
        text += f"{_num(hours)}H"
    if minutes:
        text += f"{_num(minutes)}M"
    if seconds:
        text += f"{_num(round(seconds, 3))}S"
    return text + ("T0S" if text == "P" else "")


def _num(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
