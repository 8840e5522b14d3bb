"""Execute Workflow Trigger (``n8n-nodes-base.executeWorkflowTrigger``, v1 and v1.1): where a
sub-workflow starts; it outputs the items the calling executeWorkflow node sent.

v1 passes every item through. v1.1 has ``inputSource``: ``passthrough`` (all data),
``workflowInputs`` (the fields listed in ``workflowInputs.values``, ``{name, type}``) or
``jsonExample`` (the fields of an example object); with fields, each item keeps only those
(missing ones are ``null``), converted to their type when ``inputOptions.attemptToConvertTypes``
is on. Run by itself (no calling workflow), it emits one empty item, as the manual trigger.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_V11 = (1.1, 1.1)
_TYPES = ("string", "number", "boolean", "array", "object", "any")


class ExecuteWorkflowTrigger(NodeType):
    type_name = "n8n-nodes-base.executeWorkflowTrigger"
    versions = (1, 1.1)
    display_name = "Execute Workflow Trigger"
    description = "Starts the workflow when another workflow calls it"
    is_trigger = True
    params = (
        Param("events", "options", "worklfow_call", ("worklfow_call",)),
        Param(
            "inputSource",
            "options",
            "workflowInputs",
            ("workflowInputs", "jsonExample", "passthrough"),
            versions=_V11,
        ),
        Param("jsonExample", "json", "{}", versions=_V11),
        Param("workflowInputs", "fixedCollection", {}, versions=_V11),
        Param("inputOptions", "collection", {}, versions=_V11),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0) or [{"json": {}}]
        if ctx.version < 1.1:
            return [items]
        source = ctx.param("inputSource", 0, "passthrough")
        if source == "passthrough":
            return [items]
        fields = _fields(ctx, source)
        convert = bool(ctx.param("inputOptions.attemptToConvertTypes", 0, False))
        out = []
        for item in items:
            data = item.get("json") or {}
            shaped = {
                name: _convert(data.get(name), kind) if convert else data.get(name)
                for name, kind in fields
            }
            out.append({**item, "json": shaped})
        return [out]


def _fields(ctx: ExecutionContext, source: str) -> list[tuple[str, str]]:
    if source == "jsonExample":
        raw = ctx.param("jsonExample", 0, "{}")
        try:
            example = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as exc:
            raise ctx.error(f"The parameter 'JSON Example' is not valid JSON: {exc.msg}") from None
        if not isinstance(example, Mapping):
            raise ctx.error("The parameter 'JSON Example' must be a JSON object")
        return [(str(k), _kind_of(v)) for k, v in example.items()]
    values = ctx.param("workflowInputs.values", 0, []) or []
    out = []
    for entry in values:
        if isinstance(entry, Mapping) and entry.get("name"):
            kind = entry.get("type") or "string"
            out.append((str(entry["name"]), kind if kind in _TYPES else "any"))
    return out


def _kind_of(value: Any) -> str:
    if value is None:
        return "any"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _convert(value: Any, kind: str) -> Any:
    """Best-effort conversion (a value that does not convert is kept as it is)."""
    if value is None or kind == "any":
        return value
    try:
        if kind == "string" and not isinstance(value, str):
            if isinstance(value, (list, dict)):
                return json.dumps(value)
            return str(value).lower() if isinstance(value, bool) else str(value)
        if kind == "number" and isinstance(value, str):
            number = float(value)
            return int(number) if number.is_integer() else number
        if kind == "boolean" and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
        if kind in ("array", "object") and isinstance(value, str):
            return json.loads(value)
    except (ValueError, TypeError):
        return value
    return value
