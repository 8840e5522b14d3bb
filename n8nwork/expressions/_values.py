"""Values crossing the isolate boundary, and the pure-Python fast path for ``$json`` paths.

JavaScript results come back as JSON; values JSON cannot carry are wrapped in an object with
the key ``MARK``: ``num`` (NaN / Infinity), ``big`` (BigInt) and ``err`` (an error; a message,
its n8n description and whether it is an n8n ExpressionError).

``={{ $json.a.b }}`` and templates made only of such paths are evaluated in Python with
JavaScript's semantics (missing key -> ``undefined``, property of ``null`` -> swallowed error ->
``undefined``, ``String(v)`` in templates); anything the fast path cannot decide exactly
(``length`` of a string, a prototype property, a float JavaScript would print with an
exponent, an object inside a template) gives ``FALLBACK`` and the isolate evaluates it.
"""

from __future__ import annotations

import math
from typing import Any

MARK = "\x01n8n"
FALLBACK: Any = object()
UNDEFINED: Any = object()

OBJECT_PROTO_NAMES = frozenset(
    [
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__proto__",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
        "isEmpty",
        "isNotEmpty",
    ]
)


def copy_json(value: Any) -> Any:
    """A deep copy of plain JSON data (dicts and lists are copied, scalars shared)."""
    t = type(value)
    if t is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if t is list:
        return [copy_json(v) for v in value]
    return value


def walk_path(root: Any, path: tuple[str, ...]) -> Any:
    """``root`` followed along ``path`` with JavaScript property semantics, or FALLBACK."""
    cur = root
    for seg in path:
        if cur is None or cur is UNDEFINED:
            return UNDEFINED  # TypeError inside the expression: n8n swallows it
        t = type(cur)
        if t is dict:
            if seg in cur:
                cur = cur[seg]
            elif seg in OBJECT_PROTO_NAMES:
                return FALLBACK
            else:
                cur = UNDEFINED
        elif t is list:
            if seg.isdigit() and (seg == "0" or seg[0] != "0"):
                i = int(seg)
                cur = cur[i] if i < len(cur) else UNDEFINED
            elif seg == "length":
                cur = len(cur)
            else:
                return FALLBACK
        else:
            return FALLBACK
    return cur


def js_number_str(x: float) -> str | None:
    """``String(x)`` as JavaScript prints it, or None when not sure."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    r = repr(x)
    return None if "e" in r or "E" in r else r


def template_str(value: Any) -> Any:
    """What a template part contributes: ``String(v)`` or '' for falsy non-0/false values."""
    if value is None or value is UNDEFINED:
        return ""
    t = type(value)
    if t is str:
        return value
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is float:
        if value != value:
            return ""
        s = js_number_str(value)
        return FALLBACK if s is None else s
    return FALLBACK


def decode(value: Any) -> Any:
    """A JSON-decoded isolate result, with MARK objects turned back into Python values.

    Errors are returned as the MARK dict itself for the caller to turn into an exception.
    """
    if type(value) is dict and MARK in value:
        kind = value[MARK]
        if kind == "num":
            return float(value["v"])
        if kind == "big":
            return int(value["v"])
        return value
    return value


def is_error(value: Any) -> bool:
    return type(value) is dict and value.get(MARK) == "err"


def js_truthy(value: Any) -> bool:
    if value is None or value is False or value is UNDEFINED:
        return False
    if type(value) in (int, float):
        return bool(value) and value == value
    if type(value) is str:
        return value != ""
    return True
