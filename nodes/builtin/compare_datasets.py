"""Compare Datasets (``n8n-nodes-base.compareDatasets``, typeVersions 1 to 2.3): pairs the items
of input A and input B on "fields to match" and sends them to four outputs: in A only, same,
different, in B only. Differences are resolved by preferring an input, mixing the two, or
including both versions (``{keys, same, different, skipped}``)."""

from __future__ import annotations

import copy
from typing import Any

from n8nwork.run.data import Item, Items
from n8nwork.workflow.model import Node
from nodes.builtin._fields import get_path, set_path, unset_path
from nodes.builtin._item_ops import UNDEFINED, get_param, paired_list, tagged_inputs, typeof
from nodes.builtin._merge_ops import Compare, find_matches, fuzzy_compare, match_field_pairs
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_RESOLVE = ("preferInput1", "preferInput2", "mix", "includeBoth")
_EMPTY_PAIR = {"values": [{"field1": "", "field2": ""}]}


class CompareDatasets(NodeType):
    type_name = "n8n-nodes-base.compareDatasets"
    versions = (1, 2, 2.1, 2.2, 2.3)
    display_name = "Compare Datasets"
    description = "Compare two inputs for changes"
    inputs = 2
    outputs = 4
    params = (
        Param("mergeByFields", "fixedCollection", _EMPTY_PAIR),
        Param("resolve", "options", "preferInput2", _RESOLVE, versions=(1.0, 2.0)),
        Param("resolve", "options", "includeBoth", _RESOLVE, versions=(2.1, 2.3)),
        Param("fuzzyCompare", "boolean", False, versions=(2.0, 2.3)),
        Param("preferWhenMix", "options", "input1", ("input1", "input2")),
        Param("exceptWhenMix", "string", ""),
        Param("options", "collection", {}),
    )

    def required_inputs(self, node: Node) -> int | list[int] | None:
        """n8n 2.3 runs once one input has data (v1 order)."""
        return 1 if float(node.type_version) >= 2.3 else None

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        try:
            pairs = match_field_pairs(get_param(ctx, "mergeByFields.values", 0, []))
        except ValueError as exc:
            raise ctx.error(str(exc)) from None
        options: dict[str, Any] = dict(get_param(ctx, "options", 0, {}) or {})
        version = ctx.version
        if version >= 2:
            options["fuzzyCompare"] = bool(get_param(ctx, "fuzzyCompare", 0, False))
        disable_dot = bool(options.get("disableDotNotation"))
        input_a, input_b = ([i for i in items if i.get("json")] for items in tagged_inputs(ctx, 2))
        if version < 2.2:
            for items, key, label in (
                (input_a, "field1", "Input A"),
                (input_b, "field2", "Input B"),
            ):
                _check_present(ctx, items, [p[key] for p in pairs], disable_dot, label)
        resolve = get_param(ctx, "resolve", 0, "")
        options["resolve"] = resolve
        if resolve == "mix":
            options["preferWhenMix"] = get_param(ctx, "preferWhenMix", 0, "")
            options["exceptWhenMix"] = get_param(ctx, "exceptWhenMix", 0, "")
        skip = [f.strip() for f in str(options.get("skipFields") or "").split(",")]
        if disable_dot and any("." in f for f in skip):
            dotted = next(f for f in skip if "." in f)
            raise ctx.error(
                f"Dot notation is disabled, but field to skip comparing '{dotted}' contains dot"
            )
        equal = fuzzy_compare(bool(options.get("fuzzyCompare")), version)
        matches = find_matches(
            input_a,
            input_b,
            pairs,
            equal=equal,
            disable_dot=disable_dot,
            multiple=str(options.get("multipleMatches") or "first"),
            split_each_match=False,
        )
        same: Items = []
        different: Items = []
        for entry, found in matches.matched:
            kept: Item | None = None
            for match in found:
                if _items_equal(entry["json"], match["json"], skip, disable_dot, options, equal):
                    if kept is None:
                        prefer_b = options.get("fuzzyCompare") and resolve == "preferInput2"
                        kept = match if prefer_b else entry
                    continue
                if resolve == "preferInput1":
                    different.append(entry)
                elif resolve == "preferInput2":
                    different.append(match)
                elif resolve == "mix":
                    different.append(_combine(entry, match, options, disable_dot))
                else:
                    different.append(
                        _both_versions(ctx, entry, match, pairs, options, skip, equal, version)
                    )
            if kept is not None:
                same.append(kept)
        return [matches.unmatched1, same, different, matches.unmatched2]


def _check_present(
    ctx: ExecutionContext, items: Items, fields: list[str], disable_dot: bool, label: str
) -> None:
    if not items:
        return
    for name in fields:
        present = any(
            (name in i["json"]) if disable_dot else get_path(i["json"], name) is not UNDEFINED
            for i in items
        )
        if not present:
            raise ctx.error(f"Field '{name}' is not present in any of items in '{label}'")


