"""Spreadsheet files for Convert to File and Extract from File, the formats that need no office
library: CSV and HTML tables, written like SheetJS (``json_to_sheet`` over flattened items; CSV
with a byte order mark, quoting only where needed; an HTML ``<table>``) and read like n8n
(``csv-parse`` with named columns; SheetJS's HTML table reader with typed cells).

The binary office formats (xlsx, xls, ods, rtf) are refused with a clear error.
"""

from __future__ import annotations

import csv
import io
import re
from html import escape
from typing import Any

from bs4 import Tag

from nodes.builtin._css import load, text_content
from nodes.builtin._values import js_number_to_string

TEXT_FORMATS = ("csv", "html")
OFFICE_FORMATS = ("rtf", "ods", "xls", "xlsx")


class SheetError(ValueError):
    """Raised when a spreadsheet cannot be written or read."""


def flatten(data: dict[str, Any]) -> dict[str, Any]:
    """n8n's ``flattenObject``: nested keys joined with dots (arrays by index)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            inner = flatten(
                value if isinstance(value, dict) else {str(i): v for i, v in enumerate(value)}
            )
            for sub, sub_value in inner.items():
                out[f"{key}.{sub}"] = sub_value
        else:
            out[key] = value
    return out


def _rows(items: list[dict[str, Any]], header_row: bool) -> list[list[Any]]:
    data = [flatten(dict(item)) for item in items]
    headers: list[str] = []
    for row in data:
        for key in row:
            if key not in headers:
                headers.append(key)
    rows: list[list[Any]] = [list(headers)] if header_row else []
    rows.extend([row.get(h) for h in headers] for row in data)
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return js_number_to_string(value)
    return str(value)


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


def write_html(items: list[dict[str, Any]], header_row: bool = True) -> bytes:
    """SheetJS ``sheet_to_html``: a table with typed cells (``data-t``/``data-v``)."""
    body = []
    for r, row in enumerate(_rows(items, header_row)):
        cells = []
        for c, value in enumerate(row):
            ref = f"sjs-{_column(c)}{r + 1}"
            if value is None:
                cells.append(f'<td id="{ref}"></td>')
                continue
            kind = (
                "b" if isinstance(value, bool) else "n" if isinstance(value, (int, float)) else "s"
            )
            text = escape(_cell_text(value), quote=True)
            cells.append(f'<td data-t="{kind}" data-v="{text}" id="{ref}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    html = (
        '<html><head><meta charset="utf-8"/><title>SheetJS Table Export</title></head>'
        "<body><table>" + "".join(body) + "</table></body></html>"
    )
    return html.encode("utf-8")


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


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


def _typed(cell: Any) -> Any:
    kind, raw = cell.get("data-t"), cell.get("data-v")
    text = text_content(cell)
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
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def read_html(text: str, options: dict[str, Any]) -> list[Any]:
    """SheetJS's HTML reader on the first table, then ``sheet_to_json``."""
    doc = load(text)
    table = doc.find("table")
    if not isinstance(table, Tag):
        return []
    rows = [[_typed(c) for c in tr.find_all(["td", "th"])] for tr in table.find_all("tr")]
    rows = [r for r in rows if r]
    if not rows:
        return []
    if options.get("headerRow") is False:
        return rows
    headers = [str(h) if h != "" else f"__EMPTY_{i}" for i, h in enumerate(rows[0])]
    out = []
    for row in rows[1:]:
        record: dict[str, Any] = {}
        for i, header in enumerate(headers):
            value = row[i] if i < len(row) else ""
            if value == "" and not options.get("includeEmptyCells"):
                continue
            record[header] = value
        if record:
            out.append(record)
    return out
