"""Execution Data (``n8n-nodes-base.executionData``): saves key/value pairs on the execution.

For each item, ``dataToSave.values`` (``key``, ``value``) are written to the execution's custom
data, which this node keeps in ``ctx.scope.execution["customData"]`` (a dict the run owns and
persists). n8n's limits apply: at most 10 keys, keys of letters, digits and underscores
truncated to 50 characters, values truncated to 512 characters. In manual runs invalid data
fails the node; in other modes it is skipped. Items pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._fields import entries_with_defaults
from nodes.builtin._jsvalues import is_number, to_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

KV_LIMIT = 10
_KEY_RE = re.compile(r"^[\w]+$", re.UNICODE)
INTERACTIVE_MODES = ("manual",)


class InvalidCustomData(Exception):
    """Raised when a custom data key or value is not acceptable."""


def custom_data(ctx: ExecutionContext) -> MutableMapping[str, str]:
    """The execution's custom data dict (created on first use)."""
    execution = ctx.scope.execution
    data = execution.get("customData")
    if not isinstance(data, MutableMapping):
        if not isinstance(execution, MutableMapping):
            raise NodeExecutionError(
                "The execution does not accept custom data", node=ctx.node.name
            )
        data = {}
        execution["customData"] = data
    return data


def set_custom_value(store: MutableMapping[str, str], key: Any, value: Any) -> None:
    """n8n's ``setWorkflowExecutionMetadata``."""
    if not isinstance(key, str):
        raise InvalidCustomData(f'Custom data keys must be a string (key "{to_string(key)}")')
    if key not in store and len(store) >= KV_LIMIT:
        return
    if not _KEY_RE.match(key) or "\u00b7" in key:
        raise InvalidCustomData(
            f'Custom data key can only contain letters, numbers, and underscores (key "{key}")'
        )
    if not isinstance(value, str) and not is_number(value):
        raise InvalidCustomData(f'Custom data values must be a string (key "{key}")')
    store[key[:50]] = to_string(value)[:512]


class ExecutionData(NodeType):
    type_name = "n8n-nodes-base.executionData"
    display_name = "Execution Data"
    description = "Add execution data for search."
    versions = (1, 1.1)
    params = (
        Param("operation", "options", "save", options=("save",)),
        Param("dataToSave", "fixedCollection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        if ctx.param("operation", 0, "save") != "save":
            return [items]
        out = []
        for i, item in enumerate(items):
            try:
                raw = ctx.param("dataToSave", i, {}) or {}
                entries = entries_with_defaults(raw.get("values"), {"key": "", "value": ""})
                store = custom_data(ctx)
                errors = []
                for entry in entries:
                    value = entry["value"]
                    if not value and ctx.version >= 1.1:
                        value = ""
                    try:
                        set_custom_value(store, entry["key"], value)
                    except InvalidCustomData as exc:
                        errors.append(str(exc))
                if errors and ctx.mode in INTERACTIVE_MODES:
                    raise ctx.error(errors[0], item_index=i)
            except NodeExecutionError as exc:
                if ctx.continue_on_fail:
                    out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                    continue
                raise
            out.append({**item, "pairedItem": {"item": i}})
        return [out]
