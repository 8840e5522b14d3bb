"""Splitting a list (or an object's values) inside each item into separate items, shared by
Item Lists' "Split Out Items" (v1 legacy rules, v2.x, v3) and the Split Out node (which adds
``$binary``, the ``$json.`` prefix and "include binary").

Rules by version, as n8n: v1 needs an array and one field; from v2 several comma-separated
fields split side by side and objects split into their values; from 2.1 a missing field gives
nothing instead of an error; from 2.2 a single value is split as a one-element list.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from n8nwork.run.data import Item, Items
from nodes.builtin._fields import unset_path
from nodes.builtin._item_ops import UNDEFINED, field_names, get_param, getter, make_item

_NESTED_HINT = (
    "If you're trying to use a nested field, make sure you turn off 'disable dot notation' "
    "in the node options"
)


@dataclass(frozen=True)
class SplitRules:
    """What one node version allows."""

    legacy: bool = False  # Item Lists v1
    missing_is_empty: bool = True  # >= 2.1
    scalar_is_list: bool = True  # >= 2.2
    standalone: bool = False  # Split Out node: $binary, $json. prefix, options per item


def _spread(target: dict[str, Any], element: Any) -> dict[str, Any]:
    if isinstance(element, dict):
        return {**target, **element}
    if isinstance(element, list):
        return {**target, **{str(i): v for i, v in enumerate(element)}}
    return dict(target)


def _included(ctx: Any, index: int) -> list[str]:
    try:
        names = field_names(get_param(ctx, "fieldsToInclude", index, ""), "Fields To Include")
    except ValueError as exc:
        raise ctx.error(str(exc), item_index=index) from None
    if not names:
        raise ctx.error("No fields specified", description="Please add a field to include")
    return names


def _legacy(ctx: Any, items: Items) -> Items:
    out: Items = []
    for i, item in enumerate(items):
        field = ctx.param("fieldToSplitOut", i)
        disable_dot = bool(get_param(ctx, "options.disableDotNotation", 0, False))
        destination = get_param(ctx, "options.destinationFieldName", i, "") or ""
        include = ctx.param("include", i)
        get = getter(disable_dot)
        data = item.get("json") or {}
        values = get(data, field)
        if values is UNDEFINED:
            if "." in field and disable_dot:
                raise ctx.error(
                    f"Couldn't find the field '{field}' in the input data",
                    description=_NESTED_HINT,
                )
            raise ctx.error(f"Couldn't find the field '{field}' in the input data", item_index=i)
        if not isinstance(values, list):
            raise ctx.error(f"The provided field '{field}' is not an array", item_index=i)
        for element in values:
            new: dict[str, Any] = {}
            if include == "selectedOtherFields":
                for name in _included(ctx, i):
                    value = get(data, name)
                    if name != field and value is not UNDEFINED:
                        new[name] = value
            elif include == "allOtherFields":
                new = copy.deepcopy(data)
                unset_path(new, field)
            is_object = isinstance(element, (dict, list)) or element is None
            if is_object and include == "noOtherFields" and destination == "":
                out.append(make_item(_spread(new, element), {"item": i}))
                continue
            new[destination or field] = element
            out.append(make_item(new, {"item": i}))
    return out


def split_out(ctx: Any, items: Items, rules: SplitRules) -> Items:
    """Split every input item; ``ctx`` supplies the node's parameters and errors."""
    if rules.legacy:
        return _legacy(ctx, items)
    out: Items = []
    for i, item in enumerate(items):
        fields = [f.strip() for f in str(ctx.param("fieldToSplitOut", i) or "").split(",")]
        if rules.standalone:
            fields = [f[6:] if f.startswith("$json.") else f for f in fields]
            options = get_param(ctx, "options", i, {}) or {}
            disable_dot = bool(options.get("disableDotNotation"))
            destination_text = options.get("destinationFieldName") or ""
        else:
            disable_dot = bool(get_param(ctx, "options.disableDotNotation", 0, False))
            destination_text = get_param(ctx, "options.destinationFieldName", i, "") or ""
        destinations = [d.strip() for d in str(destination_text).split(",") if d.strip()]
        if destinations and len(destinations) != len(fields):
            raise ctx.error(
                "If multiple fields to split out are given, the same number of destination "
                "fields must be given"
            )
        include = ctx.param("include", i)
        multi = len(fields) > 1
        data = dict(item.get("json") or {})
        get = getter(disable_dot)
        splits: list[Item] = []
        for position, field in enumerate(fields):
            destination = destinations[position] if position < len(destinations) else ""
            if rules.standalone and field == "$binary":
                entries: list[Any] = [{k: v} for k, v in (item.get("binary") or {}).items()]
            else:
                entries = _values_to_split(ctx, get(data, field), field, i, disable_dot, rules)
            for index, element in enumerate(entries):
                if index >= len(splits):
                    splits.append({"json": {}, "pairedItem": {"item": i}})
                target = splits[index]
                if rules.standalone and field == "$binary":
                    target.setdefault("binary", {}).update(element)
                    continue
                name = destination or field
                spread = destination == "" and not multi and include == "noOtherFields"
                if isinstance(element, (dict, list)) and spread:
                    json = _spread(target["json"], element)
                    splits[index] = {"json": json, "pairedItem": {"item": i}}
                else:
                    target["json"][name] = element
        for entry in splits:
            if include == "allOtherFields":
                rest = copy.deepcopy(data)
                for field in fields:
                    if disable_dot:
                        rest.pop(field, None)
                    else:
                        unset_path(rest, field)
                entry["json"] = {**rest, **entry["json"]}
            elif include == "selectedOtherFields":
                for name in _included(ctx, i):
                    value = get(data, name)
                    if value is UNDEFINED:
                        entry["json"].pop(name, None)
                    else:
                        entry["json"][name] = value
            include_binary = rules.standalone and (get_param(ctx, "options", i, {}) or {}).get(
                "includeBinary"
            )
            if include_binary and item.get("binary") and not entry.get("binary"):
                entry["binary"] = item["binary"]
            out.append(entry)
    return out


def _values_to_split(
    ctx: Any, value: Any, field: str, index: int, disable_dot: bool, rules: SplitRules
) -> list[Any]:
    if value is UNDEFINED:
        if not rules.missing_is_empty:
            if "." in field and disable_dot:
                raise ctx.error(
                    f"Couldn't find the field '{field}' in the input data",
                    description=_NESTED_HINT,
                )
            raise ctx.error(
                f"Couldn't find the field '{field}' in the input data", item_index=index
            )
        value = []
    if not isinstance(value, (dict, list)):
        if not rules.scalar_is_list:
            raise ctx.error(
                f"The provided field '{field}' is not an array or object", item_index=index
            )
        value = [value]
    if isinstance(value, dict):
        return list(value.values())
    return list(value)
