"""Date formatting with Luxon's ``toFormat`` tokens (Date & Time v2) and moment's ``format``
tokens (Date & Time v1), in English, plus Luxon's ``fromFormat`` parser.

Luxon: runs of one letter form a token (``yyyy``, ``MM``), text in single quotes is literal,
unknown tokens print as themselves. moment: its token regex, ``[...]`` escapes, and the
localized ``L``/``LT`` families expanded first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nodes.builtin._ldt import LDT, Zone, fixed_offset_zone, offset_text

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NNBSP = "\u202f"  # ICU puts a narrow no-break space before AM/PM


def _zone_abbrev(dt: LDT) -> str:
    if dt.zone.universal:
        return "UTC" if dt.offset_minutes == 0 else "GMT" + offset_text(dt.offset_minutes, False)
    name = dt.wall.tzname() or ""
    if name and name[0] in "+-":
        mins = dt.offset_minutes
        h, m = divmod(abs(mins), 60)
        return f"GMT{'+' if mins >= 0 else '-'}{h}" + (f":{m:02d}" if m else "")
    return name


def _h12(hour: int) -> int:
    return hour % 12 or 12


# ---------------------------------------------------------------------------------- Luxon
def _luxon_macro(dt: LDT, token: str) -> str | None:
    w = dt.wall
    mon, day, year = w.month, w.day, w.year
    short_date = f"{mon}/{day}/{year}"
    med_date = f"{MONTHS[mon - 1][:3]} {day}, {year}"
    full_date = f"{MONTHS[mon - 1]} {day}, {year}"
    huge_date = f"{WEEKDAYS[w.weekday()]}, {full_date}"
    ampm = "AM" if w.hour < 12 else "PM"
    t = f"{_h12(w.hour)}:{w.minute:02d}{NNBSP}{ampm}"
    tt = f"{_h12(w.hour)}:{w.minute:02d}:{w.second:02d}{NNBSP}{ampm}"
    big_t = f"{w.hour:02d}:{w.minute:02d}"
    big_tt = f"{w.hour:02d}:{w.minute:02d}:{w.second:02d}"
    zn = _zone_abbrev(dt)
    macros = {
        "D": short_date,
        "DD": med_date,
        "DDD": full_date,
        "DDDD": huge_date,
        "t": t,
        "tt": tt,
        "ttt": f"{tt} {zn}",
        "tttt": f"{tt} {zn}",
        "T": big_t,
        "TT": big_tt,
        "TTT": f"{big_tt} {zn}",
        "TTTT": f"{big_tt} {zn}",
        "f": f"{short_date}, {t}",
        "ff": f"{med_date}, {t}",
        "fff": f"{full_date} at {t} {zn}",
        "ffff": f"{huge_date} at {t} {zn}",
        "F": f"{short_date}, {tt}",
        "FF": f"{med_date}, {tt}",
        "FFF": f"{full_date} at {tt} {zn}",
        "FFFF": f"{huge_date} at {tt} {zn}",
    }
    return macros.get(token)


def _luxon_token(dt: LDT, token: str) -> str:
    w = dt.wall
    ms = w.microsecond // 1000
    iso_year, iso_week, iso_day = w.isocalendar()
    off = dt.offset_minutes
    simple: dict[str, Callable[[], str]] = {
        "S": lambda: str(ms),
        "SSS": lambda: f"{ms:03d}",
        "u": lambda: f"{ms:03d}",
        "uu": lambda: f"{ms // 10:02d}",
        "uuu": lambda: str(ms // 100),
        "s": lambda: str(w.second),
        "ss": lambda: f"{w.second:02d}",
        "m": lambda: str(w.minute),
        "mm": lambda: f"{w.minute:02d}",
        "h": lambda: str(_h12(w.hour)),
        "hh": lambda: f"{_h12(w.hour):02d}",
        "H": lambda: str(w.hour),
        "HH": lambda: f"{w.hour:02d}",
        "Z": lambda: _narrow_offset(off),
        "ZZ": lambda: offset_text(off, False),
        "ZZZ": lambda: offset_text(off, False, colon=False),
        "ZZZZ": lambda: _zone_abbrev(dt),
        "ZZZZZ": lambda: _zone_abbrev(dt),
        "z": lambda: dt.zone.name,
        "a": lambda: "AM" if w.hour < 12 else "PM",
        "d": lambda: str(w.day),
        "dd": lambda: f"{w.day:02d}",
        "c": lambda: str(iso_day),
        "E": lambda: str(iso_day),
        "ccc": lambda: WEEKDAYS[w.weekday()][:3],
        "EEE": lambda: WEEKDAYS[w.weekday()][:3],
        "cccc": lambda: WEEKDAYS[w.weekday()],
        "EEEE": lambda: WEEKDAYS[w.weekday()],
        "ccccc": lambda: WEEKDAYS[w.weekday()][0],
        "EEEEE": lambda: WEEKDAYS[w.weekday()][0],
        "L": lambda: str(w.month),
        "M": lambda: str(w.month),
        "LL": lambda: f"{w.month:02d}",
        "MM": lambda: f"{w.month:02d}",
        "LLL": lambda: MONTHS[w.month - 1][:3],
        "MMM": lambda: MONTHS[w.month - 1][:3],
        "LLLL": lambda: MONTHS[w.month - 1],
        "MMMM": lambda: MONTHS[w.month - 1],
        "LLLLL": lambda: MONTHS[w.month - 1][0],
        "MMMMM": lambda: MONTHS[w.month - 1][0],
        "y": lambda: str(w.year),
        "yy": lambda: f"{w.year % 100:02d}",
        "yyyy": lambda: f"{w.year:04d}",
        "yyyyyy": lambda: f"{w.year:06d}",
        "G": lambda: "AD" if w.year > 0 else "BC",
        "GG": lambda: "Anno Domini" if w.year > 0 else "Before Christ",
        "GGGGG": lambda: "A" if w.year > 0 else "B",
        "kk": lambda: f"{iso_year % 100:02d}",
        "kkkk": lambda: f"{iso_year:04d}",
        "W": lambda: str(iso_week),
        "WW": lambda: f"{iso_week:02d}",
        "n": lambda: str(iso_week),
        "nn": lambda: f"{iso_week:02d}",
        "ii": lambda: f"{iso_year % 100:02d}",
        "iiii": lambda: f"{iso_year:04d}",
        "o": lambda: str(w.timetuple().tm_yday),
        "ooo": lambda: f"{w.timetuple().tm_yday:03d}",
        "q": lambda: str((w.month - 1) // 3 + 1),
        "qq": lambda: f"{(w.month - 1) // 3 + 1:02d}",
        "X": lambda: str(dt.ms // 1000),
        "x": lambda: str(dt.ms),
    }
    fn = simple.get(token)
    if fn is not None:
        return fn()
    macro = _luxon_macro(dt, token)
    return token if macro is None else macro


def _narrow_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h}" + (f":{m:02d}" if m else "")


def luxon_tokens(fmt: str) -> list[tuple[bool, str]]:
    """Luxon's ``Formatter.parseFormat``: (is_literal, text) pieces."""
    splits: list[tuple[bool, str]] = []
    current: str | None = None
    full = ""
    bracketed = False
    for c in fmt:
        if c == "'":
            if full:
                splits.append((bracketed or full.isspace(), full))
            current, full, bracketed = None, "", not bracketed
        elif bracketed or c == current:
            full += c
        else:
            if full:
                splits.append((full.isspace(), full))
            full, current = c, c
    if full:
        splits.append((bracketed or full.isspace(), full))
    return splits


