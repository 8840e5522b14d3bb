"""Luxon inside the isolate, over the Intl polyfill and the host's zoneinfo."""

from __future__ import annotations

import pytest

from n8nwork.expressions import ExpressionEngine
from tests.unit.expressions.conftest import simple_scope

ISO = "2026-08-24T10:30:00.000Z"


def ev(engine: ExpressionEngine, code: str, **kwargs):
    scope = simple_scope([{"json": {"iso": ISO, "millis": 1787567400000}}], **kwargs)
    return engine.evaluate("={{ " + code + " }}", scope, 0)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DateTime.fromISO($json.iso).setZone('UTC').toFormat('MMMM d, yyyy')", "August 24, 2026"),
        ("DateTime.fromMillis($json.millis).setZone('UTC').toISO()", ISO),
        (
            "DateTime.fromISO($json.iso).setZone('America/New_York').toISO()",
            "2026-08-24T06:30:00.000-04:00",
        ),
        (
            "DateTime.fromISO('2026-01-24T10:30:00Z').setZone('America/New_York').toISO()",
            "2026-01-24T05:30:00.000-05:00",
        ),
        (
            "DateTime.fromISO($json.iso).setZone('Asia/Kolkata').toFormat('HH:mm ZZ')",
            "16:00 +05:30",
        ),
        ("DateTime.fromISO($json.iso).setZone('Europe/Berlin').offset", 120),
        ("DateTime.fromISO($json.iso).setZone('America/New_York').toFormat('ZZZZ')", "EDT"),
        (
            "DateTime.fromISO($json.iso).setZone('America/New_York').toLocaleString(DateTime.DATE_F"
            "ULL)",
            "August 24, 2026",
        ),
        (
            "DateTime.fromISO($json.iso).setZone('UTC').toLocaleString(DateTime.DATETIME_MED)",
            "Aug 24, 2026, 10:30 AM",
        ),
        (
            "DateTime.fromISO($json.iso).setZone('UTC').toLocaleString(DateTime.DATE_HUGE)",
            "Monday, August 24, 2026",
        ),
        (
            "DateTime.fromISO($json.iso).setZone('UTC').toLocaleString(DateTime.TIME_SIMPLE)",
            "10:30 AM",
        ),
        ("DateTime.fromISO($json.iso).setZone('UTC').toLocaleString()", "8/24/2026"),
        (
            "DateTime.fromFormat('24/08/2026 10:30', 'dd/MM/yyyy HH:mm', {zone:"
            " 'Europe/Paris'}).toISO()",
            "2026-08-24T10:30:00.000+02:00",
        ),
        (
            "DateTime.fromISO('2026-03-29T00:30:00', {zone: 'Europe/Berlin'}).plus({hours:"
            " 2}).toISO()",
            "2026-03-29T03:30:00.000+02:00",
        ),
        ("DateTime.fromISO($json.iso).minus({days: 1}).toISODate()", "2026-08-23"),
        (
            "DateTime.fromISO($json.iso).diff(DateTime.fromISO('2026-08-23T10:30:00.000Z'),"
            " 'days').days",
            1,
        ),
        (
            "DateTime.fromISO('2026-08-24').diff(DateTime.fromISO('2026-01-01'), ['months',"
            " 'days']).toObject()",
            {"months": 7, "days": 23},
        ),
        (
            "DateTime.fromISO($json.iso).setZone('UTC').startOf('month').toISO()",
            "2026-08-01T00:00:00.000Z",
        ),
        (
            "DateTime.fromISO($json.iso).setZone('UTC').endOf('day').toISO()",
            "2026-08-24T23:59:59.999Z",
        ),
        ("DateTime.fromISO($json.iso).weekday", 1),
        (
            "DateTime.fromISO($json.iso).toRelative({base:"
            " DateTime.fromISO('2026-08-20T10:30:00Z')})",
            "in 4 days",
        ),
        ("Duration.fromObject({hours: 2, minutes: 5}).toHuman()", "2 hours, 5 minutes"),
        (
            "Interval.fromDateTimes(DateTime.fromISO('2026-01-01'),"
            " DateTime.fromISO('2026-01-11')).length('days')",
            10,
        ),
        ("DateTime.fromISO('x').isValid", False),
        ("DateTime.now().setZone('Fantasia/Castle').isValid", False),
        (
            "DateTime.fromRFC2822('Tue, 01 Nov 2016 13:23:12 +0630').toUTC().toISO()",
            "2016-11-01T06:53:12.000Z",
        ),
        (
            "DateTime.fromHTTP('Sun, 06 Nov 1994 08:49:37 GMT').toUTC().toISO()",
            "1994-11-06T08:49:37.000Z",
        ),
        ("DateTime.fromSQL('2017-05-15 09:24:15').toISO()", "2017-05-15T09:24:15.000Z"),
        ("$now.diff($now.minus({ hours: 2 }), 'hours').hours", 2),
    ],
)
def test_luxon(engine: ExpressionEngine, code: str, expected: object) -> None:
    assert ev(engine, code) == expected


