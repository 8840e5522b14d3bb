"""Convert to File (``n8n-nodes-base.convertToFile`` v1, v1.1): turns JSON into binary files: all
items as one CSV or HTML table, items as JSON (one file or one per item), a text field as a
text file, a base64 field as a file. XLSX, XLS, ODS, RTF and ICS files are refused clearly."""

from __future__ import annotations

from typing import Any

from n8nwork.binary import prepare_binary
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._files import EncodingError, ValueNotSetError, binary_from_json
from nodes.builtin._sheet import OFFICE_FORMATS, write_csv, write_html
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

OPERATIONS = ("csv", "html", "iCal", "toJson", "ods", "rtf", "toText", "xls", "xlsx", "toBinary")


class ConvertToFile(NodeType):
    type_name = "n8n-nodes-base.convertToFile"
    versions = (1, 1.1)
    display_name = "Convert to File"
    description = "Convert JSON data to binary data"
    params = (
        Param("operation", "options", "csv", OPERATIONS),
        Param("binaryPropertyName", "string", "data"),
        Param("mode", "options", "once", ("once", "each")),
        Param("sourceProperty", "string", ""),
        Param(
            "options",
            "collection",
            {},
            description="csv/html: delimiter, fileName, headerRow; toJson: addBOM, format, "
            "encoding, fileName; toText: addBOM, encoding, fileName; toBinary: addBOM, "
            "dataIsBase64 (v1), encoding, fileName, mimeType",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        operation = ctx.param("operation", 0, "csv")
        if operation in ("csv", "html"):
            return [self._spreadsheet(ctx, items, operation)]
        if operation in OFFICE_FORMATS or operation == "iCal":
            raise ctx.error(
                f'The operation "{operation}" is not supported by n8nwork yet',
                description="Convert to File writes CSV, HTML, JSON, text and base64 files; "
                "office formats (xlsx, xls, ods, rtf) and ICS are not available.",
            )
        if operation == "toJson" and ctx.param("mode", 0, "once") == "once":
            return [self._json_once(ctx, items)]
        if operation not in ("toJson", "toText", "toBinary"):
            raise ctx.error(f'The operation "{operation}" is not known!')
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            try:
                entry = self._per_item(ctx, operation, item, i)
            except (
                ValueNotSetError,
                EncodingError,
                ValueError,
                NodeExecutionError,
                ExpressionError,
            ) as exc:
                message = getattr(exc, "message", None) or str(exc)
                if ctx.continue_on_fail:
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, (NodeExecutionError, ExpressionError)):
                    raise
                raise ctx.error(message, item_index=i) from None
            name = str(ctx.param("binaryPropertyName", i, "data"))
            out.append({"json": {}, "binary": {name: entry}, "pairedItem": {"item": i}})
        return [out]

    def _spreadsheet(
        self, ctx: ExecutionContext, items: list[dict[str, Any]], fmt: str
    ) -> list[dict[str, Any]]:
        options = ctx.param("options", 0, {}) or {}
        header = options.get("headerRow") is not False
        rows = [item.get("json", {}) for item in items]
        if fmt == "csv":
            data = write_csv(rows, str(options.get("delimiter") or ","), header)
        else:
            data = write_html(rows, header)
        file_name = (
            options.get("fileName") if options.get("fileName") is not None else f"File.{fmt}"
        )
        entry = prepare_binary(data, str(file_name) or None)
        name = str(ctx.param("binaryPropertyName", 0, "data"))
        return [
            {
                "json": {},
                "binary": {name: entry},
                "pairedItem": [{"item": i} for i in range(len(items))],
            }
        ]

    def _json_once(
        self, ctx: ExecutionContext, items: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        options = ctx.param("options", 0, {}) or {}
        try:
            entry = binary_from_json(
                [item.get("json", {}) for item in items],
                file_name=options.get("fileName"),
                mime_type="application/json",
                encoding=options.get("encoding"),
                add_bom=bool(options.get("addBOM")),
                format_json=bool(options.get("format")),
            )
        except (EncodingError, ValueError) as exc:
            raise ctx.error(str(exc)) from None
        name = str(ctx.param("binaryPropertyName", 0, "data"))
        return [
            {
                "json": {},
                "binary": {name: entry},
                "pairedItem": [{"item": i} for i in range(len(items))],
            }
        ]

    def _per_item(
        self, ctx: ExecutionContext, operation: str, item: dict[str, Any], i: int
    ) -> dict[str, Any]:
        options = ctx.param("options", i, {}) or {}
        data = item.get("json", {})
        if operation == "toJson":
            return binary_from_json(
                data,
                file_name=options.get("fileName"),
                mime_type="application/json",
                encoding=options.get("encoding"),
                add_bom=bool(options.get("addBOM")),
                format_json=bool(options.get("format")),
            )
        source = str(ctx.param("sourceProperty", i, ""))
        if operation == "toText":
            return binary_from_json(
                data,
                source_key=source,
                file_name=options.get("fileName") or "file.txt",
                mime_type="text/plain",
                encoding=options.get("encoding"),
                add_bom=bool(options.get("addBOM")),
            )
        is_base64 = options.get("dataIsBase64") is not False if ctx.version == 1 else True
        return binary_from_json(
            data,
            source_key=source,
            file_name=options.get("fileName"),
            mime_type=options.get("mimeType"),
            encoding=options.get("encoding"),
            add_bom=bool(options.get("addBOM")),
            data_is_base64=is_base64,
        )