def luxon_format(dt: LDT, fmt: str) -> str:
    """Luxon's ``DateTime.toFormat(fmt)`` (en-US)."""
    return "".join(
        text if literal else _luxon_token(dt, text) for literal, text in luxon_tokens(fmt)
    )


_PARSE_PATTERNS: dict[str, str] = {
    "d": r"\d{1,2}",
    "dd": r"\d{2}",
    "M": r"\d{1,2}",
    "MM": r"\d{2}",
    "L": r"\d{1,2}",
    "LL": r"\d{2}",
    "y": r"\d{1,6}",
    "yy": r"\d{2}",
    "yyyy": r"\d{4}",
    "yyyyy": r"\d{4,6}",
    "yyyyyy": r"\d{6}",
    "H": r"\d{1,2}",
    "HH": r"\d{2}",
    "h": r"\d{1,2}",
    "hh": r"\d{2}",
    "m": r"\d{1,2}",
    "mm": r"\d{2}",
    "s": r"\d{1,2}",
    "ss": r"\d{2}",
    "S": r"\d{1,3}",
    "SSS": r"\d{3}",
    "u": r"\d+",
    "a": r"AM|PM",
    "o": r"\d{1,3}",
    "ooo": r"\d{3}",
    "MMM": r"[A-Za-z]{3}",
    "LLL": r"[A-Za-z]{3}",
    "MMMM": r"[A-Za-z]+",
    "LLLL": r"[A-Za-z]+",
    "EEE": r"[A-Za-z]{3}",
    "ccc": r"[A-Za-z]{3}",
    "EEEE": r"[A-Za-z]+",
    "cccc": r"[A-Za-z]+",
    "E": r"\d",
    "c": r"\d",
    "Z": r"[+-]\d{1,2}(?::\d{2})?",
    "ZZ": r"[+-]\d{2}:\d{2}",
    "ZZZ": r"[+-]\d{4}",
    "z": r"[A-Za-z_/+\-0-9]+",
    "X": r"-?\d+(?:\.\d+)?",
    "x": r"-?\d+",
    "q": r"\d",
    "qq": r"\d{2}",
    "W": r"\d{1,2}",
    "WW": r"\d{2}",
    "kkkk": r"\d{4}",
    "G": r"AD|BC",
}


