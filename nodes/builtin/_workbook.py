"""The worksheet model the spreadsheet formats share, shaped like SheetJS's: sparse cells with a
type (``n`` number, ``s`` string, ``b`` boolean, ``e`` error) and an optional display text,
plus a used range. ``sheet_to_json`` turns a sheet into rows the way SheetJS's
``utils.sheet_to_json`` does (header names from the first row, ``__EMPTY`` and ``_1`` suffixes,
``defval``, ``header: 1`` arrays, a string or numeric ``range``), and ``general`` formats a value
as Excel's "General" number format, which is what SheetJS writes into text formats.

Readers and writers of the individual formats live in ``_xlsx``, ``_xls``, ``_ods`` and ``_rtf``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from nodes.builtin._jsvalues import to_number

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
BAD_SHEET_CHARS = ":\\/?*[]"
_EXCEL_EPOCH = datetime(1899, 12, 30)
_XML_ESCAPE_RE = re.compile(r"_x([0-9a-fA-F]{4})_")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class SheetError(ValueError):
    """Raised when a spreadsheet cannot be written or read."""


@dataclass
class Cell:
    """One cell: SheetJS's ``{t, v, w}`` (type, value, formatted text)."""

    t: str
    v: Any
    w: str | None = None


@dataclass
class Sheet:
    """A sparse sheet: ``cells[(row, col)]`` (0-based) and the used range ``ref``
    ``(first_row, first_col, last_row, last_col)``, None when the sheet is empty."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    ref: tuple[int, int, int, int] | None = None

    def set(self, row: int, col: int, cell: Cell) -> None:
        self.cells[(row, col)] = cell

    def extend(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Widen ``ref`` to cover the given bounds (a file's declared dimension)."""
        if self.ref is None:
            self.ref = (first_row, first_col, last_row, last_col)
            return
        r0, c0, r1, c1 = self.ref
        self.ref = (min(r0, first_row), min(c0, first_col), max(r1, last_row), max(c1, last_col))

    def fit(self, origin: tuple[int, int] | None = None) -> None:
        """Set ``ref`` to the cells' extent (starting at ``origin`` when given, like the
        formats whose used range always starts at A1)."""
        if not self.cells:
            self.ref = None if origin is None else (origin[0], origin[1], origin[0], origin[1])
            return
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        first_row, first_col = (min(rows), min(cols)) if origin is None else origin
        self.ref = (first_row, first_col, max(rows), max(cols))


