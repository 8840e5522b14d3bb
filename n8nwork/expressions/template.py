"""Compiling n8n expression strings (``=...{{ js }}...``) into what the engine runs.

n8n splits the text after ``=`` into text parts and ``{{ code }}`` parts (``\\{{`` is not an
opening; ``\\}}`` inside code is a literal ``}}``). With no code part the value is the text.
With exactly one code part and nothing around it the value is the JavaScript value itself;
otherwise the parts are joined into a string where a code part becomes ``String(v)`` unless
``v`` is falsy-but-not-``0``/``false`` (then the empty string). A code part runs only its first
statement; errors inside it are swallowed (value ``undefined``) unless they are n8n's own
ExpressionErrors; syntax errors fail the whole expression with ``invalid syntax``.

``compile_expression`` returns a ``Compiled``: a constant, a pure ``$json`` path (evaluated in
Python, no isolate round trip), or the source of a JavaScript function
``($json, $itemIndex, $binary) -> value`` for the isolate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from n8nwork.expressions.transform import (
    UNSAFE_PROPERTIES,
    Group,
    RewriteError,
    Tok,
    first_statement,
    group,
    rewrite,
    tokenize,
)

_OPEN = re.compile(r"(\\|)(\{\{)")
_CLOSE = re.compile(r"(\\|)(\}\})")
_CONSTRUCTOR = re.compile(r"\.\s*constructor", re.M)
_PATH_SEG = re.compile(
    r"""\s*(?:(?:\?\.|\.)\s*([A-Za-z_$][A-Za-z0-9_$]*)|(?:\?\.)?\[\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(\d+))\s*\])"""
)
_DENYLIST = (
    "var document={},global={},window={},Window={},globalThis={},self={},alert={},prompt={},"
    "confirm={},eval={},uneval={},setTimeout={},setInterval={},setImmediate={},"
    "clearImmediate={},queueMicrotask={},Function={},require={},module={},Buffer={},"
    "__dirname={},__filename={},fetch={},XMLHttpRequest={},Promise={},Generator={},"
    "GeneratorFunction={},AsyncFunction={},AsyncGenerator={},AsyncGeneratorFunction={},"
    "WebAssembly={},Reflect={},Proxy={},escape={},unescape={},process={},items=undefined,"
    "item=undefined,__lookupGetter__,__lookupSetter__,__defineGetter__,__defineSetter__;"
)


@dataclass(frozen=True, slots=True)
class Chunk:
    code: bool
    text: str


@dataclass(frozen=True)
class Compiled:
    """One expression string, ready to run.

    ``kind`` is ``const`` (``value``), ``path`` (``path`` into ``$json``), ``tpath`` (a
    template of text and ``$json`` paths, ``parts``), ``js`` (``js`` is a function source) or
    ``error`` (``value`` is the message every evaluation fails with).
    """

    source: str
    kind: str
    value: Any = None
    path: tuple[str, ...] = ()
    parts: tuple[tuple[bool, Any], ...] = ()
    js: str = ""
    uses: frozenset[str] = field(default_factory=frozenset)
    json_keys: frozenset[str] | None = None  # top-level $json keys it reads; None: whole items


def split_template(expr: str) -> list[Chunk]:
    """n8n's (tournament's) splitting of the text after ``=`` into text and code chunks."""
    chunks: list[Chunk] = []
    searching_open = True
    buffer = ""
    index = 0
    while index < len(expr):
        rest = expr[index:]
        m = (_OPEN if searching_open else _CLOSE).search(rest)
        if m is None:
            buffer += rest
            chunks.append(
                Chunk(not searching_open, buffer if searching_open else _unescape(buffer))
            )
            break
        if m.group(1):
            buffer += rest[: m.start() + 3]
            index += m.start() + 3
            continue
        buffer += rest[: m.start()]
        chunks.append(Chunk(not searching_open, buffer if searching_open else _unescape(buffer)))
        searching_open = not searching_open
        index += m.start() + 2
        buffer = ""
    if not chunks:
        chunks.append(Chunk(False, ""))
    return chunks


def _unescape(code: str) -> str:
    return code.replace("\\}}", "}}", 1)


def _path_of(code: str) -> tuple[str, ...] | None:
    """The segments of a pure ``$json.a["b"][0]`` path, or None when the code is anything else
    (also when a segment is one n8n refuses to access: that case goes through the checks)."""
    s = code.strip()
    if not s.startswith("$json"):
        return None
    pos = 5
    if pos < len(s) and (s[pos].isalnum() or s[pos] in "_$"):
        return None
    segs: list[str] = []
    while pos < len(s):
        m = _PATH_SEG.match(s, pos)
        if m is None:
            return None
        seg = next(g for g in m.groups() if g is not None)
        if seg in UNSAFE_PROPERTIES:
            return None
        segs.append(seg)
        pos = m.end()
    return tuple(segs)


def _js_code(code: str) -> str:
    code = first_statement(rewrite(code))
    if not code.strip():
        raise RewriteError("invalid syntax")
    if code.lstrip().startswith("{"):
        code = "(" + code + ")"
    return code


def _uses(code: str) -> frozenset[str]:
    found = set()
    for name in ("$binary", "$data", "$position", "$thisItemIndex"):
        if name in code:
            found.add(name)
    return frozenset(found)


def _prologue(uses: frozenset[str]) -> str:
    out = []
    if "$binary" in uses:
        out.append("$binary=__n8n_bin($binary);")
    if "$data" in uses:
        out.append("var $data=$json;")
    if "$position" in uses:
        out.append("var $position=$itemIndex;")
    if "$thisItemIndex" in uses:
        out.append("var $thisItemIndex=$itemIndex;")
    return "".join(out)


def function_source(chunks: list[Chunk]) -> tuple[str, frozenset[str]]:
    """The JavaScript source of the function computing the expression's value."""
    whole = len(chunks) == 2 and not chunks[0].code and chunks[0].text == "" and chunks[1].code
    codes = [_js_code(c.text) if c.code else c.text for c in chunks]
    uses = _uses("".join(c for c, ch in zip(codes, chunks, strict=True) if ch.code))
    head = (
        "(function(){"
        + _DENYLIST
        + 'return function($json,$itemIndex,$binary){"use strict";'
        + _prologue(uses)
    )
    # QuickJS throws null when it cannot even allocate its out-of-memory error: without a
    # ``throw`` of its own, an expression that throws null ran out of memory
    handler = "__n8n_E(e)" if _may_throw(codes, chunks) else "__n8n_E(e,1)"
    if whole:
        body = "try{return (" + codes[1] + "\n);}catch(e){return " + handler + ";}"
    else:
        parts = ["var v,s='';"]
        for chunk, code in zip(chunks, codes, strict=True):
            if not chunk.code:
                if code:
                    parts.append("s+=" + json.dumps(code) + ";")
                continue
            parts.append(
                "try{v=(" + code + "\n);}catch(e){v=" + handler + ";}"
                "if(v||v===0||v===false)s+=String(v);"
            )
        parts.append("return s;")
        body = "".join(parts)
    return head + body + "}})()", uses


