"""Pivot-table summaries, shared by Item Lists' "Summarize" (v1, v2.x, v3) and the Summarize
node (v1, v1.1): append, average, concatenate, count, count unique, max, min and sum of fields,
optionally split by the values of other fields, as separate items or one nested item.

The versions differ in small ways n8n kept for compatibility: which aggregations ignore
non-numbers, whether min/max use ``Math.min`` or JS comparison, whether output keys are
normalised (``count_a.b`` -> ``count_a_b``), whether a missing field is an error, and how
split values become keys (JS object keys, strings, or typed values in Summarize 1.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from n8nwork.run.data import Items
from nodes.builtin._item_ops import (
    UNDEFINED,
    get_param,
    getter,
    is_object,
    js_less,
    js_number,
    js_str,
)
from nodes.builtin._jsvalues import is_number, stringify

_PREFIX = {
    "append": "appended_",
    "average": "average_",
    "concatenate": "concatenated_",
    "count": "count_",
    "countUnique": "unique_count_",
    "max": "max_",
    "min": "min_",
    "sum": "sum_",
}
_BRACKETS = re.compile(r'[\]\["]')
_SPACES = re.compile(r"[ .]")
_INDEX_KEY = re.compile(r"^(?:0|[1-9]\d*)$")


@dataclass(frozen=True)
class SummarizeRules:
    """How one node version summarises."""

    math_min_max: bool = False  # Item Lists v1/v2: min/max only over numbers (Math.min/max)
    normalize_keys: bool = True  # all but Item Lists v1
    check_fields: str = "none"  # "error" | "none" | "hint" | "option" (v1: error unless option)
    grouping: str = "object"  # "object" (JS object keys) | "string" | "typed" (Summarize 1.1)
    count_empty: bool = False  # Summarize: includeEmpty also for count / countUnique


def _normalize(name: str) -> str:
    return _SPACES.sub("_", _BRACKETS.sub("", name))


def _empty(value: Any) -> bool:
    return value is UNDEFINED or value is None or value == ""


def _identity(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return ("ref", id(value))
    if value is UNDEFINED:
        return ("undefined", None)
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("boolean", value)
    if is_number(value):
        return ("number", value)
    return ("string", value)


def _aggregate(values: list[Any], entry: dict[str, Any], rules: SummarizeRules) -> Any:
    kind = entry.get("aggregation", "count")
    include_empty = bool(entry.get("includeEmpty"))
    numeric = ("average", "sum", "min", "max") if rules.math_min_max else ("average", "sum")
    if kind in numeric:
        values = [v for v in values if is_number(v)]
    if kind == "append":
        kept = values if include_empty else [v for v in values if not _empty(v)]
        return [None if v is UNDEFINED else v for v in kept]
    if kind == "concatenate":
        separator = entry.get("separateBy", ",")
        if separator == "other":
            separator = entry.get("customSeparator", "")
        separator = "," if separator is None or separator is UNDEFINED else str(separator)
        kept = values if include_empty else [v for v in values if not _empty(v)]
        parts = [stringify(v) if v is None or is_object(v) else js_str(v) for v in kept]
        return separator.join(parts)
    if kind == "average":
        return js_number(sum(values) / len(values)) if values else None
    if kind == "sum":
        return js_number(sum(values, 0))
    if kind in ("min", "max"):
        if rules.math_min_max:
            if not values:
                return None
            return js_number(min(values) if kind == "min" else max(values))
        best: Any = UNDEFINED
        for value in values:
            if _empty(value):
                continue
            if best is UNDEFINED or (
                js_less(value, best) if kind == "min" else js_less(best, value)
            ):
                best = value
        return None if best is UNDEFINED else best
    if kind == "countUnique":
        if not (rules.count_empty and include_empty):
            values = [v for v in values if not _empty(v)]
        return len({_identity(v) for v in values})
    if rules.count_empty and include_empty:
        return len(values)
    return len([v for v in values if not _empty(v)])


@dataclass
class _Group:
    indexes: list[int]
    result: dict[str, Any] | None = None
    children: list[tuple[Any, _Group]] | None = None


def _group_key(value: Any, rules: SummarizeRules) -> tuple[Any, Any, Any]:
    """(identity, output value, value the 'skip empty' check sees) of a split value."""
    if rules.grouping == "object":
        if value is None or is_object(value):
            value = stringify(value)
        text = js_str(value)
        return (text, text, value)
    if value is not UNDEFINED and value is not None and is_object(value):
        value = stringify(value)
    if rules.grouping == "string":
        text = js_str(value)
        return (text, text, text)
    return (_identity(value), value, value)


def _skip(value: Any) -> bool:
    if is_number(value):
        return False
    return value is UNDEFINED or value is None or value in ("", False)


def _js_object_order(groups: list[tuple[Any, Any, _Group]]) -> list[tuple[Any, Any, _Group]]:
    numeric = [g for g in groups if isinstance(g[0], str) and _INDEX_KEY.match(g[0])]
    numeric = [g for g in numeric if int(g[0]) < 2**32 - 1]
    others = [g for g in groups if g not in numeric]
    return sorted(numeric, key=lambda g: int(g[0])) + others


def _split(
    indexes: list[int],
    split_keys: list[str],
    get_value: Callable[[int, str], Any],
    compute: Callable[[list[int]], dict[str, Any]],
    rules: SummarizeRules,
    skip_empty: bool,
) -> _Group:
    if not split_keys:
        return _Group(indexes, result=compute(indexes))
    first, rest = split_keys[0], split_keys[1:]
    groups: dict[Any, tuple[Any, Any, _Group]] = {}
    for index in indexes:
        identity, out_value, checked = _group_key(get_value(index, first), rules)
        if skip_empty and _skip(checked):
            continue
        if identity not in groups:
            groups[identity] = (identity, out_value, _Group([]))
        groups[identity][2].indexes.append(index)
    ordered = list(groups.values())
    if rules.grouping == "object":
        ordered = _js_object_order(ordered)
    children = [
        (out_value, _split(group.indexes, rest, get_value, compute, rules, skip_empty))
        for _, out_value, group in ordered
    ]
    return _Group(indexes, children=children)


def _to_object(group: _Group) -> dict[str, Any]:
    if group.children is None:
        return dict(group.result or {})
    return {js_str(key): _to_object(child) for key, child in group.children}


def _to_rows(
    group: _Group, names: list[str], rules: SummarizeRules
) -> list[tuple[dict[str, Any], list[int]]]:
    if group.children is None:
        return [(dict(group.result or {}), group.indexes)]
    rows = []
    for key, child in group.children:
        for json, indexes in _to_rows(child, names[1:], rules):
            if rules.grouping == "object":
                json = {names[0]: key, **json}
            elif key is UNDEFINED:
                json.pop(names[0], None)
            else:
                json[names[0]] = key
            rows.append((json, indexes))
    return rows


def summarize(ctx: Any, items: Items, rules: SummarizeRules) -> Items:
    """The summary items of one node run."""
    options = get_param(ctx, "options", 0, {}) or {}
    split_text = get_param(ctx, "fieldsToSplitBy", 0, "") or ""
    split_keys = [f.strip() for f in str(split_text).split(",") if f.strip()]
    entries = [dict(e) for e in (get_param(ctx, "fieldsToSummarize.values", 0, []) or [])]
    if not [e for e in entries if e.get("field", "") != ""]:
        raise ctx.error(
            "You need to add at least one aggregation to 'Fields to Summarize' with non empty "
            "'Field'"
        )
    get = getter(bool(options.get("disableDotNotation")))
    jsons = [item.get("json") or {} for item in items]

    def get_value(index: int, field: str) -> Any:
        return get(jsons[index], field)

    missing = [
        e["field"]
        for e in entries
        if e.get("field", "") != ""
        and all(get_value(i, e["field"]) is UNDEFINED for i in range(len(items)))
    ]
    if missing and (
        rules.check_fields == "error"
        or (rules.check_fields == "option" and not options.get("continueIfFieldNotFound"))
    ):
        raise ctx.error(f"The field '{missing[0]}' does not exist in any items")

    def compute(indexes: list[int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for entry in entries:
            field = entry.get("field", "")
            key = f"{_PREFIX.get(entry.get('aggregation', 'count'), 'count_')}{field}"
            if rules.normalize_keys:
                key = _normalize(key)
            result[key] = _aggregate([get_value(i, field) for i in indexes], entry, rules)
        return result

    tree = _split(
        list(range(len(items))),
        split_keys,
        get_value,
        compute,
        rules,
        bool(options.get("skipEmptySplitFields")),
    )
    if options.get("outputFormat") == "singleItem":
        return [{"json": _to_object(tree), "pairedItem": [{"item": i} for i in range(len(items))]}]
    names = [_normalize(k) for k in split_keys] if rules.normalize_keys else split_keys
    return [
        {"json": json, "pairedItem": [{"item": i} for i in indexes]}
        for json, indexes in _to_rows(tree, names, rules)
    ]
