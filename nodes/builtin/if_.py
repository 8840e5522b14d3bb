"""If (``n8n-nodes-base.if``): routes each item to output 0 (true) or output 1 (false).

v1: conditions grouped by data type (boolean, dateTime, number, string) with
``combineOperation`` all/any. v2, 2.1, 2.2: a filter parameter (see ``_conditions``), with
``looseTypeValidation`` (an option in v2, a parameter from v2.1) and option ``ignoreCase``.
With "continue on fail", an item whose conditions fail to evaluate goes to the false output.
"""

from __future__ import annotations

import re
from typing import Any

from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.workflow.model import Node
from nodes.builtin._conditions import filter_problems
from nodes.builtin._conditions_v1 import CompareError, evaluate_groups, groups_problems
from nodes.builtin._routing import (
    check_filter,
    legacy_error,
    node_options,
    passthrough,
    with_node_options,
)
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class If(NodeType):
    type_name = "n8n-nodes-base.if"
    display_name = "If"
    description = "Route items to different branches (true/false)."
    versions = (1, 2, 2.1, 2.2)
    outputs = 2
    loop_capable = True
    params = (
        Param("conditions", "fixedCollection", {}, versions=(1, 1)),
        Param("combineOperation", "options", "all", options=("all", "any"), versions=(1, 1)),
        Param("conditions", "filter", {}, versions=(2, 2.2)),
        Param("looseTypeValidation", "boolean", False, versions=(2.1, 2.2)),
        Param("options", "collection", {}, versions=(2, 2.2)),
    )

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        conditions = node.parameters.get("conditions")
        if float(node.type_version) < 2:
            return problems + groups_problems(conditions)
        return problems + filter_problems(conditions, "conditions")

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        if ctx.version < 2:
            return _execute_v1(ctx)
        return _execute_v2(ctx)


def _execute_v1(ctx: ExecutionContext) -> NodeResult:
    true_items: list[dict[str, Any]] = []
    false_items: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        combine = ctx.param("combineOperation", i, "all")
        try:
            passed = evaluate_groups(ctx.param("conditions", i, {}), combine == "all", ctx.timezone)
        except (CompareError, re.error) as exc:
            raise legacy_error(ctx, exc, i) from exc
        (true_items if passed else false_items).append(passthrough(item, i))
    return [true_items, false_items]


def _execute_v2(ctx: ExecutionContext) -> NodeResult:
    true_items: list[dict[str, Any]] = []
    false_items: list[dict[str, Any]] = []
    for i, item in enumerate(ctx.input(0)):
        try:
            loose, ignore_case = node_options(ctx, i, 2.1)
            value = with_node_options(
                ctx.param("conditions", i, {}), loose=loose, ignore_case=ignore_case
            )
            passed = check_filter(ctx, value, i, loose=loose)
        except (NodeExecutionError, ExpressionError):
            if ctx.continue_on_fail:
                false_items.append(passthrough(item, i))
                continue
            raise
        (true_items if passed else false_items).append(passthrough(item, i))
    return [true_items, false_items]
