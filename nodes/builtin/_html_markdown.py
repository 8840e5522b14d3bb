"""HTML to Markdown the way ``node-html-markdown`` does it (the Markdown node's htmlToMarkdown):
its translators (headings, emphasis, lists, links, images, code, tables, blockquotes), its
escaping and text replacement, block newlines and the collapse of runs of newlines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nodes.builtin._html_parse import Element, Text, parse
from nodes.builtin._jsregex import js_replace

BLOCK = [
    "ADDRESS",
    "ARTICLE",
    "ASIDE",
    "AUDIO",
    "BLOCKQUOTE",
    "BODY",
    "CANVAS",
    "CENTER",
    "DD",
    "DIR",
    "DIV",
    "DL",
    "DT",
    "FIELDSET",
    "FIGCAPTION",
    "FIGURE",
    "FOOTER",
    "FORM",
    "FRAMESET",
    "H1",
    "H2",
    "H3",
    "H4",
    "H5",
    "H6",
    "HEADER",
    "HGROUP",
    "HR",
    "HTML",
    "ISINDEX",
    "LI",
    "MAIN",
    "MENU",
    "NAV",
    "NOFRAMES",
    "NOSCRIPT",
    "OL",
    "OUTPUT",
    "P",
    "PRE",
    "SECTION",
    "TABLE",
    "TBODY",
    "TD",
    "TFOOT",
    "TH",
    "THEAD",
    "TR",
    "UL",
]
IGNORE = [
    "AREA",
    "BASE",
    "COL",
    "COMMAND",
    "EMBED",
    "HEAD",
    "INPUT",
    "KEYGEN",
    "LINK",
    "META",
    "PARAM",
    "SCRIPT",
    "SOURCE",
    "STYLE",
    "TRACK",
    "WBR",
]
CONTENTLESS = ("BR", "HR", "IMG")
REMOVE = object()

DEFAULT_OPTIONS: dict[str, Any] = {
    "codeFence": "```",
    "bulletMarker": "*",
    "indent": "  ",
    "codeBlockStyle": "fenced",
    "emDelimiter": "_",
    "strongDelimiter": "**",
    "strikeDelimiter": "~~",
    "maxConsecutiveNewlines": 3,
    "globalEscape": (re.compile(r"[\\`*_~\[\]]", re.M), "\\$&", True),
    "lineStartEscape": (
        re.compile(r"^(\s*?)((?:\+\s)|(?:[=>-])|(?:#{1,6}\s))|(?:(\d+)(\.\s))", re.M),
        "$1$3\\$2$4",
        True,
    ),
    "useInlineLinks": True,
    "useLinkReferenceDefinitions": False,
    "keepDataImages": False,
}


@dataclass
class Meta:
    indent_level: int | None = None
    list_kind: str | None = None
    list_item_number: int | None = None
    no_escape: bool = False
    preserve_whitespace: bool = False
    translators: dict[str, Any] | None = None
    table: dict[str, Any] | None = None

    def copy(self, **changes: Any) -> Meta:
        data = dict(self.__dict__)
        data.update(changes)
        return Meta(**data)


Cfg = dict[str, Any]
Factory = Callable[["Ctx"], Cfg]


@dataclass
class Ctx:
    node: Element
    options: dict[str, Any]
    meta: Meta
    visitor: Visitor
    content: str = ""


def _ws_only(s: str) -> bool:
    return not re.search(r"\S", s)


def _trim_newlines(s: str) -> str:
    return re.sub(r"^\n+|\n+$", "", s)


def _split_special(s: str) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    start = 0
    i = 0
    while i < len(s):
        c = s[i]
        nl = "\r\n" if c == "\r" and s[i + 1 : i + 2] == "\n" else (c if c in "\r\n" else "")
        end = i if nl else (i + 1 if i == len(s) - 1 else None)
        if end is not None:
            lines.append((s[start:end], nl))
            start = end + len(nl)
            if len(nl) > 1:
                i += 1
        i += 1
    return lines


def tag_surround(content: str, delim: str) -> str:
    if delim in content:
        content = re.sub(r"([^\\])" + re.escape(delim), r"\1", content)
    out = ""
    for text, nl in _split_special(content):
        m = re.search(r"\S", text)
        if not m:
            out += text + nl
            continue
        start = m.start()
        end = max(i for i, c in enumerate(text) if not c.isspace())
        lead = text[start - 1] if start > 0 else ""
        trail = text[end + 1] if end < len(text) - 1 else ""
        out += lead + delim + text[start : end + 1] + delim + trail + nl
    return out


def _emphasis(option: str) -> Cfg:
    def post(ctx: Ctx) -> Any:
        return REMOVE if _ws_only(ctx.content) else tag_surround(ctx.content, ctx.options[option])

    return {"spaceIfRepeatingChar": True, "postprocess": post}


def _heading(ctx: Ctx) -> Cfg:
    return {"prefix": "#" * int(ctx.node.tag[1]) + " "} if ctx.node.tag else {}


def _list(ctx: Ctx) -> Cfg:
    return {"surroundingNewlines": 1 if ctx.meta.list_kind else 2}


def _li(ctx: Ctx) -> Cfg:
    indent = ctx.options["indent"]
    level = int(ctx.meta.indent_level or 0)
    if ctx.meta.list_kind == "OL" and ctx.meta.list_item_number is not None:
        marker = f"{ctx.meta.list_item_number}. "
    else:
        marker = f"{ctx.options['bulletMarker']} "

    def post(c: Ctx) -> Any:
        if _ws_only(c.content):
            return REMOVE
        text = re.sub(
            r"([^\r\n])(?:\r?\n)+",
            lambda m: m.group(1) + "  \n" + indent * level,
            c.content.strip(),
        )
        return re.sub(r"(\S+?)[^\S\r\n]+$", r"\1  ", text, flags=re.M)

    return {"prefix": indent * level + marker, "surroundingNewlines": 1, "postprocess": post}


def _code(ctx: Ctx) -> Cfg:
    parent = ctx.node.parent
    is_block = (
        parent is not None and parent.tag in ("PRE", "WRAPPED-PRE") and len(parent.children) < 2
    )
    if not is_block:

        def post(c: Ctx) -> str:
            runs = sorted(re.findall(r"`+", c.content), key=len, reverse=True)
            delim = "`" + (runs[0] if runs else "")
            pad = " " if len(delim) > 1 else ""
            return delim + pad + c.content + pad + delim

        return {"spaceIfRepeatingChar": True, "noEscape": True, "postprocess": post}
    if ctx.options["codeBlockStyle"] == "fenced":
        m = re.search(r"language-(\S+)", ctx.node.get("class") or "")
        return {
            "noEscape": True,
            "preserveWhitespace": True,
            "prefix": ctx.options["codeFence"] + (m.group(1) if m else "") + "\n",
            "postfix": "\n" + ctx.options["codeFence"],
            "childTranslators": ctx.visitor.code_translators,
        }
    return {
        "noEscape": True,
        "preserveWhitespace": True,
        "postprocess": lambda c: re.sub(r"^", "    ", c.content, flags=re.M),
        "childTranslators": ctx.visitor.code_translators,
    }


def _anchor(ctx: Ctx) -> Cfg:
    href = ctx.node.get("href")
    if not href:
        return {}
    encoded = "".join({"(": "%28", ")": "%29", "_": "%5F", "*": "%2A"}.get(c, c) for c in href)
    title = ctx.node.get("title")
    if ctx.node.text_content == href and ctx.options["useInlineLinks"]:
        return {"content": f"<{encoded}>"}
    if ctx.options["useLinkReferenceDefinitions"]:
        postfix = f"][{ctx.visitor.url_definition(encoded)}]"
    else:
        postfix = f"]({encoded}" + (f' "{title}"' if title else "") + ")"
    return {
        "postprocess": lambda c: re.sub(r"(?:\r?\n)+", " ", c.content),
        "childTranslators": ctx.visitor.a_translators,
        "prefix": "[",
        "postfix": postfix,
    }


def _image(ctx: Ctx) -> Cfg:
    src = ctx.node.get("src") or ""
    if not src or (not ctx.options["keepDataImages"] and re.match(r"data:", src, re.I)):
        return {"ignore": True}
    alt = ctx.node.get("alt") or ""
    title = ctx.node.get("title") or ""
    return {"content": f"![{alt}]({src}" + (f' "{title}"' if title else "") + ")", "recurse": False}


def _blockquote_post(ctx: Ctx) -> str:
    return re.sub(
        r"^(>*)[^\S\r\n]?",
        lambda m: ">" + m.group(1) + " ",
        _trim_newlines(ctx.content),
        flags=re.M,
    )


def _table(ctx: Ctx) -> Cfg:
    def post(c: Ctx) -> Any:
        raw_rows = [
            re.sub(r"^(?:\|)?(.+)\s*\|\s*$", r"\1", t) for t, _ in _split_special(c.content)
        ]
        rows: list[list[str]] = []
        widths: list[int] = []
        for row in raw_rows:
            if not row:
                continue
            cols = [col.strip() for col in row.split(" |")]
            for i, col in enumerate(cols):
                if len(widths) < i + 1:
                    widths.append(len(col))
                elif widths[i] < len(col):
                    widths[i] = len(col)
            rows.append(cols)
        if not rows:
            return REMOVE
        out = ""
        caption = (c.meta.table or {}).get("caption")
        if caption:
            out += caption + "\n"
        for n, cols in enumerate(rows):
            out += "| "
            for i, width in enumerate(widths):
                cell = cols[i] if i < len(cols) else ""
                out += cell.ljust(width) + " |" + (" " if i < len(widths) - 1 else "")
            out += "\n"
            if n == 0:
                out += "|" + "".join(" " + "-" * w + " |" for w in widths) + "\n"
        return out

    return {
        "surroundingNewlines": 2,
        "childTranslators": ctx.visitor.table_translators,
        "postprocess": post,
    }


def _caption(ctx: Ctx) -> Cfg:
    def post(c: Ctx) -> Any:
        text = re.sub(r"(?:\r?\n)+", " ", c.content).strip()
        if text and c.meta.table is not None:
            c.meta.table["caption"] = "__" + text + "__"
        return REMOVE

    return {
        "surroundingNewlines": False,
        "childTranslators": ctx.visitor.cell_translators,
        "postprocess": post,
    }


def _tr(ctx: Ctx) -> Cfg:
    return {
        "surroundingNewlines": False,
        "childTranslators": ctx.visitor.row_translators,
        "postfix": "\n",
        "prefix": "| ",
        "postprocess": lambda c: c.content if re.search(r" \|\s*$", c.content) else REMOVE,
    }


def _cell(ctx: Ctx) -> Cfg:
    return {
        "surroundingNewlines": False,
        "childTranslators": ctx.visitor.cell_translators,
        "prefix": " ",
        "postfix": " |",
        "postprocess": lambda c: re.sub(
            r"(?:\r?\n)+", " ", _trim_newlines(c.content).replace("|", "\\|", 1)
        ).strip(),
    }


DEFAULT_TRANSLATORS: dict[str, Cfg | Factory] = {
    "PRE": {"noEscape": True, "preserveWhitespace": True},
    "BR": {"content": "  \n", "recurse": False},
    "HR": {"content": "---", "recurse": False},
    **{f"H{n}": _heading for n in range(1, 7)},
    **{t: _emphasis("strongDelimiter") for t in ("STRONG", "B")},
    **{t: _emphasis("strikeDelimiter") for t in ("DEL", "S", "STRIKE")},
    **{t: _emphasis("emDelimiter") for t in ("EM", "I")},
    "OL": _list,
    "UL": _list,
    "LI": _li,
    "BLOCKQUOTE": {"postprocess": _blockquote_post},
    "CODE": _code,
    "TABLE": _table,
    "TD": {"preserveIfEmpty": True},
    "TH": {"preserveIfEmpty": True},
    "A": _anchor,
    "IMG": _image,
}
CODE_TRANSLATORS: dict[str, Cfg | Factory] = {
    "BR": {"content": "\n", "recurse": False},
    "HR": {"content": "---", "recurse": False},
    **{f"H{n}": {"prefix": "[", "postfix": "]"} for n in range(1, 7)},
    "OL": {"surroundingNewlines": False},
    "UL": {"surroundingNewlines": False},
    "LI": _li,
    "TR": {"surroundingNewlines": False},
    "IMG": {"recurse": False},
}
A_TRANSLATORS: dict[str, Cfg | Factory] = {
    "BR": {"content": "\n", "recurse": False},
    "HR": {"content": "\n", "recurse": False},
    "PRE": DEFAULT_TRANSLATORS["PRE"],
    **{t: DEFAULT_TRANSLATORS[t] for t in ("STRONG", "B", "DEL", "S", "STRIKE", "EM", "I", "IMG")},
}
TABLE_TRANSLATORS: dict[str, Cfg | Factory] = {
    "CAPTION": _caption,
    "TR": _tr,
    "TH": _cell,
    "TD": _cell,
}
ROW_TRANSLATORS: dict[str, Cfg | Factory] = {"TH": _cell, "TD": _cell}
CELL_TRANSLATORS: dict[str, Cfg | Factory] = {
    t: DEFAULT_TRANSLATORS[t] for t in ("A", "STRONG", "B", "DEL", "S", "STRIKE", "EM", "I", "IMG")
}


def _collection(
    defaults: dict[str, Cfg | Factory], ignore: list[str], block: list[str]
) -> dict[str, Any]:
    """node-html-markdown's translator set-up: ignore bases, then block bases (which win for
    elements in both), then the default translators merged over their bases."""
    bases: dict[str, Cfg] = {}
    for tag in ignore:
        bases[tag.upper()] = {"ignore": True, "recurse": False}
    for tag in block:
        bases[tag.upper()] = {"surroundingNewlines": 2}
    out: dict[str, Any] = dict(bases)
    for tag, cfg in defaults.items():
        base = bases.get(tag)
        if isinstance(cfg, dict):
            out[tag] = {**base, **cfg} if base else cfg
        else:
            out[tag] = (cfg, base or {})
    return out


@dataclass
class Visitor:
    options: dict[str, Any]
    translators: dict[str, Any]
    code_translators: dict[str, Any]
    a_translators: dict[str, Any] = field(
        default_factory=lambda: _collection(A_TRANSLATORS, [], [])
    )
    table_translators: dict[str, Any] = field(
        default_factory=lambda: _collection(TABLE_TRANSLATORS, [], [])
    )
    row_translators: dict[str, Any] = field(
        default_factory=lambda: _collection(ROW_TRANSLATORS, [], [])
    )
    cell_translators: dict[str, Any] = field(
        default_factory=lambda: _collection(CELL_TRANSLATORS, [], [])
    )
    text: str = ""
    urls: list[str] = field(default_factory=list)
    preserve: dict[int, bool] = field(default_factory=dict)

    def url_definition(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def _trailing(self) -> tuple[int, int]:
        ws = nl = 0
        for c in reversed(self.text[-10:]):
            if not c.isspace():
                break
            ws += 1
            if c in "\r\n":
                nl += 1
        return ws, nl

    def append(self, s: str, start: int | None = None, space_if_repeating: bool = False) -> None:
        if not s and start is None:
            return
        if start is not None:
            self.text = self.text[:start]
        if space_if_repeating and s and self.text[-1:] == s[0]:
            s = " " + s
        self.text += s

    def newlines(self, count: int) -> None:
        self.append("\n" * max(0, count - self._trailing()[1]))

    def optimize(self, node: Any) -> bool:
        if isinstance(node, Text) or (isinstance(node, Element) and node.tag in CONTENTLESS):
            result = True
        elif not node.children:
            cfg = self.translators.get(node.tag or "")
            result = isinstance(cfg, tuple) or bool(
                isinstance(cfg, dict) and cfg.get("preserveIfEmpty")
            )
        else:
            result = False
            for child in node.children:
                result = self.optimize(child) or result
        self.preserve[id(node)] = result
        return result

    def process_text(self, text: str, meta: Meta) -> str:
        if not meta.preserve_whitespace:
            text = re.sub(r"\s+", " ", text)
        if meta.no_escape:
            return text
        for key in ("globalEscape", "lineStartEscape"):
            pattern, repl, is_regex = self.options[key]
            text = js_replace(pattern, text, repl) if is_regex else text.replace(pattern, repl, 1)
        for pattern, repl, is_regex in self.options["textReplace"]:
            text = (
                js_replace(pattern, text, repl)
                if is_regex
                else _literal_replace(text, pattern, repl)
            )
        return text

    def visit(self, node: Any, text_only: bool = False, meta: Meta | None = None) -> None:
        meta = meta or Meta()
        if not self.preserve.get(id(node), False):
            return
        if isinstance(node, Text):
            if node.is_whitespace and not meta.preserve_whitespace:
                if self.text and self._trailing()[0] == 0:
                    self.append(" ")
                return
            self.append(self.process_text(node.trimmed_text, meta))
            return
        if text_only:
            return
        translators = meta.translators if meta.translators is not None else self.translators
        if node.tag in ("UL", "OL"):
            meta = meta.copy(
                list_item_number=0,
                list_kind=node.tag,
                indent_level=(meta.indent_level if meta.indent_level is not None else -1) + 1,
            )
        elif node.tag == "LI":
            if meta.list_kind == "OL":
                meta.list_item_number = (meta.list_item_number or 0) + 1
        elif node.tag == "PRE":
            meta = meta.copy(preserve_whitespace=True)
        elif node.tag == "TABLE":
            meta = meta.copy(table={})
        found = translators.get(node.tag or "")
        if found is None:
            for child in node.children:
                self.visit(child, text_only, meta)
            return
        if isinstance(found, tuple):
            factory, base = found
            cfg = {**base, **factory(Ctx(node, self.options, meta, self))}
        else:
            cfg = found
        if cfg.get("ignore"):
            return
        if (cfg.get("noEscape") and not meta.no_escape) or (
            cfg.get("childTranslators") and meta.translators is None
        ):
            meta = meta.copy(
                no_escape=bool(cfg.get("noEscape")), translators=cfg.get("childTranslators")
            )
        start_outer = len(self.text)
        if cfg.get("surroundingNewlines"):
            self.newlines(int(cfg["surroundingNewlines"]))
        if cfg.get("prefix"):
            self.append(cfg["prefix"])
        if isinstance(cfg.get("content"), str):
            self.append(cfg["content"], None, bool(cfg.get("spaceIfRepeatingChar")))
        else:
            start = len(self.text)
            for child in node.children:
                self.visit(child, cfg.get("recurse") is False, meta)
            post = cfg.get("postprocess")
            if post is not None:
                result = post(Ctx(node, self.options, meta, self, self.text[start:]))
                if result is REMOVE:
                    if node.tag == "LI" and meta.list_item_number:
                        meta.list_item_number -= 1
                    self.append("", start_outer)
                    return
                if isinstance(result, str):
                    self.append(result, start, bool(cfg.get("spaceIfRepeatingChar")))
        if cfg.get("postfix"):
            self.append(cfg["postfix"])
        if cfg.get("surroundingNewlines"):
            self.newlines(int(cfg["surroundingNewlines"]))


def _literal_replace(text: str, pattern: str, repl: str) -> str:
    """JavaScript's ``text.replace(string, replacement)``: the first occurrence only."""
    idx = text.find(pattern)
    if idx < 0:
        return text
    return js_replace(re.compile(re.escape(pattern)), text, repl, count=1)


