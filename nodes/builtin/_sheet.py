"""Spreadsheet files for Convert to File and Extract from File.

Writing follows n8n's ``convertJsonToSpreadsheetBinary``: items flattened (``a.b``, ``a.0``),
SheetJS's ``json_to_sheet`` (a header row of every key in first-seen order), then the format's
writer: CSV (with a byte order mark, quoting only where needed), an HTML ``<table>``, RTF, ODS,
XLS or XLSX (``_rtf``, ``_ods``, ``_xls``, ``_xlsx``). Reading follows n8n's ``fromFile``: CSV
through ``csv-parse``; every other format into a workbook, one sheet picked (``sheetName``),
then SheetJS's ``sheet_to_json`` (``_workbook``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

from bs4 import Tag

from nodes.builtin._css import load, text_content
from nodes.builtin._values import js_number_to_string
from nodes.builtin._workbook import (
    NULL,
    Cell,
    Sheet,
    SheetError,
    Workbook,
    column_name,
    flatten,
    general,
    sheet_to_json,
    table_rows,
)

TEXT_FORMATS = ("csv", "html")
OFFICE_FORMATS = ("rtf", "ods", "xls", "xlsx")
SPREADSHEET_FORMATS = ("csv", "html", "rtf", "ods", "xls", "xlsx")

__all__ = [
    "OFFICE_FORMATS",
    "SPREADSHEET_FORMATS",
    "TEXT_FORMATS",
    "SheetError",
    "flatten",
    "read_csv",
    "read_html",
    "read_spreadsheet",
    "write_csv",
    "write_html",
    "write_spreadsheet",
]


def _rows(items: list[dict[str, Any]], header_row: bool) -> list[list[Any]]:
    return table_rows(items, header_row)


def _cell_text(value: Any) -> str:
    return general(value)


def write_csv(items: list[dict[str, Any]], delimiter: str = ",", header_row: bool = True) -> bytes:
    """SheetJS ``write(..., {bookType: 'csv', type: 'buffer'})``: UTF-8 with a BOM."""
    lines = []
    for row in _rows(items, header_row):
        cells = []
        for value in row:
            text = _cell_text(value)
            if any(c in text for c in (delimiter, "\n", '"')):
                text = '"' + text.replace('"', '""') + '"'
            if text == "ID":
                text = '"ID"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    return ("\ufeff" + "\n".join(lines)).encode("utf-8")


_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def _escape_html(text: str) -> str:
    """SheetJS ``escapehtml``: entities, newlines as ``<br/>``, control characters."""
    text = re.sub(r"[&<>\"']", lambda m: _HTML_ESCAPES[m.group(0)], text).replace("\n", "<br/>")
    return re.sub("[\x00-\x08\x0b-\x1f]", lambda m: f"&#x{ord(m.group(0)):04x};", text)


def write_html(items: list[dict[str, Any]], header_row: bool = True) -> bytes:
    """SheetJS ``sheet_to_html``: a table with typed cells (``data-t``/``data-v``)."""
    body = []
    for r, row in enumerate(table_rows(items, header_row, keep_null=True)):
        cells = []
        for c, value in enumerate(row):
            ref = f"sjs-{_column(c)}{r + 1}"
            if value is None:
                cells.append(f'<td id="{ref}"></td>')
                continue
            if value is NULL:
                cells.append(f'<td data-t="z" id="{ref}"></td>')
                continue
            kind = (
                "b" if isinstance(value, bool) else "n" if isinstance(value, (int, float)) else "s"
            )
            raw = (
                ("true" if value else "false")
                if isinstance(value, bool)
                else js_number_to_string(value)
                if kind == "n"
                else str(value)
            )
            text = _escape_html(_cell_text(value))
            raw = _escape_html(raw)
            space = ' xml:space="preserve"' if re.search(r"^\s|\s$|\n", text) else ""
            cells.append(f'<td data-t="{kind}" data-v="{raw}" id="{ref}"{space}>{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    html = (
        '<html><head><meta charset="utf-8"/><title>SheetJS Table Export</title></head>'
        "<body><table>" + "".join(body) + "</table></body></html>"
    )
    return html.encode("utf-8")


def _column(index: int) -> str:
    return column_name(index)


def read_csv(text: str, options: dict[str, Any]) -> list[Any]:
    """``csv-parse`` as the Extract from File node uses it."""
    delimiter = str(options.get("delimiter") or ",")
    if options.get("enableBOM") and text.startswith("\ufeff"):
        text = text[1:]
    from_line = int(options.get("fromLine") or 1)
    max_rows = options.get("maxRowCount")
    lines = text.splitlines(keepends=True)[max(from_line, 1) - 1 :]
    try:
        reader = csv.reader(
            io.StringIO("".join(lines)),
            delimiter=delimiter[:1] or ",",
            strict=not options.get("relaxQuotes"),
        )
        records = [row for row in reader]
    except csv.Error as exc:
        raise SheetError(f"Invalid CSV: {exc}") from None
    records = [r if r else [""] for r in records]
    header = options.get("headerRow") is not False
    out: list[Any] = []
    columns: list[str] | None = None
    for line_no, record in enumerate(records, start=from_line):
        if header and columns is None:
            columns = record
            continue
        if columns is not None:
            if len(record) != len(columns):
                raise SheetError(
                    f"Invalid Record Length: columns length is {len(columns)}, got "
                    f"{len(record)} on line {line_no}"
                )
            row: Any = dict(zip(columns, record, strict=True))
            if not options.get("includeEmptyCells"):
                row = {k: v for k, v in row.items() if v != ""}
        else:
            row = record
        out.append(row)
        if isinstance(max_rows, (int, float)) and max_rows > -1 and len(out) >= max_rows:
            break
    return out


def _html_text(node: Any) -> str:
    """A cell's text, ``<br>`` as a newline (SheetJS's ``htmldecode``)."""
    if isinstance(node, Tag):
        if node.name == "br":
            return "\n"
        return "".join(_html_text(c) for c in node.children)
    return text_content(node)


def _typed(cell: Any, raw_text: bool = False) -> Any:
    kind, raw = cell.get("data-t"), cell.get("data-v")
    if raw is not None:
        raw = re.sub(r"<br\s*/?>", "\n", raw, flags=re.I)
    text = _html_text(cell)
    if raw_text:
        return text
    if kind == "n" and raw is not None:
        return _number(raw)
    if kind == "b" and raw is not None:
        return raw.upper() == "TRUE"
    if kind == "s" and raw is not None:
        return raw
    stripped = text.strip()
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", stripped, re.I):
        return _number(stripped)
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    return text


def _number(text: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def html_workbook(text: str, raw: bool = False) -> Workbook:
    """SheetJS's HTML reader: the first table as ``Sheet1`` (``colspan``/``rowspan`` move
    later cells along; empty cells are left out; ``raw`` keeps every cell as text)."""
    doc = load(text)
    table = doc.find("table")
    sheet = Sheet()
    if isinstance(table, Tag):
        spans: list[tuple[int, int, int, int]] = []
        for r, tr in enumerate(table.find_all("tr")):
            col = 0
            for td in tr.find_all(["td", "th"]):
                moved = True
                while moved:
                    moved = False
                    for top, left, bottom, right in spans:
                        if left == col and top < r <= bottom:
                            col = right + 1
                            moved = True
                colspan = _span(td.get("colspan"))
                rowspan = _span(td.get("rowspan"))
                if colspan > 1 or rowspan > 1:
                    spans.append((r, col, r + rowspan - 1, col + colspan - 1))
                value = _typed(td, raw)
                if not (isinstance(value, str) and value == ""):
                    kind = (
                        "b"
                        if isinstance(value, bool)
                        else "n"
                        if isinstance(value, (int, float))
                        else "s"
                    )
                    sheet.set(r, col, Cell(kind, value))
                col += colspan
    sheet.fit()
    return Workbook([("Sheet1", sheet)])


def _span(value: Any) -> int:
    try:
        return max(int(str(value)), 1) if value is not None else 1
    except ValueError:
        return 1


def read_html(text: str, options: dict[str, Any]) -> list[Any]:
    """SheetJS's HTML reader on the first table, then ``sheet_to_json``."""
    return rows_from_workbook(html_workbook(text, bool(options.get("rawData"))), options)


