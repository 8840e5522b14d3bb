"""Field paths in item JSON, as n8n uses them through lodash ``get``/``set``/``unset``.

Owns: parsing a property path (``a.b[0].c``, ``a["x.y"]``), reading, writing and deleting at
a path with lodash's rules (a literal key that exists wins over a dotted path; writing creates
arrays for numeric segments and objects otherwise), the non-dotted variants used when a node's
"dot notation" option is off, and filling the defaults of fixedCollection entries.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

MISSING: Any = type(
    "Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False}
)()

_PROP_NAME = re.compile(
    r"""[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))"""
)
_ESCAPE_CHAR = re.compile(r"\\(\\)?")
_PLAIN_PROP = re.compile(r"^\w*$")
_DEEP_PROP = re.compile(r"""\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]""")
_INDEX = re.compile(r"^(?:0|[1-9]\d*)$")
_FORBIDDEN = ("__proto__", "constructor", "prototype")


@lru_cache(maxsize=4096)
def one_key(path: str) -> bool:
    """True when lodash takes ``path`` as one key whatever the object (no dots, no brackets)
    and that key may be written."""
    return (bool(_PLAIN_PROP.match(path)) or not _DEEP_PROP.search(path)) and (
        path not in _FORBIDDEN
    )


def string_to_path(path: str) -> list[str]:
    """lodash ``stringToPath``: ``'a[0].b'`` -> ``['a', '0', 'b']``."""
    result: list[str] = []
    if path.startswith("."):
        result.append("")
    for match in _PROP_NAME.finditer(path):
        key = match.group(0)
        if match.group(2):
            key = _ESCAPE_CHAR.sub(r"\1", match.group(3))
        elif match.group(1):
            key = match.group(1).strip()
        result.append(key)
    return result


def _is_key(path: str, obj: Any) -> bool:
    if _PLAIN_PROP.match(path) or not _DEEP_PROP.search(path):
        return True
    return isinstance(obj, Mapping) and path in obj


def cast_path(path: Any, obj: Any = None) -> list[str]:
    """lodash ``castPath``: a list stays, a key that exists or needs no parsing is one segment."""
    if isinstance(path, (list, tuple)):
        return [str(p) for p in path]
    text = path if isinstance(path, str) else str(path)
    return [text] if _is_key(text, obj) else string_to_path(text)


def _child(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, MISSING)
    if isinstance(obj, (list, str)):
        if _INDEX.match(key):
            index = int(key)
            return obj[index] if index < len(obj) else MISSING
        if key == "length":
            return len(obj)
    return MISSING


def get_path(obj: Any, path: Any, default: Any = MISSING) -> Any:
    """lodash ``get``; ``default`` (MISSING unless given) when the path leads nowhere."""
    segments = cast_path(path, obj)
    current = obj
    for key in segments:
        if current is None or current is MISSING:
            return default
        current = _child(current, key)
    if current is MISSING or not segments:
        return default
    return current


def _assign(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif isinstance(container, list) and _INDEX.match(key):
        index = int(key)
        if index >= len(container):
            container.extend([None] * (index + 1 - len(container)))
        container[index] = value


def set_path(obj: dict[str, Any], path: Any, value: Any) -> dict[str, Any]:
    """lodash ``set`` (mutates ``obj``): creates ``[]`` for numeric segments, ``{}`` otherwise."""
    segments = cast_path(path, obj)
    nested: Any = obj
    last = len(segments) - 1
    for index, key in enumerate(segments):
        if nested is None or nested is MISSING:
            break
        if key in _FORBIDDEN:
            return obj
        new_value = value
        if index != last:
            current = _child(nested, key)
            if isinstance(current, (dict, list)):
                new_value = current
            else:
                new_value = [] if _INDEX.match(segments[index + 1]) else {}
        _assign(nested, key, new_value)
        nested = _child(nested, key) if isinstance(nested, (dict, list)) else MISSING
    return obj


def unset_path(obj: Any, path: Any) -> bool:
    """lodash ``unset`` (mutates ``obj``): deletes the key; array slots become null (holes)."""
    segments = cast_path(path, obj)
    if not segments:
        return True
    parent = obj if len(segments) == 1 else get_path(obj, segments[:-1])
    key = segments[-1]
    if isinstance(parent, dict):
        parent.pop(key, None)
    elif isinstance(parent, list) and _INDEX.match(key) and int(key) < len(parent):
        parent[int(key)] = None
    return True


def sanitize_key(item: Mapping[str, Any], key: str) -> str:
    """n8n's ``sanitizeDataPathKey``: ``['a.b']`` names the key ``a.b`` unless it exists as is."""
    if key in item:
        return key
    if len(key) >= 4 and (
        (key.startswith("['") and key.endswith("']"))
        or (key.startswith('["') and key.endswith('"]'))
    ):
        inner = key[2:-2]
        if inner in item:
            return inner
    return key


class FieldAccess:
    """get/set/unset on item JSON, with dot notation (lodash paths) or plain keys."""

    def __init__(self, dot_notation: bool = True) -> None:
        self.dot_notation = dot_notation

    def get(self, obj: dict[str, Any], key: str) -> Any:
        if self.dot_notation:
            return get_path(obj, key)
        return obj.get(sanitize_key(obj, key), MISSING)

    def set(self, obj: dict[str, Any], key: str, value: Any) -> None:
        if self.dot_notation:
            if type(obj) is dict and type(key) is str and one_key(key):
                obj[key] = value  # what set_path does for a single writable key
            else:
                set_path(obj, key, value)
        else:
            obj[sanitize_key(obj, key)] = value

    def unset(self, obj: dict[str, Any], key: str) -> None:
        if self.dot_notation:
            unset_path(obj, key)
        else:
            obj.pop(sanitize_key(obj, key), None)


_ATOMS = frozenset([str, int, float, bool, type(None)])


class _NotPlain(Exception):
    """The value is more than a tree of dicts, lists and scalars."""


def deep_copy(value: Any) -> Any:
    """A deep copy of a JSON value (n8n's ``deepCopy``).

    Trees of dicts, lists and scalars are copied directly; anything else (other types, or an
    object reachable twice, whose copies must stay one object) goes through ``copy.deepcopy``.
    """
    if type(value) in _ATOMS:
        return value
    try:
        return _copy_tree(value, set())
    except (_NotPlain, RecursionError):
        return copy.deepcopy(value)


def _copy_tree(value: Any, seen: set[int]) -> Any:
    t = type(value)
    atoms = _ATOMS
    if t is dict:
        if id(value) in seen:
            raise _NotPlain
        seen.add(id(value))
        out = value.copy()
        for k, v in out.items():
            if type(v) not in atoms:
                out[k] = _copy_tree(v, seen)  # replacing a value: the dict keeps its size
        return out
    if t is list:
        if id(value) in seen:
            raise _NotPlain
        seen.add(id(value))
        return [v if type(v) in atoms else _copy_tree(v, seen) for v in value]
    if t in atoms:
        return value
    raise _NotPlain


def entries_with_defaults(entries: Any, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """fixedCollection entries with the defaults of their missing sub-parameters filled in."""
    if not isinstance(entries, Iterable) or isinstance(entries, (str, Mapping)):
        return []
    out = []
    atoms = all(type(v) in _ATOMS for v in defaults.values())
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        filled = dict(defaults) if atoms else {k: copy.deepcopy(v) for k, v in defaults.items()}
        filled.update(entry)
        out.append(filled)
    return out


def split_field_list(text: Any) -> list[str]:
    """A comma-separated list of field names, trimmed, without empty names."""
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [part.strip() for part in str(text or "").split(",") if part.strip()]
