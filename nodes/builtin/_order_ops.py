"""Reordering and cutting item lists, shared by Item Lists ("Sort", "Limit") and the Sort and
Limit nodes: sort by fields (case-insensitive strings, lodash ``lt``), at random, or by a
JavaScript comparator (``a``, ``b``) run in the expression engine's isolate; keep the first or
last N items."""

from __future__ import annotations

import functools
import math
import random
import re
from typing import Any

from n8nwork.run.data import Items
from nodes.builtin._item_ops import (
    UNDEFINED,
    get_param,
    getter,
    has_own,
    js_equal,
    lodash_lt,
    to_num,
)

_NESTED_HINT = (
    "If you're trying to use a nested field, make sure you turn off 'disable dot notation' "
    "in the node options"
)
_RETURN = re.compile(r"\breturn\b")


def limit(items: Items, max_items: Any, keep: str) -> Items:
    """The first (or last) ``max_items`` items."""
    number = to_num(max_items)
    if math.isnan(number):
        number = 0
    if number > len(items):
        return list(items)
    count = int(number)
    if keep == "firstItems":
        return list(items[:count]) if count > 0 else []
    start = len(items) - count
    return list(items[start:]) if start >= 0 else list(items)


def sort_items(ctx: Any, items: Items) -> Items:
    """Sort by the node's ``type``: simple (fields), random or code."""
    kind = ctx.param("type", 0)
    if not items:
        return []
    if kind == "random":
        shuffled = list(items)
        random.shuffle(shuffled)
        return shuffled
    if kind == "simple":
        return _sort_simple(ctx, items)
    return sort_by_code(ctx, items)


def _sort_simple(ctx: Any, items: Items) -> Items:
    disable_dot = bool(get_param(ctx, "options.disableDotNotation", 0, False))
    ui = get_param(ctx, "sortFieldsUi", 0, {}) or {}
    fields = ui.get("sortField") if isinstance(ui, dict) else None
    if not fields:
        raise ctx.error("No sorting specified. Please add a field to sort by")
    get = getter(disable_dot)
    for entry in fields:
        name = entry.get("fieldName", "")
        if disable_dot:
            found = any(has_own(item.get("json"), name) for item in items)
        else:
            found = any(get(item.get("json") or {}, name) is not UNDEFINED for item in items)
        if not found and disable_dot and "." in name:
            raise ctx.error(
                f"Couldn't find the field '{name}' in the input data", description=_NESTED_HINT
            )
        if not found:
            raise ctx.error(f"Couldn't find the field '{name}' in the input data")
    plan = [
        (e.get("fieldName", ""), 1 if e.get("order", "ascending") == "ascending" else -1)
        for e in fields
    ]

    def value(item: dict[str, Any], name: str) -> Any:
        found = get(item.get("json") or {}, name)
        return found.lower() if isinstance(found, str) else found

    def order(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, direction in plan:
            va, vb = value(a, name), value(b, name)
            if not js_equal(va, vb):
                return -direction if lodash_lt(va, vb) else direction
        return 0

    return sorted(items, key=functools.cmp_to_key(order))


_CODE_SORT = """
const __items = $input.all();
const __compare = (function (items) {
  var %s;
  return function (a, b) {
%s
  };
})(__items);
const __order = __items.map(function (_, i) { return i; });
__order.sort(function (x, y) { return __compare(__items[x], __items[y]); });
return [{ json: { order: __order } }];
"""
_ASSIGNED = re.compile(r"(?<![.\w$])([A-Za-z_$][\w$]*)\s*=(?![=>])")
_RESERVED = frozenset(
    (
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "let",
        "static",
        "await",
        "implements",
        "package",
        "protected",
        "interface",
        "private",
        "public",
        "arguments",
        "eval",
        "undefined",
        "NaN",
        "Infinity",
        "a",
        "b",
        "items",
    )
)


def _implicit_globals(code: str) -> list[str]:
    """Names the comparator assigns; n8n ran it in sloppy mode, where assigning an undeclared
    name creates a global, so they are declared around the comparator (``fieldName = 'id'``)."""
    names = dict.fromkeys(m.group(1) for m in _ASSIGNED.finditer(code))
    return [n for n in names if n not in _RESERVED] or ["__unused"]


def sort_by_code(ctx: Any, items: Items) -> Items:
    """Sort with the user's comparator body (``a``, ``b``; must ``return``)."""
    code = get_param(ctx, "code", 0, "") or ""
    if not _RETURN.search(code):
        raise ctx.error("Sort code doesn't return. Please add a 'return' statement to your code")
    try:
        engine = ctx.engine
        result = engine.run_code(
            _CODE_SORT % (", ".join(_implicit_globals(code)), code),
            ctx.scope,
            mode="runOnceForAllItems",
            item_index=0,
        )
    except ImportError:
        raise ctx.error(
            "Sorting by code needs the JavaScript engine, which is not installed"
        ) from None
    order = _order_from(result)
    if order is None or sorted(order) != list(range(len(items))):
        raise ctx.error("The sort code did not produce an order of the items")
    return [items[i] for i in order]


def _order_from(result: Any) -> list[int] | None:
    first = result[0] if isinstance(result, list) and result else result
    if isinstance(first, dict):
        data = first.get("json", first)
        order = data.get("order") if isinstance(data, dict) else None
        if isinstance(order, list) and all(isinstance(i, int) for i in order):
            return order
    return None