# ---------------------------------------------------------------------------- dispatch
def write_spreadsheet(items: list[dict[str, Any]], fmt: str, options: dict[str, Any]) -> bytes:
    """n8n's ``convertJsonToSpreadsheetBinary``: the items as one file of format ``fmt``."""
    header = options.get("headerRow") is not False
    if fmt == "csv":
        return write_csv(items, str(options.get("delimiter") or ","), header)
    if fmt == "html":
        return write_html(items, header)
    rows = table_rows(items, header)
    sheet_name = str(options.get("sheetName") or "Sheet")
    compression = bool(options.get("compression"))
    if fmt == "rtf":
        from nodes.builtin._workbook import check_sheet_name

        check_sheet_name(sheet_name)
        from nodes.builtin._rtf import write_rtf

        return write_rtf(rows)
    if fmt == "ods":
        from nodes.builtin._ods import write_ods

        return write_ods(rows, sheet_name, compression)
    if fmt == "xls":
        from nodes.builtin._xls import write_xls

        return write_xls(rows, sheet_name)
    if fmt == "xlsx":
        from nodes.builtin._xlsx import write_xlsx

        return write_xlsx(rows, sheet_name, compression)
    raise SheetError(f'The file format "{fmt}" is not supported')


def read_workbook(data: bytes, fmt: str, options: dict[str, Any]) -> Workbook:
    """Every sheet of a file of format ``fmt`` (not CSV)."""
    if fmt == "html":
        from nodes.builtin._files import decode_bytes

        return html_workbook(decode_bytes(data, None, strip_bom=True), bool(options.get("rawData")))
    if fmt == "rtf":
        from nodes.builtin._rtf import decode, read_rtf

        return read_rtf(decode(data, bool(options.get("readAsString"))))
    if fmt == "ods":
        from nodes.builtin._ods import read_ods

        return read_ods(data)
    if fmt == "xls":
        from nodes.builtin._xls import read_xls

        return read_xls(data)
    if fmt == "xlsx":
        from nodes.builtin._xlsx import read_xlsx

        return read_xlsx(data)
    raise SheetError(f'The file format "{fmt}" is not supported')


def rows_from_workbook(book: Workbook, options: dict[str, Any]) -> list[Any]:
    """n8n's sheet pick (``sheetName``) and ``sheet_to_json`` with its options (``range``,
    ``includeEmptyCells``, ``headerRow``)."""
    if not book.sheets:
        raise SheetError("Spreadsheet does not have any sheets!")
    name = options.get("sheetName")
    if name:
        if str(name) not in book.names:
            raise SheetError(f'Spreadsheet does not contain sheet called "{name}"!')
        sheet = book.sheet(str(name))
    else:
        sheet = book.sheets[0][1]
    kwargs: dict[str, Any] = {}
    if options.get("includeEmptyCells"):
        kwargs["defval"] = ""
    range_ = options.get("range")
    return sheet_to_json(
        sheet,
        header_row=options.get("headerRow") is not False,
        range_=range_ if range_ not in (None, "", 0, False) else None,
        **kwargs,
    )


def read_spreadsheet(data: bytes, fmt: str, options: dict[str, Any]) -> list[Any]:
    """The rows of a spreadsheet file (not CSV) as n8n's Extract from File returns them."""
    return rows_from_workbook(read_workbook(data, fmt, options), options)
