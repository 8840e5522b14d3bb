"""Convert to File node: spreadsheets (CSV, HTML, RTF, ODS, XLS, XLSX), JSON, text, base64
and iCalendar files."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons

CTF = "n8n-nodes-base.convertToFile"
EFF = "n8n-nodes-base.extractFromFile"
ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "Ann, B", "tags": ["x", "y"], "meta": {"ok": True}, "note": 'say "hi"'},
    {"id": 2, "extra": None},
]


def run(
    params: dict[str, Any], *data: dict[str, Any], version: float = 1.1, **kw: Any
) -> list[Any]:
    out = execute_one(CTF, params, [items(*data)], version=version, **kw)
    assert isinstance(out, list)
    return out[0]


def file_of(item: dict[str, Any], name: str = "data") -> tuple[dict[str, Any], bytes]:
    entry = item["binary"][name]
    return entry, base64.b64decode(entry["data"])


def test_csv_flattens_quotes_and_adds_bom() -> None:
    out = run({"options": {}}, *ROWS)
    assert len(out) == 1 and out[0]["json"] == {}
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 1}]
    entry, data = file_of(out[0])
    assert entry["fileName"] == "File.csv" and entry["mimeType"] == "text/csv"
    assert data.decode("utf-8") == (
        '\ufeffid,name,tags.0,tags.1,meta.ok,note,extra\n1,"Ann, B",x,y,TRUE,"say ""hi""",\n2,,,,,,'
    )
    custom = run(
        {
            "binaryPropertyName": "f",
            "options": {"delimiter": ";", "headerRow": False, "fileName": "out.csv"},
        },
        {"a": "1;2"},
    )
    entry, data = file_of(custom[0], "f")
    assert entry["fileName"] == "out.csv" and data.decode() == '\ufeff"1;2"'


def test_html_table() -> None:
    entry, data = file_of(run({"operation": "html", "options": {}}, {"a": 1, "b": "x<y"})[0])
    assert entry["mimeType"] == "text/html" and entry["fileName"] == "File.html"
    assert '<td data-t="n" data-v="1" id="sjs-A2">1</td>' in data.decode()
    assert "x&lt;y" in data.decode()


def test_to_json_once_and_each() -> None:
    entry, data = file_of(run({"operation": "toJson", "options": {"format": True}}, {"a": 1})[0])
    assert data.decode() == '[\n  {\n    "a": 1\n  }\n]'
    assert entry["fileName"] == "file.json" and entry["mimeType"] == "application/json"
    each = run(
        {"operation": "toJson", "mode": "each", "options": {"addBOM": True}}, {"a": 1}, {"b": 2}
    )
    assert [file_of(i)[1] for i in each] == [b'\xef\xbb\xbf{"a":1}', b'\xef\xbb\xbf{"b":2}']
    assert [i["pairedItem"] for i in each] == [{"item": 0}, {"item": 1}]


def test_to_text_and_to_binary() -> None:
    entry, data = file_of(
        run(
            {"operation": "toText", "sourceProperty": "t.x", "options": {"encoding": "latin1"}},
            {"t": {"x": "café"}},
        )[0]
    )
    assert data == "café".encode("latin-1") and entry["fileName"] == "file.txt"
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n....").decode()
    entry, data = file_of(
        run({"operation": "toBinary", "sourceProperty": "b", "options": {}}, {"b": png})[0]
    )
    assert entry["mimeType"] == "image/png" and entry["fileName"] == "file.png"
    uri = run(
        {"operation": "toBinary", "sourceProperty": "b", "options": {"fileName": "a.txt"}},
        {"b": "data:text/plain;base64,aGk="},
    )
    entry, data = file_of(uri[0])
    assert data == b"hi" and entry["fileName"] == "a.txt" and entry["mimeType"] == "text/plain"
    raw = run(
        {"operation": "toBinary", "sourceProperty": "b", "options": {"dataIsBase64": False}},
        {"b": "plain text"},
        version=1,
    )
    assert file_of(raw[0])[1] == b"plain text"


