"""``@node``: a Python function becomes a custom node type, usable in a notebook.

    @node(name="myPkg.double", placement="task", num_cpus=1)
    def double(items: list[dict], factor: float = 2) -> list[dict]:
        return [{**item, "x": item["x"] * factor} for item in items]

    wf = Flow("etl", nodes.ManualTrigger() >> double(factor=3))
    run_workflow(wf.build(), registry=wf.registry)

The decorated name is a ``CustomNode``: calling it makes a node of the flow (its parameters
are the function's arguments after the first), ``.fn`` is the function, ``.node_type`` the
NodeType class a registry takes. A flow's ``registry`` holds the built-in types plus the custom
types of its nodes, and ``flow.custom_nodes`` lists those for a runtime to ship.

Shipping to a Ray cluster: a ``CustomNode`` pickles like Ray's remote functions do. One whose
function lives in an importable module pickles by reference (module and name; that module must
be importable on the workers: install it, or name it in the job's runtime env ``py_modules`` /
``working_dir``); one defined in a notebook or ``__main__`` (or inside a function) pickles by
value with cloudpickle, which Ray uses for task and actor arguments. The runtime sends
``flow.custom_nodes`` with the run and registers each ``.node_type`` in the registry of the
processes that execute it. Functions are trusted code: they run unsandboxed in the worker, so
only who can submit jobs to the cluster can ship them (the HTTP API never accepts them).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from n8nwork.builder._constructors import make_constructor
from n8nwork.builder._errors import BuilderError
from n8nwork.builder._schema import TypeRef, declared
from n8nwork.builder._settings import parse_memory

if TYPE_CHECKING:
    from n8nwork.builder._node import BuilderNode
    from nodes.sdk.base import NodeType

_TYPE_NAME = re.compile(r"^[A-Za-z@][\w@/-]*(\.[A-Za-z][\w-]*)+$")
_MODES = ("all", "each")


class CustomNode:
    """A Python function made a node type by ``@node``; call it to make a node of a flow."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        mode: str = "all",
        raw: bool = False,
        placement: str = "task",
        num_cpus: float = 1.0,
        num_gpus: float = 0.0,
        memory: int | str | None = None,
        timeout: float | None = None,
        version: float = 1,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"@node decorates a function, got {type(fn).__name__}")
        qualname = getattr(fn, "__qualname__", repr(fn))
        type_name = name or f"custom.{_camel(getattr(fn, '__name__', 'node'))}"
        where = f"@node {qualname} ({type_name})"
        problems = _option_problems(fn, type_name, mode, placement, num_cpus, num_gpus, timeout)
        size = parse_memory(memory) if memory is not None else None
        if memory is not None and size is None:
            problems.append(f"memory must be bytes or a size such as '512MiB', got {memory!r}")
        if isinstance(version, bool) or not isinstance(version, (int, float)) or version <= 0:
            problems.append(f"version must be a number > 0, got {version!r}")
        if problems:
            raise BuilderError([f"{where}: {p}" for p in problems])
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.type_name = type_name
        self.display_name = display_name or _title(getattr(fn, "__name__", type_name))
        self.description = description or (fn.__doc__ or "").strip().split("\n")[0]
        self.mode, self.raw, self.placement = mode, raw, placement
        self.num_cpus, self.num_gpus = float(num_cpus), float(num_gpus)
        self.memory, self.timeout = size, float(timeout) if timeout is not None else None
        self.version = declared(version)
        self.options: dict[str, Any] = dict(
            name=type_name,
            display_name=display_name,
            description=description,
            mode=mode,
            raw=raw,
            placement=placement,
            num_cpus=num_cpus,
            num_gpus=num_gpus,
            memory=memory,
            timeout=timeout,
            version=version,
        )
        from n8nwork.builder._function_type import function_params, make_node_type

        self.params = function_params(fn, where)
        self.node_type: type[NodeType] = make_node_type(self, self.params)
        impl = self.node_type()
        ref = TypeRef(
            type_name=type_name,
            versions=(self.version,),
            display_name=self.display_name,
            description=self.description,
            lookup=lambda v: impl if float(v) == float(self.version) else None,
        )
        self.constructor = make_constructor(
            _camel(getattr(fn, "__name__", "node"), upper=True),
            ref,
            module=getattr(fn, "__module__", __name__),
            custom=self,
        )
        self.__signature__ = inspect.signature(self.constructor)

    def __call__(self, name: str | None = None, **kwargs: Any) -> BuilderNode:
        """A node of this type for a flow: ``double("Double it", factor=3, num_cpus=2)``."""
        return self.constructor(name, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        module, qualname = getattr(self, "__module__", ""), getattr(self, "__qualname__", "")
        if _importable(self, module, qualname):
            return (_by_reference, (module, qualname))
        return (_rebuild, (self.fn, self.options))

    def __repr__(self) -> str:
        return f"<custom node {self.type_name} ({self.mode}) from {self.fn.__qualname__}>"


@overload
def node(fn: Callable[..., Any], /) -> CustomNode: ...


@overload
def node(
    *,
    name: str | None = None,
    display_name: str | None = None,
    description: str | None = None,
    mode: str = "all",
    raw: bool = False,
    placement: str = "task",
    num_cpus: float = 1.0,
    num_gpus: float = 0.0,
    memory: int | str | None = None,
    timeout: float | None = None,
    version: float = 1,
) -> Callable[[Callable[..., Any]], CustomNode]: ...


def node(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Make a Python function a custom node type (see the module docstring).

    ``name`` is the type name, with a package prefix (``"myPkg.double"``; default
    ``custom.<function name>``); ``mode`` is ``"all"`` (the function takes the list of items)
    or ``"each"`` (one item at a time); ``raw=True`` passes whole n8n items (with ``binary``)
    instead of their JSON; ``placement`` (``"task"``: a Ray task, the default for user code;
    ``"inline"``: in the run host), ``num_cpus``, ``num_gpus``, ``memory`` (bytes or
    ``"512MiB"``) and ``timeout`` (seconds) are the node type's defaults, which each node's
    settings can override.
    """
    if fn is not None:
        return CustomNode(fn, **options)
    return lambda f: CustomNode(f, **options)


def _option_problems(
    fn: Callable[..., Any],
    type_name: str,
    mode: str,
    placement: str,
    num_cpus: float,
    num_gpus: float,
    timeout: float | None,
) -> list[str]:
    problems = []
    if not isinstance(type_name, str) or not _TYPE_NAME.match(type_name):
        problems.append(
            f"the type name needs a package prefix, like 'myPkg.double'; got {type_name!r}"
        )
    elif type_name.startswith("n8n-nodes-base."):
        problems.append("the prefix 'n8n-nodes-base.' belongs to n8n's nodes; use your own")
    if mode not in _MODES:
        problems.append(f"mode must be 'all' (the items) or 'each' (one item), got {mode!r}")
    if placement not in ("inline", "task"):
        problems.append(f"placement must be 'inline' or 'task', got {placement!r}")
    for key, value in (("num_cpus", num_cpus), ("num_gpus", num_gpus), ("timeout", timeout)):
        if value is None and key == "timeout":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"{key} must be a number >= 0, got {value!r}")
    if _is_async(fn):
        problems.append("async functions are not supported; write a plain function")
    return problems


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)


def _camel(name: str, *, upper: bool = False) -> str:
    parts = [p for p in name.split("_") if p]
    if not parts:
        return "Node" if upper else "node"
    first = parts[0][:1].upper() + parts[0][1:] if upper else parts[0]
    return first + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _title(name: str) -> str:
    words = [w for w in name.split("_") if w]
    return " ".join(words).capitalize() if words else name


def _importable(obj: Any, module: str, qualname: str) -> bool:
    """True when ``module.qualname`` is ``obj`` in an importable (non-``__main__``) module."""
    if not module or module == "__main__" or "<locals>" in qualname or not qualname:
        return False
    try:
        return _lookup(module, qualname) is obj
    except (ImportError, AttributeError):
        return False


def _lookup(module: str, qualname: str) -> Any:
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _by_reference(module: str, qualname: str) -> CustomNode:
    """Unpickle a CustomNode by importing it where it was defined."""
    found = _lookup(module, qualname)
    if not isinstance(found, CustomNode):
        raise TypeError(f"{module}.{qualname} is not an @node function")
    return found


def _rebuild(fn: Callable[..., Any], options: dict[str, Any]) -> CustomNode:
    """Unpickle a CustomNode sent by value."""
    return CustomNode(fn, **options)