@dataclass
class Workbook:
    """Sheets in file order."""

    sheets: list[tuple[str, Sheet]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def sheet(self, name: str) -> Sheet:
        for sheet_name, sheet in self.sheets:
            if sheet_name == name:
                return sheet
        raise KeyError(name)


# ---------------------------------------------------------------------------- values
def number(value: float) -> int | float:
    """A JSON number as JavaScript would hold it: integral floats become ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _strip_decimal(text: str) -> str:
    if "." not in text:
        return text
    return re.sub(r"(?:\.0*|(\.\d*[1-9])0+)$", lambda m: m.group(1) or "", text)


def _normalize_exp(text: str) -> str:
    if "E" not in text:
        return text
    text = re.sub(r"(?:\.0*|(\.\d*[1-9])0+)E", lambda m: (m.group(1) or "") + "E", text)
    return re.sub(r"(E[+-])(\d)$", r"\g<1>0\g<2>", text)


def _to_precision(value: float, digits: int) -> str:
    """``Number.prototype.toPrecision``."""
    if value == 0:
        return "0" if digits == 1 else "0." + "0" * (digits - 1)
    exponent = math.floor(math.log10(abs(value)))
    rounded = float(f"{value:.{digits - 1}e}")
    if rounded != 0:
        exponent = math.floor(math.log10(abs(rounded)))
    if exponent < -6 or exponent >= digits:
        mantissa, exp = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"
    return f"{value:.{max(digits - 1 - exponent, 0)}f}"


def _to_exponential(value: float, digits: int) -> str:
    mantissa, exp = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"


def _small_exp(value: float) -> str:
    width = 12 if value < 0 else 11
    text = _strip_decimal(f"{value:.12f}")
    if len(text) <= width:
        return text
    text = _to_precision(value, 10)
    if len(text) <= width:
        return text
    return _to_exponential(value, 5)


def _large_exp(value: float) -> str:
    text = _strip_decimal(f"{value:.11f}")
    if len(text) > (12 if value < 0 else 11) or text in ("0", "-0"):
        return _to_precision(value, 6)
    return text


def general_number(value: float) -> str:
    """Excel's General format of a number (SheetJS ``SSF_general_num``): at most 11
    characters, exponential notation for very large or small magnitudes."""
    if isinstance(value, int) and -(2**31) <= value < 2**31:
        return str(value)
    value = float(value)
    if math.isnan(value):
        return "#NUM!"
    if math.isinf(value):
        return "#DIV/0!"
    if value.is_integer() and -(2**31) <= value < 2**31:
        return str(int(value))
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if -4 <= magnitude <= -1:
        text = _to_precision(value, 10 + magnitude)
    elif abs(magnitude) <= 9:
        text = _small_exp(value)
    elif magnitude == 10:
        text = f"{value:.10f}"[:12]
    else:
        text = _large_exp(value)
    return _strip_decimal(_normalize_exp(text.upper()))


def general(value: Any) -> str:
    """A value as SheetJS formats it with the General format (``format_cell``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return general_number(value)
    return str(value)


def cell_text(cell: Cell | None) -> str:
    """SheetJS ``format_cell``: the cell's display text."""
    if cell is None or cell.t == "z":
        return ""
    if cell.w is not None:
        return cell.w
    return general(cell.v)


def fuzzy_number(text: str) -> float:
    """SheetJS ``fuzzynum``: a number from text such as ``1,234``, ``$5``, ``12%``, ``(3)``;
    NaN when there is none."""
    value = to_number(text)
    if not math.isnan(value):
        return value if math.isfinite(value) else math.nan
    if not re.search(r"\d", text):
        return math.nan
    weight = 1.0
    stripped = re.sub(r"(\d),(\d)", r"\1\2", text).replace("$", "")
    percents = stripped.count("%")
    stripped = stripped.replace("%", "")
    weight *= 100**percents
    value = to_number(stripped)
    if not math.isnan(value):
        return value / weight
    match = re.search(r"\(([^()]*)\)", stripped)
    if match:
        weight = -weight
        stripped = stripped[: match.start()] + match.group(1) + stripped[match.end() :]
    value = to_number(stripped)
    if not math.isnan(value):
        return value / weight
    return math.nan


def typed_text(text: str) -> Cell | None:
    """A cell from text as SheetJS's RTF reader types it: TRUE/FALSE, numbers, else text."""
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return Cell("b", text == "TRUE")
    value = fuzzy_number(text)
    if not math.isnan(value):
        return Cell("n", number(value), text)
    return Cell("s", text)


def excel_serial(value: datetime | date | time | timedelta) -> int | float:
    """The Excel (1900 date system) serial number of a date, time or duration."""
    if isinstance(value, timedelta):
        return number(value.total_seconds() / 86400)
    if isinstance(value, time):
        return number((value.hour * 3600 + value.minute * 60 + value.second) / 86400)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - _EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if value < datetime(1900, 3, 1):
        serial -= 1
    return number(serial)


def serial_iso(serial: float) -> str:
    """SheetJS ``numdate`` of an Excel serial as ``Date.toISOString`` (in UTC)."""
    moment = _EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def unescape_ooxml(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` character escapes."""
    return _XML_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def escape_ooxml(text: str) -> str:
    """Encode characters XML cannot hold as OOXML ``_xHHHH_`` escapes (as Excel does)."""
    return _CONTROL_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def strip_xml_invalid(text: str) -> str:
    return _CONTROL_RE.sub("", text)


def check_sheet_name(name: str) -> None:
    """SheetJS ``check_ws_name``: the rules Excel puts on sheet names."""
    if name == "":
        raise SheetError("Sheet name cannot be blank")
    if len(name) > 31:
        raise SheetError("Sheet name cannot exceed 31 chars")
    if name.startswith("'") or name.endswith("'"):
        raise SheetError("Sheet name cannot start or end with apostrophe (')")
    if name.lower() == "history":
        raise SheetError("Sheet name cannot be 'History'")
    if any(c in name for c in BAD_SHEET_CHARS):
        raise SheetError("Sheet name cannot contain : \\ / ? * [ ]")


# ---------------------------------------------------------------------------- ranges
def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _decode_ref(text: str) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\$?([A-Z]*)\$?(\d*)", text)
    if not match or not (match.group(1) or match.group(2)):
        raise SheetError(f'The range "{text}" is not a valid A1-style range')
    letters, digits = match.groups()
    col = None
    if letters:
        col = 0
        for ch in letters:
            col = col * 26 + (ord(ch) - 64)
        col -= 1
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise SheetError(f'The range "{text}" is not a valid A1-style range')
    return row, col


def decode_range(text: str, used: tuple[int, int, int, int] | None) -> tuple[int, int, int, int]:
    """An A1-style range (``A1:C10``, ``B2``, ``A:C``, ``2:5``) as 0-based bounds."""
    parts = text.strip().upper().split(":")
    if len(parts) > 2 or not parts[0]:
        raise SheetError(f'The range "{text}" is not a valid A1-style range')
    start = _decode_ref(parts[0])
    end = _decode_ref(parts[1]) if len(parts) == 2 else start
    base = used or (0, 0, 0, 0)
    first_row = start[0] if start[0] is not None else base[0]
    first_col = start[1] if start[1] is not None else base[1]
    last_row = end[0] if end[0] is not None else base[2]
    last_col = end[1] if end[1] is not None else base[3]
    return (
        min(first_row, last_row),
        min(first_col, last_col),
        max(first_row, last_row),
        max(first_col, last_col),
    )


def _range_option(range_: Any, used: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """n8n's ``range`` option: a number is the first row (0-based), text an A1 range."""
    if isinstance(range_, bool):
        range_ = int(range_)
    if isinstance(range_, (int, float)) or not math.isnan(to_number(str(range_))):
        digits = re.match(r"\s*([+-]?\d+)", str(range_))
        if digits is None:
            return (used[0], used[1], used[0] - 1, used[3])
        return (int(digits.group(1)), used[1], used[2], used[3])
    return decode_range(str(range_), used)


# ---------------------------------------------------------------------------- sheet_to_json
_MISSING: Any = object()


def sheet_to_json(
    sheet: Sheet,
    *,
    header_row: bool = True,
    defval: Any = _MISSING,
    range_: Any = None,
) -> list[Any]:
    """SheetJS ``utils.sheet_to_json`` with n8n's options: one object per row keyed by the
    header row (``header_row``), or one array per row; ``defval`` fills empty cells."""
    if sheet.ref is None:
        return []
    first_row, first_col, last_row, last_col = (
        sheet.ref if range_ in (None, "") else _range_option(range_, sheet.ref)
    )
    if first_row < 0 or first_col < 0:
        raise SheetError("The range must not start before the first row or column")
    data_last_row = max((r for r, _ in sheet.cells), default=first_row)
    last_row = min(last_row, data_last_row, MAX_ROWS - 1)
    last_col = min(last_col, MAX_COLS - 1)
    cells = sheet.cells
    headers: dict[int, str] = {}
    if header_row:
        seen: dict[str, int] = {}
        for col in range(first_col, last_col + 1):
            cell = cells.get((first_row, col))
            name = "__EMPTY" if cell is None else cell_text(cell)
            counter = seen.get(name, 0)
            unique = name
            if not counter:
                seen[name] = 1
            else:
                while True:
                    unique = f"{name}_{counter}"
                    counter += 1
                    if not seen.get(unique):
                        break
                seen[name] = counter
                seen[unique] = 1
            headers[col] = unique
    out: list[Any] = []
    for row in range(first_row + (1 if header_row else 0), last_row + 1):
        values: list[Any] = []
        record: dict[str, Any] = {}
        empty = True
        for col in range(first_col, last_col + 1):
            cell = cells.get((row, col))
            if cell is None or cell.t == "z":
                if defval is _MISSING:
                    continue
                value = defval
            elif cell.t == "e":
                if cell.v == 0:
                    value = None
                elif defval is _MISSING:
                    continue
                else:
                    value = defval
            else:
                value = cell.v
                empty = False
            if header_row:
                record[headers[col]] = value
            else:
                index = col - first_col
                values.extend([None] * (index - len(values)))
                values.append(value)
        if header_row:
            if not empty:
                out.append(record)
        else:
            out.append(values)
    return out


# ---------------------------------------------------------------------------- writing
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


class _Null:
    """A null value in an item: SheetJS makes it an empty stub cell (``t: "z"``)."""

    def __repr__(self) -> str:
        return "NULL"


NULL: Any = _Null()


def table_rows(
    items: list[dict[str, Any]], header_row: bool = True, keep_null: bool = False
) -> list[list[Any]]:
    """SheetJS ``json_to_sheet`` over n8n-flattened items, as a grid of plain values
    (None for an empty cell, or ``NULL`` for a null value when ``keep_null``); the header
    row first unless ``header_row`` is False."""
    data = [flatten(dict(item)) for item in items]
    headers: list[str] = []
    index: dict[str, int] = {}
    for row in data:
        for key in row:
            if key not in index:
                index[key] = len(headers)
                headers.append(key)
    rows: list[list[Any]] = [list(headers)] if header_row else []
    for row in data:
        values = []
        for h in headers:
            value = row.get(h)
            values.append(NULL if keep_null and value is None and h in row else _plain(value))
        rows.append(values)
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return None
    return value
