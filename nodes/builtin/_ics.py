"""iCalendar (ICS) files for Convert to File (``iCal``) and Extract from File (``fromIcs``).

Writing mirrors the ``ics`` npm package n8n uses (``createEvent``): the same calendar header
(``PRODID:adamgibbons/ics``, ``METHOD:PUBLISH``, ``X-PUBLISHED-TTL:PT1H``), property order,
text escaping and 75-character line folding, UTC date-times and ``VALUE=DATE`` all-day dates.

Reading parses with the ``icalendar`` library (RFC 5545 unfolding, parameters, escapes,
``TZID`` resolved through ``VTIMEZONE`` or the IANA database) and returns the object shape of
``ts-ics``'s ``icsCalendarToObject``, which n8n outputs: ``{version, prodId, method,
timezones, events: [{uid, summary, stamp, start, end, description, attendees, ...}]}`` with
date values as ``{date, type, local?}`` (``date`` an ISO string in UTC).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser


class IcsError(ValueError):
    """Raised when an event cannot be built or a calendar cannot be read."""


# ---------------------------------------------------------------------------- writing
def fold_line(line: str) -> str:
    """The ``ics`` package's folding: 75 characters, then 74 per continuation (TAB)."""
    parts: list[str] = []
    length = 75
    while len(line) > length:
        parts.append(line[:length])
        line = line[length:]
        length = 74
    parts.append(line)
    return "\r\n\t".join(parts)


def _new_lines(text: str) -> str:
    return re.sub(r"\r?\n", "\\\\n", text)


def _text(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace(";", "\\;")
        .replace(",", "\\,")
    )


def parse_moment(value: Any, name: str, zone: tzinfo) -> datetime:
    """A date-time parameter as moment parses it: ISO 8601 (an offset or ``Z`` is honoured,
    otherwise the time is in ``zone``)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise IcsError(f"The '{name}' parameter is required and must be a date")
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = date_parser.parse(text)
            except (ValueError, OverflowError):
                raise IcsError(f"The value '{text}' of '{name}' is not a valid date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def create_event(
    *,
    title: str,
    start: Any,
    end: Any,
    all_day: bool,
    fields: dict[str, Any],
    workflow_timezone: str = "UTC",
    now: datetime | None = None,
) -> str:
    """One VEVENT in a VCALENDAR, as n8n's Convert to File ``iCal`` operation builds it."""
    fields = dict(fields)
    zone: tzinfo = UTC
    if fields.pop("useWorkflowTimezone", False):
        try:
            zone = ZoneInfo(workflow_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
    start_at = parse_moment(start, "Start", zone)
    end_at = parse_moment(end if end not in (None, "") else start, "End", zone)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        fold_line("PRODID:adamgibbons/ics"),
        fold_line("METHOD:PUBLISH"),
    ]
    if fields.get("calName"):
        lines.append(fold_line(f"X-WR-CALNAME:{_new_lines(str(fields['calName']))}"))
    lines += ["X-PUBLISHED-TTL:PT1H", "BEGIN:VEVENT"]
    uid = str(fields.get("uid") or uuid.uuid4())
    lines.append(f"UID:{_new_lines(uid)}")
    if title:
        lines.append(fold_line(f"SUMMARY:{_text(str(title))}"))
    lines.append(f"DTSTAMP:{_stamp(now or datetime.now(UTC))}")
    if all_day:
        first = start_at.astimezone(zone).date()
        last = (end_at.astimezone(UTC) + timedelta(days=1)).astimezone(zone).date()
        lines.append(f"DTSTART;VALUE=DATE:{first:%Y%m%d}")
        if last != first:
            lines.append(f"DTEND;VALUE=DATE:{last:%Y%m%d}")
    else:
        lines.append(f"DTSTART:{_stamp(start_at)}")
        lines.append(f"DTEND:{_stamp(end_at)}")
    if fields.get("sequence"):
        lines.append(f"SEQUENCE:{_js_number(fields['sequence'])}")
    if fields.get("description"):
        lines.append(fold_line(f"DESCRIPTION:{_new_lines(_text(str(fields['description'])))}"))
    if fields.get("url"):
        lines.append(fold_line(f"URL:{_new_lines(str(fields['url']))}"))
    geo = (fields.get("geolocationUi") or {}).get("geolocationValues")
    if geo:
        lines.append(fold_line(f"GEO:{geo.get('lat', '')};{geo.get('lon', '')}"))
    if fields.get("location"):
        lines.append(fold_line(f"LOCATION:{_new_lines(_text(str(fields['location'])))}"))
    if fields.get("status"):
        lines.append(fold_line(f"STATUS:{_new_lines(str(fields['status']))}"))
    organizer = (fields.get("organizerUi") or {}).get("organizerValues")
    if organizer:
        lines.append(fold_line(f"ORGANIZER;{_contact(organizer, organizer=True)}"))
    if fields.get("busyStatus"):
        busy = _new_lines(str(fields["busyStatus"]))
        lines.append(fold_line(f"X-MICROSOFT-CDO-BUSYSTATUS:{busy}"))
    attendees = (fields.get("attendeesUi") or {}).get("attendeeValues") or []
    if isinstance(attendees, dict):
        attendees = [attendees]
    for attendee in attendees:
        lines.append(fold_line(f"ATTENDEE;{_new_lines(_contact(attendee))}"))
    if fields.get("recurrenceRule"):
        rule = str(fields["recurrenceRule"]).strip()
        if rule.upper().startswith("RRULE:"):
            rule = rule[6:]
        lines.append(fold_line(f"RRULE:{_new_lines(rule)}"))
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(line + "\r\n" for line in lines)


