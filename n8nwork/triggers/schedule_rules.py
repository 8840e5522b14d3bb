"""Schedule rules: n8n's Schedule Trigger (``rule.interval[]``) and legacy Cron node
(``triggerTimes.item[]``) turned into a ``Schedule`` that answers "the next fire time after t"
in the workflow's time zone. Pure functions, no clock, no I/O.

How each rule becomes a time table follows n8n's ``toCronExpression`` (all three typeVersions
1, 1.1 and 1.2 share it in n8n today), as a 6-field cron expression with seconds first:

- ``seconds``: ``*/N * * * * *``;  ``minutes``: ``S */N * * * *``;
- ``hours``: ``S M */N * * *``;  ``days``: ``S M H * * *``;  ``weeks``: ``S M H * * D,D``;
- ``months``: ``S M H DOM */N *`` (a month without that day does not fire, as n8n warns);
- ``cronExpression``: the expression as given (5 fields, or 6 with seconds first);
- Cron node: ``everyMinute`` ``S * * * * *``, ``everyHour`` ``S M * * * *``, ``everyDay``,
  ``everyWeek``, ``everyMonth``, ``everyX`` (``S */N * * * *`` / ``S 0 */N * * *``) and
  ``custom``.

``S`` is n8n's load-spreading second: n8n derives it from sha256 of
``"<workflow id>:<node id>:second"``, so every scheduler computes the same slots (it must:
a slot is the unit that fires exactly once). Missing minute/hour/day fields take the node's
declared defaults (0, 0, 1), as n8n does since it applies declared defaults to stored rules.

Where n8n keeps per-node state to skip runs (days, weeks > 1: "every N days/weeks"), the
state would differ between schedulers and after a restart; here the cycle is anchored on the
calendar instead: a day fires when its proleptic ordinal is a multiple of N, a week (Sunday
to Saturday, as moment's ``week()``) when its ordinal is. Hours and months step through the
cron field (``*/N``: hour 0, N, 2N... of each day; month 1, 1+N... of each year).

Daylight saving time: a wall-clock time skipped by spring-forward fires at the first instant
after the gap (02:30 fires at 03:00); a fixed time repeated by fall-back fires once (the
first occurrence), while rules whose hour field is ``*`` keep their real-time cadence
through both transitions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import timezone as fixed_zone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from croniter.croniter import CroniterError

from n8nwork.errors import N8nworkError
from n8nwork.workflow.frozen import thaw

SCHEDULE_TRIGGER = "n8n-nodes-base.scheduleTrigger"
CRON_NODE = "n8n-nodes-base.cron"
SCHEDULE_NODE_TYPES = frozenset({SCHEDULE_TRIGGER, CRON_NODE})
SCHEDULE_TRIGGER_VERSIONS = (1.0, 1.1, 1.2)
CRON_NODE_VERSIONS = (1.0,)

FIELDS = ("seconds", "minutes", "hours", "days", "weeks", "months", "cronExpression")
CRON_MODES = ("everyMinute", "everyHour", "everyDay", "everyWeek", "everyMonth", "everyX", "custom")
MAX_STEPS = 5000
"""Candidates looked at per rule before giving up (an anchored weekly rule needs few)."""

# n8n's declared defaults of a Schedule Trigger interval and of a Cron node item.
INTERVAL_DEFAULTS: dict[str, Any] = {
    "field": "days",
    "secondsInterval": 30,
    "minutesInterval": 5,
    "hoursInterval": 1,
    "daysInterval": 1,
    "weeksInterval": 1,
    "monthsInterval": 1,
    "triggerAtDayOfMonth": 1,
    "triggerAtDay": [0],
    "triggerAtHour": 0,
    "triggerAtMinute": 0,
    "expression": "",
}
CRON_ITEM_DEFAULTS: dict[str, Any] = {
    "mode": "everyDay",
    "hour": 14,
    "minute": 0,
    "dayOfMonth": 1,
    "weekday": "1",
    "cronExpression": "* * * * * *",
    "value": 2,
    "unit": "hours",
}


class ScheduleRuleError(N8nworkError):
    """A schedule node's rules are invalid; the message names the node and the rule."""


