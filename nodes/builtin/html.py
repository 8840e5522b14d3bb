"""HTML (``n8n-nodes-base.html`` v1, v1.1, v1.2): generates HTML from a template with ``{{ }}``
expressions, extracts values from HTML with CSS selectors (text, HTML, attribute or form value;
v1.2 converts text with html-to-text and can skip selectors), or renders all input items as an
HTML table."""

from __future__ import annotations

import re
from typing import Any

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._css import SelectorError
from nodes.builtin._html_extract import extract
from nodes.builtin._values import MISSING, get_path, js_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

PLACEHOLDER = """<!DOCTYPE html>

<html>
<head>
  <meta charset="UTF-8" />
  <title>Document</title>
</head>
<body>
  <div class="container">
    <h1>This is a Heading</h1>
    <p>This is a paragraph.</p>
    <div>Some more content!</div>
  </div>
</body>
</html>

<style>
.container {
  background-color: lightblue;
  text-align: center;
  padding: 16px;
  border-radius: 10px;
}

h1 {
  color: purple;
  font-size: 24px;
  font-weight: bold;
  padding: 8px;
}
</style>

<script>
console.log("Hello World!");
</script>"""

_RESOLVABLE = re.compile(r"({{[\s\S]*?}})")


class Html(NodeType):
    type_name = "n8n-nodes-base.html"
    versions = (1, 1.1, 1.2)
    display_name = "HTML"
    description = "Work with HTML"
    params = (
        Param(
            "operation",
            "options",
            "generateHtmlTemplate",
            ("generateHtmlTemplate", "extractHtmlContent", "convertToHtmlTable"),
        ),
        Param("html", "string", PLACEHOLDER),
        Param("sourceData", "options", "json", ("binary", "json")),
        Param("dataPropertyName", "string", "data"),
        Param("extractionValues", "fixedCollection", {}, versions=(1.0, 1.0)),
        Param(
            "extractionValues",
            "fixedCollection",
            {
                "values": [
                    {"key": "", "cssSelector": "", "returnValue": "text", "returnArray": False}
                ]
            },
            versions=(1.1, 1.2),
        ),
        Param(
            "options",
            "collection",
            {},
            description="extract: trimValues, cleanUpText; table: capitalize, customStyling, "
            "caption, tableAttributes, headerAttributes, rowAttributes, cellAttributes",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        operation = ctx.param("operation", 0)
        if operation == "convertToHtmlTable":
            if not items:
                return [[]]
            return [[_table(ctx, items)]]
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            try:
                if operation == "generateHtmlTemplate":
                    out.append({"json": {"html": _template(ctx, i)}, "pairedItem": {"item": i}})
                elif operation == "extractHtmlContent":
                    out.extend(_extract(ctx, item, i))
            except (NodeExecutionError, ExpressionError, BinaryDataError, SelectorError) as exc:
                if ctx.continue_on_fail:
                    message = getattr(exc, "message", None) or str(exc)
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, (BinaryDataError, SelectorError)):
                    raise ctx.error(str(exc), item_index=i) from None
                raise
        return [out]


def _template(ctx: ExecutionContext, i: int) -> str:
    html = js_string(ctx.param("html", i, PLACEHOLDER))
    for resolvable in _RESOLVABLE.findall(html):
        value = ctx.evaluate("=" + resolvable, i, parameter="html")
        if isinstance(value, ExpressionError):
            raise value
        html = html.replace(resolvable, js_string(value), 1)
    return html


def _source(ctx: ExecutionContext, item: dict[str, Any], i: int) -> list[str]:
    name = str(ctx.param("dataPropertyName", i, "data"))
    if ctx.param("sourceData", i, "json") == "binary":
        return [binary_bytes(binary_entry(item, name, i)).decode("utf-8", errors="replace")]
    data = item.get("json", {})
    if ctx.version == 1:
        key = _sanitize_key(data, name)
        value = data.get(key, MISSING)
    else:
        value = get_path(data, name)
    if value is MISSING:
        raise ctx.error(f'No property named "{name}" exists!', item_index=i)
    if isinstance(value, list):
        return [js_string(v) for v in value]
    return [js_string(value)]


def _sanitize_key(data: dict[str, Any], key: str) -> str:
    """n8n's ``sanitizeDataPathKey``: ``['a.b']`` names the key ``a.b``."""
    if key in data:
        return key
    m = re.fullmatch(r"\[['\"](.*)['\"]\]", key)
    return m.group(1) if m else key


def _extract(ctx: ExecutionContext, item: dict[str, Any], i: int) -> list[dict[str, Any]]:
    values = (ctx.param("extractionValues", i, {}) or {}).get("values") or []
    options = ctx.param("options", i, {}) or {}
    return [
        {"json": extract(html, values, options, ctx.version), "pairedItem": {"item": i}}
        for html in _source(ctx, item, i)
    ]


def _capitalize(header: str, capitalize: bool) -> str:
    if not capitalize:
        return header
    return " ".join(w[0].upper() + w[1:] for w in header.split("_") if w)


def _cell(value: Any) -> str:
    if value is MISSING:
        return "undefined"
    if isinstance(value, bool):
        checked = 'checked="checked"' if value else ""
        return f'<input type="checkbox" {checked}/>'
    return js_string(value)


def _table(ctx: ExecutionContext, items: list[dict[str, Any]]) -> dict[str, Any]:
    options = ctx.param("options", 0, {}) or {}
    table_style = header_style = cell_style = ""
    if not options.get("customStyling"):
        table_style = "style='border-spacing:0; font-family:helvetica,arial,sans-serif'"
        header_style = (
            "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee; "
            "text-align:left; color:#888; font-weight:normal'"
        )
        cell_style = "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee'"
    headers: list[str] = []
    for item in items:
        for key in item.get("json", {}):
            if key not in headers:
                headers.append(key)
    table = f"<table {table_style} {options.get('tableAttributes') or ''}>"
    if options.get("caption"):
        table += f"<caption>{options['caption']}</caption>"
    table += f"<thead {header_style} {options.get('headerAttributes') or ''}>"
    capitalize = bool(options.get("capitalize"))
    table += "<tr>" + "".join(f"<th>{_capitalize(h, capitalize)}</th>" for h in headers)
    table += "</tr></thead><tbody>"
    for index, item in enumerate(items):
        row_attrs = ctx.param("options.rowAttributes", index, "") or ""
        cell_attrs = ctx.param("options.cellAttributes", index, "") or ""
        table += f"<tr  {row_attrs}>"
        data = item.get("json", {})
        table += "".join(
            f"<td {cell_style} {cell_attrs}>{_cell(data.get(h, MISSING))}</td>" for h in headers
        )
        table += "</tr>"
    table += "</tbody></table>"
    return {"json": {"table": table}, "pairedItem": [{"item": i} for i in range(len(items))]}
