"""Extract from File node: spreadsheets (CSV, HTML, RTF, ODS, XLS, XLSX), JSON, text, XML,
iCalendar and base64."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
import pytest
import xlwt

from n8nwork.binary import prepare_binary
from n8nwork.errors import NodeExecutionError
from nodes.builtin._sheet import write_spreadsheet
from nodes.sdk.testing import execute_one, jsons

EFF = "n8n-nodes-base.extractFromFile"


def file_item(
    data: bytes, name: str = "data", json: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    return {"json": json or {}, "binary": {name: prepare_binary(data, **kw)}}


def run(params: dict[str, Any], *data: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    out = execute_one(EFF, params, [list(data)], **kw)
    assert isinstance(out, list)
    return out[0]


CSV = '\ufeffid,name,empty\n1,"Ann, B",\n2,"say ""hi""",x\n'.encode()


def test_csv_rows_keep_bom_and_drop_empty_cells() -> None:
    assert jsons(run({"options": {}}, file_item(CSV))) == [
        {"\ufeffid": "1", "name": "Ann, B"},
        {"\ufeffid": "2", "name": 'say "hi"', "empty": "x"},
    ]
    out = jsons(
        run(
            {"options": {"enableBOM": True, "includeEmptyCells": True, "maxRowCount": 1}},
            file_item(CSV),
        )
    )
    assert out == [{"id": "1", "name": "Ann, B", "empty": ""}]
    rows = jsons(
        run(
            {"options": {"headerRow": False, "delimiter": ";", "fromLine": 2}},
            file_item(b"x;y\n1;2\n"),
        )
    )
    assert rows == [{"row": ["1", "2"]}]
    with pytest.raises(NodeExecutionError, match="Invalid Record Length"):
        run({"options": {}}, file_item(b"a,b\n1\n", file_name="x.csv"))
    with pytest.raises(NodeExecutionError, match="not in csv format") as info:
        run({"options": {}}, file_item(b"a,b\n1\n", file_name="x.txt"))
    assert info.value.description == (
        "Try to change the operation or select a csv file in 'Input Binary Field'"
    )


def test_html_table_typed_cells() -> None:
    html = (
        b"<table><tr><th>n</th><th>s</th><th>b</th></tr>"
        b"<tr><td>2</td><td>x</td><td>TRUE</td></tr></table>"
    )
    assert jsons(run({"operation": "html", "options": {}}, file_item(html))) == [
        {"n": 2, "s": "x", "b": True}
    ]


def test_json_text_xml_and_base64() -> None:
    item = file_item(b'{"a": [1]}', json={"keep": 1}, file_name="x.json")
    assert jsons(run({"operation": "fromJson", "options": {}}, item)) == [{"data": {"a": [1]}}]
    kept = run(
        {"operation": "fromJson", "destinationKey": "out.v", "options": {"keepSource": "both"}},
        item,
    )
    assert kept[0]["json"] == {"keep": 1, "out": {"v": {"a": [1]}}} and "data" in kept[0]["binary"]
    assert jsons(run({"operation": "text", "options": {}}, file_item("\ufeffhé".encode()))) == [
        {"data": "hé"}
    ]
    assert jsons(
        run(
            {"operation": "text", "options": {"encoding": "latin1", "stripBOM": False}},
            file_item("hé".encode("latin-1")),
        )
    ) == [{"data": "hé"}]
    assert jsons(run({"operation": "xml", "options": {}}, file_item(b"<a/>"))) == [{"data": "<a/>"}]
    assert jsons(run({"operation": "binaryToPropery", "options": {}}, file_item(b"hi"))) == [
        {"data": base64.b64encode(b"hi").decode()}
    ]
    assert run({"operation": "text", "options": {}}, {"json": {"no": "binary"}}) == []


def test_errors() -> None:
    with pytest.raises(NodeExecutionError, match="not in JSON format"):
        run({"operation": "fromJson", "options": {}}, file_item(b"{nope"))
    with pytest.raises(NodeExecutionError, match="No binary data exists on item"):
        run({"options": {}}, {"json": {}})
    with pytest.raises(NodeExecutionError, match='"pdf" is not supported'):
        run({"operation": "pdf", "options": {}}, file_item(b"x"))


