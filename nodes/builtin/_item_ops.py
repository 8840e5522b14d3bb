"""Item helpers shared by the transform nodes (Merge, Compare Datasets, Item Lists and the
standalone Aggregate, Split Out, Remove Duplicates, Sort, Limit and Summarize nodes).

Owns: item lineage as n8n's core prepares it (input items re-tagged ``{item, input}`` before a
node runs, ``preparePairedItemDataArray``), the lodash semantics these nodes use beyond paths
(``isEqual``, ``lt``, ``merge``/``mergeWith``, ``assign``/``assignWith``, ``pick``,
``flattenKeys``), JS ``typeof``/``<`` with ``undefined``, the dotted-field getter behind the
"disable dot notation" option and field-list parameters (fixedCollection, comma string or list).
Path parsing and get/set/unset come from ``_fields``; ``String()``/``Number()`` from
``_jsvalues``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Item, Items
from nodes.builtin._fields import MISSING, cast_path, get_path, set_path
from nodes.builtin._jsvalues import is_number, js_typeof, to_number, to_string

UNDEFINED: Any = MISSING  # JS ``undefined``: a field that is not there
Getter = Callable[[Any, str], Any]


# ----------------------------------------------------------------------------- lineage
def tag_items(items: Items, input_index: int = 0) -> Items:
    """Copies of ``items`` with ``pairedItem`` pointing at their own position in the input.

    n8n's core does this to every input before a node runs (``{item: i, input: k}``, no
    ``input`` key for input 0), so what a node copies from ``item.pairedItem`` is lineage into
    the node's own inputs.
    """
    out: Items = []
    for index, item in enumerate(items or []):
        paired: dict[str, Any] = {"item": index}
        if input_index:
            paired["input"] = input_index
        new = dict(item) if isinstance(item, Mapping) else {"json": item}
        new["pairedItem"] = paired
        out.append(new)
    return out


def tagged_inputs(ctx: Any, count: int | None = None) -> list[Items]:
    """Every main input of the node (``count`` of them, missing ones empty), tagged."""
    total = count if count is not None else max(len(ctx.inputs), 1)
    return [tag_items(ctx.input(k), k) for k in range(total)]


def paired_list(paired: Any) -> list[Any]:
    """n8n's ``preparePairedItemDataArray``: a pairedItem value as a list of entries."""
    if paired is None:
        return []
    if isinstance(paired, bool):
        return []
    if isinstance(paired, int):
        return [{"item": paired}]
    if isinstance(paired, list):
        return list(paired)
    return [paired]


def all_paired(count: int) -> list[dict[str, int]]:
    """``[{item: 0}, ..., {item: count-1}]`` (n8n's ``generatePairedItemData``)."""
    return [{"item": i} for i in range(count)]


def make_item(json: Any, paired: Any = None, binary: Any = None) -> Item:
    """A new output item; ``binary`` only when there is some."""
    item: Item = {"json": json}
    if binary:
        item["binary"] = binary
    if paired is not None:
        item["pairedItem"] = paired
    return item


# ----------------------------------------------------------------------------- JS values
def typeof(value: Any) -> str:
    """JS ``typeof`` where MISSING is ``undefined``."""
    if value is MISSING:
        return "undefined"
    return js_typeof(value)


def is_object(value: Any) -> bool:
    """lodash ``isObject`` for JSON values (objects and arrays, not null)."""
    return isinstance(value, (dict, list))


def js_str(value: Any) -> str:
    """JS ``String(value)`` (MISSING is ``'undefined'``)."""
    if value is MISSING:
        return "undefined"
    return to_string(value)


def to_num(value: Any) -> float:
    """JS / lodash ``toNumber`` (MISSING and objects are NaN)."""
    if value is MISSING or isinstance(value, Mapping):
        return math.nan
    return float(to_number(value))