class NoRulesError(ScheduleRuleError):
    """A schedule node has no rule at all (n8n accepts it; it never fires)."""


# ------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class Rule:
    """One rule as a cron expression (seconds first), plus the calendar anchor of
    "every N days/weeks" rules."""

    index: int
    cron: str
    every: int = 1
    unit: str | None = None  # "days" | "weeks": fire only where the cycle index % every == 0
    label: str = ""

    @property
    def wildcard_hours(self) -> bool:
        """Rules firing every hour keep real-time cadence through DST changes."""
        fields = self.cron.split()
        return len(fields) == 6 and fields[2] in ("*", "*/1")

    @property
    def sub_hourly(self) -> bool:
        """Only the second and minute fields are set: local time matters only through the
        offset's minutes, so a fixed offset gives the same instants, faster (croniter walks
        a DST gap second by second)."""
        fields = self.cron.split()
        return len(fields) == 6 and all(f in ("*", "*/1", "?") for f in fields[2:])

    def _fixed(self, at: datetime, zone: ZoneInfo, *, prev: bool) -> datetime | None:
        offset = at.astimezone(zone).utcoffset() or timedelta(0)
        start = at.astimezone(fixed_zone(offset))
        it = croniter(self.cron, start, ret_type=datetime, second_at_beginning=True)
        candidate: datetime = it.get_prev(datetime) if prev else it.get_next(datetime)
        moved = (candidate.astimezone(zone).utcoffset() or timedelta(0)) - offset
        if moved.total_seconds() % 3600:  # an offset change by a fraction of an hour
            return None
        return candidate.astimezone(UTC)

    def _anchored(self, local: datetime) -> bool:
        if self.every <= 1 or self.unit is None:
            return True
        ordinal = local.date().toordinal()
        cycle = ordinal if self.unit == "days" else ordinal // 7  # weeks run Sunday-Saturday
        return cycle % self.every == 0

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first fire time strictly after ``after`` (timezone-aware, in UTC)."""
        if self.sub_hourly and (found := self._fixed(after, zone, prev=False)) is not None:
            return found
        it = croniter(
            self.cron, after.astimezone(zone), ret_type=datetime, second_at_beginning=True
        )
        for _ in range(MAX_STEPS):
            candidate: datetime = it.get_next(datetime)
            if not self._anchored(candidate):
                continue
            if not self.wildcard_hours and _repeated_wall_time(candidate, zone):
                continue
            return candidate.astimezone(UTC)
        raise ScheduleRuleError(f"{self.label}: found no fire time in {MAX_STEPS} candidates")

    def latest_at_or_before(self, bound: datetime, zone: ZoneInfo) -> datetime | None:
        """The last fire time at or before ``bound`` (UTC), ``None`` if none is found."""
        start = bound.replace(microsecond=0) + timedelta(seconds=1)
        if self.sub_hourly:
            try:
                if (found := self._fixed(start, zone, prev=True)) is not None:
                    return found
            except CroniterError:
                return None
        it = croniter(
            self.cron, start.astimezone(zone), ret_type=datetime, second_at_beginning=True
        )
        for _ in range(MAX_STEPS):
            try:
                candidate: datetime = it.get_prev(datetime)
            except CroniterError:
                return None
            if not self._anchored(candidate):
                continue
            if not self.wildcard_hours and _repeated_wall_time(candidate, zone):
                continue
            return candidate.astimezone(UTC)
        return None


def _repeated_wall_time(local: datetime, zone: ZoneInfo) -> bool:
    """Whether ``local`` is the second occurrence of a wall-clock time (DST fall-back)."""
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone, fold=0).utcoffset()
    second = naive.replace(tzinfo=zone, fold=1).utcoffset()
    return first != second and local.utcoffset() == second


@dataclass(frozen=True)
class Schedule:
    """The compiled rules of one schedule node. Several rules due at the same instant make
    one slot (one execution)."""

    node: str
    timezone: str
    rules: tuple[Rule, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def next_after(self, after: datetime) -> datetime:
        """The first slot strictly after ``after`` (aware, UTC, whole seconds)."""
        if after.tzinfo is None:
            raise ValueError("next_after: pass a timezone-aware datetime")
        zone = self.zone
        return min(rule.next_after(after, zone) for rule in self.rules)

    def latest_at_or_before(self, bound: datetime) -> datetime | None:
        """The last slot at or before ``bound`` (where a "fire once" catch-up fires)."""
        zone = self.zone
        found = [t for rule in self.rules if (t := rule.latest_at_or_before(bound, zone))]
        return max(found) if found else None

    def slots(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Every slot in ``(after, until]``, in order."""
        current = self.next_after(after)
        while current <= until:
            yield current
            current = self.next_after(current)