def _js_number(value: Any) -> str:
    from nodes.builtin._jsvalues import to_string

    return to_string(value)


def _contact(person: dict[str, Any], organizer: bool = False) -> str:
    parts: list[str] = []
    if organizer:
        if person.get("dir"):
            parts.append(f'DIR="{person["dir"]}"')
        parts.append(f"CN={person.get('name') or 'Organizer'}")
    else:
        parts.append("RSVP=TRUE" if person.get("rsvp") else "RSVP=FALSE")
        for key, name in (("role", "ROLE"), ("partstat", "PARTSTAT"), ("dir", "DIR")):
            if person.get(key):
                parts.append(f"{name}={person[key]}")
        parts.append(f"CN={person.get('name') or 'Unnamed attendee'}")
    email = person.get("email")
    return ";".join(parts) + (f":mailto:{email}" if email else "")


# ---------------------------------------------------------------------------- reading
_EVENT_KEYS = {
    "UID": "uid",
    "SUMMARY": "summary",
    "DESCRIPTION": "description",
    "LOCATION": "location",
    "URL": "url",
    "GEO": "geo",
    "CLASS": "class",
    "PRIORITY": "priority",
    "STATUS": "status",
    "ATTACH": "attach",
    "COMMENT": "comment",
    "TRANSP": "timeTransparent",
    "DTSTAMP": "stamp",
    "DTSTART": "start",
    "DTEND": "end",
    "CREATED": "created",
    "LAST-MODIFIED": "lastModified",
    "DURATION": "duration",
    "SEQUENCE": "sequence",
    "CATEGORIES": "categories",
    "RRULE": "recurrenceRule",
    "RECURRENCE-ID": "recurrenceId",
    "EXDATE": "exceptionDates",
    "ORGANIZER": "organizer",
}
_TIME_KEYS = ("stamp", "start", "end", "created", "lastModified")
_RRULE_KEYS = {
    "FREQ": "frequency",
    "UNTIL": "until",
    "COUNT": "count",
    "INTERVAL": "interval",
    "BYSECOND": "bySecond",
    "BYMINUTE": "byMinute",
    "BYHOUR": "byHour",
    "BYDAY": "byDay",
    "BYMONTHDAY": "byMonthday",
    "BYYEARDAY": "byYearday",
    "BYWEEKNO": "byWeekNo",
    "BYMONTH": "byMonth",
    "BYSETPOS": "bySetPos",
    "WKST": "workweekStart",
}
_ALARM_KEYS = {
    "ACTION": "action",
    "DESCRIPTION": "description",
    "SUMMARY": "summary",
    "DURATION": "duration",
    "REPEAT": "repeat",
}


