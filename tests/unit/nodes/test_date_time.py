"""Date & Time node: v1 (moment formats, calculate) and v2 (Luxon operations), n8n's outputs."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons

DT = "n8n-nodes-base.dateTime"


def run(
    params: dict[str, Any], data: list[dict[str, Any]] | None = None, version: float = 1, **kw: Any
) -> list[dict[str, Any]]:
    out = execute_one(DT, params, [items(*(data or [{}]))], version=version, **kw)
    assert isinstance(out, list)
    return jsons(out[0])


def one(params: dict[str, Any], version: float = 1, **kw: Any) -> Any:
    return run(params, version=version, **kw)[0]


# ------------------------------------------------------------------------- v1 calculate
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"duration": 10}, "2022-08-11T00:00:00.000Z"),
        ({"duration": 2, "timeUnit": "quarters"}, "2023-02-01T00:00:00.000Z"),
        ({"operation": "subtract", "duration": 2}, "2022-07-30T00:00:00.000Z"),
        ({"duration": 2, "timeUnit": "months"}, "2022-10-01T00:00:00.000Z"),
        (
            {"operation": "subtract", "duration": 2, "timeUnit": "months"},
            "2022-06-01T00:00:00.000Z",
        ),
        ({"duration": 90, "timeUnit": "minutes"}, "2022-08-01T01:30:00.000Z"),
        ({"duration": 1.5, "timeUnit": "days"}, "2022-08-03T00:00:00.000Z"),
    ],
)
def test_v1_calculate(extra: dict[str, Any], expected: str) -> None:
    params = {"action": "calculate", "value": "08/01/2022", "options": {}, **extra}
    assert one(params) == {"data": expected}


def test_v1_calculate_with_strict_from_format_and_errors() -> None:
    params = {
        "action": "calculate",
        "value": "2022-01-12",
        "duration": 1,
        "options": {"fromFormat": "YYYY-DD-MM"},
    }
    assert one(params) == {"data": "2022-12-02T00:00:00.000Z"}
    with pytest.raises(NodeExecutionError, match="From Format"):
        one({**params, "value": "12/01/2022"})
    with pytest.raises(NodeExecutionError, match="Unrecognized date input"):
        one({"action": "calculate", "value": "not a date", "options": {}})


def test_v1_calculate_keeps_input_fields_and_names_the_key_literally() -> None:
    out = run(
        {
            "action": "calculate",
            "value": "2022-08-01T00:00:00Z",
            "duration": 1,
            "dataPropertyName": "a.b",
            "options": {},
        },
        [{"x": 1}],
    )
    assert out == [{"x": 1, "a.b": "2022-08-02T00:00:00.000Z"}]


# --------------------------------------------------------------------------- v1 format
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"value": "08/01/2022", "toFormat": "YYYY/MM/DD", "options": {}}, "2022/08/01"),
        (
            {
                "value": "08/01/2022",
                "toFormat": "YYYY/MM/DD",
                "options": {"fromTimezone": "US/Hawaii"},
            },
            "2022/07/31",
        ),
        (
            {
                "value": "08/01/2022",
                "toFormat": "YYYY/MM/DD",
                "options": {"fromTimezone": "US/Hawaii", "toTimezone": "US/Pacific"},
            },
            "2022/07/31",
        ),
        (
            {
                "value": "08/01/2022",
                "toFormat": "x",
                "options": {"fromTimezone": "US/Hawaii", "toTimezone": "US/Pacific"},
            },
            "1659312000000",
        ),
        (
            {
                "value": "2022-01-12",
                "toFormat": "MM-DD-YYYY",
                "options": {
                    "fromFormat": "YYYY-DD-MM",
                    "fromTimezone": "US/Hawaii",
                    "toTimezone": "US/Pacific",
                },
            },
            "12-01-2022",
        ),
        (
            {"value": "1663801200000", "options": {"fromFormat": "x", "toTimezone": "UTC"}},
            "09/21/2022",
        ),
        ({"value": 1663804800000, "options": {"toTimezone": "UTC"}}, "09/22/2022"),
        ({"value": 1680244261, "toFormat": "YYYY-MM-DD", "options": {}}, "2023-03-31"),
        ({"value": "2023-03-31T06:31:01.000+00:00", "toFormat": "X", "options": {}}, "1680244261"),
        (
            {
                "value": "2022-03-05T14:07:09Z",
                "toFormat": "dddd, MMMM Do YYYY, h:mm:ss a [at] Q",
                "options": {},
            },
            "Saturday, March 5th 2022, 2:07:09 pm at 1",
        ),
        (
            {"value": "2022-03-05T14:07:09Z", "toFormat": "LLLL", "options": {}},
            "Saturday, March 5, 2022 2:07 PM",
        ),
    ],
)
def test_v1_format(params: dict[str, Any], expected: str) -> None:
    # Given the workflow zone n8n's tests use (America/New_York)
    assert one(params, timezone="America/New_York") == {"data": expected}


def test_v1_format_defaults_and_invalid_input() -> None:
    assert one({"options": {"fromFormat": ""}}) == {"data": "01/01/1970"}
    assert one({"value": "garbage", "options": {"fromFormat": "YYYY"}}) == {"data": "Invalid date"}
    with pytest.raises(NodeExecutionError, match="could not be recognized"):
        one({"value": "garbage", "options": {}})


def test_v1_continue_on_fail_gives_error_items() -> None:
    out = execute_one(
        DT,
        {"value": "garbage", "options": {}},
        [items({"a": 1})],
        node_fields={"onError": "continueRegularOutput"},
    )
    assert isinstance(out, list)
    assert jsons(out[0]) == [
        {
            "error": "The date input format could not be recognized. "
            'Please set the "From Format" field'
        }
    ]


# -------------------------------------------------------------------------------- v2
BASE = "2023-04-11T13:51:59.965+00:00"


def test_v2_fixture_chain_in_etc_gmt() -> None:
    tz = {"timezone": "Etc/GMT"}
    added = one({"operation": "addToDate", "magnitude": BASE, "duration": 2}, 2, **tz)
    assert added == {"newDate": "2023-04-13T13:51:59.965+00:00"}
    assert one(
        {"operation": "subtractFromDate", "magnitude": added["newDate"], "duration": 2}, 2, **tz
    ) == {"newDate": BASE}
    assert one({"operation": "formatDate", "date": BASE, "format": "yyyy/MM/dd"}, 2, **tz) == {
        "formattedDate": "2023/04/11"
    }
    assert one({"operation": "roundDate", "date": "2023/04/11", "toNearest": "day"}, 2, **tz) == {
        "roundedDate": "2023-04-11T00:00:00.000+00:00"
    }
    assert one(
        {
            "operation": "getTimeBetweenDates",
            "startDate": BASE,
            "endDate": "2023-04-13T13:51:59.965+00:00",
            "units": ["day"],
        },
        2,
        **tz,
    ) == {"timeDifference": {"days": 2}}
    assert one(
        {"operation": "extractDate", "date": BASE, "part": "hour", "outputFieldName": "date"},
        2,
        **tz,
    ) == {"date": 13}


@pytest.mark.parametrize(
    "value",
    [1682918315906, 1682918315.906, 1682918315, "1682918315906", "1682918315.906", "1682918315"],
)
def test_v2_timestamps(value: Any) -> None:
    params = {
        "operation": "formatDate",
        "date": value,
        "format": "yyyy/MM/dd",
        "outputFieldName": "data",
    }
    assert one(params, 2) == {"data": "2023/05/01"}


def test_v2_null_date_is_passed_through() -> None:
    assert one({"operation": "formatDate", "date": None, "options": {}}, 2) == {
        "formattedDate": None
    }


@pytest.mark.parametrize(
    ("date", "hour"),
    [
        ("2023-04-11T14:30:00", 14),
        ("April 11, 2023 2:30 PM", 14),
        ("2023-04-11T14:30:00+05:00", 5),
        ("2023-04-11 14:30:00", 14),
        ("2023-04-11T14:30:00Z", 10),
    ],
)
def test_v2_naive_times_keep_wall_clock_in_workflow_zone(date: str, hour: int) -> None:
    params = {"operation": "extractDate", "date": date, "part": "hour"}
    assert one(params, 2, timezone="America/New_York") == {"datePart": hour}


def test_v2_operations_and_options() -> None:
    utc = {"timezone": "UTC"}
    assert one(
        {"operation": "addToDate", "magnitude": "2024-01-31", "timeUnit": "months", "duration": 1},
        2,
        **utc,
    ) == {"newDate": "2024-02-29T00:00:00.000Z"}
    assert one(
        {
            "operation": "roundDate",
            "date": "2024-02-10T10:00:00Z",
            "mode": "roundUp",
            "to": "month",
        },
        2,
        **utc,
    ) == {"roundedDate": "2024-03-01T00:00:00.000Z"}
    assert one(
        {"operation": "roundDate", "date": "2024-02-14T10:00:00Z", "toNearest": "week"}, 2, **utc
    ) == {"roundedDate": "2024-02-12T00:00:00.000Z"}
    assert one(
        {
            "operation": "getTimeBetweenDates",
            "startDate": "2024-01-01T00:00:00Z",
            "endDate": "2024-03-15T12:30:00Z",
            "units": ["month", "day", "hour", "minute"],
            "options": {"isoString": True},
        },
        2,
        **utc,
    ) == {"timeDifference": "P2M14DT12H30M"}
    assert one(
        {
            "operation": "getTimeBetweenDates",
            "startDate": "2024-01-02",
            "endDate": "2024-01-01",
            "units": ["day"],
        },
        2,
        **utc,
    ) == {"timeDifference": {"days": -1}}
    assert one(
        {
            "operation": "formatDate",
            "date": "20230411",
            "format": "custom",
            "customFormat": "dd LLL yyyy 'week' W",
            "options": {"fromFormat": "yyyyMMdd"},
        },
        2,
    ) == {"formattedDate": "11 Apr 2023 week 15"}
    assert one(
        {
            "operation": "formatDate",
            "date": "2023-04-11T10:00:00Z",
            "format": "x",
            "options": {"timezone": True},
        },
        2,
    ) == {"formattedDate": "1681207200000"}
    assert one({"operation": "extractDate", "date": "2023-01-01", "part": "week"}, 2) == {
        "datePart": 52
    }


def test_v2_include_input_fields_and_current_date_from_run_clock() -> None:
    out = run(
        {"operation": "getCurrentDate", "options": {"includeInputFields": True}},
        [{"keep": 1}],
        version=2,
    )
    assert out[0]["keep"] == 1 and out[0]["currentDate"].endswith("Z")
    clocked = run(
        {
            "operation": "getCurrentDate",
            "includeTime": False,
            "options": {"timezone": "Asia/Tokyo"},
        },
        version=2,
    )
    assert clocked[0]["currentDate"].endswith("T00:00:00.000+09:00")


def test_v2_errors_name_the_item() -> None:
    with pytest.raises(NodeExecutionError, match="Invalid date format") as err:
        run({"operation": "formatDate", "date": "never"}, [{}, {}], version=2)
    assert err.value.item_index == 0
    with pytest.raises(NodeExecutionError, match="timezone Mars/Base is not valid"):
        one({"operation": "getCurrentDate", "options": {"timezone": "Mars/Base"}}, 2)
