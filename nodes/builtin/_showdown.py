"""Markdown to HTML with showdown's output conventions (the Markdown node's markdownToHtml):
Python-Markdown renders, then showdown's habits are applied: header ids (``exampledomain``),
``...`` as an ellipsis, GitHub code fences, and the options n8n exposes (tables,
strikethrough, simple line breaks, task lists, links in new windows, auto-linking, header
level start, complete HTML document).
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import markdown as md

_CODE_SPLIT = re.compile(r"(<pre[\s\S]*?</pre>|<code[\s\S]*?</code>|<[^>]+>)")
_HEADER = re.compile(r"<h([1-6])>([\s\S]*?)</h\1>")


def _map_text(html: str, fn: Any) -> str:
    """Apply ``fn`` to text outside tags, ``<pre>`` and ``<code>``."""
    parts = _CODE_SPLIT.split(html)
    return "".join(p if i % 2 else fn(p) for i, p in enumerate(parts))


def _header_id(text: str, options: dict[str, Any], counts: dict[str, int]) -> str:
    if options.get("customizedHeaderId"):
        m = re.search(r"\{([^{]+?)}\s*$", text)
        if m:
            text = m.group(1)
    prefix_opt = options.get("prefixHeaderId")
    prefix = (
        prefix_opt if isinstance(prefix_opt, str) else ("section-" if prefix_opt is True else "")
    )
    title = text if options.get("rawPrefixHeaderId") else prefix + text
    if options.get("ghCompatibleHeaderId"):
        title = re.sub(
            r"[&+$,/:;=?@\"#{}|^¨~\[\]`\\*)(%.!'<>]",
            "",
            title.replace(" ", "-").replace("&amp;", ""),
        ).lower()
    elif options.get("rawHeaderId"):
        title = re.sub(r"[\"']", "-", title.replace(" ", "-").replace("&amp;", "&")).lower()
    else:
        title = re.sub(r"[^\w]", "", title, flags=re.ASCII).lower()
    if options.get("rawPrefixHeaderId"):
        title = prefix + title
    if title in counts:
        counts[title] += 1
        return f"{title}-{counts[title] - 1}"
    counts[title] = 1
    return title


def _headers(html: str, options: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    start = int(options.get("headerLevelStart") or 1)

    def sub(m: re.Match[str]) -> str:
        level = min(6, int(m.group(1)) + start - 1)
        inner = m.group(2)
        if options.get("customizedHeaderId"):
            inner = re.sub(r"\s*\{([^{]+?)}\s*$", "", inner)
        if options.get("noHeaderId"):
            return f"<h{level}>{inner}</h{level}>"
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        return f'<h{level} id="{_header_id(text, options, counts)}">{inner}</h{level}>'

    return _HEADER.sub(sub, html)


def _tasklists(html: str) -> str:
    box = (
        '<input type="checkbox" disabled style="margin: 0px 0.35em 0.25em -1.6em; '
        'vertical-align: middle;"{checked}>'
    )

    def sub(m: re.Match[str]) -> str:
        checked = " checked" if m.group(1).lower() == "x" else ""
        return (
            '<li class="task-list-item" style="list-style-type: none;">'
            + box.format(checked=checked)
            + " "
        )

    return re.sub(r"<li>(?:<p>)?\[([ xX])\]\s*", sub, html)


def _autolink(text: str) -> str:
    return re.sub(
        r"(?<![\"'=])\b((?:https?|ftp)://[^\s<>\"']+|www\.[^\s<>\"']+)",
        lambda m: (
            f'<a href="{m.group(1) if "://" in m.group(1) else "http://" + m.group(1)}">'
            f"{m.group(1)}</a>"
        ),
        text,
    )


def make_html(text: str, options: dict[str, Any] | None = None) -> str:
    """showdown's ``new Converter(options).makeHtml(text)``."""
    opts = options or {}
    extensions: list[str] = []
    if opts.get("ghCodeBlocks", True):
        extensions.append("fenced_code")
    if opts.get("tables"):
        extensions.append("tables")
    if opts.get("simpleLineBreaks"):
        extensions.append("nl2br")
    html = md.markdown(text, extensions=extensions)
    html = _headers(html, opts)
    if opts.get("ellipsis", True):
        html = _map_text(html, lambda t: t.replace("...", "\u2026"))
    if opts.get("strikethrough"):
        html = _map_text(html, lambda t: re.sub(r"~~(?=\S)([\s\S]*?\S)~~", r"<del>\1</del>", t))
    if opts.get("simplifiedAutoLink"):
        html = _link_free_text(html)
    if opts.get("tasklists"):
        html = _tasklists(html)
    if opts.get("openLinksInNewWindow"):
        html = re.sub(
            r"<a (href=\"[^\"]*\")", r'<a \1 rel="noopener noreferrer" target="_blank"', html
        )
    if opts.get("completeHTMLDocument"):
        html = (
            '<!DOCTYPE HTML>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n'
            + html
            + "\n</body>\n</html>"
        )
    return html


def _link_free_text(html: str) -> str:
    """Auto-link URLs in text that is not already inside a link."""
    parts = re.split(r"(<a\b[\s\S]*?</a>|<pre[\s\S]*?</pre>|<code[\s\S]*?</code>|<[^>]+>)", html)
    return "".join(p if i % 2 else _autolink(p) for i, p in enumerate(parts))
