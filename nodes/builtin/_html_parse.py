"""A lenient HTML parser shaped like ``node-html-parser`` (what node-html-markdown uses): tags
found by one regular expression, anything else (``<!doctype ...>`` included) is text, a few
elements close implicitly (``li``, ``p``, ``td`` ...), ``script``/``style``/``noscript`` content
is dropped, comments are dropped. Nodes keep upper-case tag names like the original.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import Any

_MARKUP = re.compile(
    r"<!--[\s\S]*?-->|<(/?)([a-zA-Z][-.:0-9_a-zA-Z]*)"
    r"((?:\s+[^>]*?(?:(?:'[^']*')|(?:\"[^\"]*\"))?)*)\s*(/?)>"
)
_ATTR = re.compile(
    r"([a-zA-Z()[\]#@$.?:][a-zA-Z0-9-._:()[\]#]*)(?:\s*=\s*((?:'[^']*')|(?:\"[^\"]*\")|\S+))?"
)
VOID = frozenset(
    (
        "AREA",
        "BASE",
        "BR",
        "COL",
        "EMBED",
        "HR",
        "IMG",
        "INPUT",
        "LINK",
        "META",
        "PARAM",
        "SOURCE",
        "TRACK",
        "WBR",
    )
)
_DROP_CONTENT = frozenset(("SCRIPT", "STYLE", "NOSCRIPT"))
_CLOSED_BY_OPENING = {
    "LI": {"LI"},
    "P": {"P", "DIV"},
    "B": {"DIV"},
    "TD": {"TD", "TH"},
    "TH": {"TD", "TH"},
    **{f"H{n}": {f"H{n}"} for n in range(1, 7)},
}
_CLOSED_BY_CLOSING = {
    "LI": {"UL", "OL"},
    "A": {"DIV"},
    "B": {"DIV"},
    "I": {"DIV"},
    "P": {"DIV"},
    "TD": {"TR", "TABLE"},
    "TH": {"TR", "TABLE"},
}


@dataclass(eq=False)
class Text:
    raw: str
    parent: Element | None = None

    @property
    def text(self) -> str:
        return html_lib.unescape(self.raw)

    @property
    def is_whitespace(self) -> bool:
        return re.fullmatch(r"(\s|&nbsp;)*", self.raw) is not None

    @property
    def trimmed_text(self) -> str:
        """node-html-parser's ``trimmedText``: trimmed, keeping one space where a space was."""
        text = self.text
        start = next((i for i, c in enumerate(text) if not c.isspace()), None)
        if start is None:
            return ""
        end = max(i for i, c in enumerate(text) if not c.isspace())
        lead = (
            " " if start > 0 and text[start - 1] not in "\r\n" and text[start - 1].isspace() else ""
        )
        trail = (
            " "
            if end < len(text) - 1 and text[end + 1] not in "\r\n" and text[end + 1].isspace()
            else ""
        )
        return lead + text[start : end + 1] + trail


@dataclass(eq=False)
class Element:
    tag: str | None  # upper case; None for the root
    raw_attrs: str = ""
    parent: Element | None = None
    children: list[Any] = field(default_factory=list)
    _attrs: dict[str, str] | None = None

    @property
    def attrs(self) -> dict[str, str]:
        if self._attrs is None:
            found: dict[str, str] = {}
            for m in _ATTR.finditer(self.raw_attrs):
                key = m.group(1).lower()
                value = m.group(2) or ""
                if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
                    value = value[1:-1]
                found.setdefault(key, html_lib.unescape(value))
            self._attrs = found
        return self._attrs

    def get(self, name: str) -> str | None:
        return self.attrs.get(name.lower())

    @property
    def text_content(self) -> str:
        return "".join(c.text if isinstance(c, Text) else c.text_content for c in self.children)


def parse(html: str) -> Element:
    root = Element(None)
    stack = [root]
    pos = 0
    length = len(html)
    while pos < length:
        m = _MARKUP.search(html, pos)
        if m is None:
            break
        if m.start() > pos:
            stack[-1].children.append(Text(html[pos : m.start()], stack[-1]))
        pos = m.end()
        if m.group(0).startswith("<!--"):
            continue
        closing, name, attrs, self_closing = m.group(1), m.group(2).upper(), m.group(3), m.group(4)
        if not closing:
            current = stack[-1]
            if current.tag in _CLOSED_BY_OPENING and name in _CLOSED_BY_OPENING[current.tag]:
                stack.pop()
                current = stack[-1]
            el = Element(name, attrs or "", current)
            current.children.append(el)
            if name in _DROP_CONTENT:
                end = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(html, pos)
                pos = end.end() if end else length
                continue
            if not self_closing and name not in VOID:
                stack.append(el)
            continue
        _close(stack, name)
    if pos < length:
        stack[-1].children.append(Text(html[pos:], stack[-1]))
    return root


def _close(stack: list[Element], name: str) -> None:
    while len(stack) > 1:
        current = stack[-1]
        if current.tag == name:
            stack.pop()
            return
        if current.tag in _CLOSED_BY_CLOSING and name in _CLOSED_BY_CLOSING[current.tag]:
            stack.pop()
            continue
        if any(el.tag == name for el in stack[1:]):
            stack.pop()
            continue
        return
