"""Matching and merging of items across two inputs, shared by Merge (v2, v3) and Compare Datasets.

Owns: n8n's ``fuzzyCompare`` (loose equality of field values), "fields to match" validation,
``findMatches`` (pairing input-1 items with input-2 items on field values, first or all
matches), the clash-handling merge of matched items (prefer an input, add ``_1``/``_2``
suffixes, deep or shallow merge, minimise empty fields) and the ``_source`` marker of
keep-non-matches output.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from n8nwork.run.data import Item, Items
from nodes.builtin._item_ops import (
    UNDEFINED,
    getter,
    js_equal,
    lodash_assign,
    lodash_merge,
    paired_list,
    typeof,
)
from nodes.builtin._jsvalues import json_parse, number_to_string

Compare = Callable[[Any, Any], bool]
MergeFn = Callable[..., dict[str, Any]]


# ----------------------------------------------------------------------------- fuzzy compare
def _is_falsy(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not value)


def _string_equals_object(text: str, obj: Any) -> bool:
    try:
        return js_equal(json_parse(text), obj)
    except ValueError:
        return False


def _loose(a: Any, b: Any, version: float) -> bool:
    ta, tb = typeof(a), typeof(b)
    if a is not None and b is not None and ta == tb:
        return js_equal(a, b)
    if version >= 2:
        if a is None and (b is None or js_equal(b, 0) or b == "0"):
            return True
        if b is None and (a is None or js_equal(a, 0) or a == "0"):
            return True
    if _is_falsy(a) and _is_falsy(b):
        return True
    if (_is_falsy(a) and b is UNDEFINED) or (a is UNDEFINED and _is_falsy(b)):
        return True
    if ta == "number" and tb == "string":
        return number_to_string(a) == b
    if ta == "string" and tb == "number":
        return a == number_to_string(b)
    if a is not None and ta == "object" and tb == "string":
        return _string_equals_object(b, a)
    if b is not None and ta == "string" and tb == "object":
        return _string_equals_object(a, b)
    for x, y in ((a, b), (b, a)):
        if typeof(x) == "boolean" and typeof(y) == "string":
            if (x is True and y.lower() == "true") or (x is False and y.lower() == "false"):
                return True
            if (x is True and y == "1") or (x is False and y == "0"):
                return True
        if (
            typeof(x) == "boolean"
            and typeof(y) == "number"
            and ((x is True and y == 1) or (x is False and y == 0))
        ):
            return True
    return js_equal(a, b)


def fuzzy_compare(use_fuzzy: bool, compare_version: float = 1) -> Compare:
    """n8n's ``fuzzyCompare``: strict deep equality, or the loose rules (3 == '3', null == ''
    == [], true == 'true' == 1, an object == its JSON text; from version 2 null == 0 == '0')."""
    if not use_fuzzy:
        return js_equal
    return lambda a, b: _loose(a, b, compare_version)


# ----------------------------------------------------------------------------- validation
def match_field_pairs(entries: Any) -> list[dict[str, str]]:
    """n8n's ``checkMatchFieldsInput``; raises ValueError with n8n's message."""
    pairs = []
    for entry in entries if isinstance(entries, list) else []:
        entry = entry if isinstance(entry, Mapping) else {}
        pairs.append({"field1": entry.get("field1", ""), "field2": entry.get("field2", "")})
    if len(pairs) == 1 and pairs[0]["field1"] == "" and pairs[0]["field2"] == "":
        raise ValueError(
            'You need to define at least one pair of fields in "Fields to Match" to match on'
        )
    for index, pair in enumerate(pairs):
        if pair["field1"] == "" or pair["field2"] == "":
            raise ValueError(
                f'You need to define both fields in "Fields to Match" for pair {index + 1},\n'
                f"\t\t\t\t field 1 = '{pair['field1']}'\n"
                f"\t\t\t\t field 2 = '{pair['field2']}'"
            )
    return pairs


def check_fields_present(items: Items, fields: list[str], disable_dot: bool, label: str) -> None:
    """n8n's ``checkInput``: every field must be present in some item (ValueError if not)."""
    get = getter(disable_dot)
    for name in fields:
        if not any(get(item.get("json") or {}, name) is not UNDEFINED for item in items):
            raise ValueError(f"Field '{name}' is not present in any of items in '{label}'")


# ----------------------------------------------------------------------------- matching
@dataclass
class Matches:
    """The outcome of matching: input-1 entries with their input-2 matches, and the rest."""

    matched: list[tuple[Item, list[Item]]] = field(default_factory=list)
    matched2: Items = field(default_factory=list)
    unmatched1: Items = field(default_factory=list)
    unmatched2: Items = field(default_factory=list)


