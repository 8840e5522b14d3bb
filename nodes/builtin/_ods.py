"""ODS (OpenDocument spreadsheet) files, written and read as the ZIP of XML parts they are
(lxml for the XML, zipfile for the package). Types follow SheetJS: ``float``, ``percentage``
and ``currency`` cells are numbers, ``boolean`` cells booleans, ``date`` and ``time`` cells
the date as an ISO string (SheetJS reads them as dates), error cells nothing (``#NULL!``
null), everything else the cell's text (paragraphs joined by newlines); cells covered by a
merge are empty.
Flat ODS (a single ``office:document`` XML file) is read as well.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

from lxml import etree

from nodes.builtin._values import js_number_to_string
from nodes.builtin._workbook import (
    MAX_COLS,
    MAX_ROWS,
    Cell,
    Sheet,
    SheetError,
    Workbook,
    check_sheet_name,
    excel_serial,
    number,
    serial_iso,
    strip_xml_invalid,
)

MIME = "application/vnd.oasis.opendocument.spreadsheet"
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
}
NUMBER_NS = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


# ---------------------------------------------------------------------------- writing
def write_ods(rows: list[list[Any]], sheet_name: str, compression: bool = False) -> bytes:
    """An .ods file with one sheet holding ``rows`` (None cells are left empty)."""
    check_sheet_name(sheet_name)
    mode = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", mode) as archive:
        archive.writestr("mimetype", MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", _content(rows, sheet_name))
        archive.writestr("styles.xml", _document("document-styles"))
        archive.writestr("meta.xml", _meta())
        archive.writestr("META-INF/manifest.xml", _manifest())
    return out.getvalue()


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _document(kind: str) -> bytes:
    root = etree.Element(_q("office", kind), nsmap=NS)
    root.set(_q("office", "version"), "1.2")
    return _serialize(root)


def _meta() -> bytes:
    root = etree.Element(_q("office", "document-meta"), nsmap=NS)
    root.set(_q("office", "version"), "1.2")
    meta = etree.SubElement(root, _q("office", "meta"))
    etree.SubElement(meta, _q("meta", "generator")).text = "n8nwork"
    return _serialize(root)


def _manifest() -> bytes:
    root = etree.Element(f"{{{MANIFEST_NS}}}manifest", nsmap={"manifest": MANIFEST_NS})
    root.set(f"{{{MANIFEST_NS}}}version", "1.2")
    for path, media in (
        ("/", MIME),
        ("content.xml", "text/xml"),
        ("styles.xml", "text/xml"),
        ("meta.xml", "text/xml"),
    ):
        entry = etree.SubElement(root, f"{{{MANIFEST_NS}}}file-entry")
        entry.set(f"{{{MANIFEST_NS}}}full-path", path)
        if path == "/":
            entry.set(f"{{{MANIFEST_NS}}}version", "1.2")
        entry.set(f"{{{MANIFEST_NS}}}media-type", media)
    return _serialize(root)


def _content(rows: list[list[Any]], sheet_name: str) -> bytes:
    root = etree.Element(_q("office", "document-content"), nsmap=NS)
    root.set(_q("office", "version"), "1.2")
    body = etree.SubElement(root, _q("office", "body"))
    spreadsheet = etree.SubElement(body, _q("office", "spreadsheet"))
    table = etree.SubElement(spreadsheet, _q("table", "table"))
    table.set(_q("table", "name"), sheet_name)
    width = max((len(r) for r in rows), default=0)
    if width:
        column = etree.SubElement(table, _q("table", "table-column"))
        if width > 1:
            column.set(_q("table", "number-columns-repeated"), str(width))
    for values in rows:
        row = etree.SubElement(table, _q("table", "table-row"))
        blanks = 0
        for value in values:
            if value is None:
                blanks += 1
                continue
            _blank(row, blanks)
            blanks = 0
            _write_cell(etree.SubElement(row, _q("table", "table-cell")), value)
        _blank(row, blanks)
        if not len(row):
            etree.SubElement(row, _q("table", "table-cell"))
    return _serialize(root)


def _blank(row: Any, count: int) -> None:
    if count:
        cell = etree.SubElement(row, _q("table", "table-cell"))
        if count > 1:
            cell.set(_q("table", "number-columns-repeated"), str(count))


def _write_cell(cell: Any, value: Any) -> None:
    if isinstance(value, bool):
        cell.set(_q("office", "value-type"), "boolean")
        cell.set(_q("office", "boolean-value"), "true" if value else "false")
        _paragraphs(cell, "TRUE" if value else "FALSE")
    elif isinstance(value, (int, float)):
        cell.set(_q("office", "value-type"), "float")
        text = repr(value) if isinstance(value, float) else str(value)
        cell.set(_q("office", "value"), text)
        _paragraphs(cell, js_number_to_string(value))
    else:
        cell.set(_q("office", "value-type"), "string")
        _paragraphs(cell, strip_xml_invalid(str(value)))


def _paragraphs(cell: Any, text: str) -> None:
    """Text as ODF paragraphs: one ``text:p`` per line, tabs as ``text:tab``, and spaces that
    XML would collapse (a leading space, the rest of a run) as ``text:s``."""
    for line in re.split(r"\r\n|\r|\n", text):
        paragraph = etree.SubElement(cell, _q("text", "p"))
        paragraph.text = ""
        last: Any = None
        at_start = True
        for piece in re.findall(r"\t| +|[^\t ]+", line):
            if piece == "\t":
                last = etree.SubElement(paragraph, _q("text", "tab"))
            elif piece[0] == " ":
                keep = 0 if at_start else 1
                _text(paragraph, last, " " * keep)
                if len(piece) > keep:
                    last = etree.SubElement(paragraph, _q("text", "s"))
                    if len(piece) - keep > 1:
                        last.set(_q("text", "c"), str(len(piece) - keep))
            else:
                _text(paragraph, last, piece)
            at_start = False


def _text(paragraph: Any, last: Any, text: str) -> None:
    if not text:
        return
    if last is None:
        paragraph.text = (paragraph.text or "") + text
    else:
        last.tail = (last.tail or "") + text


# ---------------------------------------------------------------------------- reading
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def read_ods(data: bytes) -> Workbook:
    """Every sheet of an .ods (or flat .fods) file, cells typed as SheetJS types them."""
    styles: Any = None
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                try:
                    content = archive.read("content.xml")
                except KeyError:
                    raise SheetError(
                        "The file is not an ODS spreadsheet (it has no content.xml)"
                    ) from None
                if "styles.xml" in archive.namelist():
                    styles = etree.fromstring(archive.read("styles.xml"), _PARSER)
        elif data.lstrip()[:1] == b"<":
            content = data
        else:
            raise SheetError("The file is not an ODS spreadsheet (it is not a ZIP archive)")
        root = etree.fromstring(content, _PARSER)
    except SheetError:
        raise
    except Exception as exc:  # a damaged archive fails in zipfile, zlib or the XML parser
        raise SheetError(f"The file is not a readable ODS spreadsheet: {exc}") from None
    date_styles = _date_cell_styles([root] if styles is None else [root, styles])
    spreadsheets = root.findall(f".//{_q('office', 'spreadsheet')}")
    if not spreadsheets:
        raise SheetError("The file is not an ODS spreadsheet (it has no spreadsheet body)")
    out = Workbook()
    for table in spreadsheets[0].iter(_q("table", "table")):
        out.sheets.append((table.get(_q("table", "name"), ""), _read_table(table, date_styles)))
    return out


def _date_cell_styles(roots: list[Any]) -> set[str]:
    """Names of cell styles whose number format is a date or time format (SheetJS reads
    numbers in such cells as dates)."""
    formats: set[str] = set()
    for root in roots:
        for tag in ("date-style", "time-style"):
            for element in root.iter(f"{{{NUMBER_NS}}}{tag}"):
                formats.add(str(element.get(_q("style", "name"))))
    names: set[str] = set()
    for root in roots:
        for element in root.iter(_q("style", "style")):
            if element.get(_q("style", "data-style-name")) in formats:
                names.add(str(element.get(_q("style", "name"))))
    return names


def _rows(table: Any) -> Any:
    """The table's rows in order, through header rows and row groups (not nested tables)."""
    for child in table:
        tag = child.tag
        if tag == _q("table", "table-row"):
            yield child
        elif tag in (
            _q("table", "table-header-rows"),
            _q("table", "table-rows"),
            _q("table", "table-row-group"),
        ):
            yield from _rows(child)


