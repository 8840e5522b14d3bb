"""Extract from File (``n8n-nodes-base.extractFromFile`` v1): reads binary files into JSON:
spreadsheets (CSV, HTML tables, RTF tables, ODS, XLS, XLSX) into one item per row, JSON and
text files (and XML as text) into a field, an iCalendar file into its calendar object, a file
into a base64 string. PDF is refused clearly."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from typing import Any

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._files import EncodingError, decode_bytes
from nodes.builtin._ics import IcsError, parse_calendar
from nodes.builtin._sheet import SPREADSHEET_FORMATS, SheetError, read_csv, read_spreadsheet
from nodes.builtin._values import get_path, set_path, unset_path
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

OPERATIONS = (
    "csv",
    "html",
    "fromIcs",
    "fromJson",
    "ods",
    "pdf",
    "rtf",
    "text",
    "xml",
    "xls",
    "xlsx",
    "binaryToPropery",
)
_MOVE = ("binaryToPropery", "fromJson", "text", "fromIcs", "xml")


class ExtractFromFile(NodeType):
    type_name = "n8n-nodes-base.extractFromFile"
    display_name = "Extract from File"
    description = "Convert binary data to JSON"
    params = (
        Param("operation", "options", "csv", OPERATIONS),
        Param("binaryPropertyName", "string", "data"),
        Param("destinationKey", "string", "data"),
        Param(
            "options",
            "collection",
            {},
            description="csv: delimiter, encoding, enableBOM, fromLine, maxRowCount, "
            "relaxQuotes; csv/html/rtf/ods/xls/xlsx: headerRow, includeEmptyCells, range, "
            "rawData, readAsString, sheetName (ods/xls/xlsx); others: encoding, stripBOM, "
            "keepSource (json|binary|both)",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        operation = ctx.param("operation", 0, "csv")
        if operation == "pdf":
            raise ctx.error(
                f'The operation "{operation}" is not supported by n8nwork yet',
                description="Extract from File reads spreadsheets (CSV, HTML, RTF, ODS, XLS, "
                "XLSX), JSON, text, XML (as text), ICS and base64; PDF is not available.",
            )
        if operation not in OPERATIONS:
            raise ctx.error(f'The operation "{operation}" is not known!')
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                if operation in SPREADSHEET_FORMATS:
                    out.extend(_table(ctx, operation, item, i))
                else:
                    found = _move(ctx, operation, item, i)
                    if found is not None:
                        out.append(found)
            except (
                BinaryDataError,
                SheetError,
                IcsError,
                EncodingError,
                ValueError,
                NodeExecutionError,
                ExpressionError,
            ) as exc:
                message = getattr(exc, "message", None) or str(exc)
                description = getattr(exc, "description", None)
                extension = _extension(item, ctx, i)
                if (
                    operation in SPREADSHEET_FORMATS
                    and extension
                    and extension != operation
                    and not isinstance(exc, (NodeExecutionError, ExpressionError))
                ):
                    message = (
                        f"The file selected in 'Input Binary Field' is not in {operation} format"
                    )
                    description = (
                        f"Try to change the operation or select a {operation} file in "
                        "'Input Binary Field'"
                    )
                elif isinstance(exc, json.JSONDecodeError):
                    message = "The file selected in 'Input Binary Field' is not in JSON format"
                    description = (
                        "Try to change the operation or select a JSON file in 'Input Binary Field'"
                    )
                if ctx.continue_on_fail:
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, (NodeExecutionError, ExpressionError)):
                    raise
                raise ctx.error(message, item_index=i, description=description) from None
        return [out]


def _extension(item: dict[str, Any], ctx: ExecutionContext, i: int) -> str | None:
    """The file extension of the item's input binary (n8n names it in format errors)."""
    try:
        prop = str(ctx.param("binaryPropertyName", i, "data"))
    except (NodeExecutionError, ExpressionError):
        return None
    entry = (item.get("binary") or {}).get(prop)
    if not isinstance(entry, Mapping):
        return None
    extension = entry.get("fileExtension")
    return str(extension) if extension else None


def _table(ctx: ExecutionContext, fmt: str, item: dict[str, Any], i: int) -> list[dict[str, Any]]:
    options = ctx.param("options", i, {}) or {}
    entry = binary_entry(item, str(ctx.param("binaryPropertyName", i, "data")), i)
    data = binary_bytes(entry)
    if fmt == "csv":
        rows = read_csv(decode_bytes(data, options.get("encoding"), strip_bom=False), options)
    else:
        rows = read_spreadsheet(data, fmt, options)
    if options.get("headerRow") is False:
        return [{"json": {"row": row}, "pairedItem": {"item": i}} for row in rows]
    return [{"json": row, "pairedItem": {"item": i}} for row in rows]


def _move(
    ctx: ExecutionContext, operation: str, item: dict[str, Any], i: int
) -> dict[str, Any] | None:
    options = ctx.param("options", i, {}) or {}
    prop = str(ctx.param("binaryPropertyName", i, "data"))
    if not get_path(item.get("binary") or {}, prop, None):
        return None
    data = binary_bytes(binary_entry(item, prop, i))
    keep = options.get("keepSource")
    new: dict[str, Any] = {"json": {}, "pairedItem": {"item": i}}
    if keep and keep != "binary":
        new["json"] = copy.deepcopy(item.get("json", {}))
    value: Any
    if operation == "binaryToPropery":
        value = base64.b64encode(data).decode()
    else:
        value = decode_bytes(data, options.get("encoding"), options.get("stripBOM") is not False)
    if operation == "fromJson":
        value = {} if value == "" else json.loads(value)
    elif operation == "fromIcs":
        value = parse_calendar(value, ctx.timezone)
    set_path(new["json"], str(ctx.param("destinationKey", i)), value)
    if keep in ("binary", "both"):
        new["binary"] = item.get("binary")
    else:
        remaining = copy.deepcopy(item.get("binary") or {})
        unset_path(remaining, prop)
        if remaining:
            new["binary"] = remaining
    return new
