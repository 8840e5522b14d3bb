"""HTML Extract (``n8n-nodes-base.htmlExtract`` v1): extracts values from HTML held in a JSON
property (dot notation allowed; a string or an array of strings) or a binary property, with
CSS selectors; values are trimmed unless the ``trimValues`` option is off."""

from __future__ import annotations

from typing import Any

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.errors import NodeExecutionError
from nodes.builtin._css import SelectorError
from nodes.builtin._html_extract import extract
from nodes.builtin._values import MISSING, get_path, js_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


class HtmlExtract(NodeType):
    type_name = "n8n-nodes-base.htmlExtract"
    display_name = "HTML Extract"
    description = "Extracts data from HTML"
    params = (
        Param("sourceData", "options", "json", ("binary", "json")),
        Param("dataPropertyName", "string", "data"),
        Param("extractionValues", "fixedCollection", {}),
        Param("options", "collection", {}, description="trimValues (default true)"),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                out.extend(_extract_item(ctx, item, i))
            except (NodeExecutionError, BinaryDataError, SelectorError) as exc:
                message = exc.message if isinstance(exc, NodeExecutionError) else str(exc)
                if ctx.continue_on_fail:
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, NodeExecutionError):
                    raise
                raise ctx.error(message, item_index=i) from None
        return [out]


def _extract_item(ctx: ExecutionContext, item: dict[str, Any], i: int) -> list[dict[str, Any]]:
    name = str(ctx.param("dataPropertyName", i, "data"))
    values = (ctx.param("extractionValues", i, {}) or {}).get("values") or []
    options = ctx.param("options", i, {}) or {}
    if ctx.param("sourceData", i, "json") == "binary":
        sources = [binary_bytes(binary_entry(item, name, i)).decode("utf-8", errors="replace")]
    else:
        value = get_path(item.get("json", {}), name)
        if value is MISSING:
            raise ctx.error(f'No property named "{name}" exists!', item_index=i)
        sources = [js_string(v) for v in value] if isinstance(value, list) else [js_string(value)]
    return [
        {"json": extract(html, values, options, 0, legacy_trim=True), "pairedItem": {"item": i}}
        for html in sources
    ]
