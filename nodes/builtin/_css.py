"""CSS selection like cheerio's (css-select) on BeautifulSoup trees: soupsieve underneath, with
cheerio's extras translated (``:contains()``, and the positional ``:first``, ``:last``,
``:eq(n)``, ``:gt(n)``, ``:lt(n)``, ``:even``, ``:odd`` at the end of a selector), selector
specificity for html-to-text's picker, and an HTML serializer like parse5's (what cheerio's
``.html()`` returns).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import soupsieve
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

VOID = frozenset(
    (
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    )
)
RAW_TEXT = frozenset(
    ("style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript")
)
_POSITIONAL = re.compile(r":(first|last|even|odd|eq|nth|gt|lt)(?:\((-?\d+)\))?\s*$")


class SelectorError(ValueError):
    """Raised when a CSS selector cannot be parsed."""


@lru_cache(maxsize=256)
def _compile(selector: str) -> Any:
    translated = re.sub(r":contains\(", ":-soup-contains(", selector)
    try:
        return soupsieve.compile(translated)
    except (soupsieve.SelectorSyntaxError, ValueError) as exc:
        raise SelectorError(f"Invalid CSS selector: {selector}") from exc


def select(root: Tag, selector: str) -> list[Tag]:
    """Elements under ``root`` matching ``selector``, in document order."""
    selector = selector.strip()
    positional = _POSITIONAL.search(selector)
    if positional and positional.start() > 0:
        base = selector[: positional.start()]
        found = list(_compile(base).select(root))
        return _positional(found, positional.group(1), positional.group(2))
    return list(_compile(selector).select(root)) if selector else []


def _positional(found: list[Tag], name: str, arg: str | None) -> list[Tag]:
    n = int(arg) if arg is not None else 0
    if name == "first":
        return found[:1]
    if name == "last":
        return found[-1:]
    if name == "even":
        return found[::2]
    if name == "odd":
        return found[1::2]
    if name in ("eq", "nth"):
        idx = n if n >= 0 else len(found) + n
        return [found[idx]] if 0 <= idx < len(found) else []
    if name == "gt":
        return found[n + 1 :] if n >= 0 else found[len(found) + n + 1 :]
    if name == "lt":
        return found[:n] if n >= 0 else found[: len(found) + n]
    return found


def matches(el: Tag, selector: str) -> bool:
    if selector == "*":
        return True
    if re.fullmatch(r"[A-Za-z][\w-]*", selector):
        return el.name == selector.lower()
    try:
        return bool(_compile(selector).match(el))
    except SelectorError:
        return False


def specificity(selector: str) -> tuple[int, int, int]:
    """(ids, classes/attributes/pseudo-classes, types) of a simple selector."""
    text = re.sub(r"\[[^\]]*\]", " [x] ", selector)
    ids = len(re.findall(r"#[\w-]+", text))
    classes = len(re.findall(r"\.[\w-]+|\[x\]|:(?!:)[\w-]+", text))
    stripped = re.sub(r"#[\w-]+|\.[\w-]+|\[x\]|::?[\w-]+(\([^)]*\))?", " ", text)
    types = len([t for t in re.findall(r"[A-Za-z][\w-]*", stripped)])
    return ids, classes, types


def load(html: str) -> BeautifulSoup:
    """``cheerio.load(html)``: a full HTML5 document (html, head, body always present)."""
    return BeautifulSoup(html, "html5lib", multi_valued_attributes=None)


# ----------------------------------------------------------------------------- serialize
def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("\u00a0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _escape_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace('"', "&quot;")


def outer_html(node: Any) -> str:
    if isinstance(node, Doctype):
        return f"<!DOCTYPE {node}>"
    if isinstance(node, Comment):
        return f"<!--{node}-->"
    if isinstance(node, CData):
        return f"<![CDATA[{node}]]>"
    if isinstance(node, (Declaration, ProcessingInstruction)):
        return f"<?{node}>"
    if isinstance(node, NavigableString):
        parent = node.parent
        if isinstance(parent, Tag) and parent.name in RAW_TEXT:
            return str(node)
        return _escape_text(str(node))
    if not isinstance(node, Tag):
        return ""
    attrs = ""
    for key, value in node.attrs.items():
        if isinstance(value, list):
            value = " ".join(value)
        attrs += f' {key}="{_escape_attr(str(value))}"'
    if node.name in VOID:
        return f"<{node.name}{attrs}>"
    inner = inner_html(node)
    return f"<{node.name}{attrs}>{inner}</{node.name}>"


def inner_html(node: Tag) -> str:
    if node.name == "template":
        return "".join(outer_html(c) for c in node.children)
    return "".join(outer_html(c) for c in node.children)


def text_content(node: Any) -> str:
    """domutils' ``textContent`` (what cheerio's ``.text()`` concatenates)."""
    if isinstance(node, (Comment, Doctype, Declaration, ProcessingInstruction)):
        return ""
    if isinstance(node, NavigableString):
        return str(node)
    if isinstance(node, Tag):
        return "".join(text_content(c) for c in node.children)
    return ""