def translate(html: str, user_options: dict[str, Any] | None = None) -> str:
    """``NodeHtmlMarkdown.translate(html, options)``."""
    options = dict(DEFAULT_OPTIONS)
    user = dict(user_options or {})
    for key in ("globalEscape", "lineStartEscape"):
        if user.get(key):
            pattern, repl = user.pop(key)
            options[key] = (str(pattern), str(repl), False)
    text_replace: list[tuple[Any, str, bool]] = [
        (str(p), str(r), False) for p, r in user.pop("textReplace", None) or []
    ]
    text_replace.append((re.compile(r"^<!DOCTYPE.*>", re.I | re.M), "", True))
    ignore = [str(t).upper() for t in user.pop("ignore", None) or []] + IGNORE
    block = [str(t).upper() for t in user.pop("blockElements", None) or []] + BLOCK
    options.update(user)
    options["textReplace"] = text_replace
    root = parse(html)
    visitor = Visitor(
        options,
        _collection(DEFAULT_TRANSLATORS, ignore, block),
        _collection(CODE_TRANSLATORS, ignore, block),
    )
    visitor.optimize(root)
    visitor.visit(root)
    result = visitor.text
    if options["useLinkReferenceDefinitions"]:
        if re.search(r"[^\r\n]", result[-1:]):
            result += "\n"
        for i, url in enumerate(visitor.urls):
            result += f"\n[{i + 1}]: {url}"
    max_nl = options.get("maxConsecutiveNewlines")
    if max_nl:
        result = re.sub(
            rf"(?:\r?\n\s*)+((?:\r?\n\s*){{{int(max_nl)}}})", lambda m: m.group(1), result
        )
    return _trim_newlines(result)
