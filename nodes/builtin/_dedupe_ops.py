"""Removing items whose compared fields repeat an earlier item, shared by Item Lists' "Remove
Duplicates" (v1 to v3.1) and the Remove Duplicates node (v1, v1.1, v2's "remove items repeated
within current input").

As n8n: the compared fields are all fields (dotted leaf paths), all but some, or a selection;
items are sorted on them (lodash ``lt``; v3.1 first orders by value type) and neighbours that
are equal are dropped, keeping the first of each group in input order.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from n8nwork.run.data import Items
from nodes.builtin._item_ops import (
    UNDEFINED,
    field_names,
    flatten_keys,
    get_param,
    getter,
    js_equal,
    lodash_lt,
    pick,
    typeof,
)

_NESTED_HINT = (
    "If you're trying to use a nested field, make sure you turn off 'disable dot notation' "
    "in the node options"
)
_TYPE_ORDER = {
    "string": 1,
    "number": 2,
    "bigint": 3,
    "boolean": 4,
    "symbol": 5,
    "undefined": 6,
    "object": 7,
    "function": 8,
}


@dataclass(frozen=True)
class DedupeRules:
    """What one node version does differently."""

    order_by_type: bool = False  # Item Lists 3.1: mixed types sort by type, no type error
    skip_null: bool = False  # Remove Duplicates > 1: null values pass the checks
    detailed_type_error: bool = False  # Remove Duplicates > 1: name the items in the error


def _type_number(value: Any) -> int:
    if isinstance(value, list):
        return 9
    if value is None:
        return 10
    return _TYPE_ORDER[typeof(value)]


def _keys_of(data: Any, disable_dot: bool) -> list[str]:
    data = data if isinstance(data, dict) else {}
    return list(data) if disable_dot else list(flatten_keys(data))


def _compare_keys(ctx: Any, items: Items, disable_dot: bool) -> list[str]:
    compare = ctx.param("compare", 0)
    keys = _keys_of(items[0].get("json"), disable_dot)
    for item in items:
        for key in _keys_of(item.get("json"), disable_dot):
            if key not in keys:
                keys.append(key)
    try:
        if compare == "allFieldsExcept":
            exclude = field_names(get_param(ctx, "fieldsToExclude", 0, ""), "Fields To Exclude")
            if not exclude:
                raise ctx.error(
                    "No fields specified. Please add a field to exclude from comparison"
                )
            if not disable_dot:
                keys = _keys_of(items[0].get("json"), disable_dot)
            keys = [k for k in keys if k not in exclude]
        elif compare == "selectedFields":
            selected = field_names(get_param(ctx, "fieldsToCompare", 0, ""), "Fields To Compare")
            if not selected:
                raise ctx.error("No fields specified. Please add a field to compare on")
            keys = [k.strip() for k in selected]
    except ValueError as exc:
        raise ctx.error(str(exc)) from None
    return keys


def _validate(
    ctx: Any, ordered: Items, keys: list[str], disable_dot: bool, rules: DedupeRules
) -> None:
    get = getter(disable_dot)
    for key in keys:
        seen_type: str | None = None
        for index, item in enumerate(ordered):
            if key == "":
                raise ctx.error("Name of field to compare is blank")
            value = get(item.get("json") or {}, key)
            if value is None and rules.skip_null:
                continue
            if value is UNDEFINED:
                if disable_dot and "." in key:
                    raise ctx.error(
                        f"'{key}' field is missing from some input items",
                        description=_NESTED_HINT,
                    )
                raise ctx.error(f"'{key}' field is missing from some input items")
            kind = typeof(value)
            if not rules.order_by_type and seen_type is not None and seen_type != kind:
                description = "The type of this field varies between items"
                if rules.detailed_type_error:
                    description += (
                        f", in item [{index - 1}] it's a {seen_type} and in item [{index}] "
                        f"it's a {kind} "
                    )
                raise ctx.error(f"'{key}' isn't always the same type", description=description)
            seen_type = kind


def remove_duplicates(ctx: Any, items: Items, rules: DedupeRules) -> Items:
    """The items without repeats of their compared fields (input order kept)."""
    if not items:
        return []
    disable_dot = bool(get_param(ctx, "options.disableDotNotation", 0, False))
    remove_other = bool(get_param(ctx, "options.removeOtherFields", 0, False))
    keys = _compare_keys(ctx, items, disable_dot)
    get = getter(disable_dot)

    def order(a: int, b: int) -> int:
        ja, jb = items[a].get("json") or {}, items[b].get("json") or {}
        for key in keys:
            va, vb = get(ja, key), get(jb, key)
            if rules.order_by_type:
                diff = _type_number(va) - _type_number(vb)
                if diff:
                    return diff
            if not js_equal(va, vb):
                return -1 if lodash_lt(va, vb) else 1
        return 0

    ordered = sorted(range(len(items)), key=functools.cmp_to_key(order))
    _validate(ctx, [items[i] for i in ordered], keys, disable_dot, rules)
    removed: set[int] = set()
    kept = ordered[0]
    for index in ordered[1:]:
        a, b = items[index].get("json") or {}, items[kept].get("json") or {}
        if all(js_equal(get(a, key), get(b, key)) for key in keys):
            removed.add(index)
        else:
            kept = index
    out = [item for i, item in enumerate(items) if i not in removed]
    if remove_other:
        originals = [i for i in range(len(items)) if i not in removed]
        out = [
            {"json": pick(item.get("json") or {}, keys), "pairedItem": {"item": original}}
            for item, original in zip(out, originals, strict=True)
        ]
    return out
