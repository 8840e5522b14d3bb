"""Typed node constructors, made from node schemas: one ``BuilderNode`` subclass per node type.

Each constructor class carries the node type's ``TypeRef`` and, for ``help()`` and notebooks,
a signature and a docstring listing its parameters (``nodes.pyi`` gives static type checkers
the same signatures for the built-in nodes). Constructors of registered types are made once per
process from the default registry.
"""

from __future__ import annotations

import difflib
import inspect
import keyword
from functools import cache
from typing import TYPE_CHECKING, Any

from n8nwork.builder._errors import BuilderError
from n8nwork.builder._node import BuilderNode
from n8nwork.builder._schema import TypeRef, fmt_version, registry_ref
from n8nwork.builder._settings import RESERVED, SETTING_NAMES

if TYPE_CHECKING:
    from nodes.sdk.params import Param

_P = inspect.Parameter


def make_constructor(
    class_name: str, ref: TypeRef, *, module: str = "n8nwork.builder.nodes", **extra: Any
) -> type[BuilderNode]:
    """A ``BuilderNode`` subclass building nodes of ``ref``'s type."""
    params = ref.all_params()
    namespace: dict[str, Any] = {
        "ref": ref,
        "type_name": ref.type_name,
        "__module__": module,
        "__qualname__": class_name,
        "__doc__": _docstring(ref, params),
        "__signature__": _signature(ref.type_name, params),
        **extra,
    }
    return type(class_name, (BuilderNode,), namespace)


def keyword_params(params: list[Param]) -> list[str]:
    """Parameter names a constructor takes as keywords, in declaration order."""
    out: list[str] = []
    for p in params:
        if (
            p.name not in out
            and p.name.isidentifier()
            and not keyword.iskeyword(p.name)
            and p.name not in RESERVED
        ):
            out.append(p.name)
    return out


_KINDS = {
    "string": ["str"],
    "number": ["float", "str"],
    "boolean": ["bool", "str"],
    "collection": ["Mapping[str, Any]", "str"],
    "fixedCollection": ["Mapping[str, Any]", "str"],
    "filter": ["Mapping[str, Any]", "Sequence[Mapping[str, Any]]", "str"],
    "assignmentCollection": ["Mapping[str, Any]", "Sequence[Mapping[str, Any]]", "str"],
}

_SHORT_FORMS = {("n8n-nodes-base.switch", "rules")}


def annotation_of(type_name: str, declarations: list[Param]) -> str:
    """The Python type of a parameter declared as ``declarations`` (one per typeVersion span)."""
    types: list[str] = []
    options: list[object] = []
    for p in declarations:
        if p.kind in ("json", "any"):
            return "Any"
        if p.kind in ("options", "multiOptions") and p.options:
            options += [o for o in p.options if o not in options]
            types.append("Literal" if p.kind == "options" else "Sequence[Literal]")
            types.append("Expression")
        elif p.kind in ("options", "multiOptions"):
            types.append("str" if p.kind == "options" else "Sequence[str]")
        else:
            types += _KINDS.get(p.kind, ["Any"])
    literal = f"Literal[{', '.join(repr(o) for o in options)}]"
    out: list[str] = []
    for t in types:
        t = t.replace("Literal", literal) if t in ("Literal", "Sequence[Literal]") else t
        if t not in out:
            out.append(t)
    if "Any" in out:
        return "Any"
    if declarations and (type_name, declarations[0].name) in _SHORT_FORMS:
        out.insert(-1, "Sequence[Any]")  # a list of rules (see ``_values.expand``)
    return " | ".join(out)


def _signature(type_name: str, params: list[Param]) -> inspect.Signature:
    head = [
        _P("name", _P.POSITIONAL_OR_KEYWORD, default=None, annotation="str | None"),
        _P("version", _P.KEYWORD_ONLY, default=None, annotation="float | None"),
        _P("parameters", _P.KEYWORD_ONLY, default=None, annotation="Mapping[str, Any] | None"),
    ]
    body = [
        _P(
            name,
            _P.KEYWORD_ONLY,
            default=None,
            annotation=annotation_of(type_name, [p for p in params if p.name == name]),
        )
        for name in keyword_params(params)
    ]
    settings = [_P(name, _P.KEYWORD_ONLY, default=None) for name in SETTING_NAMES]
    return inspect.Signature([*head, *body, *settings])


def _docstring(ref: TypeRef, params: list[Param]) -> str:
    versions = ", ".join(fmt_version(v) for v in ref.versions)
    lines = [
        f"{ref.display_name or ref.type_name}: {ref.description}".rstrip(": "),
        "",
        f"Node type ``{ref.type_name}``, typeVersions {versions} "
        f"(default {fmt_version(ref.latest)}).",
    ]
    if params:
        lines += ["", "Parameters:"]
        for p in params:
            span = ""
            if p.versions:
                low, high = (fmt_version(v) for v in p.versions)
                span = f", typeVersion {low}" if low == high else f", typeVersions {low}-{high}"
            options = f", one of {list(p.options)}" if p.options else ""
            lines.append(f"    {p.name} ({p.kind}{span}{options}), default {p.default!r}")
    lines += [
        "",
        "Settings: " + ", ".join(SETTING_NAMES) + ".",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ registered
@cache
def registered() -> dict[str, type[BuilderNode]]:
    """Constructors of every registered node type, by class name (built-ins win a clash)."""
    from nodes.sdk.registry import default_registry

    registry = default_registry()
    by_type: dict[str, str] = {}
    for impl in registry.all():
        name = type(impl).__name__
        taken = by_type.get(name)
        if taken is None or (
            impl.type_name.startswith("n8n-nodes-base.") and not taken.startswith("n8n-nodes-base.")
        ):
            by_type[name] = impl.type_name
    out = {}
    for class_name, type_name in sorted(by_type.items()):
        ref = registry_ref(registry, type_name)
        if ref is not None:
            out[class_name] = make_constructor(class_name, ref)
    return out


@cache
def for_type(type_name: str) -> type[BuilderNode]:
    """The constructor of a registered node type, by type name."""
    for cls in registered().values():
        if cls.type_name == type_name:
            return cls
    from nodes.sdk.registry import default_registry

    registry = default_registry()
    ref = registry_ref(registry, type_name)
    if ref is None:
        close = difflib.get_close_matches(type_name, registry.type_names(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise BuilderError([f"unknown node type '{type_name}'{hint}"])
    return make_constructor(type_name.rsplit(".", 1)[-1], ref)