def _read_table(table: Any, date_styles: set[str]) -> Sheet:
    sheet = Sheet()
    row_index = 0
    for row in _rows(table):
        repeat_rows = _repeat(row, "number-rows-repeated")
        cells: list[tuple[int, Cell, int]] = []
        col = 0
        for cell in row:
            if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                continue
            repeat_cols = _repeat(cell, "number-columns-repeated")
            # Cells covered by a merge keep no value (SheetJS reads them as empty).
            value = _read_cell(cell, date_styles) if cell.tag == _q("table", "table-cell") else None
            if value is not None:
                cells.append((col, value, repeat_cols))
            col += repeat_cols
        if cells:
            for r in range(row_index, min(row_index + repeat_rows, MAX_ROWS)):
                for c, value, repeat_cols in cells:
                    for cc in range(c, min(c + repeat_cols, MAX_COLS)):
                        sheet.set(r, cc, value)
        row_index += repeat_rows
        if row_index >= MAX_ROWS:
            break
    sheet.fit()
    return sheet


def _repeat(element: Any, name: str) -> int:
    try:
        return max(int(element.get(_q("table", name), "1")), 1)
    except ValueError:
        return 1


def _attr(cell: Any, name: str) -> str | None:
    value = cell.get(_q("office", name))
    if value is None:
        value = cell.get(_q("calcext", name))
    return value