def test_workflow_timezone_is_the_default_zone(engine: ExpressionEngine) -> None:
    assert ev(engine, "DateTime.fromISO('2026-08-24T10:30:00').toISO()", timezone="Asia/Tokyo") == (
        "2026-08-24T10:30:00.000+09:00"
    )
    assert ev(engine, "DateTime.local().zoneName", timezone="Asia/Tokyo") == "Asia/Tokyo"
    assert ev(engine, "DateTime.local().zoneName") == "UTC"


def test_many_dates_in_a_zone_over_many_items(engine: ExpressionEngine) -> None:
    items = [{"json": {"ms": 1700000000000 + i * 86400000 * 7}} for i in range(120)]
    scope = simple_scope(items)
    out = engine.evaluate_all(
        "={{ DateTime.fromMillis($json.ms, {zone: 'America/Chicago'}).offset }}", scope
    )
    assert set(out) == {-360, -300}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "(1234.5).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits:"
            " 2})",
            "1,234.50",
        ),
        (
            "(12000).toLocaleString('en-US', {style: 'currency', currency: 'USD',"
            " minimumFractionDigits: 0, maximumFractionDigits: 0})",
            "$12,000",
        ),
        (
            "(123456.789).toLocaleString('de-DE', {style: 'currency', currency: 'EUR'})",
            "123.456,79\u00a0€",
        ),
        ("new Intl.NumberFormat('de-DE').format(123456.789)", "123.456,789"),
        ("new Intl.NumberFormat('en-US', {style: 'percent'}).format(0.256)", "26%"),
        ("(1234.5678).format()", "1,234.568"),
        ("new Intl.NumberFormat().format(-0.5)", "-0.5"),
        (
            "new Date($json.iso).toLocaleTimeString('en-US', {hour: 'numeric', minute: '2-digit',"
            " hour12: true, timeZone: 'UTC'})",
            "10:30 AM",
        ),
        ("new Date($json.iso).toLocaleDateString('en-US', {timeZone: 'UTC'})", "8/24/2026"),
        (
            "new Intl.DateTimeFormat('en-US', {timeZone: 'Asia/Tokyo', hour: '2-digit', minute:"
            " '2-digit', hour12: false}).format(new Date($json.iso))",
            "19:30",
        ),
        (
            "new Intl.DateTimeFormat('en-US', {timeZone: 'UTC', weekday: 'long'}).format(new"
            " Date($json.iso))",
            "Monday",
        ),
        ("Intl.DateTimeFormat().resolvedOptions().timeZone", "UTC"),
        ("Intl.supportedValuesOf('timeZone').includes('Europe/Berlin')", True),
        (
            "new Intl.ListFormat('en', {style: 'long', type: 'conjunction'}).format(['a', 'b',"
            " 'c'])",
            "a, b, and c",
        ),
    ],
)
def test_intl(engine: ExpressionEngine, code: str, expected: object) -> None:
    assert ev(engine, code) == expected


def test_invalid_time_zone_is_a_range_error(engine: ExpressionEngine) -> None:
    assert (
        ev(
            engine,
            "(() => { try { new Intl.DateTimeFormat('en-US', {timeZone: 'Nope/Nope'}); return 'no'"
            " } catch (e) { return e.name } })()",
        )
        == "RangeError"
    )
