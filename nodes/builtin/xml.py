"""XML (``n8n-nodes-base.xml`` v1): converts each item's JSON to an XML string, or an XML string
property to JSON, with xml2js's semantics and options."""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._xml2js import XmlError, build, parse
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_BUILD_OPTIONS = ("allowSurrogateChars", "attrkey", "cdata", "charkey", "headless", "rootName")
_PARSE_OPTIONS = (
    "attrkey",
    "charkey",
    "explicitArray",
    "explicitRoot",
    "ignoreAttrs",
    "mergeAttrs",
    "normalize",
    "normalizeTags",
    "trim",
)


class Xml(NodeType):
    type_name = "n8n-nodes-base.xml"
    display_name = "XML"
    description = "Convert data from and to XML"
    params = (
        Param("mode", "options", "xmlToJson", ("jsonToxml", "xmlToJson")),
        Param("dataPropertyName", "string", "data"),
        Param(
            "options",
            "collection",
            {},
            description="jsonToxml: "
            + ", ".join(_BUILD_OPTIONS)
            + "; xmlToJson: "
            + ", ".join(_PARSE_OPTIONS),
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        mode = ctx.param("mode", 0)
        name = str(ctx.param("dataPropertyName", 0, "data"))
        options: dict[str, Any] = ctx.param("options", 0, {}) or {}
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                if mode == "xmlToJson":
                    data = item.get("json", {})
                    if name not in data:
                        raise ctx.error(
                            f'No json property "{name}" does not exists on item!', item_index=i
                        )
                    parse_options = {"mergeAttrs": True, "explicitArray": False, **options}
                    parsed = parse(data[name], parse_options)
                    if not isinstance(parsed, dict):
                        raise XmlError(f'The property "{name}" holds no XML to convert')
                    out.append({"json": parsed, "pairedItem": {"item": i}})
                elif mode == "jsonToxml":
                    xml = build(item.get("json", {}), options)
                    out.append({"json": {name: xml}, "pairedItem": {"item": i}})
                else:
                    raise ctx.error(f'The operation "{mode}" is not known!', item_index=i)
            except (XmlError, NodeExecutionError) as exc:
                message = exc.message if isinstance(exc, NodeExecutionError) else str(exc)
                if ctx.continue_on_fail:
                    out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, NodeExecutionError):
                    raise
                raise ctx.error(message, item_index=i) from None
        return [out]
