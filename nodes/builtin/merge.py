"""Merge (``n8n-nodes-base.merge``): combines the items of its inputs.

typeVersion 1 (legacy modes, see ``_merge_v1``); 2 and 2.1 (append, combine by fields /
position / multiplex, choose branch); 3, 3.1 and 3.2 (2 to 10 inputs, combine by matching
fields / position / all combinations, choose branch). The SQL mode of v3 (``combineBySql``) is
refused. Merged items carry ``pairedItem`` lists into every input they came from.
"""

from __future__ import annotations

from typing import Any

from n8nwork.run.data import Items
from n8nwork.workflow.model import Node
from nodes.builtin._item_ops import get_param, lodash_merge, make_item, paired_list, tagged_inputs
from nodes.builtin._merge_ops import (
    add_source_field,
    add_suffix,
    check_fields_present,
    find_matches,
    fuzzy_compare,
    match_field_pairs,
    merge_matched,
    merge_method,
)
from nodes.builtin._merge_v1 import MODES_V1, execute_v1
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_V1 = (1.0, 1.0)
_V2 = (2.0, 2.1)
_V3 = (3.0, 3.2)
_JOIN_MODES = ("keepMatches", "keepNonMatches", "keepEverything", "enrichInput1", "enrichInput2")
_FROM = ("both", "input1", "input2")
_EMPTY_PAIR = {"values": [{"field1": "", "field2": ""}]}


class Merge(NodeType):
    type_name = "n8n-nodes-base.merge"
    versions = (1, 2, 2.1, 3, 3.1, 3.2)
    display_name = "Merge"
    description = "Merges data of multiple streams once data from both is available"
    inputs = 2
    params = (
        Param("mode", "options", "append", MODES_V1, versions=_V1),
        Param("join", "options", "left", ("inner", "left", "outer"), versions=_V1),
        Param("propertyName1", "string", "", versions=_V1),
        Param("propertyName2", "string", "", versions=_V1),
        Param("output", "options", "input1", ("input1", "input2"), versions=_V1),
        Param("overwrite", "options", "always", ("always", "blank", "undefined"), versions=_V1),
        Param("mode", "options", "append", ("append", "combine", "chooseBranch"), versions=_V2),
        Param(
            "combinationMode",
            "options",
            "mergeByFields",
            ("mergeByFields", "mergeByPosition", "multiplex"),
            versions=_V2,
        ),
        Param("chooseBranchMode", "options", "waitForBoth", ("waitForBoth",), versions=_V2),
        Param("output", "options", "input1", ("input1", "input2", "empty"), versions=_V2),
        Param(
            "mode",
            "options",
            "append",
            ("append", "combine", "combineBySql", "chooseBranch"),
            versions=_V3,
        ),
        Param(
            "combineBy",
            "options",
            "combineByFields",
            ("combineByFields", "combineByPosition", "combineAll"),
            versions=_V3,
        ),
        Param("numberInputs", "options", 2, tuple(range(2, 11)), versions=_V3),
        Param("advanced", "boolean", False, versions=_V3),
        Param("fieldsToMatchString", "string", "", versions=_V3),
        Param("chooseBranchMode", "options", "waitForAll", ("waitForAll",), versions=_V3),
        Param("output", "options", "specifiedInput", ("specifiedInput", "empty"), versions=_V3),
        Param("useDataOfInput", "number", 1, versions=_V3),
        Param("mergeByFields", "fixedCollection", _EMPTY_PAIR, versions=(2.0, 3.2)),
        Param("joinMode", "options", "keepMatches", _JOIN_MODES, versions=(2.0, 3.2)),
        Param(
            "outputDataFrom", "options", "both", ("both", "input1", "input2"), versions=(2.0, 3.2)
        ),
        Param("options", "collection", {}, versions=(2.0, 3.2)),
    )

    def input_count(self, node: Node) -> int:
        if float(node.type_version) < 3:
            return 2
        count = node.parameters.get("numberInputs", 2)
        try:
            return max(2, int(count))
        except (TypeError, ValueError):
            return 2

    def required_inputs(self, node: Node) -> int | list[int] | None:
        """n8n: from v2, "choose branch" waits for every input; other modes need one."""
        if float(node.type_version) < 2:
            return None
        if node.parameters.get("mode") == "chooseBranch":
            return list(range(self.input_count(node)))
        return 1

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        if ctx.version < 2:
            return self._v1(ctx)
        if ctx.version < 3:
            return [self._v2(ctx)]
        return [self._v3(ctx)]

    # ------------------------------------------------------------------------- v1
    def _v1(self, ctx: ExecutionContext) -> NodeResult:
        input1, input2 = tagged_inputs(ctx, 2)
        names = ("mode", "join", "propertyName1", "propertyName2", "output", "overwrite")
        params = {name: ctx.param(name, 0) for name in names}
        return [execute_v1(params, input1, input2)]

    # ------------------------------------------------------------------------- v2
    def _v2(self, ctx: ExecutionContext) -> Items:
        input1, input2 = tagged_inputs(ctx, 2)
        mode = ctx.param("mode", 0)
        if mode == "append":
            return [*input1, *input2]
        if mode == "chooseBranch":
            return _choose_branch_v2(ctx, input1, input2)
        if mode != "combine":
            return []
        combination = ctx.param("combinationMode", 0)
        clash = _clash(ctx)
        if combination == "multiplex":
            return _combine_all(input1, input2, clash)
        if combination == "mergeByPosition":
            if not input1 or not input2:
                return [*input1, *input2]
            include_unpaired = bool(get_param(ctx, "options.includeUnpaired", 0, False))
            return _by_position_v2(input1, input2, clash, include_unpaired)
        if combination == "mergeByFields":
            pairs = _pairs(ctx, get_param(ctx, "mergeByFields.values", 0, []))
            return _by_fields(ctx, input1, input2, pairs, "preferInput2")
        return []

    # ------------------------------------------------------------------------- v3
    def _v3(self, ctx: ExecutionContext) -> Items:
        inputs = tagged_inputs(ctx, self.input_count(ctx.node))
        mode = ctx.param("mode", 0)
        if mode == "combine":
            mode = ctx.param("combineBy", 0)
        if mode == "append":
            return [item for items in inputs for item in items]
        if mode == "combineBySql":
            raise ctx.error(
                "The Merge node's 'SQL Query' mode is not supported",
                description="n8nwork does not run AlaSQL queries; use another combine mode.",
            )
        if mode == "chooseBranch":
            return _choose_branch_v3(ctx, inputs)
        if mode == "combineAll":
            return _combine_all(inputs[0], inputs[1], _clash(ctx))
        if mode == "combineByPosition":
            include_unpaired = bool(get_param(ctx, "options.includeUnpaired", 0, False))
            return _by_position_v3(inputs, _clash(ctx), include_unpaired)
        if mode == "combineByFields":
            if get_param(ctx, "advanced", 0, False):
                entries = get_param(ctx, "mergeByFields.values", 0, [])
            else:
                text = get_param(ctx, "fieldsToMatchString", 0, "") or ""
                names = [f.strip() for f in str(text).split(",")]
                entries = [{"field1": n, "field2": n} for n in names]
            return _by_fields(ctx, inputs[0], inputs[1], _pairs(ctx, entries), "preferLast")
        raise ctx.error(f"The mode '{mode}' is not known to the Merge node")


