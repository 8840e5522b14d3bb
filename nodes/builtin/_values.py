"""JavaScript-flavoured value helpers shared by the format, time and I/O nodes: ``String()``
and ``Number.prototype.toString`` of JSON values, object key order, and lodash's ``get``/``set``
on dotted paths (``a.b[0].c``).
"""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

MISSING: Any = object()
_PATH_RE = re.compile(r"[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|([\"'])((?:(?!\2)[^\\]|\\.)*?)\2)\]")


def js_number_to_string(value: float) -> str:
    """``Number.prototype.toString()`` for a finite or non-finite number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exp = text.split("e")
        exp_n = int(exp)
        if -7 < exp_n < 21:
            return format(value, "f").rstrip("0").rstrip(".")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa}e{'+' if exp_n > 0 else '-'}{abs(exp_n)}"
    if abs(value) >= 1e21:
        return js_number_to_string(float(f"{value:e}"))
    return text


def js_string(value: Any) -> str:
    """``String(value)`` for JSON-like values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_json(value: Any, indent: int | None = None) -> str:
    """``JSON.stringify(value[, null, indent])``."""
    if indent:
        return json.dumps(value, ensure_ascii=False, indent=indent)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def js_keys(obj: dict[str, Any]) -> list[str]:
    """Object key order in JavaScript: integer-like keys ascending first, then insertion."""
    ints = [k for k in obj if k.isdigit() and (k == "0" or not k.startswith("0")) and len(k) < 10]
    rest = [k for k in obj if k not in set(ints)]
    return sorted(ints, key=int) + rest


def to_path(path: str | list[Any]) -> list[str]:
    """lodash's ``toPath``: ``a.b[0]["c"]`` -> ``["a", "b", "0", "c"]``."""
    if isinstance(path, list):
        return [str(p) for p in path]
    parts: list[str] = []
    for m in _PATH_RE.finditer(path):
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(3) is not None:
            parts.append(m.group(3))
        else:
            parts.append(m.group(0))
    return parts


def get_path(obj: Any, path: str | list[Any], default: Any = MISSING) -> Any:
    """lodash's ``get``: a key that exists as written wins, then the dotted path."""
    if isinstance(path, str) and isinstance(obj, dict) and path in obj:
        return obj[path]
    cur = obj
    for part in to_path(path):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif (
            isinstance(cur, list)
            and part.lstrip("-").isdigit()
            and -len(cur) <= int(part) < len(cur)
        ):
            cur = cur[int(part)]
        else:
            return default
    return cur


def set_path(obj: dict[str, Any], path: str | list[Any], value: Any) -> dict[str, Any]:
    """lodash's ``set``: creates objects (or arrays before numeric keys) along the way."""
    parts = to_path(path)
    if not parts:
        return obj
    cur: Any = obj
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, list) and part.isdigit():
            idx = int(part)
            while len(cur) <= idx:
                cur.append(None)
            if last:
                cur[idx] = value
            else:
                if not isinstance(cur[idx], (dict, list)):
                    cur[idx] = [] if parts[i + 1].isdigit() else {}
                cur = cur[idx]
            continue
        if not isinstance(cur, dict):
            return obj
        if last:
            cur[part] = value
        else:
            if not isinstance(cur.get(part), (dict, list)):
                cur[part] = [] if parts[i + 1].isdigit() else {}
            cur = cur[part]
    return obj


def unset_path(obj: Any, path: str) -> None:
    parts = to_path(path)
    cur = obj
    for part in parts[:-1]:
        cur = cur.get(part) if isinstance(cur, dict) else None
    if isinstance(cur, dict) and parts:
        cur.pop(parts[-1], None)


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)
