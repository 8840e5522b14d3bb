"""XLS (Excel 97-2003 BIFF8) files: written with xlwt, read with xlrd, with SheetJS's types:
numbers (date cells as their serial number), booleans, text; error cells are dropped except
``#NULL!`` (null). The format holds at most 65,536 rows and 256 columns.
"""

from __future__ import annotations

import io
import struct
from typing import Any

from nodes.builtin._workbook import (
    Cell,
    Sheet,
    SheetError,
    Workbook,
    check_sheet_name,
    column_name,
    number,
)

MAX_ROWS = 65536
MAX_COLS = 256
MAX_TEXT = 32767


def write_xls(rows: list[list[Any]], sheet_name: str) -> bytes:
    """An .xls file with one sheet holding ``rows`` (None cells are left empty)."""
    import xlwt

    check_sheet_name(sheet_name)
    width = max((len(r) for r in rows), default=0)
    if len(rows) > MAX_ROWS or width > MAX_COLS:
        last = f"{column_name(max(width, 1) - 1)}{max(len(rows), 1)}"
        raise SheetError(f"Range A1:{last} exceeds format limit A1:IV65536")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet_name, cell_overwrite_ok=True)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise SheetError(f"Text length must not exceed {MAX_TEXT} characters")
            if isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            elif not isinstance(value, (bool, float, str)):
                value = str(value)
            ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xls(data: bytes) -> Workbook:
    """Every sheet of an .xls file, cells typed as SheetJS types them."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, logfile=io.StringIO(), verbosity=0
        )
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, assertions... on bad input
        raise SheetError(f"The file is not a readable XLS workbook: {exc}") from None
    out = Workbook()
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            sheet = Sheet()
            for r in range(ws.nrows):
                for c, src in enumerate(ws.row(r)):
                    cell = _cell(src.ctype, src.value)
                    if cell is not None:
                        sheet.set(r, c, cell)
            sheet.fit()
            dimension = _dimension(book, ws)
            if dimension is not None:
                sheet.extend(*dimension)
            out.sheets.append((ws.name, sheet))
    except Exception as exc:  # a damaged sheet stream fails in many ways inside xlrd
        raise SheetError(f"The file is not a readable XLS workbook: {exc}") from None
    finally:
        book.release_resources()
    return out


def _dimension(book: Any, ws: Any) -> tuple[int, int, int, int] | None:
    """The sheet's DIMENSIONS record (its declared used range, which SheetJS starts from);
    xlrd keeps only the row and column counts."""
    mem, pos = getattr(book, "mem", None), getattr(ws, "_position", None)
    if not isinstance(mem, (bytes, bytearray, memoryview)) or not isinstance(pos, int):
        return None
    biff8 = getattr(book, "biff_version", 80) >= 80
    end = len(mem)
    for _ in range(100_000):
        if pos + 4 > end:
            return None
        kind, length = struct.unpack_from("<HH", mem, pos)
        data = bytes(mem[pos + 4 : pos + 4 + length])
        pos += 4 + length
        if kind == 0x000A:
            return None
        if kind in (0x0200, 0x0000) and length >= 8:
            if biff8 and length >= 12:
                first_row, last_row, first_col, last_col = struct.unpack_from("<iiHH", data)
            else:
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
            if last_row <= first_row or last_col <= first_col:
                return None
            return (first_row, first_col, last_row - 1, last_col - 1)
    return None


def _cell(kind: int, value: Any) -> Cell | None:
    import xlrd

    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        return Cell("s", str(value))
    if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        return Cell("n", number(float(value)))
    if kind == xlrd.XL_CELL_BOOLEAN:
        return Cell("b", bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return Cell("e", int(value), xlrd.error_text_from_code.get(value, "#ERR"))
    return None
