"""Triggers that start workflows from outside a run: schedules (``schedule_rules``: n8n's
Schedule Trigger and legacy Cron node turned into "next fire time after t"; ``scheduler``:
the Ray-free loop that fires each slot of every active schedule exactly once)."""

from __future__ import annotations

from n8nwork.triggers.schedule_rules import (
    CRON_NODE,
    SCHEDULE_NODE_TYPES,
    SCHEDULE_TRIGGER,
    NoRulesError,
    Schedule,
    ScheduleRuleError,
    compile_schedule,
    cron_node_item,
    schedule_trigger_item,
    workflow_timezone,
)

__all__ = [
    "CRON_NODE",
    "SCHEDULE_NODE_TYPES",
    "SCHEDULE_TRIGGER",
    "NoRulesError",
    "Schedule",
    "ScheduleRuleError",
    "compile_schedule",
    "cron_node_item",
    "schedule_trigger_item",
    "workflow_timezone",
]