def js_equal(a: Any, b: Any) -> bool:
    """lodash ``isEqual`` on JSON values: deep, type-strict (``true`` is not ``1``)."""
    if a is MISSING or b is MISSING:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b or (a != a and b != b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if len(a) != len(b):
            return False
        return all(k in b and js_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(js_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def lodash_lt(a: Any, b: Any) -> bool:
    """lodash ``lt``: string order when both are strings, else numeric (NaN is never less)."""
    if isinstance(a, str) and isinstance(b, str):
        return _utf16(a) < _utf16(b)
    return to_num(a) < to_num(b)


def _to_primitive(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return to_string(value)
    return value


def js_less(a: Any, b: Any) -> bool:
    """JS ``a < b`` (abstract relational comparison) for JSON values."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) and isinstance(pb, str):
        return _utf16(pa) < _utf16(pb)
    return to_num(pa) < to_num(pb)


def js_number(value: Any) -> Any:
    """A computed number as JS would show it: integral floats become ints, NaN/±∞ null."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


# ----------------------------------------------------------------------------- lodash objects
def _own(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        return container.get(key, MISSING)
    if isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
        return container[key]
    return MISSING


def _put(container: Any, key: Any, value: Any) -> None:
    if value is MISSING:
        return
    if isinstance(container, dict):
        container[key] = value
    elif isinstance(container, list):
        index = key if isinstance(key, int) else int(key) if str(key).isdigit() else None
        if index is None:
            return
        if index >= len(container):
            container.extend([None] * (index + 1 - len(container)))
        container[index] = value


Customizer = Callable[[Any, Any], Any]


def _merge_into(target: Any, source: Any, customizer: Customizer | None) -> None:
    keys: Iterable[Any] = range(len(source)) if isinstance(source, list) else list(source)
    for key in keys:
        src = source[key]
        obj = _own(target, key)
        new = customizer(obj, src) if customizer else MISSING
        if new is MISSING and isinstance(src, (dict, list)):
            if isinstance(src, list):
                new = obj if isinstance(obj, list) else []
            else:
                new = obj if isinstance(obj, (dict, list)) else {}
            _merge_into(new, src, customizer)
        elif new is MISSING:
            new = src
        _put(target, key, new)


def lodash_merge(
    target: dict[str, Any], *sources: Any, customizer: Customizer | None = None
) -> Any:
    """lodash ``merge``/``mergeWith`` into ``target`` (mutated and returned); later sources win,
    nested objects merge, arrays merge by index, absent sources are skipped. Containers that
    come from sources are rebuilt, so the result never shares them; pass a fresh ``target``."""
    for source in sources:
        if isinstance(source, (dict, list)):
            _merge_into(target, source, customizer)
    return target


def lodash_assign(
    target: dict[str, Any], *sources: Any, customizer: Customizer | None = None
) -> dict[str, Any]:
    """lodash ``assign``/``assignWith``: top-level keys only, later sources win."""
    for source in sources:
        if not isinstance(source, Mapping):
            continue
        for key, src in source.items():
            new = customizer(target.get(key, MISSING), src) if customizer else MISSING
            target[key] = src if new is MISSING else new
    return target


def has_in(obj: Any, path: Any) -> bool:
    """lodash ``hasIn``: every segment of the path exists."""
    current = obj
    for key in cast_path(path, obj):
        if isinstance(current, Mapping) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            return False
    return True


def pick(obj: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """lodash ``pick``: a new object with the values at ``paths`` (dotted paths nest)."""
    result: dict[str, Any] = {}
    for path in paths:
        segments = cast_path(path, obj)
        if has_in(obj, segments):
            set_path(result, segments, copy.deepcopy(get_path(obj, segments)))
    return result


def flatten_keys(obj: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    """n8n's ``flattenKeys``: leaf values keyed by their dotted path (empty objects vanish)."""
    if not is_object(obj):
        return {".".join(path): obj}
    out: dict[str, Any] = {}
    pairs = enumerate(obj) if isinstance(obj, list) else obj.items()
    for key, value in pairs:
        out.update(flatten_keys(value, (*path, str(key))))
    return out


# ----------------------------------------------------------------------------- fields
def getter(disable_dot_notation: bool) -> Getter:
    """``get(item, field)`` with lodash paths, or plain keys when dot notation is disabled."""
    if disable_dot_notation:

        def plain(obj: Any, field: str) -> Any:
            return obj.get(field, MISSING) if isinstance(obj, Mapping) else MISSING

        return plain
    return get_path


def has_own(obj: Any, field: str) -> bool:
    return isinstance(obj, Mapping) and field in obj


def field_names(value: Any, label: str = "Fields") -> list[str]:
    """A field-list parameter as names: n8n's ``prepareFieldsArray`` for strings and lists,
    and the ``{fields: [{fieldName}]}`` fixedCollection of the older node versions."""
    if value is None or value is MISSING:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip() != ""]
    if isinstance(value, Mapping):
        entries = value.get("fields") or []
        names = []
        for entry in entries if isinstance(entries, list) else []:
            name = entry.get("fieldName") if isinstance(entry, Mapping) else None
            names.append("" if name is None else str(name))
        return names
    if isinstance(value, list):
        return [str(v) for v in value]
    raise ValueError(
        f"The '{label}' parameter must be a string of fields separated by commas or an "
        "array of strings."
    )


def get_param(ctx: Any, name: str, index: int = 0, fallback: Any = None) -> Any:
    """n8n's ``getNodeParameter(name, index, fallback)``: the top-level parameter (its schema
    default when absent), then the dotted rest of ``name``; ``fallback`` when that is absent."""
    top, _, rest = name.partition(".")
    try:
        value = ctx.param(top, index)
    except NodeExecutionError:
        return fallback
    for key in rest.split(".") if rest else ():
        if not isinstance(value, Mapping) or key not in value:
            return fallback
        value = value[key]
    return fallback if value is None and rest else value