def _iso(moment: datetime) -> str:
    """``Date.prototype.toISOString``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _date_object(value: Any, params: Any, local_zone: tzinfo) -> dict[str, Any]:
    """ts-ics's ``{date, type, local?}`` for a DATE or DATE-TIME value."""
    if isinstance(value, datetime):
        kind = str(params.get("VALUE") or "DATE-TIME") if params is not None else "DATE-TIME"
        tzid = params.get("TZID") if params is not None else None
        wall = value.replace(tzinfo=UTC)
        if value.tzinfo is None:
            return {"date": _iso(wall), "type": kind}
        if tzid:
            return {
                "date": _iso(value),
                "type": kind,
                "local": {
                    "date": _iso(wall),
                    "timezone": str(tzid),
                    "tzoffset": _offset(value.utcoffset()),
                },
            }
        return {"date": _iso(value), "type": kind}
    if isinstance(value, date):
        midnight = datetime(value.year, value.month, value.day, tzinfo=local_zone)
        return {"date": _iso(midnight), "type": "DATE"}
    return {"date": str(value), "type": "DATE-TIME"}


def _duration(delta: timedelta) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if delta < timedelta(0):
        out["before"] = True
        delta = -delta
    days, seconds = delta.days, delta.seconds
    if days:
        if days % 7 == 0:
            out["weeks"] = days // 7
        else:
            out["days"] = days
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        out["hours"] = hours
    if minutes:
        out["minutes"] = minutes
    if secs:
        out["seconds"] = secs
    return out


