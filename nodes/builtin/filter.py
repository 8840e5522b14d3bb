"""Filter (``n8n-nodes-base.filter``): keeps the items that meet conditions, drops the rest.

v1: conditions grouped by data type with ``combineConditions`` AND/OR. v2, 2.1, 2.2: a filter
parameter (see ``_conditions``) with ``looseTypeValidation`` (an option in v2, a parameter from
v2.1) and option ``ignoreCase``. The node has one output (n8n names the dropped items
"Discarded" but gives them no output). With "continue on fail", an item whose conditions fail
to evaluate is dropped.
"""

from __future__ import annotations

import re

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


class Filter(NodeType):
    type_name = "n8n-nodes-base.filter"
    display_name = "Filter"
    description = "Remove items matching a condition."
    versions = (1, 2, 2.1, 2.2)
    params = (
        Param("conditions", "fixedCollection", {}, versions=(1, 1)),
        Param("combineConditions", "options", "AND", options=("AND", "OR"), versions=(1, 1)),
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
        kept = []
        for i, item in enumerate(ctx.input(0)):
            if ctx.version < 2:
                passed = _passes_v1(ctx, i)
            else:
                try:
                    passed = _passes_v2(ctx, i)
                except (NodeExecutionError, ExpressionError):
                    if ctx.continue_on_fail:
                        continue
                    raise
            if passed:
                kept.append(passthrough(item, i))
        return [kept]


def _passes_v1(ctx: ExecutionContext, i: int) -> bool:
    combine = ctx.param("combineConditions", i, "AND")
    try:
        return evaluate_groups(ctx.param("conditions", i, {}), combine == "AND", ctx.timezone)
    except (CompareError, re.error) as exc:
        raise legacy_error(ctx, exc, i) from exc


def _passes_v2(ctx: ExecutionContext, i: int) -> bool:
    loose, ignore_case = node_options(ctx, i, 2.1)
    value = with_node_options(ctx.param("conditions", i, {}), loose=loose, ignore_case=ignore_case)
    return check_filter(ctx, value, i, loose=loose)
