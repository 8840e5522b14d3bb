"""The legacy Merge node (typeVersion 1): append, merge by index or key, keep/remove key
matches, multiplex, pass-through and wait, with n8n v1's exact rules (key values compared
as strings, falsy input-2 keys ignored, ``overwrite`` always / if blank / if missing)."""

from __future__ import annotations

import copy
from typing import Any

from n8nwork.run.data import Item, Items
from nodes.builtin._fields import get_path
from nodes.builtin._item_ops import UNDEFINED, all_paired, js_str, make_item
from nodes.builtin._jsvalues import truthy

MODES_V1 = (
    "append",
    "keepKeyMatches",
    "mergeByIndex",
    "mergeByKey",
    "multiplex",
    "passThrough",
    "removeKeyMatches",
    "wait",
)


def _merge_by_index(join: str, input1: Items, input2: Items) -> Items:
    if not input1:
        return [] if join in ("inner", "left") else input2
    if not input2:
        return input1 if join in ("left", "outer") else []
    count = len(input1)
    if join == "inner":
        count = min(len(input1), len(input2))
    elif join == "outer":
        count = max(len(input1), len(input2))
    out: Items = []
    for i in range(count):
        if i >= len(input1):
            out.append(input2[i])
            continue
        if i >= len(input2):
            out.append(input1[i])
            continue
        a, b = input1[i], input2[i]
        binary: dict[str, Any] | None = dict(a["binary"]) if a.get("binary") is not None else None
        if b.get("binary") is not None:
            binary = {**(binary or {}), **{k: v for k, v in b["binary"].items() if v is not None}}
        json = {**(a.get("json") or {}), **(b.get("json") or {})}
        out.append(make_item(json, [a.get("pairedItem"), b.get("pairedItem")], binary))
    return out


def _multiplex(input1: Items, input2: Items) -> Items:
    return [
        make_item(
            {**(a.get("json") or {}), **(b.get("json") or {})},
            [a.get("pairedItem"), b.get("pairedItem")],
        )
        for a in input1
        for b in input2
    ]


def _key_modes(
    mode: str, prop1: str, prop2: str, overwrite: str, input1: Items, input2: Items
) -> Items:
    if not prop1 or not prop2:
        return [] if mode == "keepKeyMatches" else input1
    copy_data: dict[str, Item] = {}
    for entry in input2:
        key = get_path(entry.get("json") or {}, prop2)
        if key is UNDEFINED or not truthy(key):
            continue
        copy_data[js_str(key)] = entry
    out: Items = []
    for entry in input1:
        ref = get_path(entry.get("json") or {}, prop1)
        if (
            ref is UNDEFINED
            or (ref is not None and not isinstance(ref, (str, int, float)))
            or isinstance(ref, bool)
        ):
            if mode == "removeKeyMatches":
                out.append(entry)
            continue
        match = copy_data.get(js_str(ref))
        if match is None:
            if mode in ("removeKeyMatches", "mergeByKey"):
                out.append(entry)
            continue
        if mode == "removeKeyMatches":
            continue
        if mode == "keepKeyMatches":
            out.append(entry)
            continue
        merged = copy.deepcopy(entry)
        json = merged.setdefault("json", {})
        for key, value in (match.get("json") or {}).items():
            if key == prop2:
                continue
            if (
                overwrite == "always"
                or (overwrite == "undefined" and key not in json)
                or (overwrite == "blank" and json.get(key) in (None, ""))
            ):
                json[key] = value
        out.append(merged)
    return out


def execute_v1(params: dict[str, Any], input1: Items, input2: Items) -> Items:
    """One Merge v1 run over two tagged inputs; ``params`` holds the resolved parameters."""
    mode = params["mode"]
    if mode == "append":
        return [*input1, *input2]
    if mode == "mergeByIndex":
        return _merge_by_index(params["join"], input1, input2)
    if mode == "multiplex":
        return _multiplex(input1, input2)
    if mode in ("keepKeyMatches", "mergeByKey", "removeKeyMatches"):
        return _key_modes(
            mode,
            params["propertyName1"],
            params["propertyName2"],
            params["overwrite"],
            input1,
            input2,
        )
    if mode == "passThrough":
        return list(input1 if params["output"] == "input1" else input2)
    if mode == "wait":
        return [make_item({}, all_paired(len(input1)))]
    return []