def _may_throw(codes: list[str], chunks: list[Chunk]) -> bool:
    return any(
        ch.code and ("throw" in c or "$evaluateExpression" in c)
        for c, ch in zip(codes, chunks, strict=True)
    )


# identifiers an expression may use without needing the whole input items in the isolate
_SAFE_DOLLAR = frozenset(
    [
        "$json",
        "$itemIndex",
        "$position",
        "$thisItemIndex",
        "$runIndex",
        "$thisRunIndex",
        "$now",
        "$today",
        "$workflow",
        "$execution",
        "$vars",
        "$env",
        "$jmespath",
        "$jmesPath",
        "$if",
        "$min",
        "$max",
        "$average",
        "$not",
        "$ifEmpty",
        "$mode",
        "$nodeVersion",
        "$nodeId",
        "$webhookId",
        "$prevNode",
        "$secrets",
    ]
)


def json_keys(codes: list[str]) -> frozenset[str] | None:
    """The top-level ``$json`` keys the code parts read, or None when they need whole items
    (bare ``$json``, ``$input``, ``$('X')``, ``$binary``, ``this``, ...)."""
    keys: set[str] = set()
    for code in codes:
        try:
            elems = group(tokenize(code))
        except RewriteError:
            return None
        if not _keys_of(elems, keys):
            return None
    return frozenset(keys)


