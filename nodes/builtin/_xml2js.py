"""An xml2js-compatible converter (the library n8n's XML node uses): ``build`` renders a JSON
object as pretty XML like xml2js's ``Builder`` (xmlbuilder output, two-space indent),
``parse`` reads XML into JSON like xml2js's ``Parser`` with its options (``explicitArray``,
``explicitRoot``, ``ignoreAttrs``, ``mergeAttrs``, ``normalize``, ``normalizeTags``, ``trim``,
``attrkey``, ``charkey``, ``emptyTag``).
"""

from __future__ import annotations

import re
from typing import Any
from xml.parsers import expat

from nodes.builtin._values import js_keys, js_string


class XmlError(ValueError):
    """Raised when XML cannot be built or parsed."""


# ------------------------------------------------------------------------------- builder
_NAME_RE = re.compile(r"^[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*$")


class _El:
    __slots__ = ("attrs", "children", "name")

    def __init__(self, name: str) -> None:
        if not _NAME_RE.match(name):
            raise XmlError(f"Invalid character in name: {name}")
        self.name = name
        self.attrs: dict[str, str] = {}
        self.children: list[_El | tuple[str, str]] = []  # ("text"|"raw", value)


def _requires_cdata(text: str) -> bool:
    return "&" in text or "<" in text or ">" in text


def _wrap_cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _add_text(el: _El, text: str, cdata: bool) -> None:
    if cdata and _requires_cdata(text):
        el.children.append(("raw", _wrap_cdata(text)))
    else:
        el.children.append(("text", text))


def _render(el: _El, obj: Any, opts: dict[str, Any]) -> None:
    attrkey, charkey, cdata = opts["attrkey"], opts["charkey"], opts["cdata"]
    if not isinstance(obj, (dict, list)) and obj is not None:
        _add_text(el, js_string(obj), cdata)
        return
    if isinstance(obj, list):
        for child in obj:
            if isinstance(child, dict):
                for key in js_keys(child):
                    sub = _El(key)
                    el.children.append(sub)
                    _render(sub, child[key], opts)
        return
    if obj is None:
        return
    for key in js_keys(obj):
        child = obj[key]
        if key == attrkey:
            if isinstance(child, dict):
                for attr in js_keys(child):
                    if child[attr] is not None:
                        el.attrs[attr] = js_string(child[attr])
        elif key == charkey:
            _add_text(el, js_string(child), cdata)
        elif isinstance(child, list):
            for entry in child:
                sub = _El(key)
                el.children.append(sub)
                if isinstance(entry, str):
                    _add_text(sub, entry, cdata)
                else:
                    _render(sub, entry, opts)
        elif isinstance(child, dict) or child is None:
            sub = _El(key)
            el.children.append(sub)
            _render(sub, child, opts)
        else:
            sub = _El(key)
            el.children.append(sub)
            _add_text(sub, js_string(child), cdata)


def _esc_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")
    )


def _esc_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\t", "&#x9;")
        .replace("\n", "&#xA;")
        .replace("\r", "&#xD;")
    )


def _write(el: _El, level: int, out: list[str]) -> None:
    indent = "  " * level
    attrs = "".join(f' {k}="{_esc_attr(v)}"' for k, v in el.attrs.items())
    children = el.children
    empty = not children or all(isinstance(c, tuple) and c[1] == "" for c in children)
    if empty:
        out.append(f"{indent}<{el.name}{attrs}/>\n")
        return
    if len(children) == 1 and isinstance(children[0], tuple):
        kind, value = children[0]
        body = _esc_text(value) if kind == "text" else value
        out.append(f"{indent}<{el.name}{attrs}>{body}</{el.name}>\n")
        return
    out.append(f"{indent}<{el.name}{attrs}>\n")
    for child in children:
        if isinstance(child, _El):
            _write(child, level + 1, out)
        else:
            kind, value = child
            body = _esc_text(value) if kind == "text" else value
            out.append(f"{indent}  {body}\n")
    out.append(f"{indent}</{el.name}>\n")