def test_errors() -> None:
    with pytest.raises(NodeExecutionError, match='The value in "missing" is not set'):
        run({"operation": "toText", "sourceProperty": "missing", "options": {}}, {"a": 1})
    with pytest.raises(NodeExecutionError, match="not valid base64"):
        run({"operation": "toBinary", "sourceProperty": "b", "options": {}}, {"b": "not base64!"})


# ------------------------------------------------------------------------ office formats
OFFICE = ("xlsx", "xls", "ods", "rtf")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
}
DATA: list[dict[str, Any]] = [
    {"id": 1, "name": "Ann, B", "ok": True, "score": 0.1 + 0.2, "tags": ["x", "y"], "none": None},
    {"id": 2, "name": "=1+2", "ok": False, "note": " two  spaces\nline"},
]


def extract(fmt: str, out: list[dict[str, Any]], **options: Any) -> list[Any]:
    back = execute_one(EFF, {"operation": fmt, "options": options}, [out])
    assert isinstance(back, list)
    return jsons(back[0])


@pytest.mark.parametrize("fmt", OFFICE)
def test_office_formats_round_trip_with_types(fmt: str) -> None:
    out = run({"operation": fmt, "options": {}}, *DATA)
    assert len(out) == 1 and out[0]["json"] == {}
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 1}]
    entry, _ = file_of(out[0])
    assert entry["fileName"] == f"File.{fmt}" and entry["fileExtension"] == fmt
    assert entry["mimeType"] == MIME[fmt] and entry["fileSize"].endswith("B")
    rows = extract(fmt, out)
    # RTF holds display text: General-format numbers (SheetJS writes 0.3 there too).
    score = 0.3 if fmt == "rtf" else 0.1 + 0.2
    assert rows == [
        {"id": 1, "name": "Ann, B", "ok": True, "score": score, "tags.0": "x", "tags.1": "y"},
        {"id": 2, "name": "=1+2", "ok": False, "note": " two  spaces\nline"},
    ]


@pytest.mark.parametrize("fmt", OFFICE)
def test_office_options(fmt: str) -> None:
    out = run(
        {
            "operation": fmt,
            "binaryPropertyName": "sheet",
            "options": {"headerRow": False, "fileName": "report.bin", "sheetName": "Data"},
        },
        {"a": "x", "b": 2},
        {"a": "y"},
    )
    entry, _ = file_of(out[0], "sheet")
    assert entry["fileName"] == "report.bin"
    back = execute_one(
        EFF,
        {"operation": fmt, "binaryPropertyName": "sheet", "options": {"headerRow": False}},
        [out],
    )
    assert isinstance(back, list)
    assert jsons(back[0]) == [{"row": ["x", 2]}, {"row": ["y"]}]
    if fmt != "rtf":
        named = extract(fmt, [{"json": {}, "binary": {"data": entry}}], sheetName="Data")
        assert named == [{"x": "y"}]


def test_xlsx_and_ods_compression_and_sheet_name() -> None:
    for fmt in ("xlsx", "ods"):
        for compression, kind in ((False, zipfile.ZIP_STORED), (True, zipfile.ZIP_DEFLATED)):
            out = run({"operation": fmt, "options": {"compression": compression}}, {"a": 1})
            _, data = file_of(out[0])
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kinds = {i.filename: i.compress_type for i in archive.infolist()}
            assert kinds.pop("mimetype", zipfile.ZIP_STORED) == zipfile.ZIP_STORED
            assert set(kinds.values()) == {kind}
    _, data = file_of(run({"operation": "xlsx", "options": {"sheetName": "Mine"}}, {"a": 1})[0])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert 'name="Mine"' in archive.read("xl/workbook.xml").decode()