def luxon_parse(text: str, fmt: str, zn: Zone) -> LDT | None:
    """Luxon's ``DateTime.fromFormat(text, fmt, {zone, setZone: true})``; None when invalid."""
    pieces = luxon_tokens(fmt)
    regex = ""
    tokens: list[str] = []
    for literal, piece in pieces:
        pattern = None if literal else _PARSE_PATTERNS.get(piece)
        if pattern is None:
            regex += re.escape(piece)
        else:
            regex += f"({pattern})"
            tokens.append(piece)
    m = re.fullmatch(regex, text, re.I)
    if not m:
        return None
    values = dict(zip(tokens, m.groups(), strict=True))
    return _build_from_tokens(values, zn)


def _month_from_name(name: str) -> int | None:
    lowered = name.lower()
    for i, month in enumerate(MONTHS):
        if month.lower() == lowered or month[:3].lower() == lowered:
            return i + 1
    return None


def _build_from_tokens(values: dict[str, str], zn: Zone) -> LDT | None:
    if "X" in values:
        return LDT.from_millis(float(values["X"]) * 1000, zn)
    if "x" in values:
        return LDT.from_millis(float(values["x"]), zn)
    year, month, day, hour, minute, second, millis = 1970, 1, 1, 0, 0, 0, 0
    offset: int | None = None
    pm: bool | None = None
    ordinal: int | None = None
    for token, raw in values.items():
        if token in ("yyyy", "y", "yyyyy", "yyyyyy", "kkkk"):
            year = int(raw)
        elif token == "yy":
            year = 2000 + int(raw) if int(raw) < 60 else 1900 + int(raw)
        elif token in ("M", "MM", "L", "LL"):
            month = int(raw)
        elif token in ("MMM", "MMMM", "LLL", "LLLL"):
            found = _month_from_name(raw)
            if found is None:
                return None
            month = found
        elif token in ("d", "dd"):
            day = int(raw)
        elif token in ("H", "HH", "h", "hh"):
            hour = int(raw)
        elif token in ("m", "mm"):
            minute = int(raw)
        elif token in ("s", "ss"):
            second = int(raw)
        elif token in ("S", "SSS"):
            millis = int(raw.ljust(3, "0")[:3]) if token == "SSS" else int(raw)
        elif token == "u":
            millis = int(raw.ljust(3, "0")[:3])
        elif token == "a":
            pm = raw.upper() == "PM"
        elif token in ("Z", "ZZ", "ZZZ"):
            sign = -1 if raw[0] == "-" else 1
            digits = raw[1:].replace(":", "")
            if len(digits) <= 2:
                offset = sign * int(digits) * 60
            else:
                offset = sign * (int(digits[:-2]) * 60 + int(digits[-2:]))
        elif token in ("o", "ooo"):
            ordinal = int(raw)
    if ordinal is not None:
        try:
            shifted = LDT.from_wall(zn, year, 1, 1).plus({"days": ordinal - 1}).wall
        except ValueError:
            return None
        month, day = shifted.month, shifted.day
    if pm is not None:
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    target = fixed_offset_zone(offset) if offset is not None else zn
    try:
        return LDT.from_wall(target, year, month, day, hour, minute, second, millis)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------- moment
