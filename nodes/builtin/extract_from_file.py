"""Extract from File (``n8n-nodes-base.extractFromFile`` v1): reads binary files into JSON: CSV
and HTML tables into one item per row, JSON and text files (and XML as text) into a field, a
file into a base64 string. PDF, ICS and office spreadsheets (xlsx, xls, ods, rtf) are refused
clearly."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._files import EncodingError, decode_bytes
from nodes.builtin._sheet import OFFICE_FORMATS, SheetError, read_csv, read_html
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
_MOVE = ("binaryToPropery", "fromJson", "text", "xml")


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
            description="csv/html: delimiter, encoding, enableBOM, fromLine, headerRow, "
            "includeEmptyCells, maxRowCount, relaxQuotes; others: encoding, stripBOM, "
            "keepSource (json|binary|both)",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        operation = ctx.param("operation", 0, "csv")
        if operation in OFFICE_FORMATS or operation in ("pdf", "fromIcs"):
            raise ctx.error(
                f'The operation "{operation}" is not supported by n8nwork yet',
                description="Extract from File reads CSV, HTML tables, JSON, text, XML (as "
                "text) and base64; PDF, ICS and office formats are not available.",
            )
        if operation not in OPERATIONS:
            raise ctx.error(f'The operation "{operation}" is not known!')
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                if operation in ("csv", "html"):
                    out.extend(_table(ctx, operation, item, i))
                else:
                    found = _move(ctx, operation, item, i)
                    if found is not None:
                        out.append(found)
            except (
                BinaryDataError,
                SheetError,
                EncodingError,
                ValueError,
                NodeExecutionError,
                ExpressionError,
            ) as exc:
                message = getattr(exc, "message", None) or str(exc)
                description = None
                if isinstance(exc, json.JSONDecodeError):
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


def _table(ctx: ExecutionContext, fmt: str, item: dict[str, Any], i: int) -> list[dict[str, Any]]:
    options = ctx.param("options", i, {}) or {}
    entry = binary_entry(item, str(ctx.param("binaryPropertyName", i, "data")), i)
    data = binary_bytes(entry)
    if fmt == "csv":
        rows = read_csv(decode_bytes(data, options.get("encoding"), strip_bom=False), options)
    else:
        rows = read_html(decode_bytes(data, None, strip_bom=True), options)
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
    set_path(new["json"], str(ctx.param("destinationKey", i)), value)
    if keep in ("binary", "both"):
        new["binary"] = item.get("binary")
    else:
        remaining = copy.deepcopy(item.get("binary") or {})
        unset_path(remaining, prop)
        if remaining:
            new["binary"] = remaining
    return new