def find_matches(
    input1: Items,
    input2: Items,
    pairs: list[dict[str, str]],
    *,
    equal: Compare,
    disable_dot: bool = False,
    multiple: str = "all",
    split_each_match: bool = True,
) -> Matches:
    """n8n's ``findMatches``: an input-1 item missing a match field never matches.

    ``split_each_match`` gives one (entry, [match]) pair per match (Merge, when both inputs are
    merged or enriched); otherwise one (entry, matches) per input-1 item.
    """
    get = getter(disable_dot)
    result = Matches()
    seen2: set[int] = set()
    for entry in input1:
        lookup: dict[str, Any] = {}
        for pair in pairs:
            lookup[pair["field2"]] = get(entry.get("json") or {}, pair["field1"])
        if any(value is UNDEFINED for value in lookup.values()):
            result.unmatched1.append(entry)
            continue
        found: list[tuple[int, Item]] = []
        for index, candidate in enumerate(input2):
            data = candidate.get("json") or {}
            if all(equal(value, get(data, key)) for key, value in lookup.items()):
                found.append((index, candidate))
                if multiple != "all":
                    break
        seen2.update(index for index, _ in found)
        if not found:
            result.unmatched1.append(entry)
        elif split_each_match:
            result.matched.extend((entry, [match]) for _, match in found)
        else:
            result.matched.append((entry, [match for _, match in found]))
    for index, item in enumerate(input2):
        (result.matched2 if index in seen2 else result.unmatched2).append(item)
    return result


# ----------------------------------------------------------------------------- merging
def _empty(value: Any) -> bool:
    return value is UNDEFINED or value is None or value == ""


def _keep_target_if_source_empty(target: Any, source: Any) -> Any:
    return target if _empty(source) else UNDEFINED


def merge_method(clash: Mapping[str, Any]) -> MergeFn:
    """n8n's ``selectMergeMethod``: deep (default) or shallow merge, optionally keeping the
    preferred value when the other input's value is empty."""
    mode = clash.get("mergeMode")
    if clash.get("overrideEmpty"):
        custom = _keep_target_if_source_empty
        if mode == "deepMerge":
            return lambda target, *src: lodash_merge(
                copy.deepcopy(dict(target)), *src, customizer=custom
            )
        if mode == "shallowMerge":
            return lambda target, *src: lodash_assign(dict(target), *src, customizer=custom)
    elif mode == "shallowMerge":
        return lambda target, *src: lodash_assign({}, target, *src)
    return lambda target, *src: lodash_merge({}, target, *src)


def add_suffix(items: Items, suffix: str) -> Items:
    """Every json key renamed ``key_<suffix>``."""
    out = []
    for item in items:
        new = dict(item)
        new["json"] = {f"{k}_{suffix}": v for k, v in (item.get("json") or {}).items()}
        out.append(new)
    return out


def add_source_field(items: Items, source: str) -> Items:
    out = []
    for item in items:
        new = dict(item)
        new["json"] = {**(item.get("json") or {}), "_source": source}
        out.append(new)
    return out


def merge_matched(
    matched: list[tuple[Item, list[Item]]],
    clash: Mapping[str, Any],
    join_mode: str | None = None,
    *,
    prefer_last_name: str = "preferInput2",
) -> Items:
    """n8n's ``mergeMatched``: one merged item per (entry, matches) pair.

    Without a clash setting input 2 wins, except when enriching input 2 (input 1 wins);
    ``preferInput2`` and v3's ``preferLast`` are the same rule.
    """
    resolve = clash.get("resolveClash")
    merge = merge_method(clash)
    if resolve is None or resolve == "":
        resolve = "preferInput1" if join_mode == "enrichInput2" else prefer_last_name
    out: Items = []
    for entry, matches in matched:
        if resolve == "addSuffix":
            [entry] = add_suffix([entry], "1")
            matches = add_suffix(matches, "2")
            first, rest, last = entry, matches, None
        elif resolve == "preferInput1":
            first, rest, last = matches[0], matches[1:], entry
        else:
            first, rest, last = entry, matches, None
        order = [first, *rest, *([last] if last is not None else [])]
        json = merge(dict(first.get("json") or {}), *[i.get("json") for i in order[1:]])
        binary = merge(dict(first.get("binary") or {}), *[i.get("binary") for i in order[1:]])
        paired = [p for i in order for p in paired_list(i.get("pairedItem"))]
        item: Item = {"json": json, "pairedItem": paired}
        if binary:
            item["binary"] = binary
        out.append(item)
    return out
