"""JavaScript value semantics that n8n's data nodes rely on, for Python values.

Owns: ``String(x)``, ``Number(x)``, truthiness, ``typeof``, ``JSON.stringify`` and a lenient
``JSON.parse`` (n8n's ``jsonParse`` with ``acceptJSObject``), JS-style regular expressions
(``/pattern/flags``) and JS-style ``String.prototype.replace`` patterns. Values are the JSON
values items hold (None is JS ``null``/``undefined``); datetimes are treated as JS dates.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$")
_JS_WS = (
    " \t\n\r\v\f\u00a0\ufeff\u2028\u2029\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)


def is_number(value: Any) -> bool:
    """True for JS numbers (Python int/float, not bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def js_typeof(value: Any) -> str:
    """JS ``typeof`` (null and arrays are 'object')."""
    if value is None:
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def number_to_string(value: float) -> str:
    """JS ``Number.prototype.toString()`` for a finite or special number."""
    if isinstance(value, int):
        if abs(value) < 10**21:
            return str(value)
        value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-trip digits, as JS does; only the layout differs.
    text = repr(abs(value))
    mantissa, _, e_part = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    if frac_part == "0":
        frac_part = ""
    raw = int_part + frac_part
    digits = raw.lstrip("0")
    point = len(int_part) - (len(raw) - len(digits)) + (int(e_part) if e_part else 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    n = point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp = f"e+{e}" if e >= 0 else f"e-{-e}"
    if k == 1:
        return sign + digits + exp
    return sign + digits[0] + "." + digits[1:] + exp


def to_string(value: Any) -> str:
    """JS ``String(value)``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else to_string(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def _string_to_number(text: str) -> float:
    s = text.strip(_JS_WS)
    if s == "":
        return 0
    low = s.lower()
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if low.startswith(prefix):
            try:
                return int(s[2:], base) if s[2:] and "_" not in s else math.nan
            except ValueError:
                return math.nan
    if not _NUMBER_RE.match(s):
        return math.nan
    number = float(s)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def to_number(value: Any) -> float:
    """JS ``Number(value)`` (ints stay ints when they are integral)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if is_number(value):
        return value
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return 0
        if len(value) == 1:
            return _string_to_number("" if value[0] is None else to_string(value[0]))
        return math.nan
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return math.nan


def truthy(value: Any) -> bool:
    """JS truthiness (empty string, 0, NaN, null are false; {} and [] are true)."""
    if value is None or value is False:
        return False
    if is_number(value):
        return not (value == 0 or is_nan(value))
    if isinstance(value, str):
        return value != ""
    return True


def strict_equals(a: Any, b: Any) -> bool:
    """JS ``===`` for JSON values (objects compare by identity)."""
    if is_number(a) and is_number(b):
        return a == b and not is_nan(a)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (Mapping, list, tuple)) or isinstance(b, (Mapping, list, tuple)):
        return a is b
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    return bool(a == b)


def stringify(value: Any) -> str:
    """JS ``JSON.stringify(value)`` (compact, JS number formatting)."""
    return _stringify(value)


def _stringify(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return "null"
        return number_to_string(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        parts = [
            f"{json.dumps(str(k), ensure_ascii=False)}:{_stringify(v)}" for k, v in value.items()
        ]
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_stringify(v) for v in value) + "]"
    return json.dumps(str(value))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def json_parse(text: str) -> Any:
    """JS ``JSON.parse``: raises ValueError on invalid JSON (NaN/Infinity refused)."""
    return json.loads(text, parse_constant=_reject_constant)


_UNQUOTED_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)(\s*:)")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")


def _js_object_to_json(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            quote = ch
            j = i + 1
            buf = []
            while j < len(text) and text[j] != quote:
                if text[j] == "\\" and j + 1 < len(text):
                    nxt = text[j + 1]
                    buf.append("'" if nxt == "'" else "\\" + nxt)
                    j += 2
                    continue
                buf.append('\\"' if text[j] == '"' else text[j])
                j += 1
            if j >= len(text):
                raise ValueError("unterminated string")
            out.append('"' + "".join(buf) + '"')
            i = j + 1
            continue
        out.append(ch)
        i += 1
    converted = "".join(out)
    converted = _UNQUOTED_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', converted)
    return _TRAILING_COMMA.sub(r"\1", converted)


def json_parse_lenient(text: str) -> Any:
    """n8n's ``jsonParse(text, {acceptJSObject: true})``: JSON, else a JS object literal."""
    try:
        return json_parse(text)
    except ValueError:
        pass
    return json_parse(_js_object_to_json(text.strip()))


# ---------------------------------------------------------------------------------- regex
_JS_REGEX_LITERAL = re.compile(r"^/(.*?)/([gimusy]*)$", re.S)


def js_regex(pattern: str, flags: str = "") -> re.Pattern[str]:
    """Compile a JS regular expression source with JS flags as a Python pattern."""
    py_flags = 0
    if "i" in flags:
        py_flags |= re.IGNORECASE
    if "m" in flags:
        py_flags |= re.MULTILINE
    if "s" in flags:
        py_flags |= re.DOTALL
    source = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern)
    source = re.sub(r"\\k<([A-Za-z_]\w*)>", r"(?P=\1)", source)
    return re.compile(source, py_flags)


def parse_regex_value(value: str, ignore_case: bool = False) -> re.Pattern[str]:
    """n8n's pattern parsing: ``/source/flags`` or a bare source string."""
    match = _JS_REGEX_LITERAL.match(value or "")
    if match:
        flags = match.group(2)
        if ignore_case and "i" not in flags:
            flags += "i"
        return js_regex(match.group(1), flags)
    return js_regex(value or "", "i" if ignore_case else "")


def js_replace(pattern: re.Pattern[str], text: str, replacement: str, count: int = 1) -> str:
    """JS ``String.prototype.replace`` with ``$1``/``$&``/``$$`` replacement patterns."""

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(replacement):
            ch = replacement[i]
            if ch == "$" and i + 1 < len(replacement):
                nxt = replacement[i + 1]
                if nxt == "$":
                    out.append("$")
                    i += 2
                    continue
                if nxt == "&":
                    out.append(match.group(0))
                    i += 2
                    continue
                if nxt == "`":
                    out.append(match.string[: match.start()])
                    i += 2
                    continue
                if nxt == "'":
                    out.append(match.string[match.end() :])
                    i += 2
                    continue
                if nxt.isdigit():
                    two = replacement[i + 1 : i + 3]
                    if len(two) == 2 and two.isdigit() and 0 < int(two) <= pattern.groups:
                        out.append(match.group(int(two)) or "")
                        i += 3
                        continue
                    if 0 < int(nxt) <= pattern.groups:
                        out.append(match.group(int(nxt)) or "")
                        i += 2
                        continue
            out.append(ch)
            i += 1
        return "".join(out)

    return pattern.sub(expand, text, count=count)
