"""Switch (``n8n-nodes-base.switch``): routes each item to one of several outputs.

v1: 4 outputs; mode ``expression`` (``output`` gives the index) or ``rules`` (``dataType``,
``value1``, ``rules.rules`` with an ``output`` each, ``fallbackOutput`` -1..3).
v2: mode ``expression`` with ``outputsAmount`` outputs, or ``rules`` with one output per rule.
v3, 3.1, 3.2: ``rules.values`` with filter ``conditions`` (and ``renameOutput``/``outputKey``),
options ``fallbackOutput`` (none / extra / an output index), ``allMatchingOutputs``,
``ignoreCase`` and loose type validation; or mode ``expression`` with ``numberOutputs``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.expressions import is_expression
from n8nwork.workflow.model import Node
from nodes.builtin._conditions import filter_problems
from nodes.builtin._conditions_v1 import (
    DEFAULT_OPERATION,
    DEFAULT_VALUE,
    SWITCH_OPERATIONS,
    CompareError,
    compare,
    convert_datetime,
)
from nodes.builtin._fields import entries_with_defaults
from nodes.builtin._jsvalues import is_nan, to_number, to_string, truthy
from nodes.builtin._routing import (
    check_filter,
    legacy_error,
    node_options,
    passthrough,
    with_node_options,
)
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_DEFAULT_RULE = {
    "conditions": {
        "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict"},
        "conditions": [
            {
                "leftValue": "",
                "rightValue": "",
                "operator": {"type": "string", "operation": "equals"},
            }
        ],
        "combinator": "and",
    }
}


def _literal_int(value: Any, default: int) -> int:
    if isinstance(value, bool) or is_expression(value) or value is None:
        return default
    number = to_number(value)
    return int(number) if not is_nan(number) and number >= 0 else default


class Switch(NodeType):
    type_name = "n8n-nodes-base.switch"
    display_name = "Switch"
    description = "Route items depending on defined expression or rules."
    versions = (1, 2, 3, 3.1, 3.2)
    loop_capable = True
    params = (
        Param("mode", "options", "rules", options=("rules", "expression")),
        Param("output", "any", 0, versions=(1, 2)),
        Param("outputsAmount", "number", 4, versions=(2, 2)),
        Param("dataType", "options", "number", options=tuple(SWITCH_OPERATIONS), versions=(1, 2)),
        Param("value1", "any", None, versions=(1, 2)),
        Param("rules", "fixedCollection", {}, versions=(1, 2)),
        Param("fallbackOutput", "any", -1, versions=(1, 2)),
        Param("numberOutputs", "number", 4, versions=(3, 3.2)),
        Param("output", "any", None, versions=(3, 3.2)),
        Param("rules", "fixedCollection", {"values": [_DEFAULT_RULE]}, versions=(3, 3.2)),
        Param("looseTypeValidation", "boolean", False, versions=(3.1, 3.2)),
        Param("options", "collection", {}, versions=(3, 3.2)),
    )

    def output_count(self, node: Node) -> int:
        params = node.parameters
        version = float(node.type_version)
        mode = params.get("mode", "rules")
        if version < 2:
            return 4
        if version < 3:
            if mode == "expression":
                return _literal_int(params.get("outputsAmount", 4), 4)
            rules = params.get("rules", {})
            return len(rules.get("rules") or []) if isinstance(rules, Mapping) else 0
        if mode == "expression":
            return _literal_int(params.get("numberOutputs", 4), 4)
        rules = params.get("rules", {"values": [_DEFAULT_RULE]})
        count = len(rules.get("values") or []) if isinstance(rules, Mapping) else 0
        options = params.get("options") or {}
        if isinstance(options, Mapping) and options.get("fallbackOutput") == "extra":
            count += 1
        return count

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        version = float(node.type_version)
        rules = node.parameters.get("rules")
        if not isinstance(rules, Mapping) or node.parameters.get("mode") == "expression":
            return problems
        if version < 3:
            data_type = node.parameters.get("dataType", "number")
            allowed = SWITCH_OPERATIONS.get(data_type, ())
            for i, rule in enumerate(rules.get("rules") or []):
                op = rule.get("operation") if isinstance(rule, Mapping) else None
                if isinstance(op, str) and not is_expression(op) and op not in allowed:
                    problems.append(
                        f"parameter 'rules.rules[{i}].operation' is {op!r}; allowed for "
                        f"{data_type}: {', '.join(allowed)}"
                    )
            return problems
        for i, rule in enumerate(rules.get("values") or []):
            if isinstance(rule, Mapping):
                problems += filter_problems(rule.get("conditions"), f"rules.values[{i}].conditions")
        fallback = (node.parameters.get("options") or {}).get("fallbackOutput")
        if (
            isinstance(fallback, str)
            and fallback not in ("none", "extra")
            and not is_expression(fallback)
        ):
            problems.append(
                f"parameter 'options.fallbackOutput' is {fallback!r}; allowed: none, extra or "
                "an output index"
            )
        return problems

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        if ctx.version < 3:
            return _execute_v1_v2(ctx)
        return _execute_v3(ctx)


# ------------------------------------------------------------------------------ v1 / v2
def _index(ctx: ExecutionContext, value: Any, count: int, item_index: int) -> int:
    number = to_number(value) if not isinstance(value, (Mapping, list)) else float("nan")
    if is_nan(number) or number != int(number) or number < 0 or number >= count:
        raise ctx.error(
            f"The ouput {to_string(value)} is not allowed. It has to be between 0 and {count - 1}!",
            item_index=item_index,
        )
    return int(number)


def _execute_v1_v2(ctx: ExecutionContext) -> NodeResult:
    mode = ctx.param("mode", 0, "rules")
    data_type = ctx.param("dataType", 0, "number")
    if ctx.version < 2:
        count = 4
    elif mode == "expression":
        count = _literal_int(ctx.param("outputsAmount", 0, 4), 4)
    else:
        count = len(ctx.param("rules.rules", 0, []) or [])
    outputs: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    for i, item in enumerate(ctx.input(0)):
        try:
            target = _route_v1_v2(ctx, mode, data_type, count, i)
        except (NodeExecutionError, ExpressionError, CompareError, re.error) as exc:
            if ctx.continue_on_fail and outputs:
                message = getattr(exc, "message", str(exc))
                outputs[0].append({"json": {"error": message}, "pairedItem": {"item": i}})
                continue
            if isinstance(exc, (CompareError, re.error)):
                raise legacy_error(ctx, exc, i) from exc
            raise
        if target is not None:
            outputs[target].append(passthrough(item, i))
    return outputs


def _route_v1_v2(
    ctx: ExecutionContext, mode: str, data_type: str, count: int, i: int
) -> int | None:
    if mode == "expression":
        return _index(ctx, ctx.param("output", i, 0), count, i)
    if mode != "rules":
        raise ctx.error(f"The mode '{mode}' is not known", item_index=i)
    if data_type not in SWITCH_OPERATIONS:
        raise ctx.error(f"The data type '{data_type}' is not known", item_index=i)
    value1 = ctx.param("value1", i, DEFAULT_VALUE[data_type])
    if value1 is None:
        value1 = DEFAULT_VALUE[data_type]
    if data_type == "dateTime":
        value1 = convert_datetime(value1, ctx.timezone)
    rules = entries_with_defaults(
        ctx.param("rules.rules", i, []),
        {
            "operation": DEFAULT_OPERATION[data_type],
            "value2": DEFAULT_VALUE[data_type],
            "output": 0,
            "outputKey": "",
        },
    )
    for rule_index, rule in enumerate(rules):
        value2 = rule["value2"]
        if data_type == "dateTime":
            value2 = convert_datetime(value2, ctx.timezone)
        if compare(str(rule["operation"]), value1, value2):
            if ctx.version < 2:
                return _index(ctx, rule["output"], count, i)
            return rule_index
    fallback = ctx.param("fallbackOutput", i, -1)
    if fallback is None or to_number(fallback) == -1:
        return None
    return _index(ctx, fallback, count, i)


# ------------------------------------------------------------------------------ v3
def _check_index(ctx: ExecutionContext, count: int, value: Any, item_index: int) -> int:
    number = to_number(value) if not isinstance(value, (Mapping, list)) else float("nan")
    shown = to_string(value)
    if number == count:
        raise ctx.error(
            f"The ouput {shown} is not allowed. ",
            item_index=item_index,
            description="Output indexes are zero based, if you want to use the extra output use "
            f"{to_string(number - 1)}",
        )
    if is_nan(number) or number < 0 or number > count or number != int(number):
        raise ctx.error(
            f"The ouput {shown} is not allowed",
            item_index=item_index,
            description=f"It has to be between 0 and {count - 1}",
        )
    return int(number)


def _execute_v3(ctx: ExecutionContext) -> NodeResult:
    mode = ctx.param("mode", 0, "rules")
    if mode == "expression":
        count = _literal_int(ctx.param("numberOutputs", 0, 4), 4)
    else:
        count = len(_rules_v3(ctx, 0))
        if count and (ctx.param("options", 0, {}) or {}).get("fallbackOutput") == "extra":
            count += 1
    outputs: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    for i, item in enumerate(ctx.input(0)):
        try:
            targets = _route_v3(ctx, mode, count, i)
        except (NodeExecutionError, ExpressionError) as exc:
            if ctx.continue_on_fail and outputs:
                outputs[0].append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                continue
            raise
        for target in targets:
            outputs[target].append(passthrough(item, i))
    return outputs or [[]]


def _rules_v3(ctx: ExecutionContext, item_index: int) -> list[Any]:
    rules = ctx.param("rules", item_index)
    values = rules.get("values") if isinstance(rules, Mapping) else None
    return list(values) if isinstance(values, (list, tuple)) else []


def _route_v3(ctx: ExecutionContext, mode: str, count: int, i: int) -> list[int]:
    if mode == "expression":
        return [_check_index(ctx, count, ctx.param("output", i), i)]
    if mode != "rules":
        raise ctx.error(f"The mode '{mode}' is not known", item_index=i)
    rules = _rules_v3(ctx, i)
    if not rules:
        return []
    options = ctx.param("options", i, {}) or {}
    loose, ignore_case = node_options(ctx, i, 3.1)
    matches = []
    for rule_index, rule in enumerate(rules):
        conditions = rule.get("conditions", {}) if isinstance(rule, Mapping) else {}
        value = with_node_options(conditions, loose=loose, ignore_case=ignore_case)
        if check_filter(ctx, value, i, loose=loose):
            matches.append(rule_index)
            if not truthy(options.get("allMatchingOutputs")):
                return matches
    fallback = options.get("fallbackOutput")
    if matches or fallback is None or fallback == "none":
        return matches
    if fallback == "extra":
        return [count - 1]
    return [_check_index(ctx, count, fallback, i)]