def build(obj: Any, options: dict[str, Any] | None = None) -> str:
    """xml2js ``new Builder(options).buildObject(obj)``."""
    opts = {"attrkey": "$", "charkey": "_", "rootName": "root", "headless": False, "cdata": False}
    opts.update({k: v for k, v in (options or {}).items() if v is not None})
    root_obj = obj
    if isinstance(obj, dict) and len(obj) == 1 and opts["rootName"] == "root":
        root_name = next(iter(obj))
        root_obj = obj[root_name]
    else:
        root_name = str(opts["rootName"])
    root = _El(root_name)
    _render(root, root_obj, opts)
    out: list[str] = []
    if not opts["headless"]:
        out.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    _write(root, 0, out)
    return "".join(out).rstrip("\n")


# -------------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, options: dict[str, Any]) -> None:
        self.o: dict[str, Any] = {
            "attrkey": "$",
            "charkey": "_",
            "explicitArray": True,
            "explicitRoot": True,
            "ignoreAttrs": False,
            "mergeAttrs": False,
            "normalize": False,
            "normalizeTags": False,
            "trim": False,
            "emptyTag": "",
        }
        self.o.update({k: v for k, v in options.items() if v is not None})
        self.stack: list[dict[str, Any]] = []
        self.result: Any = None
        self.done = False

    def assign_or_push(self, obj: dict[str, Any], key: str, value: Any) -> None:
        if key not in obj:
            obj[key] = [value] if self.o["explicitArray"] else value
        else:
            if not isinstance(obj[key], list):
                obj[key] = [obj[key]]
            obj[key].append(value)

    def start(self, name: str, attrs: list[str]) -> None:
        if self.done:
            raise XmlError("Non-whitespace before first tag or multiple root elements.")
        charkey, attrkey = str(self.o["charkey"]), str(self.o["attrkey"])
        obj: dict[str, Any] = {charkey: ""}
        if not self.o["ignoreAttrs"]:
            for key, value in zip(attrs[::2], attrs[1::2], strict=True):
                if self.o["mergeAttrs"]:
                    self.assign_or_push(obj, key, value)
                else:
                    obj.setdefault(attrkey, {})[key] = value
        obj["#name"] = name.lower() if self.o["normalizeTags"] else name
        self.stack.append(obj)

    def end(self, _name: str) -> None:
        charkey = self.o["charkey"]
        obj: Any = self.stack.pop()
        node_name = obj.pop("#name")
        cdata = obj.pop("#cdata", False)
        empty_str = ""
        text = obj[charkey]
        if re.fullmatch(r"\s*", text) and not cdata:
            empty_str = text
            del obj[charkey]
        else:
            if self.o["trim"]:
                text = text.strip()
            if self.o["normalize"]:
                text = re.sub(r"\s{2,}", " ", text).strip()
            obj[charkey] = text
            if len(obj) == 1:
                obj = text
        if isinstance(obj, dict) and not obj:
            obj = self.o["emptyTag"] if self.o["emptyTag"] != "" else empty_str
        if self.stack:
            self.assign_or_push(self.stack[-1], node_name, obj)
        else:
            self.result = {node_name: obj} if self.o["explicitRoot"] else obj
            self.done = True

    def text(self, data: str) -> None:
        if self.stack:
            self.stack[-1][str(self.o["charkey"])] += data
        elif data.strip() and not self.done:
            raise XmlError("Non-whitespace before first tag.")

    def cdata(self) -> None:
        if self.stack:
            self.stack[-1]["#cdata"] = True


def parse(text: Any, options: dict[str, Any] | None = None) -> Any:
    """xml2js ``new Parser(options).parseStringPromise(text)``."""
    source = js_string(text)
    if source.startswith("\ufeff"):
        source = source[1:]
    if not source.strip():
        return None
    state = _Parser(options or {})
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.text
    parser.StartCdataSectionHandler = state.cdata
    try:
        parser.Parse(source, True)
    except expat.ExpatError as exc:
        raise XmlError(_expat_message(exc)) from None
    if not state.done:
        raise XmlError("Unclosed root tag")
    return state.result


def _expat_message(exc: expat.ExpatError) -> str:
    reason = expat.ErrorString(exc.code) if exc.code else str(exc)
    return f"{reason[:1].upper()}{reason[1:]}\nLine: {exc.lineno - 1}\nColumn: {exc.offset}"
