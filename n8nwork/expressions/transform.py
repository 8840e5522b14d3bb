"""Source-level rewriting of the JavaScript inside n8n expressions (what n8n does with an AST).

n8n rewrites the code of every ``{{ ... }}`` part before running it:

- calls of its data-transformation extensions, ``x.isEmpty()`` / ``x.toTitleCase()`` ...,
  become ``extend(x, "isEmpty", [])`` so that they work on any value (also ``null``) and
  dispatch on the runtime type;
- ``$if(a, b, c)`` becomes ``(a) ? (b) : (c)`` so that only the chosen branch runs;
- statically visible access to ``constructor`` / ``__proto__`` / ``prototype`` ... and a bare
  ``$`` are refused with n8n's messages.

We do the same with a small JavaScript tokenizer (strings, template literals, regular
expressions and comments are understood; the receiver of a method call is found by walking
back over the postfix chain). ``rewrite`` returns the new source or raises ``RewriteError``.
``first_statement`` gives the code of the first statement (n8n evaluates only that one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Extension method names (n8n's string/number/date/array/object/boolean extensions + generic).
EXTENSION_METHODS = _words(
    """
    hash removeMarkdown removeTags toDate toDateTime toBoolean toDecimalNumber toNumber toFloat
    toInt toWholeNumber toSentenceCase toSnakeCase toTitleCase urlDecode urlEncode quote
    replaceSpecialChars length isDomain isEmail isNumeric isUrl isEmpty isNotEmpty isBlank
    isNotBlank toJsonString extractEmail extractDomain extractUrl extractUrlPath parseJson
    base64Encode base64Decode ceil floor format round abs isInteger isEven isOdd
    beginningOf endOfMonth extract isBetween isDst isInLast isWeekend minus plus diffTo
    diffToNow removeDuplicates unique first last pluck randomItem sum min max average compact
    smartJoin chunk renameKeys merge union difference intersection append hasField removeField
    removeFieldsContaining keepFieldsContaining keys values
    """
)

_EXT_CALL_RE = re.compile(
    r"\$if\s*\(|\.\s*(?:" + "|".join(sorted(EXTENSION_METHODS)) + r")\s*(?:\?\.\s*)?\("
)
UNSAFE_PROPERTIES = frozenset(
    {"__proto__", "prototype", "constructor", "getPrototypeOf", "mainModule", "binding", "_load"}
)
_KEYWORDS = _words(
    """
    break case catch class const continue debugger default delete do else export extends finally
    for function if import in instanceof let new return super switch throw try typeof var void
    while with yield await of async static get set
    """
)
_VALUE_KEYWORDS = frozenset({"this", "null", "true", "false", "undefined", "super"})
_PUNCTUATORS = sorted(
    _words(
        """
        >>>= ... === !== **= <<= >>= >>> &&= ||= ??= => == != <= >= && || ?? ?. ++ -- += -=
        *= /= %= &= |= ^= ** << >> { } ( ) [ ] ; , < > + - * / % & | ^ ! ~ ? : = . @ #
        """
    ),
    key=len,
    reverse=True,
)
_REGEX_AFTER_KEYWORDS = _words(
    "return typeof case in of new delete void throw instanceof do else yield await"
)
_IDENT_START = re.compile(r"[A-Za-z_$\u0080-\uffff]")
_IDENT = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]*")
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+n?|0[oO][0-7_]+n?|0[bB][01_]+n?|"
    r"(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?n?"
)
_OPEN = {"(": ")", "[": "]", "{": "}"}


class RewriteError(Exception):
    """Raised when expression code cannot be tokenized or is refused (n8n's message)."""


@dataclass
class Tok:
    kind: str  # ws | ident | num | str | tmpl | regex | punct | synth
    text: str
    parts: list[str] = field(default_factory=list)  # template literal: code of each ${...}


@dataclass
class Group:
    open: str
    items: list[Tok | Group]
    close: str

    @property
    def kind(self) -> str:
        return "group"


Elem = Tok | Group


# ----------------------------------------------------------------------------- tokenizer
def tokenize(src: str) -> list[Tok]:
    toks, pos = _scan(src, 0, top=True)
    if pos != len(src):
        raise RewriteError("unbalanced brackets")
    return toks


def _last_sig(toks: list[Tok]) -> Tok | None:
    for t in reversed(toks):
        if t.kind != "ws":
            return t
    return None


def _regex_allowed(prev: Tok | None) -> bool:
    if prev is None:
        return True
    if prev.kind == "punct":
        return prev.text not in (")", "]", "}")
    if prev.kind == "ident":
        return prev.text in _REGEX_AFTER_KEYWORDS
    return False


def _scan(src: str, pos: int, *, top: bool) -> tuple[list[Tok], int]:
    """Tokens from ``pos`` until end of input (top) or the ``}`` closing a ``${``."""
    toks: list[Tok] = []
    depth = 0
    n = len(src)
    while pos < n:
        c = src[pos]
        if c in " \t\r\n\v\f\u00a0\ufeff\u2028\u2029":
            end = pos + 1
            while end < n and src[end] in " \t\r\n\v\f\u00a0\ufeff\u2028\u2029":
                end += 1
            toks.append(Tok("ws", src[pos:end]))
            pos = end
        elif src.startswith("//", pos):
            end = src.find("\n", pos)
            end = n if end < 0 else end
            toks.append(Tok("ws", src[pos:end]))
            pos = end
        elif src.startswith("/*", pos):
            end = src.find("*/", pos + 2)
            if end < 0:
                raise RewriteError("unterminated comment")
            toks.append(Tok("ws", src[pos : end + 2]))
            pos = end + 2
        elif c in "'\"":
            end = _scan_string(src, pos)
            toks.append(Tok("str", src[pos:end]))
            pos = end
        elif c == "`":
            tok, pos = _scan_template(src, pos)
            toks.append(tok)
        elif c == "/" and _regex_allowed(_last_sig(toks)):
            end = _scan_regex(src, pos)
            toks.append(Tok("regex", src[pos:end]))
            pos = end
        elif c.isdigit() or (c == "." and pos + 1 < n and src[pos + 1].isdigit()):
            m = _NUMBER.match(src, pos)
            assert m is not None
            toks.append(Tok("num", m.group()))
            pos = m.end()
        elif _IDENT_START.match(c):
            m = _IDENT.match(src, pos + 1)
            assert m is not None
            toks.append(Tok("ident", src[pos : m.end()]))
            pos = m.end()
        elif c == "\\":
            raise RewriteError("unexpected backslash")
        else:
            for p in _PUNCTUATORS:
                if src.startswith(p, pos):
                    if p == "?." and pos + 2 < n and src[pos + 2].isdigit():
                        continue
                    break
            else:  # pragma: no cover - every ASCII char is a punctuator or handled above
                raise RewriteError(f"unexpected character {c!r}")
            if p == "{":
                depth += 1
            elif p == "}":
                if not top and depth == 0:
                    return toks, pos
                depth -= 1
            toks.append(Tok("punct", p))
            pos += len(p)
    if not top:
        raise RewriteError("unterminated template literal")
    return toks, pos


def _scan_string(src: str, pos: int) -> int:
    quote = src[pos]
    i = pos + 1
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n":
            break
        i += 1
    raise RewriteError("unterminated string")


def _scan_regex(src: str, pos: int) -> int:
    i = pos + 1
    in_class = False
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n":
            break
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            i += 1
            while i < len(src) and (src[i].isalnum() or src[i] == "_"):
                i += 1
            return i
        i += 1
    raise RewriteError("unterminated regular expression")


def _scan_template(src: str, pos: int) -> tuple[Tok, int]:
    i = pos + 1
    parts: list[str] = []
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            return Tok("tmpl", src[pos : i + 1], parts), i + 1
        if src.startswith("${", i):
            _, end = _scan(src, i + 2, top=False)
            parts.append(src[i + 2 : end])
            i = end + 1
            continue
        i += 1
    raise RewriteError("unterminated template literal")


# ----------------------------------------------------------------------------- grouping
def group(toks: list[Tok]) -> list[Elem]:
    stack: list[tuple[str, list[Elem]]] = [("", [])]
    for t in toks:
        if t.kind == "punct" and t.text in _OPEN:
            stack.append((t.text, []))
        elif t.kind == "punct" and t.text in (")", "]", "}"):
            opener, items = stack.pop()
            if not opener or _OPEN[opener] != t.text:
                raise RewriteError("unbalanced brackets")
            stack[-1][1].append(Group(opener, items, t.text))
        else:
            stack[-1][1].append(t)
    if len(stack) != 1:
        raise RewriteError("unbalanced brackets")
    return stack[0][1]


def render(elems: list[Elem]) -> str:
    out: list[str] = []
    for e in elems:
        if isinstance(e, Group):
            out.append(e.open + render(e.items) + e.close)
        else:
            out.append(e.text)
    return "".join(out)


# ----------------------------------------------------------------------------- rewriting
def needs_rewrite(code: str) -> bool:
    """Cheap test: could the code contain an extension call or ``$if``?"""
    return _EXT_CALL_RE.search(code) is not None


def rewrite(code: str, *, extensions: bool = True, check_security: bool = True) -> str:
    """The code with extension calls and ``$if`` rewritten and unsafe access refused."""
    elems = group(tokenize(code))
    if check_security:
        _check(elems, top=True)
    if not extensions or not needs_rewrite(code):
        return code
    return render(_transform(elems))


def first_statement(code: str) -> str:
    """The code of the first statement (n8n evaluates only the first), without a trailing ``;``."""
    elems = group(tokenize(code))
    for i, e in enumerate(elems):
        if isinstance(e, Tok) and e.kind == "punct" and e.text == ";":
            return render(elems[:i])
    return code


def _is_ws(e: Elem) -> bool:
    return isinstance(e, Tok) and e.kind == "ws"


def _prev(elems: list[Elem], i: int) -> int:
    i -= 1
    while i >= 0 and _is_ws(elems[i]):
        i -= 1
    return i


def _next(elems: list[Elem], i: int) -> int:
    i += 1
    while i < len(elems) and _is_ws(elems[i]):
        i += 1
    return i


def _is_punct(e: Elem | None, *texts: str) -> bool:
    return isinstance(e, Tok) and e.kind == "punct" and e.text in texts


def _check(elems: list[Elem], *, top: bool) -> None:
    for i, e in enumerate(elems):
        if isinstance(e, Group):
            _check(e.items, top=False)
            if e.open == "[" and i > 0:
                p = _prev(elems, i)
                inner = [x for x in e.items if not _is_ws(x)]
                if (
                    p >= 0
                    and _is_operand(elems[p])
                    and len(inner) == 1
                    and isinstance(inner[0], Tok)
                    and inner[0].kind == "str"
                ):
                    key = inner[0].text[1:-1]
                    if key in UNSAFE_PROPERTIES:
                        raise RewriteError(f'Cannot access "{key}" due to security concerns')
            continue
        if e.kind == "tmpl":
            for part in e.parts:
                _check(group(tokenize(part)), top=False)
        elif e.kind == "ident":
            p = _prev(elems, i)
            after_dot = p >= 0 and _is_punct(elems[p], ".", "?.")
            if after_dot and e.text in UNSAFE_PROPERTIES:
                raise RewriteError(f'Cannot access "{e.text}" due to security concerns')
            if e.text == "$" and not after_dot:
                nx = _next(elems, i)
                following = elems[nx] if nx < len(elems) else None
                if not (isinstance(following, Group) and following.open == "("):
                    raise RewriteError('Cannot access "$" without calling it as a function')
            if e.text == "with" and not after_dot:
                nx = _next(elems, i)
                following = elems[nx] if nx < len(elems) else None
                if isinstance(following, Group) and following.open == "(":
                    raise RewriteError("with statements are not allowed")


def _is_operand(e: Elem) -> bool:
    if isinstance(e, Group):
        return True
    if e.kind in ("num", "str", "tmpl", "regex", "synth"):
        return True
    if e.kind == "ident":
        return e.text in _VALUE_KEYWORDS or e.text not in _KEYWORDS
    return False


def _receiver_start(elems: list[Elem], dot: int) -> int | None:
    """Index of the first element of the postfix expression that ends just before ``dot``."""
    k = _prev(elems, dot)
    if k < 0 or not _is_operand(elems[k]):
        return None
    while True:
        e = elems[k]
        j = _prev(elems, k)
        if j < 0:
            return k
        p = elems[j]
        if _is_punct(p, ".", "?."):
            k2 = _prev(elems, j)
            if k2 < 0 or not _is_operand(elems[k2]):
                return None
            k = k2
            continue
        if isinstance(e, Group) and e.open in "([" and _is_operand(p) and not _is_block_end(p):
            k = j
            continue
        if isinstance(e, Tok) and e.kind == "tmpl" and _is_operand(p):
            k = j  # tagged template
            continue
        if isinstance(p, Tok) and p.kind == "ident" and p.text == "new":
            return j
        return k


def _is_block_end(e: Elem) -> bool:
    return isinstance(e, Group) and e.open == "{"


def _split_args(items: list[Elem]) -> list[list[Elem]]:
    args: list[list[Elem]] = [[]]
    for e in items:
        if _is_punct(e, ","):
            args.append([])
        else:
            args[-1].append(e)
    if len(args) == 1 and not any(not _is_ws(x) for x in args[0]):
        return []
    return args


def _transform(elems: list[Elem]) -> list[Elem]:
    out: list[Elem] = []
    for e in elems:
        if isinstance(e, Group):
            e = Group(e.open, _transform(e.items), e.close)
        elif e.kind == "tmpl" and e.parts:
            e = Tok("synth", _rewrite_template(e))
        out.append(e)
        _reduce(out)
    return out


def _rewrite_template(tok: Tok) -> str:
    text = tok.text
    result: list[str] = []
    i = 0
    for part in tok.parts:
        start = text.index("${" + part + "}", i)
        result.append(text[i : start + 2])
        result.append(render(_transform(group(tokenize(part)))))
        i = start + 2 + len(part)
    result.append(text[i:])
    return "".join(result)


def _reduce(out: list[Elem]) -> None:
    """Rewrite the call that the last appended element may have completed."""
    last = out[-1]
    if not (isinstance(last, Group) and last.open == "("):
        return
    name_i = _prev(out, len(out) - 1)
    if name_i < 0:
        return
    name = out[name_i]
    if not (isinstance(name, Tok) and name.kind == "ident"):
        return
    dot_i = _prev(out, name_i)
    dot = out[dot_i] if dot_i >= 0 else None
    if name.text == "$if" and not _is_punct(dot, ".", "?."):
        args = _split_args(last.items)
        if any(_is_spread(a) for a in args):
            return
        if len(args) < 2:
            text = (
                "__n8n_throw('$if requires at least 2 parameters: test, value_if_true[, and "
                "value_if_false]')"
            )
        else:
            alt = render(args[2]) if len(args) > 2 else "false"
            text = f"(({render(args[0])}) ? ({render(args[1])}) : ({alt}))"
        del out[name_i:]
        out.append(Tok("synth", text))
        return
    if name.text not in EXTENSION_METHODS or not _is_punct(dot, ".", "?."):
        return
    start = _receiver_start(out, dot_i)
    if start is None:
        return
    assert isinstance(dot, Tok)
    helper = "__n8n_extOpt" if dot.text == "?." else "__n8n_ext"
    recv = render(out[start:dot_i])
    text = f'{helper}({recv}, "{name.text}", [{render(last.items)}])'
    del out[start:]
    out.append(Tok("synth", text))


def _is_spread(arg: list[Elem]) -> bool:
    sig = [x for x in arg if not _is_ws(x)]
    return bool(sig) and _is_punct(sig[0], "...")
