"""HTML to plain text the way the ``html-to-text`` package (v9, default options) does it, for the
HTML node's text extraction (v1.2): block and inline formatting, whitespace collapsing, word
wrap at 80 columns, uppercase headings, ``text [href]`` links, ``alt [src]`` images, lists,
blockquotes, and selectors to skip.

Works on BeautifulSoup nodes. Only ``<body>`` is converted when the input has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from nodes.builtin._css import matches, specificity

WORDWRAP = 80
_WS = " \t\r\n\f\u200b"
_WORD_RE = re.compile(f"[^{re.escape(_WS)}]+")
Transform = Callable[[str], str]


# ------------------------------------------------------------------------ inline builder
class _Inline:
    def __init__(self, max_line_length: int | None = None) -> None:
        self.lines: list[list[str]] = []
        self.next_words: list[str] = []
        self.max_len = max_line_length or WORDWRAP
        self.available = self.max_len
        self.stashed_space = False
        self.word_break_opportunity = False

    def push_word(self, word: str, no_wrap: bool = False) -> None:
        if self.available <= 0 and not no_wrap:
            self.start_new_line()
        line_start = not self.next_words
        cost = len(word) + (0 if line_start else 1)
        if cost <= self.available or no_wrap:
            self.next_words.append(word)
            self.available -= cost
        else:
            if not line_start:
                self.start_new_line()
            self.next_words.append(word)
            self.available -= len(word)

    def pop_word(self) -> str | None:
        if not self.next_words:
            return None
        word = self.next_words.pop()
        self.available += len(word) + (0 if not self.next_words else 1)
        return word

    def concat_word(self, word: str, no_wrap: bool = False) -> None:
        if self.word_break_opportunity and len(word) > self.available:
            self.push_word(word, no_wrap)
            self.word_break_opportunity = False
        else:
            last = self.pop_word()
            self.push_word(last + word if last else word, no_wrap)

    def start_new_line(self, n: int = 1) -> None:
        self.lines.append(self.next_words)
        for _ in range(n - 1):
            self.lines.append([])
        self.next_words = []
        self.available = self.max_len

    def is_empty(self) -> bool:
        return not self.lines and not self.next_words

    def clear(self) -> None:
        self.lines = []
        self.next_words = []
        self.available = self.max_len

    def text(self) -> str:
        return "\n".join(" ".join(words) for words in [*self.lines, self.next_words])


# ------------------------------------------------------------------------- stack items
@dataclass
class _Block:
    next: Any = None
    leading: int = 1
    max_len: int | None = None
    inline: _Inline = field(init=False)
    raw: str = ""
    stashed: int = 0
    is_pre: bool = False
    no_wrap: bool = False
    # lists
    max_prefix: int = 0
    inter_row: int = 1
    prefix: str = ""

    def __post_init__(self) -> None:
        self.inline = _Inline(self.max_len)
        self.is_pre = bool(self.next is not None and getattr(self.next, "is_pre", False))


def _text_of(item: _Block) -> str:
    return item.raw if item.inline.is_empty() else item.raw + item.inline.text()


def _add_text(item: _Block, text: str, leading: int, trailing: int) -> None:
    parent = _text_of(item)
    breaks = max(item.stashed, leading)
    item.inline.clear()
    if parent:
        item.raw = parent + "\n" * breaks + text
    else:
        item.raw = text
        item.leading = breaks
    item.stashed = trailing


class _Builder:
    def __init__(self) -> None:
        self.item = _Block()
        self.transforms: list[Transform] = []

    def push_transform(self, fn: Transform) -> None:
        self.transforms.append(fn)

    def pop_transform(self) -> None:
        self.transforms.pop()

    def _transform(self) -> Transform | None:
        if not self.transforms:
            return None
        stack = list(reversed(self.transforms))

        def apply(word: str) -> str:
            for fn in stack:
                word = fn(word)
            return word

        return apply

    def add_line_break(self) -> None:
        if self.item.is_pre:
            self.item.raw += "\n"
        else:
            self.item.inline.start_new_line()

    def add_word_break_opportunity(self) -> None:
        self.item.inline.word_break_opportunity = True

    def add_inline(self, text: str, no_word_transform: bool = False) -> None:
        item = self.item
        if item.is_pre:
            item.raw += text
            return
        if not text or (item.stashed and not _WORD_RE.search(text)):
            return
        if item.stashed:
            item.inline.start_new_line(item.stashed)
        transform = None if no_word_transform else self._transform()
        self._shrink_wrap_add(text, item.inline, transform, item.no_wrap)
        item.stashed = 0

    @staticmethod
    def _shrink_wrap_add(
        text: str, itb: _Inline, transform: Transform | None, no_wrap: bool
    ) -> None:
        previously_stashed = itb.stashed_space
        any_match = False
        for n, m in enumerate(_WORD_RE.finditer(text)):
            any_match = True
            word = transform(m.group(0)) if transform else m.group(0)
            if n == 0 and not (previously_stashed or text[0] in _WS):
                itb.concat_word(word, no_wrap)
            else:
                itb.push_word(word, no_wrap)
        itb.stashed_space = (previously_stashed and not any_match) or text[-1] in _WS

    def open_block(self, leading: int = 1, reserved: int = 0, is_pre: bool = False) -> None:
        max_len = max(20, self.item.inline.max_len - reserved)
        self.item = _Block(next=self.item, leading=leading, max_len=max_len)
        if is_pre:
            self.item.is_pre = True

    def close_block(self, trailing: int = 1, transform: Transform | None = None) -> None:
        block = self.item
        self.item = block.next
        text = _text_of(block)
        if transform:
            text = transform(text)
        _add_text(self.item, text, block.leading, max(block.stashed, trailing))

    def open_list(self, max_prefix: int, leading: int) -> None:
        self.item = _Block(next=self.item, leading=leading, max_len=self.item.inline.max_len)
        self.item.max_prefix = max_prefix

    def open_list_item(self, prefix: str) -> None:
        lst = self.item
        width = max(len(prefix), lst.max_prefix)
        self.item = _Block(
            next=lst, leading=lst.inter_row, max_len=max(20, lst.inline.max_len - width)
        )
        self.item.prefix = prefix

    def close_list_item(self) -> None:
        li = self.item
        lst = li.next
        self.item = lst
        width = max(len(li.prefix), lst.max_prefix)
        text = li.prefix.ljust(width) + _text_of(li).replace("\n", "\n" + " " * width)
        _add_text(lst, text, li.leading, max(li.stashed, lst.inter_row))

    def close_list(self, trailing: int) -> None:
        lst = self.item
        self.item = lst.next
        text = _text_of(lst)
        if text:
            _add_text(self.item, text, lst.leading, trailing)

    def result(self) -> str:
        root = self.item
        while root.next is not None:
            root = root.next
        return _text_of(root)


# --------------------------------------------------------------------------- formatters
Selector = tuple[str, str, dict[str, Any]]

DEFAULT_SELECTORS: list[Selector] = [
    ("*", "inline", {}),
    ("a", "anchor", {}),
    ("article", "block", {}),
    ("aside", "block", {}),
    ("blockquote", "blockquote", {"leading": 2, "trailing": 2}),
    ("br", "lineBreak", {}),
    ("div", "block", {}),
    ("footer", "block", {}),
    ("form", "block", {}),
    *((f"h{n}", "heading", {"leading": 3 if n <= 3 else 2, "trailing": 2}) for n in range(1, 7)),
    ("header", "block", {}),
    ("hr", "horizontalLine", {"leading": 2, "trailing": 2}),
    ("img", "image", {}),
    ("main", "block", {}),
    ("nav", "block", {}),
    ("ol", "orderedList", {"leading": 2, "trailing": 2}),
    ("p", "paragraph", {"leading": 2, "trailing": 2}),
    ("pre", "pre", {"leading": 2, "trailing": 2}),
    ("section", "block", {}),
    ("table", "block", {"leading": 2, "trailing": 2}),
    ("ul", "unorderedList", {"leading": 2, "trailing": 2}),
    ("wbr", "wbr", {}),
]


class _Converter:
    def __init__(self, selectors: list[Selector]) -> None:
        self.selectors = [(sel, fmt, opts, specificity(sel)) for sel, fmt, opts in selectors]
        self.builder = _Builder()

    def pick(self, el: Tag) -> tuple[str, dict[str, Any]]:
        best: tuple[str, dict[str, Any]] = ("inline", {})
        best_spec: tuple[int, int, int] = (-1, -1, -1)
        for sel, fmt, opts, spec in self.selectors:
            if spec >= best_spec and matches(el, sel):
                best, best_spec = (fmt, opts), spec
        return best

    def walk(self, nodes: Iterable[Any]) -> None:
        for node in nodes:
            if isinstance(node, (Comment, Doctype, Declaration, ProcessingInstruction)):
                continue
            if isinstance(node, NavigableString):
                self.builder.add_inline(str(node))
            elif isinstance(node, Tag):
                if node.name in ("script", "style"):
                    continue
                fmt, opts = self.pick(node)
                getattr(self, "_f_" + fmt, self._f_inline)(node, opts)

    # formats -----------------------------------------------------------------------------
    def _f_inline(self, el: Tag, opts: dict[str, Any]) -> None:
        self.walk(el.children)

    def _f_skip(self, el: Tag, opts: dict[str, Any]) -> None:
        return

    def _f_block(self, el: Tag, opts: dict[str, Any]) -> None:
        b = self.builder
        b.open_block(leading=opts.get("leading", 1))
        self.walk(el.children)
        b.close_block(trailing=opts.get("trailing", 1))

    def _f_paragraph(self, el: Tag, opts: dict[str, Any]) -> None:
        self._f_block(
            el, {"leading": opts.get("leading") or 2, "trailing": opts.get("trailing") or 2}
        )

    def _f_pre(self, el: Tag, opts: dict[str, Any]) -> None:
        b = self.builder
        b.open_block(leading=opts.get("leading") or 2, is_pre=True)
        self.walk(el.children)
        b.close_block(trailing=opts.get("trailing") or 2)

    def _f_heading(self, el: Tag, opts: dict[str, Any]) -> None:
        b = self.builder
        b.open_block(leading=opts.get("leading") or 2)
        b.push_transform(str.upper)
        self.walk(el.children)
        b.pop_transform()
        b.close_block(trailing=opts.get("trailing") or 2)

    def _f_blockquote(self, el: Tag, opts: dict[str, Any]) -> None:
        b = self.builder
        b.open_block(leading=opts.get("leading") or 2, reserved=2)
        self.walk(el.children)
        b.close_block(
            trailing=opts.get("trailing") or 2,
            transform=lambda s: "\n".join("> " + line for line in s.strip("\n").split("\n")),
        )

    def _f_lineBreak(self, el: Tag, opts: dict[str, Any]) -> None:
        self.builder.add_line_break()

    def _f_wbr(self, el: Tag, opts: dict[str, Any]) -> None:
        self.builder.add_word_break_opportunity()

    def _f_horizontalLine(self, el: Tag, opts: dict[str, Any]) -> None:
        b = self.builder
        b.open_block(leading=opts.get("leading") or 2)
        b.add_inline("-" * WORDWRAP)
        b.close_block(trailing=opts.get("trailing") or 2)

    def _f_image(self, el: Tag, opts: dict[str, Any]) -> None:
        alt = str(el.get("alt") or "")
        src = str(el.get("src") or "")
        text = alt if not src else (f"[{src}]" if not alt else f"{alt} [{src}]")
        self.builder.add_inline(text, no_word_transform=True)

    def _f_anchor(self, el: Tag, opts: dict[str, Any]) -> None:
        href = str(el.get("href") or "")
        href = re.sub(r"^mailto:", "", href)
        if href.startswith("#"):
            href = ""
        if not href:
            self.walk(el.children)
            return
        captured: list[str] = []

        def capture(word: str) -> str:
            if word:
                captured.append(word)
            return word

        b = self.builder
        b.push_transform(capture)
        self.walk(el.children)
        b.pop_transform()
        text = "".join(captured)
        b.add_inline(href if not text else f" [{href}]", no_word_transform=True)

    def _list(self, el: Tag, opts: dict[str, Any], next_prefix: Callable[[], str]) -> None:
        nested = isinstance(el.parent, Tag) and el.parent.name == "li"
        entries: list[tuple[Any, str]] = []
        max_prefix = 0
        for child in el.children:
            if isinstance(child, (Comment, Doctype, Declaration, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString) and not str(child).strip():
                continue
            if not (isinstance(child, Tag) and child.name == "li"):
                entries.append((child, ""))
                continue
            prefix = next_prefix().lstrip() if nested else next_prefix()
            max_prefix = max(max_prefix, len(prefix))
            entries.append((child, prefix))
        if not entries:
            return
        b = self.builder
        b.open_list(max_prefix, 1 if nested else opts.get("leading") or 2)
        for node, prefix in entries:
            b.open_list_item(prefix)
            self.walk([node])
            b.close_list_item()
        b.close_list(1 if nested else opts.get("trailing") or 2)

    def _f_unorderedList(self, el: Tag, opts: dict[str, Any]) -> None:
        self._list(el, opts, lambda: " * ")

    def _f_orderedList(self, el: Tag, opts: dict[str, Any]) -> None:
        try:
            counter = [int(str(el.get("start") or "1"))]
        except ValueError:
            counter = [1]
        kind = str(el.get("type") or "1")

        def nxt() -> str:
            value = _ol_index(counter[0], kind)
            counter[0] += 1
            return f" {value}. "

        self._list(el, opts, nxt)


def _ol_index(n: int, kind: str) -> str:
    if kind in ("a", "A"):
        letters = ""
        while n > 0:
            n, rem = divmod(n - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters.upper() if kind == "A" else letters
    if kind in ("i", "I"):
        numerals = [
            (1000, "M"),
            (900, "CM"),
            (500, "D"),
            (400, "CD"),
            (100, "C"),
            (90, "XC"),
            (50, "L"),
            (40, "XL"),
            (10, "X"),
            (9, "IX"),
            (5, "V"),
            (4, "IV"),
            (1, "I"),
        ]
        out = ""
        for value, sym in numerals:
            while n >= value:
                out += sym
                n -= value
        return out.lower() if kind == "i" else out
    return str(n)


def _find_bases(nodes: list[Any]) -> list[Any]:
    found: list[Any] = []

    def visit(children: Iterable[Any]) -> None:
        for node in children:
            if not isinstance(node, Tag):
                continue
            if node.name == "body":
                found.append(node)
            else:
                visit(node.children)

    visit(nodes)
    return found or nodes


def convert_nodes(nodes: list[Any], skip_selectors: list[str] | None = None) -> str:
    """html-to-text's ``convert`` over parsed nodes (the children of a selected element)."""
    selectors = list(DEFAULT_SELECTORS)
    selectors += [(s, "skip", {}) for s in skip_selectors or [] if s]
    conv = _Converter(selectors)
    conv.walk(_find_bases(nodes))
    return conv.builder.result()


def convert(html: str, skip_selectors: list[str] | None = None) -> str:
    """html-to-text's ``convert(html)`` with default options."""
    soup = BeautifulSoup(html, "html5lib", multi_valued_attributes=None)
    return convert_nodes(list(soup.children), skip_selectors)
