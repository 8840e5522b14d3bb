"""n8n expressions written from Python: ``expr("$json.x * 2")`` is ``"={{ $json.x * 2 }}"``."""

from __future__ import annotations


class Expression(str):
    """An n8n expression parameter value (a string starting with ``=``).

    A plain ``str`` subclass, so it goes into workflow JSON as the string itself; the type lets
    typed node constructors accept an expression where a parameter takes a fixed set of options.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"expr({str.__repr__(self)})"


def expr(code: str) -> Expression:
    """The n8n expression evaluating the JavaScript ``code``: ``expr("$json.x")`` gives
    ``"={{ $json.x }}"``. A value that already is an expression (``"={{ ... }}"``) or a bare
    ``"{{ ... }}"`` template is kept as it is (with its ``=``)."""
    if not isinstance(code, str):
        raise TypeError(f"expr() takes the code as a string, got {type(code).__name__}")
    text = code.strip()
    if not text:
        raise ValueError("expr() needs the code of an expression, got an empty string")
    if text.startswith("="):
        return Expression(text)
    if text.startswith("{{") and text.endswith("}}"):
        return Expression("=" + text)
    return Expression(f"={{{{ {text} }}}}")


def template(text: str) -> Expression:
    """A text with ``{{ ... }}`` parts evaluated per item: ``template("Hi {{ $json.name }}")``
    gives ``"=Hi {{ $json.name }}"``."""
    if not isinstance(text, str):
        raise TypeError(f"template() takes a string, got {type(text).__name__}")
    return Expression(text if text.startswith("=") else "=" + text)