def _read_cell(cell: Any, date_styles: set[str]) -> Cell | None:
    kind = _attr(cell, "value-type")
    text = _cell_text(cell)
    if cell.get(_q("calcext", "value-type")) == "error":
        return Cell("e", 0 if text == "#NULL!" else 1, text)
    if kind in ("float", "percentage", "currency"):
        raw = _attr(cell, "value")
        try:
            value = float(raw) if raw is not None else float(text)
        except ValueError:
            return Cell("s", text) if text else None
        if cell.get(_q("table", "style-name")) in date_styles:
            return Cell("d", serial_iso(value), text or None)
        return Cell("n", number(value), text or None)
    if kind == "boolean":
        raw = (_attr(cell, "boolean-value") or text).strip().lower()
        return Cell("b", raw in ("true", "1"), text or None)
    if kind == "date":
        raw = _attr(cell, "date-value") or ""
        try:
            moment = datetime.fromisoformat(raw.replace("Z", ""))
        except ValueError:
            return Cell("s", text) if text else None
        # SheetJS keeps ODS dates as dates; n8n's JSON shows them as ISO strings.
        return Cell("d", serial_iso(excel_serial(moment)), text or None)
    if kind == "time":
        seconds = _duration_seconds(_attr(cell, "time-value") or "")
        if seconds is None:
            return Cell("s", text) if text else None
        return Cell("d", serial_iso(seconds / 86400), text or None)
    if text == "":
        string_value = _attr(cell, "string-value")
        if string_value:
            return Cell("s", string_value)
        has_paragraph = any(p.tag == _q("text", "p") for p in cell)
        return Cell("s", "") if kind == "string" and has_paragraph else None
    return Cell("s", text)


def _duration_seconds(text: str) -> float | None:
    match = re.fullmatch(
        r"(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?"
        r"(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
        r"(?:(\d+(?:\.\d+)?)S)?)?",
        text.strip(),
    )
    if not match:
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    total = 0.0
    for part, scale in (
        (years, 365 * 86400),
        (months, 30 * 86400),
        (weeks, 7 * 86400),
        (days, 86400),
        (hours, 3600),
        (minutes, 60),
        (seconds, 1),
    ):
        if part:
            total += float(part) * scale
    return -total if sign else total


def _cell_text(cell: Any) -> str:
    paragraphs = [_inline_text(p) for p in cell if p.tag in (_q("text", "p"), _q("text", "h"))]
    return "\n".join(paragraphs)


def _inline_text(node: Any) -> str:
    parts = [node.text or ""]
    for child in node:
        tag = child.tag
        if tag == _q("text", "s"):
            try:
                parts.append(" " * max(int(child.get(_q("text", "c"), "1")), 1))
            except ValueError:
                parts.append(" ")
        elif tag == _q("text", "tab"):
            parts.append("\t")
        elif tag == _q("text", "line-break"):
            parts.append("\n")
        elif tag == _q("office", "annotation") or not isinstance(tag, str):
            pass
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