# ----------------------------------------------------------------------------- helpers
def _clash(ctx: ExecutionContext) -> dict[str, Any]:
    value = get_param(ctx, "options.clashHandling.values", 0, {})
    return dict(value) if isinstance(value, dict) else {}


def _pairs(ctx: ExecutionContext, entries: Any) -> list[dict[str, str]]:
    try:
        return match_field_pairs(entries)
    except ValueError as exc:
        raise ctx.error(str(exc)) from None


def _choose_branch_v2(ctx: ExecutionContext, input1: Items, input2: Items) -> Items:
    if ctx.param("chooseBranchMode", 0) != "waitForBoth":
        return []
    output = ctx.param("output", 0)
    if output == "input1":
        return list(input1)
    if output == "input2":
        return list(input2)
    if output == "empty":
        return [_empty_item(input1, input2)]
    return []


def _choose_branch_v3(ctx: ExecutionContext, inputs: list[Items]) -> Items:
    if ctx.param("chooseBranchMode", 0) != "waitForAll":
        return []
    output = ctx.param("output", 0)
    if output == "specifiedInput":
        which = ctx.param("useDataOfInput", 0)
        try:
            number = int(which)
        except (TypeError, ValueError):
            number = 0
        if number > len(inputs) or number < 1:
            raise ctx.error(
                f"Input {which} doesn't exist",
                description=(
                    f"The node has only {len(inputs)} inputs, so selecting input {which} "
                    "is not possible."
                ),
            )
        return list(inputs[number - 1])
    if output == "empty":
        return [_empty_item(inputs[0], inputs[1])]
    return []


def _empty_item(input1: Items, input2: Items) -> dict[str, Any]:
    paired = [p for item in (*input1, *input2) for p in paired_list(item.get("pairedItem"))]
    return make_item({}, paired)


def _combine_all(input1: Items, input2: Items, clash: dict[str, Any]) -> Items:
    if clash.get("resolveClash") == "preferInput1":
        input1, input2 = input2, input1
    if clash.get("resolveClash") == "addSuffix":
        input1, input2 = add_suffix(input1, "1"), add_suffix(input2, "2")
    merge = merge_method(clash)
    out: Items = []
    for a in input1:
        for b in input2:
            binary = lodash_merge({}, a.get("binary"), b.get("binary"))
            out.append(
                make_item(
                    merge(a.get("json") or {}, b.get("json") or {}),
                    [a.get("pairedItem"), b.get("pairedItem")],
                    binary,
                )
            )
    return out


