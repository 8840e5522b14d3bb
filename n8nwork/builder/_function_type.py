"""The node type behind an ``@node`` function: its parameters (from the function's signature)
and its execution (the function over the node's input items).

Imports the node SDK, so the builder imports this module only when a function is decorated.

Execution: in mode ``all`` the function gets the JSON of every input item (a deep copy, a list
of dicts) and returns the output items' JSON (a list of dicts, or one dict, or None for none);
in mode ``each`` it gets one item's JSON and returns a dict, a list of dicts or None (drop the
item), and every output item is paired with its input item. With ``raw=True`` it gets and
returns whole n8n items (``{"json": ..., "binary": ...}``). Parameters of the function after
the first are node parameters (expressions allowed), evaluated for each item in mode ``each``
and for the first item in mode ``all``. An exception becomes
a node error naming the node, the item (mode ``each``) and the function, with the function's
traceback; with ``on_error`` set to continue, it becomes an error item instead.
"""

from __future__ import annotations

import copy
import inspect
import json
import traceback
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from n8nwork.builder._errors import BuilderError
from n8nwork.builder._settings import RESERVED
from n8nwork.builder._values import NotJson, plain
from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.run.data import Items
from nodes.sdk.base import NodeResult, NodeType, Resources
from nodes.sdk.context import ExecutionContext
from nodes.sdk.params import Param

if TYPE_CHECKING:
    from n8nwork.builder._custom import CustomNode

_FIRST = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class FunctionNode(NodeType):
    """Base of the node types made by ``@node``; ``spec`` is the decorated function's node."""

    spec: ClassVar[CustomNode]

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        spec = type(self).spec
        if spec.mode == "each":
            return [_run_each(spec, ctx)]
        return [_run_all(spec, ctx)]


def make_node_type(spec: CustomNode, params: tuple[Param, ...]) -> type[FunctionNode]:
    """The NodeType class of ``spec``; pickled by reference as ``<function>.node_type`` when
    the decorated function is importable (by value with cloudpickle otherwise)."""
    fn = spec.fn
    namespace = {
        "spec": spec,
        "type_name": spec.type_name,
        "versions": (spec.version,),
        "display_name": spec.display_name,
        "description": spec.description,
        "params": params,
        "placement": spec.placement,
        "resources": Resources(
            num_cpus=spec.num_cpus,
            num_gpus=spec.num_gpus,
            memory=spec.memory,
            timeout_s=spec.timeout,
        ),
        "__module__": fn.__module__,
        "__qualname__": f"{fn.__qualname__}.node_type",
        "__doc__": f"The node type ``{spec.type_name}`` running ``{fn.__qualname__}``.",
    }
    return type("node_type", (FunctionNode,), namespace)


# ------------------------------------------------------------------------------ parameters
def function_params(fn: Callable[..., Any], where: str) -> tuple[Param, ...]:
    """Node parameters from the function's arguments after the first (the items)."""
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: fall back to what the signature holds
        hints = {}
    args = list(signature.parameters.values())
    if not args or args[0].kind not in _FIRST:
        raise BuilderError(
            [f"{where}: the function must take the items (mode 'each': the item) first"]
        )
    params = []
    for arg in args[1:]:
        if arg.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise BuilderError([f"{where}: *{arg.name} cannot be a node parameter; name each one"])
        if arg.name in RESERVED:
            raise BuilderError(
                [f"{where}: argument '{arg.name}' clashes with a node setting; rename it"]
            )
        kind, options = _kind(hints.get(arg.name, arg.annotation))
        required = arg.default is inspect.Parameter.empty
        default = None if required else arg.default
        try:
            default = plain(default, arg.name)
        except NotJson as exc:
            raise BuilderError([f"{where}: the default of {exc}"]) from None
        params.append(Param(arg.name, kind, default, options=options, required=required))
    return tuple(params)


def _kind(annotation: Any) -> tuple[str, tuple[Any, ...]]:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0])
    if origin is Literal and all(isinstance(a, (str, int)) for a in args):
        return "options", tuple(args)
    simple = {bool: "boolean", int: "number", float: "number", str: "string"}
    if annotation in simple:
        return simple[annotation], ()
    if annotation in ("bool", "int", "float", "str"):  # unresolved string annotations
        return {"bool": "boolean", "str": "string"}.get(annotation, "number"), ()
    if annotation is dict or origin in (dict, Mapping):
        return "collection", ()
    return "any", ()


