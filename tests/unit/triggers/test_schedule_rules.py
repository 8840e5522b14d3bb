"""Schedule rules: n8n's Schedule Trigger intervals and Cron node modes as slot tables, in the
workflow's time zone, through DST changes and month ends; bad rules name node and rule."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from n8nwork.triggers.schedule_rules import (
    CRON_NODE,
    SCHEDULE_TRIGGER,
    NoRulesError,
    Schedule,
    ScheduleRuleError,
    compile_schedule,
    schedule_trigger_item,
    workflow_timezone,
)

NY = "America/New_York"


def trigger(*intervals: dict[str, Any], tz: str = NY, version: float = 1.2) -> Schedule:
    return compile_schedule(
        SCHEDULE_TRIGGER,
        version,
        {"rule": {"interval": list(intervals)}},
        node="Schedule Trigger",
        node_id="n1",
        workflow_id="wf",
        timezone=tz,
    )


def cron(*items: dict[str, Any], tz: str = NY) -> Schedule:
    return compile_schedule(
        CRON_NODE, 1, {"triggerTimes": {"item": list(items)}}, node="Cron", timezone=tz
    )


def local(schedule: Schedule, start: datetime, count: int) -> list[str]:
    out, current = [], start
    for _ in range(count):
        current = schedule.next_after(current)
        out.append(current.astimezone(schedule.zone).isoformat())
    return out


def at(text: str, tz: str = NY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def test_seconds_and_minutes_step_through_the_clock() -> None:
    every5 = trigger({"field": "seconds", "secondsInterval": 5})
    assert local(every5, at("2024-01-01T10:00:01"), 2) == [
        "2024-01-01T10:00:05-05:00",
        "2024-01-01T10:00:10-05:00",
    ]
    assert every5.next_after(at("2024-01-01T10:00:05")) == at("2024-01-01T10:00:10")  # strictly
    assert every5.next_after(at("2024-01-01T10:00:04.9")) == at("2024-01-01T10:00:05")
    minutes = trigger({"field": "minutes", "minutesInterval": 15})
    second = minutes.rules[0].cron.split()[0]
    assert minutes.rules[0].cron == f"{second} */15 * * * *"
    # n8n's stable second: the same for every scheduler, derived from workflow and node id.
    assert trigger({"field": "minutes"}).rules[0].cron.split()[0] == second


def test_days_weeks_months_follow_n8n_cron_shape() -> None:
    daily = trigger({"field": "days", "triggerAtHour": 9, "triggerAtMinute": 30})
    s = daily.rules[0].cron.split()[0]
    assert daily.rules[0].cron == f"{s} 30 9 * * *"
    assert local(daily, at("2024-01-01T10:00:00"), 1) == [f"2024-01-02T09:30:{int(s):02d}-05:00"]
    weekly = trigger(
        {"field": "weeks", "triggerAtDay": [1, 5], "triggerAtHour": 8, "triggerAtMinute": 0}
    )
    days = [d[:10] for d in local(weekly, at("2024-01-01T09:00:00"), 3)]  # a Monday
    assert days == ["2024-01-05", "2024-01-08", "2024-01-12"]  # Fri, Mon, Fri
    monthly = trigger({"field": "months", "triggerAtDayOfMonth": 31, "monthsInterval": 1})
    ends = [d[:10] for d in local(monthly, at("2024-01-01T00:00:00"), 4)]
    assert ends == ["2024-01-31", "2024-03-31", "2024-05-31", "2024-07-31"]  # no 30-day month
    quarterly = trigger({"field": "months", "monthsInterval": 3, "triggerAtDayOfMonth": 1})
    assert [d[:7] for d in local(quarterly, at("2024-01-01T00:00:00"), 3)] == [
        "2024-01",  # months 1, 4, 7, 10 (the cron step), from the 1st 00:00:<second>
        "2024-04",
        "2024-07",
    ]


def test_every_n_days_and_weeks_are_anchored_on_the_calendar() -> None:
    every3 = trigger({"field": "days", "daysInterval": 3, "triggerAtHour": 6})
    fires = [datetime.fromisoformat(d) for d in local(every3, at("2024-02-20T00:00:00"), 6)]
    gaps = {(b.date() - a.date()).days for a, b in itertools.pairwise(fires)}
    assert gaps == {3}  # also across the month end
    assert all(f.date().toordinal() % 3 == 0 for f in fires)
    fortnightly = trigger({"field": "weeks", "weeksInterval": 2, "triggerAtDay": [2]})
    fires = [datetime.fromisoformat(d) for d in local(fortnightly, at("2024-12-01T00:00:00"), 4)]
    gaps = {(b.date() - a.date()).days for a, b in itertools.pairwise(fires)}
    assert gaps == {14} and {f.weekday() for f in fires} == {1}  # Tuesdays, across the year


def test_dst_spring_forward_and_fall_back() -> None:
    daily = trigger({"field": "days", "triggerAtHour": 2, "triggerAtMinute": 30})
    s = int(daily.rules[0].cron.split()[0])
    # 02:30 does not exist on 2024-03-10 in New York: it fires at the first instant after.
    assert local(daily, at("2024-03-09T12:00:00"), 2) == [
        f"2024-03-10T03:00:{s:02d}-04:00",
        f"2024-03-11T02:30:{s:02d}-04:00",
    ]
    one_thirty = trigger({"field": "days", "triggerAtHour": 1, "triggerAtMinute": 30})
    s = int(one_thirty.rules[0].cron.split()[0])
    # 01:30 happens twice on 2024-11-03: a fixed time fires once.
    assert local(one_thirty, at("2024-11-02T12:00:00"), 2) == [
        f"2024-11-03T01:30:{s:02d}-04:00",
        f"2024-11-04T01:30:{s:02d}-05:00",
    ]
    # An every-30-minutes rule keeps its real-time cadence through both hours 01:xx.
    half = cron({"mode": "custom", "cronExpression": "0 */30 * * * *"})
    fires = [half.next_after(at("2024-11-03T00:45:00"))]
    for _ in range(4):
        fires.append(half.next_after(fires[-1]))
    assert [(b - a) for a, b in itertools.pairwise(fires)] == [timedelta(minutes=30)] * 4
    spring = [half.next_after(at("2024-03-10T01:45:00"))]
    assert spring[0].astimezone(ZoneInfo(NY)).isoformat() == "2024-03-10T03:00:00-04:00"


def test_cron_expressions_five_and_six_fields_and_cron_node_modes() -> None:
    five = trigger({"field": "cronExpression", "expression": "0 15 * * sun"})
    assert five.rules[0].cron == "0 0 15 * * sun"
    six = trigger({"field": "cronExpression", "expression": "*/10 * * * * *"})
    assert local(six, at("2024-01-01T00:00:01"), 2)[1] == "2024-01-01T00:00:20-05:00"
    modes = {
        "everyMinute": {"mode": "everyMinute"},
        "everyHour": {"mode": "everyHour", "minute": 7},
        "everyDay": {"mode": "everyDay", "hour": 14, "minute": 5},
        "everyWeek": {"mode": "everyWeek", "hour": 1, "minute": 2, "weekday": "3"},
        "everyMonth": {"mode": "everyMonth", "hour": 1, "minute": 2, "dayOfMonth": 15},
        "everyX": {"mode": "everyX", "value": 2, "unit": "hours"},
    }
    shapes = {k: cron(v).rules[0].cron.split()[1:] for k, v in modes.items()}
    assert shapes == {
        "everyMinute": ["*", "*", "*", "*", "*"],
        "everyHour": ["7", "*", "*", "*", "*"],
        "everyDay": ["5", "14", "*", "*", "*"],
        "everyWeek": ["2", "1", "*", "*", "3"],
        "everyMonth": ["2", "1", "15", "*", "*"],
        "everyX": ["0", "*/2", "*", "*", "*"],
    }
    both = cron({"mode": "everyMinute"}, {"mode": "custom", "cronExpression": "30 * * * * *"})
    assert len(both.rules) == 2  # the earliest of the rules is the next slot


def test_workflow_timezone_and_latest_slot() -> None:
    assert workflow_timezone({"timezone": "Asia/Tokyo"}, NY) == "Asia/Tokyo"
    assert workflow_timezone({"timezone": "DEFAULT"}, NY) == NY
    assert workflow_timezone(None, NY) == NY
    tokyo = trigger({"field": "days", "triggerAtHour": 9}, tz="Asia/Tokyo")
    assert tokyo.next_after(datetime(2024, 1, 1, tzinfo=UTC)).hour == 0  # 09:00 JST = 00 UTC
    every5 = trigger({"field": "seconds", "secondsInterval": 5})
    assert every5.latest_at_or_before(at("2024-01-01T10:00:07")) == at("2024-01-01T10:00:05")
    assert every5.latest_at_or_before(at("2024-01-01T10:00:05")) == at("2024-01-01T10:00:05")


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ({"field": "hourly"}, "node 'Schedule Trigger', rule 2: 'field' is 'hourly'"),
        ({"field": "seconds", "secondsInterval": 0}, "rule 2 (seconds): 'secondsInterval'"),
        ({"field": "minutes", "minutesInterval": 90}, "'minutesInterval' must be 1-59"),
        ({"field": "days", "triggerAtHour": 24}, "'triggerAtHour' must be 0-23"),
        ({"field": "weeks", "triggerAtDay": ["x"]}, "'triggerAtDay' must be a whole number"),
        ({"field": "cronExpression", "expression": "61 * * * *"}, "invalid cron expression"),
        ({"field": "cronExpression", "expression": "* * *"}, "give 5 fields, or 6"),
        ({"field": "cronExpression", "expression": ""}, "the cron expression is empty"),
        ({"field": "cronExpression", "expression": "={{ $json.x }}"}, "not supported"),
    ],
)
def test_invalid_rules_name_the_node_and_rule(interval: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleRuleError, match="node 'Schedule Trigger'") as info:
        trigger({"field": "seconds"}, interval)
    assert message in str(info.value)
    assert "rule 2" in str(info.value)


def test_other_refusals() -> None:
    with pytest.raises(ScheduleRuleError, match="unknown time zone 'Mars/Base'"):
        trigger({"field": "days"}, tz="Mars/Base")
    with pytest.raises(ScheduleRuleError, match="typeVersion 2"):
        trigger({"field": "days"}, version=2)
    with pytest.raises(NoRulesError, match="node 'Cron': no trigger rule"):
        cron()
    with pytest.raises(ScheduleRuleError, match="trigger time 1 \\(everyX\\): 'unit'"):
        cron({"mode": "everyX", "unit": "days"})
    with pytest.raises(ValueError, match="timezone-aware"):
        trigger({"field": "days"}).next_after(datetime(2024, 1, 1))


def test_schedule_trigger_item_has_n8n_shape() -> None:
    item = schedule_trigger_item(datetime(2024, 3, 1, 17, 4, 9, tzinfo=UTC), "Asia/Kolkata")
    assert item == {
        "timestamp": "2024-03-01T22:34:09.000+05:30",
        "Readable date": "March 1st 2024, 10:34:09 pm",
        "Readable time": "10:34:09 pm",
        "Day of week": "Friday",
        "Year": "2024",
        "Month": "March",
        "Day of month": "01",
        "Hour": "22",
        "Minute": "34",
        "Second": "09",
        "Timezone": "Asia/Kolkata (UTC+05:30)",
    }
    noon = schedule_trigger_item(datetime(2024, 1, 12, 12, 0, tzinfo=UTC), "UTC")
    assert noon["Readable date"] == "January 12th 2024, 12:00:00 pm"
    assert noon["timestamp"] == "2024-01-12T12:00:00.000+00:00"
    assert schedule_trigger_item(datetime(2024, 1, 23, tzinfo=UTC), "UTC")["Readable time"] == (
        "12:00:00 am"
    )