# ------------------------------------------------------------------------------ compiling
def workflow_timezone(settings: Mapping[str, Any] | None, default: str) -> str:
    """The workflow's ``settings.timezone`` (n8n's ``DEFAULT`` or empty: ``default``)."""
    raw = (settings or {}).get("timezone")
    return raw if isinstance(raw, str) and raw and raw != "DEFAULT" else default


def _stable_int(seed: str, label: str, low: int, high: int) -> int:
    """n8n's ``stableInt``: a value in ``[low, high)`` from sha256 of ``seed:label``."""
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low)


def _int(raw: Any, name: str, where: str, low: int, high: int | None = None) -> int:
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
        raise ScheduleRuleError(f"{where}: '{name}' must be a whole number, got {raw!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"{low}-{high}" if high is not None else f"at least {low}"
        raise ScheduleRuleError(f"{where}: '{name}' must be {bound}, got {value}")
    return value


def _check_cron(expression: Any, where: str) -> str:
    """A cron expression (5 fields, or 6 with seconds first) as 6 fields."""
    if not isinstance(expression, str) or not expression.strip():
        raise ScheduleRuleError(f"{where}: the cron expression is empty")
    text = " ".join(expression.split())
    if text.startswith("="):
        raise ScheduleRuleError(f"{where}: expressions are not supported in schedule rules")
    fields = text.split(" ")
    if text.startswith("@") and len(fields) == 1:
        return text
    if len(fields) == 5:
        text = "0 " + text
    elif len(fields) != 6:
        raise ScheduleRuleError(
            f"{where}: invalid cron expression {expression!r} (give 5 fields, or 6 with "
            "seconds first: [Second] [Minute] [Hour] [Day of Month] [Month] [Day of Week])"
        )
    _probe(text, where, f"invalid cron expression {expression!r}")
    return text


def _probe(cron: str, where: str, what: str) -> None:
    try:
        croniter(cron, datetime(2000, 1, 1, tzinfo=UTC), second_at_beginning=True).get_next(
            datetime
        )
    except (CroniterError, ValueError, KeyError, TypeError) as exc:
        raise ScheduleRuleError(f"{where}: {what}: {exc}") from None


def _interval_rule(index: int, raw: Any, node: str, seed: str) -> Rule:
    where = f"node '{node}', rule {index + 1}"
    if not isinstance(raw, Mapping):
        raise ScheduleRuleError(f"{where}: a rule must be an object, got {raw!r}")
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("="):
            raise ScheduleRuleError(
                f"{where}: '{key}' is an expression; expressions are not supported in "
                "schedule rules"
            )
    given = {k: v for k, v in raw.items() if v is not None and v != ""}
    p = {**INTERVAL_DEFAULTS, **given}
    field = p["field"]
    if field not in FIELDS:
        raise ScheduleRuleError(f"{where}: 'field' is {field!r}; allowed: {list(FIELDS)}")
    where = f"{where} ({field})"
    if field == "cronExpression":
        return Rule(index, _check_cron(p["expression"], where), label=where)
    if field == "seconds":
        n = _int(p["secondsInterval"], "secondsInterval", where, 1, 59)
        return Rule(index, f"*/{n} * * * * *", label=where)
    second = _stable_int(seed, "second", 0, 60)
    if field == "minutes":
        n = _int(p["minutesInterval"], "minutesInterval", where, 1, 59)
        return Rule(index, f"{second} */{n} * * * *", label=where)
    minute = _int(p["triggerAtMinute"], "triggerAtMinute", where, 0, 59)
    if field == "hours":
        n = _int(p["hoursInterval"], "hoursInterval", where, 1, 23)
        return Rule(index, f"{second} {minute} */{n} * * *", label=where)
    hour = _int(p["triggerAtHour"], "triggerAtHour", where, 0, 23)
    if field == "days":
        n = _int(p["daysInterval"], "daysInterval", where, 1, 31)
        return Rule(index, f"{second} {minute} {hour} * * *", n, "days", where)
    if field == "weeks":
        n = _int(p["weeksInterval"], "weeksInterval", where, 1)
        days = p["triggerAtDay"]
        if not isinstance(days, (list, tuple)):
            days = [days]
        weekdays = sorted({_int(d, "triggerAtDay", where, 0, 7) % 7 for d in days})
        dow = ",".join(str(d) for d in weekdays) if weekdays else "*"
        return Rule(index, f"{second} {minute} {hour} * * {dow}", n, "weeks", where)
    n = _int(p["monthsInterval"], "monthsInterval", where, 1, 12)
    day = _int(p["triggerAtDayOfMonth"], "triggerAtDayOfMonth", where, 1, 31)
    return Rule(index, f"{second} {minute} {hour} {day} */{n} *", label=where)


def _cron_item_rule(index: int, raw: Any, node: str, seed: str) -> Rule:
    where = f"node '{node}', trigger time {index + 1}"
    if not isinstance(raw, Mapping):
        raise ScheduleRuleError(f"{where}: a trigger time must be an object, got {raw!r}")
    given = {k: v for k, v in raw.items() if v is not None and v != ""}
    p = {**CRON_ITEM_DEFAULTS, **given}
    mode = p["mode"]
    if mode not in CRON_MODES:
        raise ScheduleRuleError(f"{where}: 'mode' is {mode!r}; allowed: {list(CRON_MODES)}")
    where = f"{where} ({mode})"
    if mode == "custom":
        return Rule(index, _check_cron(p["cronExpression"], where), label=where)
    second = _stable_int(seed, "second", 0, 60)
    if mode == "everyMinute":
        return Rule(index, f"{second} * * * * *", label=where)
    if mode == "everyX":
        n = _int(p["value"], "value", where, 1, 1000)
        unit = p["unit"]
        if unit == "minutes":
            cron = f"{second} */{n} * * * *"
        elif unit == "hours":
            cron = f"{second} 0 */{n} * * *"
        else:
            raise ScheduleRuleError(f"{where}: 'unit' is {unit!r}; allowed: ['minutes', 'hours']")
        _probe(cron, where, f"'value' {n} does not fit a cron step")
        return Rule(index, cron, label=where)
    minute = _int(p["minute"], "minute", where, 0, 59)
    if mode == "everyHour":
        return Rule(index, f"{second} {minute} * * * *", label=where)
    hour = _int(p["hour"], "hour", where, 0, 23)
    if mode == "everyDay":
        return Rule(index, f"{second} {minute} {hour} * * *", label=where)
    if mode == "everyWeek":
        weekday = _int(p["weekday"], "weekday", where, 0, 7) % 7
        return Rule(index, f"{second} {minute} {hour} * * {weekday}", label=where)
    day = _int(p["dayOfMonth"], "dayOfMonth", where, 1, 31)
    return Rule(index, f"{second} {minute} {hour} {day} * *", label=where)


def compile_schedule(
    node_type: str,
    type_version: float,
    parameters: Mapping[str, Any],
    *,
    node: str,
    node_id: str | None = None,
    workflow_id: str = "",
    timezone: str = "America/New_York",
) -> Schedule:
    """The ``Schedule`` of a Schedule Trigger or Cron node, or ``ScheduleRuleError``."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleRuleError(
            f"node '{node}': unknown time zone {timezone!r} (workflow setting 'timezone'; "
            "use an IANA name such as 'Europe/Berlin')"
        ) from None
    params = thaw(parameters) if parameters is not None else {}
    seed = f"{workflow_id}:{node_id or node}"
    if node_type == SCHEDULE_TRIGGER:
        if float(type_version) not in SCHEDULE_TRIGGER_VERSIONS:
            raise ScheduleRuleError(
                f"node '{node}': Schedule Trigger typeVersion {type_version} is not supported "
                f"(supported: {', '.join(str(v) for v in SCHEDULE_TRIGGER_VERSIONS)})"
            )
        rule = params.get("rule", {"interval": [{"field": "days"}]})
        intervals = rule.get("interval") if isinstance(rule, Mapping) else None
        if intervals is None:
            intervals = [{}]
        if not isinstance(intervals, list):
            raise ScheduleRuleError(f"node '{node}': 'rule.interval' must be a list of rules")
        rules = tuple(_interval_rule(i, r, node, seed) for i, r in enumerate(intervals))
    elif node_type == CRON_NODE:
        times = params.get("triggerTimes", {})
        items = times.get("item", []) if isinstance(times, Mapping) else None
        if not isinstance(items, list):
            raise ScheduleRuleError(f"node '{node}': 'triggerTimes.item' must be a list")
        rules = tuple(_cron_item_rule(i, r, node, seed) for i, r in enumerate(items))
    else:
        raise ScheduleRuleError(f"node '{node}': {node_type!r} is not a schedule node type")
    if not rules:
        raise NoRulesError(f"node '{node}': no trigger rule is set, so it never fires")
    return Schedule(node=node, timezone=timezone, rules=rules)


# ------------------------------------------------------------------------------ items
_ORDINAL = {1: "st", 2: "nd", 3: "rd"}
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else _ORDINAL.get(day % 10, "th")
    return f"{day}{suffix}"


def _offset(local: datetime) -> str:
    """moment's ``Z``: ``+05:30``."""
    delta = local.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_trigger_item(at: datetime, timezone: str) -> dict[str, Any]:
    """The JSON of the Schedule Trigger's item for the instant ``at`` (n8n's
    ``buildScheduleTriggerItem``: moment formats in the workflow's time zone)."""
    local = at.astimezone(ZoneInfo(timezone))
    hour12 = local.hour % 12 or 12
    ampm = "am" if local.hour < 12 else "pm"
    clock = f"{hour12}:{local.minute:02d}:{local.second:02d} {ampm}"
    stamp = local.replace(tzinfo=None).isoformat(timespec="milliseconds") + _offset(local)
    month = _MONTHS[local.month - 1]
    return {
        "timestamp": stamp,
        "Readable date": f"{month} {_ordinal(local.day)} {local.year:04d}, {clock}",
        "Readable time": clock,
        "Day of week": _WEEKDAYS[local.weekday()],
        "Year": f"{local.year:04d}",
        "Month": month,
        "Day of month": f"{local.day:02d}",
        "Hour": f"{local.hour:02d}",
        "Minute": f"{local.minute:02d}",
        "Second": f"{local.second:02d}",
        "Timezone": f"{timezone} (UTC{_offset(local)})",
    }


def cron_node_item() -> dict[str, Any]:
    """The JSON of the legacy Cron node's item: empty, as in n8n."""
    return {}


def fire_item(node_type: str, at: datetime, timezone: str) -> dict[str, Any]:
    """The n8n item (``{"json": ...}``) a schedule node of ``node_type`` emits for ``at``."""
    if node_type == CRON_NODE:
        return {"json": cron_node_item()}
    return {"json": schedule_trigger_item(at, timezone)}
