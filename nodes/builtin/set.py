"""Set / Edit Fields (``n8n-nodes-base.set``): writes fields on items.

v1/v2 ("Set"): ``values.boolean|number|string`` entries, ``keepOnlySet``, option
``dotNotation`` (v2 turns numeric strings into numbers). v3+ ("Edit Fields"): mode ``manual``
(v3-3.2 ``fields.values`` with a value per type, v3.3+ ``assignments``) or ``raw``
(``jsonOutput``), which input fields to keep (``include`` / ``includeOtherFields``), and
options ``dotNotation``, ``ignoreConversionErrors``, ``includeBinary`` (< 3.4) and
``stripBinary`` (3.4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from n8nwork.errors import ExpressionError
from n8nwork.workflow.model import Node
from nodes.builtin._fields import FieldAccess, deep_copy, entries_with_defaults
from nodes.builtin._jsvalues import is_nan, to_number, truthy
from nodes.builtin._set_fields import (
    INCLUDE_MODES,
    SetFieldError,
    binary_of,
    compose_return_item,
    parse_json_parameter,
    resolve_raw_data,
    validate_entry,
)
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_V1 = (1.0, 2.0)
_V3 = (3.0, 3.4)
_FIELD_DEFAULTS = {
    "name": "",
    "type": "stringValue",
    "stringValue": "",
    "numberValue": "",
    "booleanValue": "true",
    "arrayValue": "",
    "objectValue": "{}",
}
_FIELD_TYPES = ("stringValue", "numberValue", "booleanValue", "arrayValue", "objectValue")
_ASSIGNMENT_TYPES = ("string", "number", "boolean", "array", "object", "binary")


class Set(NodeType):
    type_name = "n8n-nodes-base.set"
    display_name = "Edit Fields (Set)"
    description = "Modify, add, or remove item fields."
    versions = (1, 2, 3, 3.1, 3.2, 3.3, 3.4)
    params = (
        Param("keepOnlySet", "boolean", False, versions=_V1),
        Param("values", "fixedCollection", {}, versions=_V1),
        Param("mode", "options", "manual", options=("manual", "raw"), versions=_V3),
        Param("duplicateItem", "boolean", False, versions=_V3),
        Param("duplicateCount", "number", 0, versions=_V3),
        Param(
            "jsonOutput",
            "json",
            '{\n  "my_field_1": "value",\n  "my_field_2": 1\n}\n',
            versions=_V3,
        ),
        Param("fields", "fixedCollection", {}, versions=(3.0, 3.2)),
        Param("assignments", "assignmentCollection", {}, versions=(3.3, 3.4)),
        Param("includeOtherFields", "boolean", False, versions=(3.3, 3.4)),
        Param("include", "options", "all", options=INCLUDE_MODES, versions=_V3),
        Param("includeFields", "string", "", versions=_V3),
        Param("excludeFields", "string", "", versions=_V3),
        Param("options", "collection", {}),
    )

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        version = float(node.type_version)
        params = node.parameters
        if version < 3:
            values = params.get("values") or {}
            for kind, entries in values.items() if isinstance(values, Mapping) else []:
                if kind not in ("boolean", "number", "string"):
                    problems.append(f"parameter 'values.{kind}': unknown value type")
                elif not isinstance(entries, (list, tuple)):
                    problems.append(f"parameter 'values.{kind}' must be a list")
        elif version < 3.3:
            fields = params.get("fields") or {}
            for i, entry in enumerate(
                fields.get("values") or [] if isinstance(fields, Mapping) else []
            ):
                kind = entry.get("type", "stringValue") if isinstance(entry, Mapping) else None
                if kind not in _FIELD_TYPES:
                    problems.append(
                        f"parameter 'fields.values[{i}].type' is {kind!r}; "
                        f"allowed: {', '.join(_FIELD_TYPES)}"
                    )
        else:
            assignments = params.get("assignments") or {}
            entries = assignments.get("assignments") if isinstance(assignments, Mapping) else None
            for i, entry in enumerate(entries or []):
                kind = entry.get("type", "string") if isinstance(entry, Mapping) else None
                if kind not in _ASSIGNMENT_TYPES:
                    problems.append(
                        f"parameter 'assignments.assignments[{i}].type' is {kind!r}; "
                        f"allowed: {', '.join(_ASSIGNMENT_TYPES)}"
                    )
        return problems

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        if ctx.version < 3:
            return [_execute_v1(ctx)]
        return [_execute_v3(ctx)]


# ------------------------------------------------------------------------------ v1 / v2
def _execute_v1(ctx: ExecutionContext) -> list[dict[str, Any]]:
    items = ctx.input(0) or [{"json": {}}]
    out = []
    for i, item in enumerate(items):
        keep_only_set = truthy(ctx.param("keepOnlySet", i, False))
        options = ctx.param("options", i, {}) or {}
        new_item: dict[str, Any] = {"json": {}, "pairedItem": {"item": i}}
        if not keep_only_set:
            if item.get("binary") is not None:
                new_item["binary"] = dict(item["binary"])
            new_item["json"] = deep_copy(item.get("json") or {})
        fields = FieldAccess(options.get("dotNotation") is not False)
        for kind, default in (("boolean", False), ("number", 0), ("string", "")):
            entries = entries_with_defaults(
                ctx.param(f"values.{kind}", i, []), {"name": "propertyName", "value": default}
            )
            for entry in entries:
                value = entry["value"]
                if kind == "boolean":
                    value = truthy(value)
                elif kind == "number" and ctx.version >= 2 and isinstance(value, str):
                    number = to_number(value)
                    value = value if is_nan(number) else number
                fields.set(new_item["json"], str(entry["name"]), value)
        out.append(new_item)
    return out


# ------------------------------------------------------------------------------ v3+
def _execute_v3(ctx: ExecutionContext) -> list[dict[str, Any]]:
    mode = ctx.param("mode", 0, "manual")
    if mode not in ("manual", "raw"):
        raise ctx.error(f"The mode '{mode}' is not known", description="Use 'manual' or 'raw'.")
    raw_data = _raw_data(ctx, mode)
    duplicate = truthy(ctx.param("duplicateItem", 0, False)) and ctx.mode == "manual"
    out: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        include = ctx.param("include", i, "all")
        options = dict(ctx.param("options", i, {}) or {})
        if ctx.version >= 3.3:
            include_other = truthy(ctx.param("includeOtherFields", i, False))
            options["include"] = include if include_other else "none"
        else:
            options["include"] = include
        try:
            if mode == "raw":
                new_item = _raw_item(ctx, item, i, options, raw_data)
            else:
                new_item = _manual_item(ctx, item, i, options, raw_data)
        except (SetFieldError, ExpressionError) as exc:
            message = exc.message
            if ctx.continue_on_fail:
                new_item = {"json": {"error": message}, "pairedItem": {"item": i}}
            else:
                raise ctx.error(message, item_index=i, description=exc.description) from exc
        copies = int(to_number(ctx.param("duplicateCount", 0, 0)) or 0) + 1 if duplicate else 1
        out.extend(deep_copy(new_item) if n else new_item for n in range(copies))
    return out


def _strip_equals(text: str) -> str:
    return re.sub(r"^=+", "", text)


def _raw_data(ctx: ExecutionContext, mode: str) -> dict[str, str]:
    raw: dict[str, str] = {}
    if mode == "raw":
        json_output = ctx.raw_param("jsonOutput", "")
        if isinstance(json_output, str) and json_output.startswith("="):
            raw["jsonOutput"] = _strip_equals(json_output)
    elif ctx.version < 3.3:
        entries = entries_with_defaults(
            ctx.raw_param("fields.values", []), {**_FIELD_DEFAULTS, "objectValue": "={}"}
        )
        for entry in entries:
            value = entry["objectValue"]
            if entry["type"] == "objectValue" and isinstance(value, str) and value.startswith("="):
                raw[str(entry["name"])] = _strip_equals(value)
    return raw


def _raw_item(
    ctx: ExecutionContext,
    item: dict[str, Any],
    i: int,
    options: dict[str, Any],
    raw_data: dict[str, str],
) -> dict[str, Any]:
    if "jsonOutput" in raw_data:
        data = parse_json_parameter(resolve_raw_data(ctx, raw_data["jsonOutput"], i), i)
    else:
        data = parse_json_parameter(ctx.param("jsonOutput", i), i)
    return compose_return_item(ctx, i, item, data, options)


def _manual_item(
    ctx: ExecutionContext,
    item: dict[str, Any],
    i: int,
    options: dict[str, Any],
    raw_data: dict[str, str],
) -> dict[str, Any]:
    ignore = truthy(options.get("ignoreConversionErrors"))
    version = ctx.version
    if version < 3.3:
        new_data: dict[str, Any] = {}
        for entry in entries_with_defaults(ctx.param("fields.values", i, []), _FIELD_DEFAULTS):
            name, kind = str(entry["name"]), str(entry["type"])
            if kind not in _FIELD_TYPES:
                raise SetFieldError(f"The field type '{kind}' of field '{name}' is not known")
            if kind == "objectValue" and name in raw_data and entry["objectValue"] is not None:
                entry["objectValue"] = parse_json_parameter(
                    resolve_raw_data(ctx, raw_data[name], i), i, name
                )
            new_data[name] = validate_entry(
                name,
                kind.replace("Value", ""),
                entry[kind],
                i,
                ignore_errors=ignore,
                version=version,
            )
        return compose_return_item(ctx, i, item, new_data, options)
    collection = ctx.param("assignments", i, {}) or {}
    assignments = entries_with_defaults(
        collection.get("assignments") if isinstance(collection, Mapping) else [],
        {"name": "", "type": "string", "value": None},
    )
    json_values = {
        str(a["name"]): validate_entry(
            str(a["name"]), str(a["type"]), a["value"], i, ignore_errors=ignore, version=version
        )
        for a in assignments
        if a["type"] != "binary"
    }
    new_item = compose_return_item(ctx, i, item, json_values, options)
    binaries = [a for a in assignments if a["type"] == "binary"]
    if binaries:
        target = new_item.setdefault("binary", {})
        for a in binaries:
            target[str(a["name"])] = binary_of(item, a["value"], str(a["name"]), i)
    return new_item