def _keys_of(elems: list[Tok | Group], keys: set[str]) -> bool:
    sig = [e for e in elems if not (isinstance(e, Tok) and e.kind == "ws")]
    for i, e in enumerate(sig):
        if isinstance(e, Group):
            if not _keys_of(e.items, keys):
                return False
            continue
        if e.kind == "tmpl":
            for part in e.parts:
                if json_keys([part]) is None:
                    return False
                keys.update(json_keys([part]) or ())
            continue
        if e.kind != "ident":
            continue
        before = sig[i - 1] if i > 0 else None
        after_dot = isinstance(before, Tok) and before.text in (".", "?.")
        if after_dot:
            continue
        if e.text in ("this", "arguments", "items", "item"):
            return False
        if e.text.startswith("$") and e.text not in _SAFE_DOLLAR:
            return False
        if e.text != "$json":
            continue
        nxt = sig[i + 1] if i + 1 < len(sig) else None
        if isinstance(nxt, Tok) and nxt.text in (".", "?."):
            name = sig[i + 2] if i + 2 < len(sig) else None
            if isinstance(name, Tok) and name.kind == "ident":
                keys.add(name.text)
                continue
            if nxt.text == "?." and isinstance(name, Group):
                nxt = name
        if isinstance(nxt, Group) and nxt.open == "[":
            inner = [x for x in nxt.items if not (isinstance(x, Tok) and x.kind == "ws")]
            if len(inner) == 1 and isinstance(inner[0], Tok) and inner[0].kind == "str":
                text = inner[0].text[1:-1]
                if "\\" not in text:
                    keys.add(text)
                    continue
        return False
    return True


def compile_expression(source: str) -> Compiled:
    """Compile ``source`` (a parameter string starting with ``=``)."""
    body = source[1:] if source.startswith("=") else source
    if body == "":
        return Compiled(source, "const", value="")
    if _CONSTRUCTOR.search(body):
        return Compiled(
            source, "error", value="Expression contains invalid constructor function call"
        )
    chunks = split_template(body)
    if len(chunks) == 1 and not chunks[0].code:
        return Compiled(source, "const", value=chunks[0].text)
    whole = len(chunks) == 2 and not chunks[0].code and chunks[0].text == ""
    if whole:
        path = _path_of(chunks[1].text)
        if path is not None:
            keys = frozenset(path[:1]) if path else None
            return Compiled(source, "path", path=path, json_keys=keys)
    else:
        tparts: list[tuple[bool, Any]] = []
        for c in chunks:
            if not c.code:
                tparts.append((False, c.text))
                continue
            p = _path_of(c.text)
            if p is None:
                break
            tparts.append((True, p))
        else:
            firsts = [p for is_path, p in tparts if is_path]
            tkeys = None if any(not p for p in firsts) else frozenset(p[0] for p in firsts)
            return Compiled(source, "tpath", parts=tuple(tparts), json_keys=tkeys)
    try:
        js, uses = function_source(chunks)
    except RewriteError as exc:
        return Compiled(source, "error", value=str(exc) or "invalid syntax")
    keys = None if "$binary" in uses else json_keys([c.text for c in chunks if c.code])
    return Compiled(source, "js", js=js, uses=uses, json_keys=keys)


#: user line N of a Code node body is line N + CODE_LINE_OFFSET of :func:`code_source`
#: (QuickJS records no line for statements on the line that opens the function)
CODE_LINE_OFFSET = 1


def code_source(code: str) -> str:
    """The JavaScript source of a Code / Function node body."""
    return "(async function VmCodeWrapper() {\n" + code + "\n})"
