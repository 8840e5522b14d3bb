"""RTF tables, the way SheetJS writes and reads them: one ``\\trowd ... \\row`` table row per
sheet row, each cell's display text (Excel's General format for numbers) followed by
``\\cell``; on reading, ``TRUE``/``FALSE`` become booleans and number-like text (``1,234``,
``$5``, ``12%``) numbers.

Unlike SheetJS, the writer escapes ``\\``, ``{``, ``}`` and non-ASCII characters (``\\uN?``)
so the file is valid RTF, and the reader decodes those escapes (and ``\\'hh``, ``\\line``,
``\\tab``) and skips ``{\\*...}`` destinations, so text survives the round trip.
"""

from __future__ import annotations

import re
from typing import Any

from nodes.builtin._workbook import Sheet, SheetError, Workbook, general, typed_text

_ROW_RE = re.compile(r"\\trowd[\s\S]*?\\row(?![a-zA-Z])")
_TOKEN_RE = re.compile(
    r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([\r\n]+)|([^\\{}\r\n]+)"
)


def write_rtf(rows: list[list[Any]]) -> bytes:
    """An RTF document holding ``rows`` as a table (None cells are left empty)."""
    out = ["{\\rtf1\\ansi"]
    width = max((len(r) for r in rows), default=0)
    for values in rows:
        out.append("\\trowd\\trautofit1")
        out.extend(f"\\cellx{c + 1}" for c in range(width))
        out.append("\\pard\\intbl")
        for c in range(width):
            value = values[c] if c < len(values) else None
            if value is None:
                out.append(" \\cell")
                continue
            out.append(" " + _escape(general(value)))
            out.append("\\cell")
        out.append("\\pard\\intbl\\row")
    return ("".join(out) + "}").encode("ascii")


def _escape(text: str) -> str:
    parts: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        code = ord(ch)
        if ch in "\\{}":
            parts.append("\\" + ch)
        elif ch in "\r\n":
            parts.append("\\par ")
        elif ch == "\t":
            parts.append("\\tab ")
        elif code < 0x80:
            parts.append(ch)
        else:
            for unit in _utf16(code):
                parts.append(f"\\u{unit - 65536 if unit > 32767 else unit}?")
    return "".join(parts)


def _utf16(code: int) -> list[int]:
    if code <= 0xFFFF:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


def decode(data: bytes, as_utf8: bool = False) -> str:
    """RTF bytes as text: UTF-8 when they are (or ``as_utf8``), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if as_utf8:
            return data.decode("utf-8", errors="replace")
        return data.decode("cp1252", errors="replace")


def read_rtf(text: str) -> Workbook:
    """The first table of an RTF document as a one-sheet workbook (``Sheet1``)."""
    rows = _ROW_RE.findall(text)
    if not rows:
        raise SheetError("RTF missing table")
    sheet = Sheet()
    last_col = 0
    for r, row in enumerate(rows):
        for c, cell_text in enumerate(_cells(row)):
            cell = typed_text(cell_text)
            if cell is not None:
                sheet.set(r, c, cell)
            last_col = max(last_col, c)
    sheet.ref = (0, 0, len(rows) - 1, last_col)
    return Workbook([("Sheet1", sheet)])


def _cells(row: str) -> list[str]:
    cells: list[str] = []
    payload: list[str] = []
    skip_depth = 0
    depth = 0
    skip_next = 0
    unicode_skip = 1
    pending: bytearray = bytearray()

    def flush_bytes() -> None:
        if pending:
            payload.append(pending.decode("cp1252", errors="replace"))
            pending.clear()

    for match in _TOKEN_RE.finditer(row):
        word, arg, hex_byte, symbol, brace, _newline, plain = match.groups()
        if brace == "{":
            depth += 1
            continue
        if brace == "}":
            if skip_depth and depth <= skip_depth:
                skip_depth = 0
            depth -= 1
            continue
        if symbol == "*":
            skip_depth = depth
            continue
        if skip_depth:
            continue
        if skip_next and (hex_byte or plain):
            if hex_byte:
                skip_next -= 1
                continue
            assert plain is not None
            taken = min(skip_next, len(plain))
            skip_next -= taken
            plain = plain[taken:]
            if not plain:
                continue
        if hex_byte:
            pending.append(int(hex_byte, 16))
            continue
        flush_bytes()
        if word:
            if word == "cell":
                cells.append("".join(payload))
                payload = []
            elif word in ("par", "line"):
                payload.append("\n")
            elif word == "tab":
                payload.append("\t")
            elif word == "uc" and arg is not None:
                unicode_skip = int(arg)
            elif word == "u" and arg is not None:
                code = int(arg)
                payload.append(chr(code + 65536 if code < 0 else code))
                skip_next = unicode_skip
            elif word == "emdash":
                payload.append("\u2014")
            elif word == "endash":
                payload.append("\u2013")
            elif word == "bullet":
                payload.append("\u2022")
        elif symbol:
            if symbol in "\\{}":
                payload.append(symbol)
            elif symbol == "~":
                payload.append("\u00a0")
            elif symbol == "_":
                payload.append("\u2011")
        elif plain:
            payload.append(plain)
    return [_join_surrogates(c) for c in cells]


def _join_surrogates(text: str) -> str:
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")