def _text_value(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _mail(value: Any) -> str:
    return re.sub(r"^mailto:", "", _text_value(value), flags=re.I)


def _person(value: Any, attendee: bool) -> dict[str, Any]:
    params = getattr(value, "params", {}) or {}
    out: dict[str, Any] = {}
    if attendee:
        out["email"] = _mail(value)
    if params.get("CN") is not None:
        out["name"] = str(params["CN"])
    if params.get("DIR") is not None:
        out["dir"] = str(params["DIR"])
    if params.get("SENT-BY") is not None:
        out["sentBy"] = _mail(params["SENT-BY"])
    if attendee:
        for key, name in (
            ("DELEGATED-FROM", "delegatedFrom"),
            ("MEMBER", "member"),
            ("PARTSTAT", "partstat"),
            ("ROLE", "role"),
        ):
            if params.get(key) is not None:
                text = str(params[key])
                out[name] = _mail(text) if key in ("DELEGATED-FROM", "MEMBER") else text
        if params.get("RSVP") is not None:
            out["rsvp"] = str(params["RSVP"]).upper() == "TRUE"
    else:
        out["email"] = _mail(value)
    return out


def _rrule(value: Any, local_zone: tzinfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in value.items():
        name = _RRULE_KEYS.get(str(key).upper())
        if name is None:
            continue
        if name == "until":
            out[name] = _date_object(values[0], None, local_zone)
        elif name in ("count", "interval"):
            out[name] = int(values[0])
        elif name == "byDay":
            days: list[dict[str, Any]] = []
            for day in values:
                text = str(day)
                if len(text) == 2:
                    days.append({"day": text})
                else:
                    days.append({"day": text[-2:], "occurence": int(text[:-2])})
            out[name] = days
        elif name in ("frequency", "workweekStart"):
            out[name] = str(values[0])
        else:
            out[name] = [int(v) for v in values]
    return out


def _times(prop: Any) -> list[Any]:
    """The values of a multi-valued date property (EXDATE may repeat and hold lists)."""
    props = prop if isinstance(prop, list) else [prop]
    out = []
    for item in props:
        for dt in getattr(item, "dts", [item]):
            out.append((dt.dt, getattr(dt, "params", None) or getattr(item, "params", None)))
    return out


def _event(component: Any, local_zone: tzinfo) -> dict[str, Any]:
    event: dict[str, Any] = {}
    attendees: list[dict[str, Any]] = []
    for key, value in component.property_items(recursive=False, sorted=False):
        if key in ("BEGIN", "END"):
            continue
        if key == "ATTENDEE":
            attendees.append(_person(value, attendee=True))
            continue
        name = _EVENT_KEYS.get(key)
        if name is None:
            continue
        if name in _TIME_KEYS:
            event[name] = _date_object(value.dt, value.params, local_zone)
        elif name == "duration":
            event[name] = _duration(value.dt)
        elif name == "sequence":
            event[name] = int(value)
        elif name == "categories":
            cats = value if isinstance(value, list) else [value]
            event[name] = [_text_value(c) for v in cats for c in getattr(v, "cats", [v])]
        elif name == "recurrenceRule":
            event[name] = _rrule(value, local_zone)
        elif name == "recurrenceId":
            # ts-ics keeps RECURRENCE-ID as the raw text of the value.
            event[name] = _text_value(value.to_ical())
        elif name == "exceptionDates":
            dates = event.setdefault(name, [])
            for dt, params in _times(value):
                dates.append(_date_object(dt, params, local_zone))
        elif name == "organizer":
            event[name] = _person(value, attendee=False)
        elif name == "geo":
            event[name] = f"{value.latitude};{value.longitude}"
        elif name == "priority":
            event[name] = _text_value(value)
        else:
            event[name] = _text_value(value)
    alarms = [_alarm(a, local_zone) for a in component.subcomponents if a.name == "VALARM"]
    if alarms:
        event["alarms"] = alarms
    if attendees:
        event["attendees"] = attendees
    return event


def _alarm(component: Any, local_zone: tzinfo) -> dict[str, Any]:
    alarm: dict[str, Any] = {}
    attendees = []
    attachments = []
    for key, value in component.property_items(recursive=False, sorted=False):
        if key == "TRIGGER":
            related = value.params.get("RELATED")
            options = {"related": str(related)} if related else {}
            if isinstance(value.dt, timedelta):
                alarm["trigger"] = {
                    "type": "relative",
                    "value": _duration(value.dt),
                    "options": options,
                }
            else:
                alarm["trigger"] = {
                    "type": "absolute",
                    "value": _date_object(value.dt, value.params, local_zone),
                    "options": options,
                }
        elif key == "ATTENDEE":
            attendees.append(_person(value, attendee=True))
        elif key == "ATTACH":
            attachments.append({"url": _text_value(value)})
        elif key == "DURATION":
            alarm["duration"] = _duration(value.dt)
        elif key == "REPEAT":
            alarm["repeat"] = int(value)
        elif key in _ALARM_KEYS:
            alarm[_ALARM_KEYS[key]] = _text_value(value)
    if attachments:
        alarm["attachments"] = attachments
    if attendees:
        alarm["attendees"] = attendees
    return alarm


def _timezone(component: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in component.property_items(recursive=False, sorted=False):
        if key == "TZID":
            out["id"] = _text_value(value)
        elif key == "TZURL":
            out["url"] = _text_value(value)
        elif key == "LAST-MODIFIED":
            out["lastModified"] = _iso(_as_utc(value.dt))
    props = []
    # ts-ics lists the STANDARD observances before the DAYLIGHT ones.
    subs = [c for c in component.subcomponents if c.name == "STANDARD"]
    subs += [c for c in component.subcomponents if c.name == "DAYLIGHT"]
    for sub in subs:
        prop: dict[str, Any] = {"type": sub.name}
        for key, value in sub.property_items(recursive=False, sorted=False):
            if key == "DTSTART":
                prop["start"] = _iso(_as_utc(value.dt))
            elif key == "TZOFFSETFROM":
                prop["offsetFrom"] = _offset(value.td)
            elif key == "TZOFFSETTO":
                prop["offsetTo"] = _offset(value.td)
            elif key == "TZNAME":
                prop["name"] = _text_value(value)
            elif key == "COMMENT":
                prop["comment"] = _text_value(value)
            elif key == "RRULE":
                prop["recurrenceRule"] = _rrule(value, UTC)
        props.append(prop)
    out["props"] = props
    return out


def _as_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def parse_calendar(text: str, workflow_timezone: str = "UTC") -> dict[str, Any]:
    """An ICS document as ts-ics's calendar object."""
    import icalendar

    try:
        local_zone: tzinfo = ZoneInfo(workflow_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        local_zone = UTC
    source = text.lstrip("\ufeff")
    if "BEGIN:VCALENDAR" not in source.upper():
        raise IcsError("The file is not an iCalendar file (no BEGIN:VCALENDAR found)")
    try:
        calendar = icalendar.Calendar.from_ical(source)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise IcsError(f"The file is not a valid iCalendar file: {exc}") from None
    if isinstance(calendar, list):
        calendar = calendar[0]
    out: dict[str, Any] = {}
    try:
        for key, value in calendar.property_items(recursive=False, sorted=False):
            if key == "VERSION":
                out["version"] = _text_value(value)
            elif key == "PRODID":
                out["prodId"] = _text_value(value)
            elif key == "METHOD":
                out["method"] = _text_value(value)
        zones = [_timezone(c) for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        if zones:
            out["timezones"] = zones
        events = [_event(c, local_zone) for c in calendar.subcomponents if c.name == "VEVENT"]
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise IcsError(f"The file is not a valid iCalendar file: {exc}") from None
    if events:
        out["events"] = events
    return out
