"""Extracting values from HTML with CSS selectors, shared by the HTML node (extractHtmlContent)
and the HTML Extract node: cheerio's ``.text()``, ``.html()``, ``.attr()`` and ``.val()`` on
the selection, the html-to-text conversion of HTML v1.2, and the trim / clean-up options.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import Tag

from nodes.builtin._css import inner_html, load, select, text_content
from nodes.builtin._html_text import convert, convert_nodes

_MISSING: Any = object()


def _attr(sel: list[Tag], name: Any) -> Any:
    if not sel:
        return _MISSING
    el = sel[0]
    if name is None or name == "":
        if name == "":
            return el.attrs.get("", _MISSING)
        return {k: (" ".join(v) if isinstance(v, list) else v) for k, v in el.attrs.items()}
    value = el.attrs.get(str(name).lower(), _MISSING)
    return " ".join(value) if isinstance(value, list) else value


def _val(sel: list[Tag]) -> Any:
    if not sel:
        return _MISSING
    el = sel[0]
    if el.name == "textarea":
        return text_content(el)
    if el.name == "select":
        options = [o for o in el.find_all("option") if o.has_attr("selected")]
        if el.has_attr("multiple"):
            return [text_content(o) if not o.has_attr("value") else o["value"] for o in options]
        if not options:
            return _MISSING
        return options[0].get("value", _MISSING)
    if el.name in ("input", "option"):
        if el.name == "input" and str(el.get("type", "")).lower() in ("checkbox", "radio"):
            return el.get("value", "on")
        return el.get("value", _MISSING)
    return _MISSING


def _value(sel: list[Tag], spec: dict[str, Any], version: float) -> Any:
    kind = spec.get("returnValue", "text")
    if kind == "attribute":
        return _attr(sel, spec.get("attribute"))
    if kind == "html":
        html = inner_html(sel[0]) if sel else ""
        return html or _MISSING
    if kind == "value":
        value = _val(sel)
        return ",".join(value) if isinstance(value, list) and version >= 1.2 else value
    if version >= 1.2:
        skip = [s.strip() for s in str(spec.get("skipSelectors") or "").split(",")]
        if not sel:
            return convert("", skip)
        return convert_nodes(list(sel[0].children), skip)
    text = "".join(text_content(el) for el in sel)
    return text if text or version < 1 else _MISSING


def _apply_options(value: Any, options: dict[str, Any], legacy_trim: bool) -> Any:
    if value is _MISSING or not isinstance(value, str):
        return value
    if legacy_trim:
        return value if options.get("trimValues") is False else value.strip()
    if options.get("trimValues"):
        value = value.strip()
    if options.get("cleanUpText"):
        value = re.sub(r"^\s+|\s+$", "", value)
        value = re.sub(r"\r\n|\n|\r", "", value)
        value = re.sub(r"\s+", " ", value)
    return value


def extract(
    html: str,
    values: list[dict[str, Any]],
    options: dict[str, Any],
    version: float,
    legacy_trim: bool = False,
) -> dict[str, Any]:
    """One output JSON object: each value's key set from its selector's extraction.

    ``version`` is the HTML node's typeVersion (0 for the HTML Extract node, whose text
    extraction is always cheerio's ``.text()``); ``legacy_trim`` trims unless
    ``trimValues`` is false (HTML Extract) instead of only when it is true (HTML).
    """
    doc = load(html)
    out: dict[str, Any] = {}
    for spec in values:
        key = str(spec.get("key", ""))
        selection = select(doc, str(spec.get("cssSelector", "")))
        if spec.get("returnArray"):
            items = []
            for el in selection:
                found = _apply_options(_value([el], spec, version), options, legacy_trim)
                items.append(None if found is _MISSING else found)
            out[key] = items
            continue
        found = _apply_options(_value(selection, spec, version), options, legacy_trim)
        if found is _MISSING:
            out.pop(key, None)
        else:
            out[key] = found
    return out
