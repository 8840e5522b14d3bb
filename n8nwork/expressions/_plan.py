"""Plans for evaluating parameter values that hold expressions somewhere inside.

A node parameter such as Edit Fields' ``assignments`` is a (frozen) tree of mappings and
sequences with expression strings in some leaves. Its ``Plan`` lists the distinct expressions
(evaluated together, in one engine call, for all items) and builds the value of one item from
their results: constant leaves are shared scalars or fresh copies of constant subtrees, and
an expression's result is used as is (results are fresh per item) unless the same expression
occurs more than once in the value, where each occurrence gets its own copy.

The builder of a plan is a small generated Python function that builds the value as one
literal (the tree's keys and constant leaves are passed to it as constants, never as source
text); a value too large for that gets a builder made of closures instead.

Plans of frozen values (``MappingProxyType`` / ``tuple`` trees, as a parsed workflow holds its
parameters) are cached by identity: such values cannot change. Other values get a new plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from n8nwork.errors import ExpressionError
from n8nwork.expressions._values import copy_json
from n8nwork.workflow.frozen import thaw

Results = Mapping[str, list[Any]]
Builder = Callable[[Results, int, list[ExpressionError]], Any]

_SCALARS = (str, int, float, bool, type(None))


class Plan:
    """How to build one item's value of a parameter from the results of its expressions."""

    __slots__ = ("build", "exprs")

    def __init__(self, exprs: tuple[str, ...], build: Builder) -> None:
        self.exprs = exprs
        self.build = build


def collect(value: Any, out: list[str]) -> None:
    """Every expression string inside ``value``, in order (with repeats)."""
    if isinstance(value, str):
        if value.startswith("="):
            out.append(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            collect(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            collect(v, out)


def _thaw(value: Any) -> Any:
    """``thaw``, quicker for the usual types."""
    t = type(value)
    if t is MappingProxyType or t is dict:
        return {k: v if type(v) in _SCALARS else _thaw(v) for k, v in value.items()}
    if t is tuple or t is list:
        return [v if type(v) in _SCALARS else _thaw(v) for v in value]
    if t in _SCALARS:
        return value
    return thaw(value)


def _frozen(value: Any) -> bool:
    """True when ``value`` is a tree of read-only mappings, tuples and scalars."""
    t = type(value)
    if t is MappingProxyType:
        return all(_frozen(v) for v in value.values())
    if t is tuple:
        return all(_frozen(v) for v in value)
    return t in _SCALARS


_CACHE: dict[int, tuple[Any, Plan | None]] = {}
_CACHE_SIZE = 4096


def plan_of(value: Any) -> Plan | None:
    """The plan of a non-string ``value``; None when it holds no expression."""
    hit = _CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    found: list[str] = []
    collect(value, found)
    plan = None
    if found:
        counts: dict[str, int] = {}
        for expr in found:
            counts[expr] = counts.get(expr, 0) + 1
        repeated = frozenset(e for e, n in counts.items() if n > 1)
        exprs = tuple(counts)
        plan = Plan(exprs, _generated(value, exprs, repeated) or _builder(value, repeated))
    if type(value) in (MappingProxyType, tuple) and _frozen(value):
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[id(value)] = (value, plan)
    return plan


_MAX_GENERATED = 400  # leaves and containers of a value whose builder is generated


class _TooLarge(Exception):
    pass


def _generated(value: Any, exprs: tuple[str, ...], repeated: frozenset[str]) -> Builder | None:
    """A generated builder for ``value`` (None when the value is too large for one)."""
    consts: list[Any] = []
    index = {e: i for i, e in enumerate(exprs)}
    size = [0]

    def const(v: Any) -> str:
        consts.append(v)
        return f"C[{len(consts) - 1}]"

    def emit(v: Any) -> str:
        size[0] += 1
        if size[0] > _MAX_GENERATED:
            raise _TooLarge
        if isinstance(v, str):
            if v.startswith("="):
                j = index[v]
                return f"_copy(r{j})" if v in repeated else f"r{j}"
            return const(v)
        if type(v) in _SCALARS:
            return const(v)
        if not _has_expression(v):
            return f"_thaw({const(v)})"
        if isinstance(v, Mapping):
            return "{" + ", ".join(f"{const(key)}: {emit(sub)}" for key, sub in v.items()) + "}"
        return "[" + ", ".join(emit(sub) for sub in v) + "]"

    try:
        body = emit(value)
    except (_TooLarge, RecursionError):
        return None
    lines = ["def build(results, k, errors):"]
    for j in range(len(exprs)):
        lines.append(f"    r{j} = results[E[{j}]][k]")
        lines.append(f"    if type(r{j}) is _Err:")
        lines.append(f"        errors.append(r{j})")
        lines.append(f"        r{j} = None")
    lines.append(f"    return {body}")
    namespace: dict[str, Any] = {
        "C": tuple(consts),
        "E": exprs,
        "_Err": ExpressionError,
        "_copy": copy_json,
        "_thaw": _thaw,
    }
    try:
        exec(compile("\n".join(lines), "<parameter plan>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - too deep to compile
        return None
    build: Builder = namespace["build"]
    return build


def _has_expression(value: Any) -> bool:
    found: list[str] = []
    collect(value, found)
    return bool(found)


def _builder(value: Any, repeated: frozenset[str]) -> Builder:
    """The builder of a value that holds at least one expression."""
    if isinstance(value, str):
        expr = value
        if expr in repeated:

            def copied(results: Results, k: int, errors: list[ExpressionError]) -> Any:
                r = results[expr][k]
                if type(r) is ExpressionError:
                    errors.append(r)
                    return None
                return copy_json(r)

            return copied

        def shared(results: Results, k: int, errors: list[ExpressionError]) -> Any:
            r = results[expr][k]
            if type(r) is ExpressionError:
                errors.append(r)
                return None
            return r

        return shared
    if isinstance(value, Mapping):
        keys: list[str] = []
        kinds: list[int] = []  # 0: scalar, 1: constant subtree (thawed per item), 2: builder
        payloads: list[Any] = []
        for key, v in value.items():
            keys.append(key)
            if (isinstance(v, str) and v.startswith("=")) or _has_expression(v):
                kinds.append(2)
                payloads.append(_builder(v, repeated))
            elif type(v) in _SCALARS:
                kinds.append(0)
                payloads.append(v)
            else:
                kinds.append(1)
                payloads.append(v)
        entries = tuple(zip(keys, kinds, payloads, strict=True))

        def mapping(results: Results, k: int, errors: list[ExpressionError]) -> Any:
            out: dict[str, Any] = {}
            for key, kind, payload in entries:
                if kind == 0:
                    out[key] = payload
                elif kind == 2:
                    out[key] = payload(results, k, errors)
                else:
                    out[key] = _thaw(payload)
            return out

        return mapping
    # a list or tuple
    parts: list[tuple[int, Any]] = []
    for v in value:
        if (isinstance(v, str) and v.startswith("=")) or _has_expression(v):
            parts.append((2, _builder(v, repeated)))
        elif type(v) in _SCALARS:
            parts.append((0, v))
        else:
            parts.append((1, v))
    items = tuple(parts)

    def sequence(results: Results, k: int, errors: list[ExpressionError]) -> Any:
        out: list[Any] = []
        for kind, payload in items:
            if kind == 0:
                out.append(payload)
            elif kind == 2:
                out.append(payload(results, k, errors))
            else:
                out.append(_thaw(payload))
        return out

    return sequence
