"""Rename Keys (``n8n-nodes-base.renameKeys``): renames keys of item JSON.

``keys.key`` entries move ``currentKey`` to ``newKey`` (both dotted paths); option
``additionalOptions.regexReplacement.replacements`` renames every key matching a regular
expression (``searchRegex`` -> ``replaceRegex`` with ``$1`` captures), up to a depth
(``options.depth``, -1 = unlimited) and optionally case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from n8nwork.workflow.model import Node
from nodes.builtin._fields import (
    MISSING,
    deep_copy,
    entries_with_defaults,
    get_path,
    set_path,
    unset_path,
)
from nodes.builtin._jsvalues import is_nan, js_regex, js_replace, to_number, to_string, truthy
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class RenameKeys(NodeType):
    type_name = "n8n-nodes-base.renameKeys"
    display_name = "Rename Keys"
    description = "Update item field names."
    params = (
        Param("keys", "fixedCollection", {}),
        Param("additionalOptions", "collection", {}),
    )

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        keys = node.parameters.get("keys")
        if isinstance(keys, Mapping) and not isinstance(keys.get("key", []), (list, tuple)):
            problems.append("parameter 'keys.key' must be a list of {currentKey, newKey}")
        return problems

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        out = []
        for i, item in enumerate(ctx.input(0)):
            keys = entries_with_defaults(
                ctx.param("keys.key", i, []), {"currentKey": "", "newKey": ""}
            )
            replacements = entries_with_defaults(
                ctx.param("additionalOptions.regexReplacement.replacements", i, []),
                {"searchRegex": "", "replaceRegex": "", "options": {}},
            )
            source = item.get("json") or {}
            data = deep_copy(source)
            for key in keys:
                _rename(source, data, to_string(key["currentKey"]), to_string(key["newKey"]))
            for replacement in replacements:
                try:
                    data = _regex_rename(data, replacement)
                except re.error as exc:
                    raise ctx.error(
                        f"Invalid regular expression '{replacement['searchRegex']}': {exc}",
                        item_index=i,
                    ) from exc
            new_item: dict[str, Any] = {"json": data, "pairedItem": {"item": i}}
            if item.get("binary") is not None:
                new_item["binary"] = item["binary"]
            out.append(new_item)
        return [out]


def _rename(source: dict[str, Any], data: dict[str, Any], current: str, new: str) -> None:
    if current == "" or new == "" or current == new:
        return
    value = get_path(source, current)
    if value is MISSING:
        return
    set_path(data, new, deep_copy(value))
    unset_path(data, current)


def _regex_rename(data: Any, replacement: Mapping[str, Any]) -> Any:
    options = replacement.get("options") or {}
    flags = "i" if truthy(options.get("caseInsensitive")) else ""
    pattern = js_regex(to_string(replacement.get("searchRegex")), flags)
    target = to_string(replacement.get("replaceRegex"))
    depth = to_number(options.get("depth")) if options.get("depth") is not None else -1
    if is_nan(depth):
        depth = -1
    return _rename_keys(data, pattern, target, depth)


def _rename_keys(obj: Any, pattern: re.Pattern[str], target: str, depth: float) -> Any:
    if isinstance(obj, list):
        if depth != 0:
            for element in obj:
                _rename_keys(element, pattern, target, depth - 1)
        return obj
    if not isinstance(obj, dict):
        return obj
    for key in list(obj):
        if key not in obj:
            continue
        if isinstance(obj[key], (dict, list)) and depth != 0:
            _rename_keys(obj[key], pattern, target, depth - 1)
        if pattern.search(key):
            new_key = js_replace(pattern, key, target)
            if new_key != key:
                obj[new_key] = obj.pop(key)
    return obj