# ------------------------------------------------------------------------ spreadsheets
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_file() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "First"
    ws.append(["Date", "Count", "Ok", "Name", "Err", "Null", "Sum", "dup", "dup", None])
    ws.append([datetime(2026, 7, 2), 42, True, "a", "#DIV/0!", "#NULL!", "=B2*2", "x", "y", "z"])
    ws["E2"].data_type = "e"
    ws["F2"].data_type = "e"
    ws["A2"].number_format = "yyyy/mm/dd"
    ws.append([datetime(2026, 7, 3, 12), 43.5, False, None])
    ws.append([])
    ws.append([None, 7])
    other = book.create_sheet("Other")
    other["B3"] = "k"
    other["C3"] = "v"
    other["B4"] = "a"
    other["C4"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_file() -> bytes:
    book = xlwt.Workbook()
    ws = book.add_sheet("Sheet1")
    for c, value in enumerate(["Date", "Count", "Ok", "Name"]):
        ws.write(0, c, value)
    ws.write(1, 0, 46205, xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(1, 1, 42)
    ws.write(1, 2, True)
    ws.write(1, 3, "a")
    ws.write(2, 1, 1.5)
    book.add_sheet("Second").write(0, 0, "only")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
  xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
  xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
  xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
  office:version="1.2">
 <office:automatic-styles>
  <number:date-style style:name="N1"><number:year/></number:date-style>
  <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
 </office:automatic-styles>
 <office:body><office:spreadsheet>
  <table:table table:name="Data">
   <table:table-header-rows><table:table-row>
    <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Value</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>When</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Flag</text:p></table:table-cell>
   </table:table-row></table:table-header-rows>
   <table:table-row>
    <table:table-cell office:value-type="string"><text:p>a<text:s text:c="2"/>b</text:p>
     <text:p>second<text:tab/>line</text:p>
     <office:annotation><text:p>note</text:p></office:annotation></table:table-cell>
    <table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%</text:p>
    </table:table-cell>
    <table:table-cell office:value-type="date" office:date-value="2024-01-03T12:00:00">
     <text:p>03/01/2024</text:p></table:table-cell>
    <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p>
    </table:table-cell>
   </table:table-row>
   <table:table-row table:number-rows-repeated="2">
    <table:table-cell office:value-type="float" office:value="7" table:number-columns-repeated="2">
     <text:p>7</text:p></table:table-cell>
    <table:table-cell office:value-type="float" office:value="45294" table:style-name="ce1">
     <text:p>2024</text:p></table:table-cell>
    <table:table-cell office:value-type="string" calcext:value-type="error">
     <text:p>#N/A</text:p></table:table-cell>
   </table:table-row>
   <table:table-row table:number-rows-repeated="1048570"><table:table-cell
     table:number-columns-repeated="16384"/></table:table-row>
  </table:table>
  <table:table table:name="Empty"/>
 </office:spreadsheet></office:body>
</office:document-content>"""


def ods_file(content: str = ODS_CONTENT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


# What SheetJS (n8n's library) writes for [{"a": 1, "b": "x"}, {"a": "TRUE", "b": "1,234"}].
SHEETJS_RTF = (
    b"{\\rtf1\\ansi\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl a\\cell b\\cell"
    b"\\pard\\intbl\\row\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl 1\\cell x\\cell"
    b"\\pard\\intbl\\row\\trowd\\trautofit1\\cellx1\\cellx2\\pard\\intbl TRUE\\cell 1,234\\cell"
    b"\\pard\\intbl\\row}"
)


def test_xlsx_types_like_sheetjs() -> None:
    item = file_item(xlsx_file(), file_name="book.xlsx")
    assert jsons(run({"operation": "xlsx", "options": {}}, item)) == [
        # Dates stay Excel serial numbers, #NULL! is null, other errors and formulas
        # without a cached value are left out, duplicate and empty headers get names.
        {"Date": 46205, "Count": 42, "Ok": True, "Name": "a", "Null": None, "dup": "x",
         "dup_1": "y", "__EMPTY": "z"},
        {"Date": 46206.5, "Count": 43.5, "Ok": False},
        {"Count": 7},
    ]  # fmt: skip
    rows = jsons(run({"operation": "xlsx", "options": {"includeEmptyCells": True}}, item))
    assert rows[1] == {
        "Date": 46206.5, "Count": 43.5, "Ok": False, "Name": "", "Err": "", "Null": "",
        "Sum": "", "dup": "", "dup_1": "", "__EMPTY": "",
    }  # fmt: skip
    # Blank rows stay out even with empty cells filled in (SheetJS's sheet_to_json).
    assert len(rows) == 3 and rows[2]["Count"] == 7 and rows[2]["Date"] == ""


def test_xlsx_sheet_range_and_header_options() -> None:
    item = file_item(xlsx_file(), file_name="book.xlsx")
    assert jsons(run({"operation": "xlsx", "options": {"sheetName": "Other"}}, item)) == [
        {"k": "a", "v": 1}
    ]
    assert jsons(
        run({"operation": "xlsx", "options": {"range": "B1:C3", "rawData": True}}, item)
    ) == [{"Count": 42, "Ok": True}, {"Count": 43.5, "Ok": False}]
    # A numeric range is the (0-based) header row.
    assert jsons(run({"operation": "xlsx", "options": {"range": 2}}, item))[0]["43.5"] == 7
    rows = jsons(run({"operation": "xlsx", "options": {"headerRow": False}}, item))
    assert rows[2] == {"row": [46206.5, 43.5, False]}
    assert rows[3] == {"row": []} and rows[4] == {"row": [None, 7]}
    with pytest.raises(NodeExecutionError, match='does not contain sheet called "Nope"'):
        run({"operation": "xlsx", "options": {"sheetName": "Nope"}}, item)


def test_xls_reads_serial_dates_and_sheets() -> None:
    item = file_item(xls_file(), file_name="book.xls")
    assert jsons(run({"operation": "xls", "options": {}}, item)) == [
        {"Date": 46205, "Count": 42, "Ok": True, "Name": "a"},
        {"Count": 1.5},
    ]
    assert jsons(
        run({"operation": "xls", "options": {"sheetName": "Second", "headerRow": False}}, item)
    ) == [{"row": ["only"]}]


def test_ods_cells_repeats_dates_and_text() -> None:
    item = file_item(ods_file(), file_name="sheet.ods")
    assert jsons(run({"operation": "ods", "options": {}}, item)) == [
        {"Name": "a  b\nsecond\tline", "Value": 0.25, "When": "2024-01-03T12:00:00.000Z",
         "Flag": True},
        {"Name": 7, "Value": 7, "When": "2024-01-03T00:00:00.000Z"},
        {"Name": 7, "Value": 7, "When": "2024-01-03T00:00:00.000Z"},
    ]  # fmt: skip
    assert run({"operation": "ods", "options": {"sheetName": "Empty"}}, item) == []
    flat = file_item(ODS_CONTENT.encode(), file_name="sheet.fods")
    assert len(run({"operation": "ods", "options": {}}, flat)) == 3


def test_rtf_reads_sheetjs_tables() -> None:
    item = file_item(SHEETJS_RTF, file_name="t.rtf")
    assert jsons(run({"operation": "rtf", "options": {}}, item)) == [
        {"a": 1, "b": "x"},
        {"a": True, "b": 1234},
    ]
    word = (
        b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\*\\generator Test;}"
        b"\\trowd\\cellx100\\cellx200\\intbl{\\b n}\\cell \\'e9t\\'e9\\cell\\row"
        b"\\trowd\\cellx100\\cellx200\\intbl 12%\\cell \\u8364?\\line x\\cell\\row}"
    )
    assert jsons(run({"operation": "rtf", "options": {}}, file_item(word, file_name="w.rtf"))) == [
        {"n": 0.12, "été": "€\nx"}
    ]


def test_html_uses_shared_sheet_to_json() -> None:
    html = (
        b"<table><tr><th></th><th>a</th><th>a</th><th colspan=2>c</th><th>e</th></tr>"
        b"<tr><td>1</td><td>x</td><td>y</td><td>z</td><td>w</td><td>3</td></tr></table>"
    )
    assert jsons(run({"operation": "html", "options": {}}, file_item(html))) == [
        {"__EMPTY": 1, "a": "x", "a_1": "y", "c": "z", "__EMPTY_1": "w", "e": 3}
    ]
    assert jsons(run({"operation": "html", "options": {"rawData": True}}, file_item(html))) == [
        {"__EMPTY": "1", "a": "x", "a_1": "y", "c": "z", "__EMPTY_1": "w", "e": "3"}
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods", "rtf"])
def test_corrupt_files_fail_clearly(fmt: str) -> None:
    with pytest.raises(NodeExecutionError) as info:
        run(
            {"operation": fmt, "options": {}},
            file_item(write_spreadsheet([{"a": 1}], fmt, {}), file_name=f"ok.{fmt}"),
            file_item(b"garbage", file_name=f"x.{fmt}"),
        )
    assert info.value.node == "Node" and info.value.item_index == 1
    assert fmt.upper() in info.value.message or "RTF missing table" in info.value.message
    with pytest.raises(NodeExecutionError, match=f"is not in {fmt} format") as info:
        run({"operation": fmt, "options": {}}, file_item(b"garbage", file_name="x.txt"))
    assert info.value.item_index == 0
    out = run(
        {"operation": fmt, "options": {}},
        file_item(b"garbage", file_name="x.txt"),
        node_fields={"onError": "continueRegularOutput"},
    )
    assert out == [
        {
            "json": {"error": f"The file selected in 'Input Binary Field' is not in {fmt} format"},
            "pairedItem": {"item": 0},
        }
    ]


def test_wrong_binary_property_names_the_item() -> None:
    with pytest.raises(NodeExecutionError, match=r"binary file 'nope'.*\[item 1\]") as info:
        run(
            {"operation": "xlsx", "binaryPropertyName": "nope", "options": {}},
            file_item(xlsx_file(), name="nope", file_name="a.xlsx"),
            file_item(xlsx_file(), file_name="a.xlsx"),
        )
    assert info.value.node == "Node" and info.value.item_index == 1


# ------------------------------------------------------------------------ iCalendar
ICS = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:DAVx5/4.4.2-ose ical4j/3.2.19",
        "BEGIN:VEVENT",
        "UID:event-001@example.com",
        "DTSTART:20270601T090000",
        "DTEND:20270601T100000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2",
        "SUMMARY:Team Standup",
        "DESCRIPTION:Daily standup meeting",
        "LOCATION:Conference Room A",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:e2",
        "DTSTAMP:20240101T120000Z",
        "DTSTART;TZID=Europe/Berlin:20240615T090000",
        "DTEND;VALUE=DATE:20240616",
        'ORGANIZER;CN="Alice, Inc":mailto:alice@example.com',
        "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com",
        "CATEGORIES:A,B",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
)


def test_from_ics_returns_ts_ics_objects() -> None:
    out = run(
        {"operation": "fromIcs", "destinationKey": "cal", "options": {"keepSource": "json"}},
        file_item(ICS.encode(), json={"keep": 1}, file_name="c.ics"),
    )
    assert out[0]["json"]["keep"] == 1 and "binary" not in out[0]
    calendar = out[0]["json"]["cal"]
    assert calendar["version"] == "2.0" and calendar["prodId"].startswith("DAVx5")
    first, second = calendar["events"]
    assert first == {
        "uid": "event-001@example.com",
        "start": {"date": "2027-06-01T09:00:00.000Z", "type": "DATE-TIME"},
        "end": {"date": "2027-06-01T10:00:00.000Z", "type": "DATE-TIME"},
        "recurrenceRule": {
            "frequency": "WEEKLY",
            "byDay": [{"day": "MO"}, {"day": "WE"}],
            "interval": 2,
        },
        "summary": "Team Standup",
        "description": "Daily standup meeting",
        "location": "Conference Room A",
    }
    assert second["start"] == {
        "date": "2024-06-15T07:00:00.000Z",
        "type": "DATE-TIME",
        "local": {"date": "2024-06-15T09:00:00.000Z", "timezone": "Europe/Berlin",
                  "tzoffset": "+0200"},
    }  # fmt: skip
    assert second["end"] == {"date": "2024-06-16T00:00:00.000Z", "type": "DATE"}
    assert second["organizer"] == {"name": "Alice, Inc", "email": "alice@example.com"}
    assert second["attendees"] == [
        {"email": "bob@example.com", "name": "Bob", "partstat": "ACCEPTED"}
    ]
    assert second["categories"] == ["A", "B"]
    assert second["alarms"] == [
        {
            "action": "DISPLAY",
            "trigger": {
                "type": "relative",
                "value": {"before": True, "minutes": 15},
                "options": {},
            },
        }
    ]


def test_from_ics_dates_are_in_the_workflow_timezone_and_errors() -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            "DTSTART;VALUE=DATE:20240103",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )
    out = run(
        {"operation": "fromIcs", "options": {}},
        file_item(text.encode()),
        timezone="Europe/Berlin",
    )
    assert out[0]["json"]["data"]["events"][0]["start"] == {
        "date": "2024-01-02T23:00:00.000Z",
        "type": "DATE",
    }
    with pytest.raises(NodeExecutionError, match="not an iCalendar file") as info:
        run({"operation": "fromIcs", "options": {}}, file_item(b"hello"))
    assert info.value.node == "Node" and info.value.item_index == 0
