"""JavaScript ``String.prototype.replace`` replacement strings (``$&``, ``$1``, ``$$``, ``$<name>``,
``$` `` and ``$'``) applied with Python regular expressions."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\$(\$|&|`|'|\d{1,2}|<[^>]*>)")


def expand(match: re.Match[str], repl: str) -> str:
    """The replacement text for one match, JavaScript style."""
    text = match.string
    groups = match.re.groups

    def sub(m: re.Match[str]) -> str:
        tok = m.group(1)
        if tok == "$":
            return "$"
        if tok == "&":
            return match.group(0)
        if tok == "`":
            return text[: match.start()]
        if tok == "'":
            return text[match.end() :]
        if tok.startswith("<"):
            name = tok[1:-1]
            if name in match.re.groupindex:
                return match.group(name) or ""
            return m.group(0)
        n = int(tok)
        if 1 <= n <= groups:
            return match.group(n) or ""
        if len(tok) == 2 and 1 <= int(tok[0]) <= groups:
            return (match.group(int(tok[0])) or "") + tok[1]
        return m.group(0)

    return _TOKEN.sub(sub, repl)


def js_replace(pattern: re.Pattern[str], text: str, repl: str, count: int = 0) -> str:
    """``text.replace(pattern, repl)``; ``count=0`` replaces all (a ``g`` regex)."""
    return pattern.sub(lambda m: expand(m, repl), text, count=count)
