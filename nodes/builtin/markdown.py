"""Markdown (``n8n-nodes-base.markdown`` v1): converts HTML to Markdown (node-html-markdown's
rules and options) or Markdown to HTML (showdown's output and options), writing the result
into ``destinationKey`` (dot notation) of a copy of the item."""

from __future__ import annotations

import copy
from typing import Any

from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._html_markdown import translate
from nodes.builtin._showdown import make_html
from nodes.builtin._values import js_string, set_path
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_HTML_OPTIONS = (
    "bulletMarker",
    "codeFence",
    "emDelimiter",
    "globalEscape",
    "ignore",
    "keepDataImages",
    "lineStartEscape",
    "maxConsecutiveNewlines",
    "useLinkReferenceDefinitions",
    "strongDelimiter",
    "codeBlockStyle",
    "textReplace",
    "blockElements",
)


class Markdown(NodeType):
    type_name = "n8n-nodes-base.markdown"
    display_name = "Markdown"
    description = "Convert data between Markdown and HTML"
    params = (
        Param("mode", "options", "htmlToMarkdown", ("markdownToHtml", "htmlToMarkdown")),
        Param("html", "string", ""),
        Param("markdown", "string", ""),
        Param("destinationKey", "string", "data"),
        Param(
            "options",
            "collection",
            {},
            description="htmlToMarkdown: "
            + ", ".join(_HTML_OPTIONS)
            + "; markdownToHtml: showdown options",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        mode = ctx.param("mode", 0)
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                key = str(ctx.param("destinationKey", i, "data"))
                if mode == "htmlToMarkdown":
                    result = translate(js_string(ctx.param("html", i, "")), _html_options(ctx, i))
                elif mode == "markdownToHtml":
                    options = ctx.param("options", i, {}) or {}
                    result = make_html(js_string(ctx.param("markdown", i, "")), options)
                else:
                    raise ctx.error(f'The mode "{mode}" is not known!', item_index=i)
            except (NodeExecutionError, ExpressionError) as exc:
                if ctx.continue_on_fail:
                    out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                    continue
                raise
            new_json = copy.deepcopy(item.get("json", {}))
            set_path(new_json, key, result)
            out.append({"json": new_json, "pairedItem": {"item": i}})
        return [out]


def _html_options(ctx: ExecutionContext, i: int) -> dict[str, Any]:
    options = dict(ctx.param("options", i, {}) or {})
    replace = (
        ((options.get("textReplace") or {}).get("values") or [])
        if isinstance(options.get("textReplace"), dict)
        else []
    )
    options["textReplace"] = [
        [e.get("pattern", ""), e.get("replacement", "")] for e in replace
    ] or None
    for key in ("lineStartEscape", "globalEscape"):
        value = (
            (options.get(key) or {}).get("value") if isinstance(options.get(key), dict) else None
        )
        options[key] = [value.get("pattern", ""), value.get("replacement", "")] if value else None
    for key in ("ignore", "blockElements"):
        options[key] = (
            [e.strip() for e in str(options[key]).split(",")] if options.get(key) else None
        )
    return {k: v for k, v in options.items() if v}
