"""Shared steps of the routing nodes (If, Filter, Switch): passing an item on with its lineage,
evaluating a filter parameter for one item with the node's case and type options, and
evaluating first-generation conditions with errors that name the node and item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._conditions import ENABLE_LESS_STRICT, FilterError, execute_filter
from nodes.builtin._conditions_v1 import CompareError
from nodes.sdk import ExecutionContext


def passthrough(item: Mapping[str, Any], item_index: int) -> dict[str, Any]:
    """The input item, unchanged, paired with input item ``item_index``."""
    return {**item, "pairedItem": {"item": item_index}}


def with_node_options(
    value: Any, *, loose: bool | None = None, ignore_case: bool | None = None
) -> Any:
    """A filter value with the node-level options applied (as n8n's editor writes them)."""
    if not isinstance(value, Mapping):
        return value
    options = dict(value.get("options") or {})
    if loose:
        options["typeValidation"] = "loose"
    if ignore_case is not None:
        options["caseSensitive"] = not ignore_case
    return {**value, "options": options}


def check_filter(ctx: ExecutionContext, value: Any, item_index: int, *, loose: bool) -> bool:
    """Evaluate a filter value for one item; type errors become node errors naming the item."""
    try:
        return execute_filter(value, item_index=item_index, zone=ctx.timezone)
    except FilterError as exc:
        description = exc.description or (None if loose else ENABLE_LESS_STRICT)
        raise ctx.error(exc.message, item_index=item_index, description=description) from exc
    except re.error as exc:
        raise ctx.error(f"Invalid regular expression: {exc}", item_index=item_index) from exc


def legacy_error(ctx: ExecutionContext, exc: Exception, item_index: int) -> NodeExecutionError:
    """A node error for a failed first-generation comparison."""
    if isinstance(exc, re.error):
        return ctx.error(f"Invalid regular expression: {exc}", item_index=item_index)
    message = str(exc) if isinstance(exc, CompareError) else repr(exc)
    return ctx.error(message, item_index=item_index)


def node_options(
    ctx: ExecutionContext, item_index: int, loose_since: float
) -> tuple[bool, bool | None]:
    """(loose type validation, ignore case or None) from the node's parameters."""
    options = ctx.param("options", item_index, {}) or {}
    if not isinstance(options, Mapping):
        options = {}
    if ctx.version < loose_since:
        loose = bool(options.get("looseTypeValidation"))
    else:
        loose = bool(ctx.param("looseTypeValidation", item_index, False))
    ignore_case = options.get("ignoreCase")
    return loose, (bool(ignore_case) if ignore_case is not None else None)
