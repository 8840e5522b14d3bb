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
from types import MappingProxyType
from typing import Any

from n8nwork.errors import ExpressionError
from n8nwork.workflow.model import Node
from nodes.builtin._fields import FieldAccess, deep_copy, entries_with_defaults, one_key
from nodes.builtin._jsvalues import is_nan, to_number, truthy
from nodes.builtin._set_fields import (
    INCLUDE_MODES,
    Composer,
    SetFieldError,
    binary_of,
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
_ASSIGNMENT_DEFAULTS = {"name": "", "type": "string", "value": None}
_ATOMS = (str, int, float, bool, type(None))


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
    plan = _plan(ctx)
    mode = plan.mode
    duplicate = plan.duplicate_item and ctx.mode == "manual"
    if plan.simple and not duplicate:
        return _simple_items(ctx, plan)
    assignments = plan.assignments
    values = assignments.values(ctx) if assignments is not None else None
    settled = plan.settled
    ignore = False
    copies = 0
    out: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        if settled is not None:
            options, composer, ignore = settled
        else:
            options = _item_options(ctx, i)
            composer = Composer(ctx, options)
            ignore = truthy(options.get("ignoreConversionErrors"))
        try:
            if mode == "raw":
                new_item = _raw_item(ctx, item, i, plan.raw_data, composer)
            elif assignments is not None:
                new_item = assignments.item(ctx, item, i, ignore, composer, values)
            else:
                new_item = _manual_item(ctx, item, i, options, plan.raw_data, composer)
        except (SetFieldError, ExpressionError) as exc:
            message = exc.message
            if ctx.continue_on_fail:
                new_item = {"json": {"error": message}, "pairedItem": {"item": i}}
            else:
                raise ctx.error(message, item_index=i, description=exc.description) from exc
        if duplicate:
            if not copies:
                copies = int(to_number(ctx.param("duplicateCount", 0, 0)) or 0) + 1
            out.extend(deep_copy(new_item) if n else new_item for n in range(copies))
        else:
            out.append(new_item)
    return out


class _Plan:
    """What a v3 node's parameters decide before any item is looked at: the mode, the raw
    JSON texts, whether items are duplicated, the assignments (v3.3+) and, when none of them
    holds an expression, the options and how items are composed."""

    def __init__(self, ctx: ExecutionContext) -> None:
        mode = ctx.param("mode", 0, "manual")
        if mode not in ("manual", "raw"):
            raise ctx.error(f"The mode '{mode}' is not known", description="Use 'manual' or 'raw'.")
        self.mode: str = mode
        self.raw_data = _raw_data(ctx, mode)
        self.duplicate_item = truthy(ctx.param("duplicateItem", 0, False))
        self.assignments = _Assignments(ctx) if mode == "manual" and ctx.version >= 3.3 else None
        self.settled: tuple[dict[str, Any], Composer, bool] | None = None
        if all(ctx.is_static(n) for n in ("include", "options", "includeOtherFields")):
            options = _item_options(ctx, 0)
            ignore = truthy(options.get("ignoreConversionErrors"))
            self.settled = (options, Composer(ctx, options), ignore)
        # the same for every execution of the node when nothing in it holds an expression
        self.reusable = all(ctx.is_static(n) for n in ("mode", "duplicateItem"))
        # the usual case, done item by item without the general machinery: the values of
        # the assignments are strings and hold the expressions; the names are plain keys (no
        # paths); no binary assignments; the options are static and include all or none of
        # the input fields
        entries = self.assignments.entries if self.assignments is not None else None
        composer = self.settled[1] if self.settled is not None else None
        self.simple = (
            entries is not None
            and self.assignments is not None
            and all(type(v) is str for v in self.assignments.sources)
            and composer is not None
            and composer.include in ("all", "none")
            and composer.fields.dot_notation
            and all(kind != "binary" and one_key(name) for name, kind, _ in entries)
        )
        # for the simple path: (name, type, value index, copy the value: its expression
        # also gives other entries their value) and the indexes of the expressions
        self.fields: list[tuple[str, str, int, bool]] = []
        self.evaluated: list[int] = []
        if self.simple and self.assignments is not None and entries is not None:
            sources = self.assignments.sources
            shared = {v for v in sources if v.startswith("=") and sources.count(v) > 1}
            self.fields = [(name, kind, j, sources[j] in shared) for name, kind, j in entries]
            self.evaluated = [j for j, v in enumerate(sources) if v.startswith("=")]


_PLANS: dict[int, tuple[Node, _Plan]] = {}


def _plan(ctx: ExecutionContext) -> _Plan:
    """The node's plan: made once per node when its parameters are frozen (a parsed workflow's
    are), else for this execution."""
    node = ctx.node
    hit = _PLANS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    plan = _Plan(ctx)
    if plan.reusable and type(node.parameters) is MappingProxyType:
        if len(_PLANS) >= 4096:
            _PLANS.clear()
        _PLANS[id(node)] = (node, plan)
    return plan


def _simple_items(ctx: ExecutionContext, plan: _Plan) -> list[dict[str, Any]]:
    """Edit Fields for the simple plans (see ``_Plan.simple``): the same items as the general
    path (``_Assignments.item`` and ``Composer.compose``), built directly from the columns of
    the values."""
    assert plan.settled is not None and plan.assignments is not None
    entries = plan.assignments.entries
    assert entries is not None
    items = ctx.input(0)
    if not items:
        return []
    columns = ctx.evaluate_columns(plan.assignments.sources, parameter="assignments")
    evaluated = [columns[j] for j in plan.evaluated]
    fields = [(name, kind, columns[j], copy) for name, kind, j, copy in plan.fields]
    _, composer, ignore = plan.settled
    version = plan.assignments.version
    keep = composer.include == "all"
    with_binary = composer.include_binary
    null_ok = version >= 3.2
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        json: dict[str, Any] = deep_copy(item.get("json") or {}) if keep else {}
        try:
            for name, kind, column, copied in fields:
                value = column[i]
                if copied:
                    value = deep_copy(value)
                t = type(value)
                if not (
                    (t is str and kind == "string")
                    or ((t is int or t is float) and kind == "number" and value == value)
                    or (t is bool and kind == "boolean")
                    or (value is None and null_ok)
                ):
                    # what validate_entry keeps as it is was handled above; before the rest
                    # is validated, a failed expression of the item wins (as the whole
                    # collection is evaluated before any entry is validated)
                    for c in evaluated:
                        if type(c[i]) is ExpressionError:
                            raise c[i]
                    value = validate_entry(
                        name, kind, value, i, ignore_errors=ignore, version=version
                    )
                json[name] = value
        except (SetFieldError, ExpressionError) as exc:
            if ctx.continue_on_fail:
                out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                continue
            raise ctx.error(exc.message, item_index=i, description=exc.description) from exc
        new_item: dict[str, Any] = {"json": json, "pairedItem": {"item": i}}
        if with_binary and item.get("binary") is not None:
            new_item["binary"] = dict(item["binary"])
        out.append(new_item)
    return out


def _item_options(ctx: ExecutionContext, i: int) -> dict[str, Any]:
    include = ctx.param("include", i, "all")
    options = dict(ctx.param("options", i, {}) or {})
    if ctx.version >= 3.3:
        include_other = truthy(ctx.param("includeOtherFields", i, False))
        options["include"] = include if include_other else "none"
    else:
        options["include"] = include
    return options


class _Assignments:
    """The v3.3+ ``assignments``. Usually only their values hold expressions: then the names
    and types are read once and the values of all items are evaluated in one engine call.
    Otherwise the whole collection is evaluated per item (or read once when static)."""

    def __init__(self, ctx: ExecutionContext) -> None:
        self.version = ctx.version
        # (name, type, index of the value) per entry, and the values as written
        self.entries: list[tuple[str, str, int]] | None = None
        self.sources: tuple[Any, ...] = ()
        self.dynamic = False
        self.static: list[dict[str, Any]] | None = None
        template = ctx.param_source("assignments")
        if ctx.is_static("assignments"):
            self.static = _assignment_entries(ctx, 0)
        elif _only_values_dynamic(template):
            entries = template["assignments"]
            self.entries = [
                (str(e.get("name", "")), str(e.get("type", "string")), j)
                for j, e in enumerate(entries)
            ]
            self.sources = tuple(e.get("value") for e in entries)
            self.dynamic = True

    def values(self, ctx: ExecutionContext) -> list[Any] | None:
        """The values of the entries for every item (one engine call), if read that way."""
        if not self.dynamic or not ctx.input(0):
            return None
        return ctx.evaluate_all(self.sources, parameter="assignments")

    def item(
        self,
        ctx: ExecutionContext,
        item: dict[str, Any],
        i: int,
        ignore: bool,
        composer: Composer,
        values: list[Any] | None,
    ) -> dict[str, Any]:
        version = self.version
        json_values: dict[str, Any] = {}
        binaries: list[tuple[str, Any]] | None = None
        if values is not None and self.entries is not None:
            row = values[i]
            if type(row) is ExpressionError:
                raise row
            for name, kind, j in self.entries:
                if kind == "binary":
                    if binaries is None:
                        binaries = []
                    binaries.append((name, row[j]))
                    continue
                json_values[name] = validate_entry(
                    name, kind, row[j], i, ignore_errors=ignore, version=version
                )
        else:
            static = self.static
            entries = static if static is not None else _assignment_entries(ctx, i)
            for a in entries:
                kind = a["type"]
                if kind == "binary":
                    if binaries is None:
                        binaries = []
                    binaries.append((str(a["name"]), a["value"]))
                    continue
                name = str(a["name"])
                value = a["value"]
                if static is not None and type(value) not in _ATOMS:
                    value = deep_copy(value)  # each item gets its own
                json_values[name] = validate_entry(
                    name, str(kind), value, i, ignore_errors=ignore, version=version
                )
        new_item = composer.compose(i, item, json_values, ctx)
        if binaries:
            target = new_item.setdefault("binary", {})
            for name, value in binaries:
                target[name] = binary_of(item, value, name, i)
        return new_item


def _only_values_dynamic(template: Any) -> bool:
    """True when ``template`` (the frozen ``assignments`` parameter) is a collection of
    entries in which only the ``value`` fields hold expressions."""
    if not isinstance(template, Mapping):
        return False
    entries = template.get("assignments")
    if not isinstance(entries, tuple) or not all(isinstance(e, Mapping) for e in entries):
        return False
    if any(_has_expression(v) for k, v in template.items() if k != "assignments"):
        return False
    return not any(_has_expression(v) for e in entries for k, v in e.items() if k != "value")


def _has_expression(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    if isinstance(value, Mapping):
        return any(_has_expression(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_expression(v) for v in value)
    return False


def _assignment_entries(ctx: ExecutionContext, i: int) -> list[dict[str, Any]]:
    collection = ctx.param("assignments", i, {}) or {}
    entries = collection.get("assignments") if isinstance(collection, Mapping) else None
    if type(entries) is list:
        for e in entries:
            if type(e) is not dict or "name" not in e or "type" not in e or "value" not in e:
                break
        else:
            return entries  # fresh dicts with every field: nothing to fill in
    return entries_with_defaults(entries, _ASSIGNMENT_DEFAULTS)


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
    raw_data: dict[str, str],
    composer: Composer,
) -> dict[str, Any]:
    if "jsonOutput" in raw_data:
        data = parse_json_parameter(resolve_raw_data(ctx, raw_data["jsonOutput"], i), i)
    else:
        data = parse_json_parameter(ctx.param("jsonOutput", i), i)
    return composer.compose(i, item, data, ctx)


def _manual_item(
    ctx: ExecutionContext,
    item: dict[str, Any],
    i: int,
    options: dict[str, Any],
    raw_data: dict[str, str],
    composer: Composer,
) -> dict[str, Any]:
    """v3 - v3.2: ``fields.values`` with a value per type."""
    ignore = truthy(options.get("ignoreConversionErrors"))
    version = ctx.version
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
    return composer.compose(i, item, new_data, ctx)
