"""Convert to File (``n8n-nodes-base.convertToFile`` v1, v1.1): turns JSON into binary files: all
items as one spreadsheet (CSV, HTML table, RTF table, ODS, XLS, XLSX), items as JSON (one file
or one per item), a text field as a text file, a base64 field as a file, and one iCalendar
(ICS) event file per item."""

from __future__ import annotations

from typing import Any

from n8nwork.binary import prepare_binary
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._files import EncodingError, ValueNotSetError, binary_from_json
from nodes.builtin._ics import IcsError, create_event
from nodes.builtin._sheet import SPREADSHEET_FORMATS, SheetError, write_spreadsheet
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
            description="csv/html/rtf/ods/xls/xlsx: fileName, headerRow, delimiter (csv), "
            "sheetName (ods/xls/xlsx), compression (ods/xlsx); toJson: addBOM, format, "
            "encoding, fileName; toText: addBOM, encoding, fileName; toBinary: addBOM, "
            "dataIsBase64 (v1), encoding, fileName, mimeType",
        ),
        Param("title", "string", "", description="iCal: the event title"),
        Param("start", "any", "", description="iCal: when the event starts"),
        Param("end", "any", "", description="iCal: when the event ends"),
        Param("allDay", "boolean", False, description="iCal: an all-day event"),
        Param(
            "additionalFields",
            "collection",
            {},
            description="iCal: attendeesUi, busyStatus, calName, description, fileName, "
            "geolocationUi, location, recurrenceRule, organizerUi, sequence, status, uid, "
            "url, useWorkflowTimezone",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        operation = ctx.param("operation", 0, "csv")
        if operation in SPREADSHEET_FORMATS:
            return [self._spreadsheet(ctx, items, operation)]
        if operation == "iCal":
            return [self._ical(ctx, items)]
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
        paired = [{"item": i} for i in range(len(items))]
        try:
            options = ctx.param("options", 0, {}) or {}
            name = str(ctx.param("binaryPropertyName", 0, "data"))
            rows = [item.get("json", {}) for item in items]
            data = write_spreadsheet(rows, fmt, options)
        except (SheetError, ValueError) as exc:
            if ctx.continue_on_fail:
                return [{"json": {"error": str(exc)}, "pairedItem": paired}]
            raise ctx.error(str(exc)) from None
        except (NodeExecutionError, ExpressionError) as exc:
            if ctx.continue_on_fail:
                return [
                    {"json": {"error": getattr(exc, "message", str(exc))}, "pairedItem": paired}
                ]
            raise
        file_name = (
            options.get("fileName") if options.get("fileName") is not None else f"File.{fmt}"
        )
        entry = prepare_binary(data, str(file_name) or None)
        return [{"json": {}, "binary": {name: entry}, "pairedItem": paired}]

    def _ical(self, ctx: ExecutionContext, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """n8n's iCalendar ``createEvent``: one ICS file per item."""
        out: list[dict[str, Any]] = []
        for i in range(len(items)):
            try:
                fields = dict(ctx.param("additionalFields", i, {}) or {})
                text = create_event(
                    title=str(ctx.param("title", i, "") or ""),
                    start=ctx.param("start", i, ""),
                    end=ctx.param("end", i, ""),
                    all_day=bool(ctx.param("allDay", i, False)),
                    fields=fields,
                    workflow_timezone=ctx.timezone,
                )
                entry = prepare_binary(
                    text.encode("utf-8"),
                    str(fields.get("fileName") or "event.ics"),
                    "text/calendar",
                )
                name = str(ctx.param("binaryPropertyName", i, "data"))
            except (IcsError, ValueError, NodeExecutionError, ExpressionError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                if ctx.continue_on_fail:
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, (NodeExecutionError, ExpressionError)):
                    raise
                raise ctx.error(message, item_index=i) from None
            out.append({"json": {}, "binary": {name: entry}, "pairedItem": {"item": i}})
        return out

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