# ------------------------------------------------------------------------------ execution
def _run_all(spec: CustomNode, ctx: ExecutionContext) -> Items:
    items = ctx.input(0)
    try:
        kwargs = {p.name: ctx.param(p.name, 0) for p in spec.params}
        result = spec.fn([_given(item, spec.raw) for item in items], **kwargs)
        return _outputs(result, spec, None)
    except Exception as exc:
        if ctx.continue_on_fail:
            return [{"json": {"error": _message(exc)}}]
        raise _node_error(exc, spec, ctx, None) from exc


def _run_each(spec: CustomNode, ctx: ExecutionContext) -> Items:
    out: Items = []
    for index, item in enumerate(ctx.input(0)):
        try:
            kwargs = {p.name: ctx.param(p.name, index) for p in spec.params}
            produced = _outputs(spec.fn(_given(item, spec.raw), **kwargs), spec, index)
        except Exception as exc:
            if ctx.continue_on_fail:
                out.append({"json": {"error": _message(exc)}, "pairedItem": {"item": index}})
                continue
            raise _node_error(exc, spec, ctx, index) from exc
        for new in produced:
            new["pairedItem"] = {"item": index}
            out.append(new)
    return out


def _given(item: Mapping[str, Any], raw: bool) -> Any:
    if raw:
        return {k: copy.deepcopy(v) for k, v in item.items() if k != "pairedItem"}
    return copy.deepcopy(dict(item.get("json") or {}))


class _BadResult(Exception):
    """The function returned something that is not items."""


def _outputs(result: Any, spec: CustomNode, index: int | None) -> Items:
    if result is None:
        return []
    listed: Sequence[Any]
    if isinstance(result, Mapping):
        listed = [result]
    elif isinstance(result, (str, bytes)) or not isinstance(result, typing.Iterable):
        raise _BadResult(_returned(spec, index, _a(type(result).__name__)))
    else:
        listed = list(result)
    out: Items = []
    for k, value in enumerate(listed):
        if not isinstance(value, Mapping):
            raise _BadResult(_returned(spec, index, f"item {k} as {_a(type(value).__name__)}"))
        if spec.raw:
            if not isinstance(value.get("json"), Mapping):
                raise _BadResult(_returned(spec, index, f"item {k} without a 'json' object"))
            new = {key: v for key, v in value.items() if key != "pairedItem"}
        else:
            new = {"json": value}
        try:
            json.dumps(new, allow_nan=False)
        except (TypeError, ValueError) as exc:
            what = f"item {k}, which JSON cannot hold: {exc}"
            raise _BadResult(_returned(spec, index, what)) from None
        out.append(new)
    return out


def _returned(spec: CustomNode, index: int | None, what: str) -> str:
    shape = "whole items ({'json': {...}})" if spec.raw else "dicts (the items' JSON)"
    expected = "a list of " + shape if spec.mode == "all" else f"one of {shape}, a list or None"
    return f"{spec.fn.__qualname__}() returned {what}; it must return {expected}"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _message(exc: BaseException) -> str:
    if isinstance(exc, (NodeExecutionError, ExpressionError)):
        return exc.message
    if isinstance(exc, _BadResult):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _node_error(
    exc: Exception, spec: CustomNode, ctx: ExecutionContext, index: int | None
) -> Exception:
    if isinstance(exc, ExpressionError):
        return exc  # already names the parameter and the item
    if isinstance(exc, NodeExecutionError):
        exc.node = exc.node or ctx.node.name
        if exc.item_index is None and index is not None:
            exc.item_index = index
            exc.context.setdefault("itemIndex", index)
        return exc
    where = f" at item {index}" if index is not None else ""
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    stack = None
    if not isinstance(exc, _BadResult):
        stack = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
    return NodeExecutionError(
        _message(exc),
        node=ctx.node.name,
        item_index=index,
        description=(
            f"raised by {spec.fn.__qualname__}() of custom node type {spec.type_name}{where}"
        ),
        stack=stack,
    )
