"""XLSX (Office Open XML workbook) files, read through openpyxl and written the way SheetJS
does for n8n: strings stay text (never formulas), numbers and booleans keep their type,
date cells read back as Excel serial numbers (SheetJS leaves date-formatted numbers as numbers),
error cells are dropped except ``#NULL!`` (null), formula cells give their cached value, and
the archive is stored uncompressed unless compression is asked for (SheetJS's default).

Files are written directly (a handful of XML parts in a ZIP): openpyxl writes numbers with 16
significant digits, which loses the last digit of some doubles that SheetJS keeps.
"""

from __future__ import annotations

import contextlib
import io
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from nodes.builtin._workbook import (
    Cell,
    Sheet,
    SheetError,
    Workbook,
    check_sheet_name,
    column_name,
    decode_range,
    escape_ooxml,
    excel_serial,
    general,
    number,
    unescape_ooxml,
)

MAX_TEXT = 32767


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="1"><font><sz val="12"/><color theme="1"/><name val="Calibri"/>'
    '<family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_xlsx(rows: list[list[Any]], sheet_name: str, compression: bool = False) -> bytes:
    """An .xlsx file with one sheet holding ``rows`` (None cells are left empty), written
    like SheetJS: ``t="str"`` strings (text is never a formula), numbers in full precision,
    booleans, and a ZIP archive that is only deflated when ``compression`` is asked for."""
    check_sheet_name(sheet_name)
    workbook = (
        _HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
        f'<sheet name="{escape(sheet_name, quote=True)}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    mode = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", mode) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _worksheet(rows))
        archive.writestr("xl/styles.xml", _STYLES)
    return out.getvalue()


def _worksheet(rows: list[list[Any]]) -> str:
    width = max((len(r) for r in rows), default=0)
    parts = [_HEAD, f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">']
    if rows and width:
        parts.append(f'<dimension ref="A1:{column_name(width - 1)}{len(rows)}"/>')
    parts.append("<sheetData>")
    for r, values in enumerate(rows, start=1):
        parts.append(f'<row r="{r}">')
        for c, value in enumerate(values):
            if value is None:
                continue
            ref = f"{column_name(c)}{r}"
            if isinstance(value, bool):
                parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                text = repr(value) if isinstance(value, float) else str(value)
                parts.append(f'<c r="{ref}"><v>{text}</v></c>')
            else:
                text = str(value)
                if len(text) > MAX_TEXT:
                    raise SheetError(f"Text length must not exceed {MAX_TEXT} characters")
                text = escape(escape_ooxml(text), quote=False)
                space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
                parts.append(f'<c r="{ref}" t="str"><v{space}>{text}</v></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def read_xlsx(data: bytes) -> Workbook:
    """Every sheet of an .xlsx/.xlsm file, cells typed as SheetJS types them.

    openpyxl reads in read-only mode, which keeps the values of merged cells and the
    declared ``<dimension>`` (SheetJS's used range), with its date conversion turned off so
    date cells keep the exact serial number stored in the file."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError("The file is not an XLSX workbook (it is not a ZIP archive)")
    book: Any
    try:
        with warnings.catch_warnings():
            # openpyxl warns about files it can read anyway (no default style, ...).
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # InvalidFileException, KeyError, zlib and XML errors, ...
        raise SheetError(f"The file is not a readable XLSX workbook: {exc}") from None
    try:
        book._date_formats = set()
        book._timedelta_formats = set()
        sheets = {ws.title: _read_sheet(ws) for ws in book.worksheets}
        return Workbook([(name, sheets.get(name, Sheet())) for name in book.sheetnames])
    except Exception as exc:  # a damaged sheet part fails in zlib, the XML parser, openpyxl...
        raise SheetError(f"The file is not a readable XLSX workbook: {exc}") from None
    finally:
        book.close()


def _read_sheet(ws: Any) -> Sheet:
    sheet = Sheet()
    try:
        declared: str | None = ws.calculate_dimension()
    except ValueError:
        declared = None
    ws.reset_dimensions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in ws.iter_rows():
            for src in row:
                if getattr(src, "row", None) is None:
                    continue
                cell = _cell(src)
                if cell is not None:
                    sheet.set(src.row - 1, src.column - 1, cell)
    sheet.fit()
    if declared:
        with contextlib.suppress(SheetError):
            sheet.extend(*decode_range(declared, None))
    return sheet


def _cell(src: Any) -> Cell | None:
    value = src.value
    kind = src.data_type
    if value is None:
        return Cell("s", "") if kind in ("s", "str", "inlineStr") else None
    if kind == "e":
        return Cell("e", 0 if value == "#NULL!" else 1, str(value))
    if isinstance(value, bool):
        return Cell("b", value)
    if isinstance(value, (datetime, date, time, timedelta)):
        serial = excel_serial(value)
        return Cell("n", serial, general(serial))
    if isinstance(value, (int, float)):
        return Cell("n", number(value))
    text = unescape_ooxml(str(value))
    return Cell("s", text)
