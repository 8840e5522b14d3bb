"""Cron (legacy): starts a workflow at set times (n8n's ``cron`` node, typeVersion 1;
``triggerTimes.item[]`` with modes everyMinute, everyHour, everyDay, everyWeek, everyMonth,
everyX and custom). The scheduler fires it; it emits one empty item, as in n8n."""

from __future__ import annotations

from n8nwork.triggers.schedule_rules import CRON_NODE
from nodes.builtin._schedule_node import ScheduleNode
from nodes.sdk import ExecutionContext, NodeResult, Param


class Cron(ScheduleNode):
    type_name = CRON_NODE
    versions = (1,)
    display_name = "Cron"
    description = "Triggers the workflow at a specific time."
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

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        return [items if items else [{"json": {}}]]
