"""Cron (legacy): starts a workflow at set times (n8n's ``cron`` node, typeVersion 1;
``triggerTimes.item[]`` with modes everyMinute, everyHour, everyDay, everyWeek, everyMonth,
everyX and custom). The scheduler fires it; it emits one empty item, as in n8n."""

from __future__ import annotations

from n8nwork.triggers.schedule_rules import (
    CRON_NODE,
    NoRulesError,
    ScheduleRuleError,
    compile_schedule,
)
from n8nwork.workflow.model import Node
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class Cron(NodeType):
    type_name = CRON_NODE
    versions = (1,)
    display_name = "Cron"
    description = "Triggers the workflow at a specific time."
    is_trigger = True
    params = (
        Param(
            "triggerTimes",
            "fixedCollection",
            {},
            description=(
                "item[]: mode everyMinute|everyHour|everyDay|everyWeek|everyMonth|everyX|custom "
                "with hour, minute, dayOfMonth, weekday, value, unit, cronExpression"
            ),
        ),
    )

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        if not problems:
            try:
                compile_schedule(
                    node.type, node.type_version, node.parameters, node=node.name, timezone="UTC"
                )
            except NoRulesError:
                pass  # n8n accepts a schedule node without rules; it never fires
            except ScheduleRuleError as exc:
                problems.append(str(exc))
        return problems

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        return [items if items else [{"json": {}}]]
