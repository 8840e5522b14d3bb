"""Combining many items into one, shared by Item Lists' "Concatenate Items" (v1 to v3) and the
Aggregate node: individual fields into lists (renamed, merged lists, missing values kept or
dropped) or all item data into one list (all fields, only some, all but some), optionally with
the items' binaries."""

from __future__ import annotations

from typing import Any

from n8nwork.run.data import Item, Items
from nodes.builtin._fields import set_path
from nodes.builtin._item_ops import UNDEFINED, all_paired, field_names, get_param, getter, make_item

_NESTED_HINT = (
    "If you're trying to use a nested field, make sure you turn off 'disable dot notation' "
    "in the node options"
)


def aggregate_individual(ctx: Any, items: Items, *, check_missing: bool) -> Item:
    """One item with a list per field; ``check_missing`` fails on a field no item has."""
    disable_dot = bool(get_param(ctx, "options.disableDotNotation", 0, False))
    merge_lists = bool(get_param(ctx, "options.mergeLists", 0, False))
    keep_missing = bool(get_param(ctx, "options.keepMissing", 0, False))
    fields = get_param(ctx, "fieldsToAggregate.fieldToAggregate", 0, []) or []
    if not fields:
        raise ctx.error("No fields specified", description="Please add a field to aggregate")
    get = getter(disable_dot)
    if check_missing:
        for entry in fields:
            name = entry.get("fieldToAggregate", "")
            if name == "" and items:
                raise ctx.error(
                    "Field to aggregate is blank", description="Please add a field to aggregate"
                )
            found = any(get(item.get("json") or {}, name) is not UNDEFINED for item in items)
            if not found and disable_dot and "." in name:
                raise ctx.error(
                    f"Couldn't find the field '{name}' in the input data",
                    description=_NESTED_HINT,
                )
            if not found and not keep_missing:
                raise ctx.error(f"Couldn't find the field '{name}' in the input data")
    values: dict[str, list[Any]] = {}
    used: list[str] = []
    for entry in fields:
        name = entry.get("fieldToAggregate", "")
        rename = bool(entry.get("renameField", False))
        output_name = entry.get("outputFieldName", "") or ""
        label = output_name if rename else name
        if label in used:
            raise ctx.error(
                f"The '{label}' output field is used more than once",
                description="Please make sure each output field name is unique",
            )
        used.append(label)
        if name == "":
            continue
        target = output_name or (name.split(".")[-1] if not disable_dot and "." in name else name)
        collected: list[Any] = []
        for item in items:
            value = get(item.get("json") or {}, name)
            if not keep_missing:
                if isinstance(value, list):
                    value = [v for v in value if v is not None]
                elif value is None or value is UNDEFINED:
                    continue
            if value is UNDEFINED:
                value = None
            if isinstance(value, list) and merge_lists:
                collected.extend(value)
            else:
                collected.append(value)
        values[target] = collected
    json: dict[str, Any] = {}
    for key, collected in values.items():
        if disable_dot:
            json[key] = collected
        else:
            set_path(json, key, collected)
    return make_item(json, all_paired(len(items)))


def aggregate_all(ctx: Any, items: Items) -> Item:
    """One item holding the json of every item (filtered by include / exclude lists)."""
    destination = ctx.param("destinationFieldName", 0)
    try:
        exclude = field_names(get_param(ctx, "fieldsToExclude", 0, ""), "Fields To Exclude")
        include = field_names(get_param(ctx, "fieldsToInclude", 0, ""), "Fields To Include")
    except ValueError as exc:
        raise ctx.error(str(exc)) from None
    collected: list[Any] = []
    paired: list[dict[str, int]] = []
    for index, item in enumerate(items):
        data = item.get("json") or {}
        if exclude or include:
            keys = [k for k in data if k not in exclude] if exclude else list(data)
            if include:
                keys = [k for k in keys if k in include]
            data = {k: data[k] for k in keys}
            if not data:
                continue
        collected.append(data)
        paired.append({"item": index})
    return make_item({destination: collected}, paired)


def add_binaries(target: Item, items: Items, unique_only: bool) -> Item:
    """n8n's ``addBinariesToItem``: every binary of ``items``, clashing keys suffixed ``_1``…"""
    seen: list[tuple[Any, ...]] = []
    for item in items:
        for key, binary in (item.get("binary") or {}).items():
            if unique_only:
                signature = tuple(
                    (binary or {}).get(k)
                    for k in ("mimeType", "fileType", "fileSize", "fileExtension")
                )
                if signature in seen:
                    continue
                seen.append(signature)
            binaries = target.setdefault("binary", {})
            name, n = key, 1
            while name in binaries:
                name = f"{key}_{n}"
                n += 1
            binaries[name] = binary
    return target


def source_items(items: Items, paired: Any) -> Items:
    """The input items a pairedItem list points at."""
    out = []
    for entry in paired if isinstance(paired, list) else []:
        index = entry.get("item") if isinstance(entry, dict) else None
        if isinstance(index, int) and 0 <= index < len(items):
            out.append(items[index])
    return out