def test_rtf_matches_sheetjs_bytes() -> None:
    _, data = file_of(run({"operation": "rtf", "options": {}}, {"a": 1, "b": "x y"}, {"a": 2.5})[0])
    assert data == (
        b"{\\rtf1\\ansi"
        b"\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl a\\cell b\\cell\\pard\\intbl\\row"
        b"\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl 1\\cell x y\\cell\\pard\\intbl\\row"
        b"\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl 2.5\\cell \\cell\\pard\\intbl\\row}"
    )
    # Characters RTF reserves are escaped, so the file stays valid.
    _, data = file_of(run({"operation": "rtf", "options": {}}, {"t": "é {x} \\"})[0])
    assert b"\\u233? \\{x\\} \\\\" in data
    assert extract("rtf", run({"operation": "rtf", "options": {}}, {"t": "é {x} \\"})) == [
        {"t": "é {x} \\"}
    ]


def test_csv_and_html_use_general_number_format() -> None:
    _, data = file_of(run({"options": {}}, {"big": 123456789012345, "f": 0.1 + 0.2})[0])
    assert data.decode("utf-8") == "\ufeffbig,f\n1.23457E+14,0.3"
    _, html = file_of(run({"operation": "html", "options": {}}, {"f": 0.1 + 0.2, "n": None})[0])
    text = html.decode()
    assert 'data-v="0.30000000000000004" id="sjs-A2">0.3</td>' in text
    assert '<td data-t="z" id="sjs-B2"></td>' in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sheetName": "a/b"}, r"Sheet name cannot contain : \\ / \? \* \[ \]"),
        ({"sheetName": "x" * 32}, "Sheet name cannot exceed 31 chars"),
        ({"sheetName": "History"}, "Sheet name cannot be 'History'"),
    ],
)
def test_bad_sheet_names_fail_naming_the_node(options: dict[str, Any], message: str) -> None:
    with pytest.raises(NodeExecutionError, match=message) as info:
        run({"operation": "xlsx", "options": options}, {"a": 1})
    assert info.value.node == "Node"
    out = run(
        {"operation": "ods", "options": options},
        {"a": 1},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert re.search(message, out[0]["json"]["error"])
    assert out[0]["pairedItem"] == [{"item": 0}]


def test_xls_limits_and_long_text() -> None:
    with pytest.raises(NodeExecutionError, match="exceeds format limit A1:IV65536"):
        run({"operation": "xls", "options": {}}, {f"c{i}": i for i in range(300)})
    with pytest.raises(NodeExecutionError, match="must not exceed 32767 characters"):
        run({"operation": "xlsx", "options": {}}, {"t": "x" * 40000})


# ------------------------------------------------------------------------ iCalendar
def ics_of(item: dict[str, Any], name: str = "data") -> str:
    entry, data = file_of(item, name)
    assert entry["mimeType"] == "text/calendar" and entry["fileExtension"] == "ics"
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:X", data.decode())


def test_ical_matches_n8n_icalendar_test() -> None:
    out = run(
        {
            "operation": "iCal",
            "title": "new event",
            "start": "2023-02-27T22:00:00.000Z",
            "end": "2023-02-27T22:00:00.000Z",
            "allDay": True,
            "additionalFields": {
                "attendeesUi": {
                    "attendeeValues": [{"name": "Person", "email": "person1@email.com"}]
                },
                "calName": "default",
                "uid": "test-uid",
            },
        },
        {},
    )
    entry, _ = file_of(out[0])
    assert entry["fileName"] == "event.ics" and entry["fileType"] == "text"
    assert entry["fileSize"] == "346 B" and out[0]["pairedItem"] == {"item": 0}
    assert ics_of(out[0]) == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nPRODID:adamgibbons/ics\r\n"
        "METHOD:PUBLISH\r\nX-WR-CALNAME:default\r\nX-PUBLISHED-TTL:PT1H\r\nBEGIN:VEVENT\r\n"
        "UID:test-uid\r\nSUMMARY:new event\r\nDTSTAMP:X\r\nDTSTART;VALUE=DATE:20230227\r\n"
        "DTEND;VALUE=DATE:20230228\r\n"
        "ATTENDEE;RSVP=FALSE;CN=Person:mailto:person1@email.com\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_ical_fields_escaping_and_per_item_output() -> None:
    out = run(
        {
            "operation": "iCal",
            "title": "={{ $json.title }}",
            "start": "2024-01-03T10:00:00",
            "end": "2024-01-03T11:30:00+01:00",
            "binaryPropertyName": "cal",
            "additionalFields": {
                "description": "line1\nline2, more; x",
                "location": "Room, 1",
                "url": "https://example.com",
                "status": "CONFIRMED",
                "busyStatus": "BUSY",
                "sequence": 2,
                "recurrenceRule": "FREQ=WEEKLY;COUNT=3",
                "fileName": "meeting.ics",
                "organizerUi": {"organizerValues": {"name": "O", "email": "o@x.com"}},
                "geolocationUi": {"geolocationValues": {"lat": 1.5, "lon": 2.25}},
            },
        },
        {"title": "Meeting; a:b"},
        {"title": "Second"},
    )
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]
    assert out[0]["binary"]["cal"]["fileName"] == "meeting.ics"
    text = ics_of(out[0], "cal")
    for line in (
        "SUMMARY:Meeting\\; a:b",
        "DTSTART:20240103T100000Z",
        "DTEND:20240103T103000Z",
        "SEQUENCE:2",
        "DESCRIPTION:line1\\nline2\\, more\\; x",
        "URL:https://example.com",
        "GEO:1.5;2.25",
        "LOCATION:Room\\, 1",
        "STATUS:CONFIRMED",
        "ORGANIZER;CN=O:mailto:o@x.com",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "RRULE:FREQ=WEEKLY;COUNT=3",
    ):
        assert f"\r\n{line}\r\n" in text
    assert "SUMMARY:Second" in ics_of(out[1], "cal")
    uids = {re.search(r"UID:(.*)\r", ics_of(i, "cal")).group(1) for i in out}  # type: ignore[union-attr]
    assert len(uids) == 2
    parsed = extract("fromIcs", [{"json": {}, "binary": {"data": out[0]["binary"]["cal"]}}])
    event = parsed[0]["data"]["events"][0]
    assert event["summary"] == "Meeting; a:b" and event["location"] == "Room, 1"
    assert event["start"] == {"date": "2024-01-03T10:00:00.000Z", "type": "DATE-TIME"}


def test_ical_folds_long_lines_and_uses_workflow_timezone() -> None:
    text = ics_of(
        run(
            {
                "operation": "iCal",
                "title": "x" * 100,
                "start": "2024-07-01T09:00:00",
                "end": "2024-07-01T10:00:00",
                "additionalFields": {"useWorkflowTimezone": True},
            },
            {},
            timezone="Europe/Berlin",
        )[0]
    )
    assert "SUMMARY:" + "x" * 67 + "\r\n\t" + "x" * 33 + "\r\n" in text
    assert "DTSTART:20240701T070000Z" in text and "DTEND:20240701T080000Z" in text


def test_ical_errors_name_node_and_item() -> None:
    params = {"operation": "iCal", "start": "={{ $json.start }}", "end": "", "allDay": False}
    with pytest.raises(NodeExecutionError, match="is not a valid date") as info:
        run(params, {"start": "2024-01-01T00:00:00Z"}, {"start": "not a date"})
    assert info.value.node == "Node" and info.value.item_index == 1
    out = run(
        params,
        {"start": "2024-01-01T00:00:00Z"},
        {"start": "not a date"},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert "binary" in out[0] and "not a valid date" in out[1]["json"]["error"]
    assert out[1]["pairedItem"] == {"item": 1}