def _without(data: dict[str, Any], skip: list[str], disable_dot: bool) -> dict[str, Any]:
    if not skip or skip == [""]:
        return data
    if disable_dot or not any("." in f for f in skip):
        return {k: v for k, v in data.items() if k not in skip}
    copied = copy.deepcopy(data)
    for name in skip:
        unset_path(copied, name)
    return copied


def _items_equal(
    a: dict[str, Any],
    b: dict[str, Any],
    skip: list[str],
    disable_dot: bool,
    options: dict[str, Any],
    equal: Compare,
) -> bool:
    a, b = _without(a, skip, disable_dot), _without(b, skip, disable_dot)
    if options.get("fuzzyCompare"):
        return all(equal(value, b.get(key, UNDEFINED)) for key, value in a.items())
    return equal(a, b)


def _combine(entry: Item, match: Item, options: dict[str, Any], disable_dot: bool) -> Item:
    """'Use a mix of versions': the preferred item with the excepted fields of the other."""
    prefer, other = (entry, match) if options.get("preferWhenMix") == "input1" else (match, entry)
    except_value = options.get("exceptWhenMix")
    if isinstance(except_value, list):
        fields = [str(f) for f in except_value]
    else:
        fields = [f.strip() for f in str(except_value).split(",")] if except_value else []
    result = dict(prefer)
    json = copy.deepcopy(prefer.get("json") or {})
    for name in fields:
        if disable_dot:
            value = (other.get("json") or {}).get(name, UNDEFINED)
            if value is UNDEFINED:
                json.pop(name, None)
            else:
                json[name] = value
        else:
            value = get_path(other.get("json") or {}, name)
            set_path(json, [name], None if value is UNDEFINED else value)
    result["json"] = json
    return result


def _nullish(version: float, value: Any) -> Any:
    if version >= 2:
        return None if value is UNDEFINED else value
    return value if value is not UNDEFINED and value not in (None, False, 0, "") else None


def _both_versions(
    ctx: ExecutionContext,
    entry: Item,
    match: Item,
    pairs: list[dict[str, str]],
    options: dict[str, Any],
    skip: list[str],
    equal: Compare,
    version: float,
) -> Item:
    """n8n's ``compareItems``: ``{keys, same, different[, skipped]}`` of a differing pair."""
    a, b = entry["json"], match["json"]
    keys = {p["field1"]: a[p["field1"]] for p in pairs if p["field1"] in a}
    union = list(dict.fromkeys([*a, *b]))
    fuzzy_all = options.get("fuzzyCompare") and version >= 2.1
    compare_keys = union if fuzzy_all else [k for k in a if k in b]
    same_keys = [k for k in compare_keys if equal(a.get(k, UNDEFINED), b.get(k, UNDEFINED))]
    same = {k: a[k] for k in same_keys if k in a}
    different: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    names = ("inputA", "inputB") if version >= 2 else ("input1", "input2")
    for index, key in enumerate(k for k in union if k not in same_keys):
        v1 = _nullish(version, a.get(key, UNDEFINED))
        v2 = _nullish(version, b.get(key, UNDEFINED))
        if options.get("resolve") == "preferInput1":
            different[key] = v1
            continue
        if options.get("resolve") == "preferInput2":
            different[key] = v2
            continue
        nested = [f for f in skip if f.startswith(key) and "." in f]
        if version >= 2.1 and not options.get("disableDotNotation") and key not in skip:
            v1, v2 = copy.deepcopy(v1), copy.deepcopy(v2)
            if nested and (typeof(v1) != "object" or typeof(v2) != "object"):
                raise ctx.error(
                    f"The field '{key}' in item {index} is not an object. "
                    "It is not possible to use dot notation."
                )
            if nested and key not in skipped:
                skipped[key] = {names[0]: {}, names[1]: {}}
            for field in nested:
                inner = field.replace(f"{key}.", "", 1)
                for side, value in zip(names, (v1, v2), strict=True):
                    found = get_path(value, inner)
                    set_path(skipped[key][side], inner, None if found is UNDEFINED else found)
                    if found is UNDEFINED:
                        unset_path(skipped[key][side], inner)
                unset_path(v1, inner)
                unset_path(v2, inner)
            different[key] = {names[0]: v1, names[1]: v2}
        elif key in skip:
            skipped[key] = {names[0]: v1, names[1]: v2}
        else:
            different[key] = {names[0]: v1, names[1]: v2}
    json: dict[str, Any] = {"keys": keys, "same": same, "different": different}
    if skipped:
        json["skipped"] = skipped
    paired = [*paired_list(entry.get("pairedItem")), *paired_list(match.get("pairedItem"))]
    return {"json": json, "pairedItem": paired}
