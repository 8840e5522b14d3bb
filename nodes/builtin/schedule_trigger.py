"""Schedule Trigger: starts a workflow on a schedule (n8n's ``scheduleTrigger``, typeVersions
1, 1.1, 1.2). The scheduler (``n8nwork.triggers.scheduler``) computes the slots from the
node's rules and starts each run with the slot's item; run by hand, the node emits the item
for now, in n8n's shape (timestamp, readable date and time, calendar fields, time zone)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from n8nwork.triggers.schedule_rules import (
    SCHEDULE_TRIGGER,
    schedule_trigger_item,
)
from nodes.builtin._schedule_node import ScheduleNode
from nodes.sdk import ExecutionContext, NodeResult, Param


class ScheduleTrigger(ScheduleNode):
    type_name = SCHEDULE_TRIGGER
    versions = (1, 1.1, 1.2)
    display_name = "Schedule Trigger"
    description = "Triggers the workflow on a given schedule."
    params = (
        Param(
            "rule",
            "fixedCollection",
            {"interval": [{"field": "days"}]},
            description=(
                "interval[]: field seconds|minutes|hours|days|weeks|months|cronExpression with "
                "secondsInterval, minutesInterval, hoursInterval, daysInterval, weeksInterval, "
                "monthsInterval, triggerAtDayOfMonth, triggerAtDay, triggerAtHour, "
                "triggerAtMinute, expression"
            ),
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        if items:  # the scheduler's item for the slot
            return [items]
        now_ms = ctx.scope.now_ms
        now = datetime.fromtimestamp((now_ms / 1000.0) if now_ms else time.time(), UTC)
        return [[{"json": schedule_trigger_item(now.replace(microsecond=0), ctx.timezone)}]]