_MOMENT_LOCAL = {
    "LTS": "h:mm:ss A",
    "LT": "h:mm A",
    "L": "MM/DD/YYYY",
    "LL": "MMMM D, YYYY",
    "LLL": "MMMM D, YYYY h:mm A",
    "LLLL": "dddd, MMMM D, YYYY h:mm A",
    "l": "M/D/YYYY",
    "ll": "MMM D, YYYY",
    "lll": "MMM D, YYYY h:mm A",
    "llll": "ddd, MMM D, YYYY h:mm A",
}
_MOMENT_LOCAL_RE = re.compile(r"(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")
_MOMENT_RE = re.compile(
    r"(\[[^\[]*\])|(\\)?([Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?"
    r"|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?"
    r"|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)"
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _moment_token(dt: LDT, token: str) -> str:
    w = dt.wall
    dow = w.isoweekday() % 7  # Sunday = 0
    iso_year, iso_week, iso_day = w.isocalendar()
    doy = w.timetuple().tm_yday
    # US locale weeks: start on Sunday, the week containing Jan 1 is week 1
    jan1 = LDT.from_wall(dt.zone, w.year, 1, 1).wall
    loc_week = (doy + (jan1.isoweekday() % 7) - 1) // 7 + 1
    ms = w.microsecond // 1000
    off = dt.offset_minutes
    table: dict[str, Callable[[], str]] = {
        "M": lambda: str(w.month),
        "Mo": lambda: _ordinal(w.month),
        "MM": lambda: f"{w.month:02d}",
        "MMM": lambda: MONTHS[w.month - 1][:3],
        "MMMM": lambda: MONTHS[w.month - 1],
        "Q": lambda: str((w.month - 1) // 3 + 1),
        "Qo": lambda: _ordinal((w.month - 1) // 3 + 1),
        "D": lambda: str(w.day),
        "Do": lambda: _ordinal(w.day),
        "DD": lambda: f"{w.day:02d}",
        "DDD": lambda: str(doy),
        "DDDo": lambda: _ordinal(doy),
        "DDDD": lambda: f"{doy:03d}",
        "d": lambda: str(dow),
        "do": lambda: _ordinal(dow),
        "dd": lambda: WEEKDAYS[w.weekday()][:2],
        "ddd": lambda: WEEKDAYS[w.weekday()][:3],
        "dddd": lambda: WEEKDAYS[w.weekday()],
        "e": lambda: str(dow),
        "E": lambda: str(iso_day),
        "w": lambda: str(loc_week),
        "wo": lambda: _ordinal(loc_week),
        "ww": lambda: f"{loc_week:02d}",
        "W": lambda: str(iso_week),
        "Wo": lambda: _ordinal(iso_week),
        "WW": lambda: f"{iso_week:02d}",
        "YY": lambda: f"{w.year % 100:02d}",
        "YYYY": lambda: f"{w.year:04d}",
        "YYYYY": lambda: f"{w.year:05d}",
        "YYYYYY": lambda: f"{w.year:+07d}",
        "Y": lambda: str(w.year),
        "y": lambda: str(w.year),
        "gg": lambda: f"{w.year % 100:02d}",
        "gggg": lambda: f"{w.year:04d}",
        "GG": lambda: f"{iso_year % 100:02d}",
        "GGGG": lambda: f"{iso_year:04d}",
        "A": lambda: "AM" if w.hour < 12 else "PM",
        "a": lambda: "am" if w.hour < 12 else "pm",
        "H": lambda: str(w.hour),
        "HH": lambda: f"{w.hour:02d}",
        "h": lambda: str(_h12(w.hour)),
        "hh": lambda: f"{_h12(w.hour):02d}",
        "k": lambda: str(w.hour or 24),
        "kk": lambda: f"{w.hour or 24:02d}",
        "hmm": lambda: f"{_h12(w.hour)}{w.minute:02d}",
        "hmmss": lambda: f"{_h12(w.hour)}{w.minute:02d}{w.second:02d}",
        "Hmm": lambda: f"{w.hour}{w.minute:02d}",
        "Hmmss": lambda: f"{w.hour}{w.minute:02d}{w.second:02d}",
        "m": lambda: str(w.minute),
        "mm": lambda: f"{w.minute:02d}",
        "s": lambda: str(w.second),
        "ss": lambda: f"{w.second:02d}",
        "X": lambda: str(dt.ms // 1000),
        "x": lambda: str(dt.ms),
        "Z": lambda: offset_text(off, False),
        "ZZ": lambda: offset_text(off, False, colon=False),
        "z": lambda: _zone_abbrev(dt),
        "zz": lambda: _zone_abbrev(dt),
        "N": lambda: "AD",
        "NN": lambda: "AD",
        "NNN": lambda: "AD",
        "NNNN": lambda: "Anno Domini",
        "NNNNN": lambda: "AD",
    }
    if token.startswith("S") and set(token) == {"S"}:
        return f"{ms:03d}".ljust(len(token), "0")[: len(token)]
    fn = table.get(token)
    return fn() if fn is not None else token


def moment_format(dt: LDT, fmt: str) -> str:
    """moment's ``format(fmt)`` (en locale); an empty format is moment's default."""
    if not fmt:
        fmt = "YYYY-MM-DDTHH:mm:ssZ"
    for _ in range(5):
        expanded = _MOMENT_LOCAL_RE.sub(
            lambda m: m.group(0) if m.group(1) or m.group(2) else _MOMENT_LOCAL[m.group(3)], fmt
        )
        if expanded == fmt:
            break
        fmt = expanded
    out = []
    for m in _MOMENT_RE.finditer(fmt):
        bracket, escaped, token = m.group(1), m.group(2), m.group(3)
        if bracket:
            out.append(bracket[1:-1])
        elif escaped:
            out.append(token)
        else:
            out.append(_moment_token(dt, token))
    return "".join(out)


_MOMENT_PARSE = {
    "YYYY": r"\d{4}",
    "YY": r"\d{2}",
    "Y": r"[+-]?\d+",
    "M": r"\d{1,2}",
    "MM": r"\d{2}",
    "D": r"\d{1,2}",
    "DD": r"\d{2}",
    "Do": r"\d{1,2}(?:st|nd|rd|th)",
    "H": r"\d{1,2}",
    "HH": r"\d{2}",
    "h": r"\d{1,2}",
    "hh": r"\d{2}",
    "k": r"\d{1,2}",
    "kk": r"\d{2}",
    "m": r"\d{1,2}",
    "mm": r"\d{2}",
    "s": r"\d{1,2}",
    "ss": r"\d{2}",
    "S": r"\d",
    "SS": r"\d{2}",
    "SSS": r"\d{3}",
    "A": r"AM|PM|am|pm",
    "a": r"AM|PM|am|pm",
    "MMM": r"[A-Za-z]{3}",
    "MMMM": r"[A-Za-z]+",
    "ddd": r"[A-Za-z]{3}",
    "dddd": r"[A-Za-z]+",
    "Z": r"[+-]\d{2}:?\d{2}|Z",
    "ZZ": r"[+-]\d{2}:?\d{2}|Z",
    "X": r"-?\d+(?:\.\d+)?",
    "x": r"-?\d+",
    "DDD": r"\d{1,3}",
    "DDDD": r"\d{3}",
}
_MOMENT_TO_LUXON = {
    "YYYY": "yyyy",
    "YY": "yy",
    "Y": "y",
    "M": "M",
    "MM": "MM",
    "D": "d",
    "DD": "dd",
    "Do": "d",
    "H": "H",
    "HH": "HH",
    "h": "h",
    "hh": "hh",
    "k": "H",
    "kk": "HH",
    "m": "m",
    "mm": "mm",
    "s": "s",
    "ss": "ss",
    "S": "u",
    "SS": "u",
    "SSS": "u",
    "A": "a",
    "a": "a",
    "MMM": "MMM",
    "MMMM": "MMMM",
    "Z": "ZZ",
    "ZZ": "ZZ",
    "X": "X",
    "x": "x",
    "DDD": "o",
    "DDDD": "o",
}


def moment_parse_format(text: str, fmt: str, zn: Zone, strict: bool) -> LDT | None:
    """moment's ``moment(text, fmt[, strict])`` read in zone ``zn``; None when invalid.

    Non-strict parsing (moment's default) lets separators differ and ignores trailing text.
    """
    regex = ""
    tokens: list[str] = []
    for m in _MOMENT_RE.finditer(fmt):
        bracket, escaped, token = m.group(1), m.group(2), m.group(3)
        if bracket or escaped or token not in _MOMENT_PARSE:
            literal = bracket[1:-1] if bracket else token
            regex += re.escape(literal) if strict else r"[^0-9A-Za-z]*?"
            continue
        pattern = _MOMENT_PARSE[token]
        if not strict and re.fullmatch(r"\\d\{\d\}", pattern):
            pattern = r"\d{1," + pattern[3] + "}"
        regex += f"({pattern})"
        tokens.append(token)
    matcher = re.fullmatch if strict else re.match
    found = matcher(regex, text.strip() if not strict else text)
    if not found:
        return None
    values: dict[str, str] = {}
    for token, raw in zip(tokens, found.groups(), strict=True):
        key = _MOMENT_TO_LUXON[token]
        if token == "Do":
            raw = re.sub(r"\D", "", raw)
        if token == "Z" and raw.upper() == "Z":
            raw = "+00:00"
        if key == "ZZ" and ":" not in raw:
            raw = raw[:3] + ":" + raw[3:]
        values[key] = raw
    if "u" in values:
        values["u"] = values["u"].ljust(3, "0")
    if "yy" in values:
        yy = int(values.pop("yy"))
        values["yyyy"] = str(2000 + yy if yy <= 68 else 1900 + yy)
    result = _build_from_tokens(values, zn)
    if result is None:
        return None
    if "ZZ" in values:
        return result.set_zone(zn)
    return result