def _by_position_v2(input1: Items, input2: Items, clash: dict[str, Any], unpaired: bool) -> Items:
    if clash.get("resolveClash") == "preferInput1":
        input1, input2 = input2, input1
    if clash.get("resolveClash") == "addSuffix":
        input1, input2 = add_suffix(input1, "1"), add_suffix(input2, "2")
    count = max(len(input1), len(input2)) if unpaired else min(len(input1), len(input2))
    merge = merge_method(clash)
    out: Items = []
    for i in range(count):
        if i >= len(input1):
            out.append(input2[i])
        elif i >= len(input2):
            out.append(input1[i])
        else:
            a, b = input1[i], input2[i]
            out.append(
                make_item(
                    merge(a.get("json") or {}, b.get("json") or {}),
                    [a.get("pairedItem"), b.get("pairedItem")],
                    lodash_merge({}, a.get("binary"), b.get("binary")),
                )
            )
    return out


def _by_position_v3(inputs: list[Items], clash: dict[str, Any], unpaired: bool) -> Items:
    resolve = str(clash.get("resolveClash") or "")
    if "preferInput" in resolve:
        try:
            preferred_index = int(resolve.replace("preferInput", "")) - 1
        except ValueError:
            preferred_index = len(inputs) - 1
    else:
        preferred_index = len(inputs) - 1
    preferred = inputs[preferred_index] if 0 <= preferred_index < len(inputs) else []
    if resolve == "addSuffix":
        # As n8n does: the preferred input is taken before the suffixes are added.
        inputs = [add_suffix(items, str(k + 1)) for k, items in enumerate(inputs)]
    lengths = [len(items) for items in inputs] + [len(preferred)]
    count = max(lengths) if unpaired else min(lengths)
    merge = merge_method(clash)
    out: Items = []
    for i in range(count):
        rest = [items[i] if i < len(items) else {} for items in inputs]
        pref = preferred[i] if i < len(preferred) else {}
        json = merge({}, *[e.get("json") or {} for e in rest], pref.get("json") or {})
        binary = lodash_merge({}, *[e.get("binary") or {} for e in rest], pref.get("binary") or {})
        paired = [e["pairedItem"] for e in (*rest, pref) if "pairedItem" in e]
        out.append(make_item(json, paired, binary))
    return out


def _by_fields(
    ctx: ExecutionContext,
    input1: Items,
    input2: Items,
    pairs: list[dict[str, str]],
    prefer_last_name: str,
) -> Items:
    join_mode = ctx.param("joinMode", 0)
    output_from = get_param(ctx, "outputDataFrom", 0, "both")
    options = get_param(ctx, "options", 0, {}) or {}
    disable_dot = bool(options.get("disableDotNotation"))
    if ctx.version < 2.1:
        try:
            check_fields_present(input1, [p["field1"] for p in pairs], disable_dot, "Input 1")
            check_fields_present(input2, [p["field2"] for p in pairs], disable_dot, "Input 2")
        except ValueError as exc:
            raise ctx.error(str(exc)) from None
    if not input1 or not input2:
        if not input1 and join_mode == "keepNonMatches" and output_from == "input1":
            return []
        if not input2 and join_mode == "keepNonMatches" and output_from == "input2":
            return []
        if join_mode == "keepMatches":
            return []
        if (join_mode == "enrichInput1" and not input1) or (
            join_mode == "enrichInput2" and not input2
        ):
            return []
        return [*input1, *input2]
    split = output_from == "both" or join_mode in ("enrichInput1", "enrichInput2")
    matches = find_matches(
        input1,
        input2,
        pairs,
        equal=fuzzy_compare(bool(options.get("fuzzyCompare"))),
        disable_dot=disable_dot,
        multiple=str(options.get("multipleMatches") or "all"),
        split_each_match=split,
    )
    clash = _clash(ctx)
    suffix = clash.get("resolveClash") == "addSuffix"
    if join_mode in ("keepMatches", "keepEverything"):
        if output_from == "input1":
            out = [entry for entry, _ in matches.matched]
        elif output_from == "input2":
            out = list(matches.matched2)
        elif output_from == "both":
            out = merge_matched(matches.matched, clash, prefer_last_name=prefer_last_name)
        else:
            out = []
        if join_mode == "keepEverything":
            un1, un2 = matches.unmatched1, matches.unmatched2
            if suffix:
                un1, un2 = add_suffix(un1, "1"), add_suffix(un2, "2")
            out = [*out, *un1, *un2]
        return out
    if join_mode == "keepNonMatches":
        if output_from == "input1":
            return matches.unmatched1
        if output_from == "input2":
            return matches.unmatched2
        if output_from == "both":
            return [
                *add_source_field(matches.unmatched1, "input1"),
                *add_source_field(matches.unmatched2, "input2"),
            ]
        return []
    if join_mode in ("enrichInput1", "enrichInput2"):
        merged = merge_matched(matches.matched, clash, join_mode, prefer_last_name=prefer_last_name)
        rest = matches.unmatched1 if join_mode == "enrichInput1" else matches.unmatched2
        if suffix:
            rest = add_suffix(rest, "1" if join_mode == "enrichInput1" else "2")
        return [*merged, *rest]
    return []
