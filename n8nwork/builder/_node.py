"""A node being built: its type, typeVersion, parameters and settings, checked when it is made.

``BuilderNode`` is the base of every typed constructor (``nodes.Set``, ``nodes.If``... and the
constructors of ``@node`` functions). The constructor takes the node's parameters as keyword
arguments, plus its name, ``version`` and settings (``NodeSettingsArgs``). A parameter whose
name is not a keyword the constructor can take (it clashes with a setting, or is not a Python
identifier) goes into ``parameters={...}``, which is checked for kinds but not for names.

Everything is checked here, so a mistake fails on the line that makes it: an unknown parameter
(with a suggestion), one of another typeVersion, a value of the wrong kind or not among the
options, a value JSON cannot hold, a bad setting, and whatever the node type's own ``validate``
refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from n8nwork.builder._errors import BuilderError
from n8nwork.builder._graph import GraphNode
from n8nwork.builder._schema import TypeRef, fmt_version, kinds_at, name_problems
from n8nwork.builder._settings import RESERVED, SETTING_NAMES, NodeSettings, parse_settings
from n8nwork.builder._values import NotJson, expand, plain
from n8nwork.errors import WorkflowError
from n8nwork.workflow.frozen import freeze, thaw
from n8nwork.workflow.model import Node


class BuilderNode(GraphNode):
    """A node of a workflow being built. Subclasses are the typed constructors."""

    ref: ClassVar[TypeRef]
    custom: ClassVar[Any] = None  # the CustomNode behind an ``@node`` constructor

    def __init__(
        self,
        name: str | None = None,
        *,
        version: float | None = None,
        parameters: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        ref = type(self).ref
        self.name = name
        self.type_name = ref.type_name
        short = f"node {name!r}" if name else f"{type(self).__name__} node"
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise BuilderError([f"{short}: the name must be a non-empty string, got {name!r}"])
        self.version = ref.resolve(version, short)
        self._where = f"{short} ({ref.type_name} v{fmt_version(self.version)})"
        given = {k: kwargs.pop(k) for k in SETTING_NAMES if k in kwargs}
        self.settings, problems = parse_settings(given, self._where)
        problems += name_problems(ref, self.version, kwargs, self._where, RESERVED)
        if parameters is not None and not isinstance(parameters, Mapping):
            problems.append(f"{self._where}: parameters must be a mapping")
            parameters = None
        twice = sorted(set(parameters or ()) & set(kwargs))
        problems += [f"{self._where}: parameter '{k}' is given twice" for k in twice]
        params = self._parameters({**(parameters or {}), **kwargs}, problems)
        if problems:
            raise BuilderError(problems)
        self._params: Mapping[str, Any] = freeze(params)
        self._model = self.model(name or type(self).__name__)
        impl = ref.impl(self.version)
        problems = [f"{self._where}: {p}" for p in impl.validate(self._model)]
        if problems:
            raise BuilderError(problems)
        self._outputs = impl.output_count(self._model)
        self._inputs = impl.input_count(self._model)

    def _parameters(self, given: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
        kinds = kinds_at(type(self).ref, self.version)
        out = {}
        for key, value in given.items():
            if not isinstance(key, str) or not key:
                problems.append(f"{self._where}: parameter names must be strings, got {key!r}")
                continue
            try:
                full = expand(self.type_name, float(self.version), kinds.get(key, ""), key, value)
                out[key] = plain(full, key)
            except NotJson as exc:
                problems.append(f"{self._where}: parameter {exc}")
        return out

    @property
    def parameters(self) -> dict[str, Any]:
        """The node's parameters as written to the workflow (a copy)."""
        return thaw(self._params)

    # ------------------------------------------------------------------ shape
    @property
    def label(self) -> str:
        return self._where

    @property
    def output_count(self) -> int:
        return self._outputs

    @property
    def input_count(self) -> int:
        return self._inputs

    @property
    def has_error_output(self) -> bool:
        return self.settings.on_error == "continueErrorOutput"

    # ------------------------------------------------------------------ JSON
    def to_json(self, name: str, *, id: str, position: tuple[float, float]) -> dict[str, Any]:
        """The n8n node JSON of this node under ``name`` (names are given by the workflow)."""
        settings: NodeSettings = self.settings
        out: dict[str, Any] = {
            "id": settings.id or id,
            "name": name,
            "type": self.type_name,
            "typeVersion": self.version,
            "parameters": self.parameters,
            "position": list(settings.position or position),
        }
        out.update(settings.node_fields())
        return out

    def model(self, name: str) -> Node:
        """This node as a workflow-model ``Node`` named ``name``."""
        raw = self.to_json(name, id="", position=(0, 0))
        raw.pop("id")
        try:
            return Node.from_json(raw, 0)
        except WorkflowError as exc:
            raise BuilderError([f"{self._where}: {p}" for p in exc.problems]) from exc

    def __repr__(self) -> str:
        parts = [repr(self.name)] if self.name else []
        parts.append(f"version={fmt_version(self.version)}")
        parts += [f"{k}={v!r}" for k, v in self.parameters.items()]
        return f"{type(self).__name__}({', '.join(parts)})"
