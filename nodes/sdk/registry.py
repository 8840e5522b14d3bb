"""The node registry: finds node types by type name and typeVersion.

Built-in nodes are discovered from ``nodes.builtin`` (every module defines its node classes);
third-party packages add theirs through the ``n8nwork.nodes`` entry-point group, each entry
point naming a NodeType subclass or an iterable of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from nodes.sdk.base import NodeType

ENTRY_POINT_GROUP = "n8nwork.nodes"


class Registry:
    """Node types by name; each type instance answers for all the versions it declares."""

    def __init__(self) -> None:
        self._types: dict[str, list[NodeType]] = {}
        self._lookup: dict[tuple[str, float], NodeType | None] = {}

    def register(self, cls: type[NodeType]) -> type[NodeType]:
        """Add a node type (usable as a class decorator). A later version set wins per version."""
        if not cls.type_name:
            raise ValueError(f"{cls.__name__} has no type_name")
        self._types.setdefault(cls.type_name, []).insert(0, cls())
        self._lookup.clear()
        return cls

    def register_all(self, classes: Iterable[type[NodeType]]) -> None:
        for cls in classes:
            self.register(cls)

    def get(self, type_name: str, version: float) -> NodeType | None:
        """The node type for ``type_name`` at ``version``, or None when unknown."""
        key = (type_name, version)
        try:
            return self._lookup[key]
        except KeyError:
            pass
        found = None
        for impl in self._types.get(type_name, ()):
            if float(version) in (float(v) for v in impl.versions):
                found = impl
                break
        self._lookup[key] = found
        return found

    def describe(self, type_name: str, version: float) -> NodeType | None:
        """``get`` under the name the run core's ``NodeTypeLookup`` protocol uses."""
        return self.get(type_name, version)

    def versions_of(self, type_name: str) -> tuple[float, ...]:
        return tuple(sorted({float(v) for t in self._types.get(type_name, ()) for v in t.versions}))

    def type_names(self) -> list[str]:
        return sorted(self._types)

    def all(self) -> list[NodeType]:
        return [t for impls in self._types.values() for t in impls]

    def load_package(self, package: str) -> None:
        """Register every NodeType subclass defined in the modules of ``package``."""
        pkg = importlib.import_module(package)
        for info in pkgutil.iter_modules(pkg.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            self.register_all(_node_classes_of(module))

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register node types that installed packages announce under ``group``."""
        for ep in entry_points(group=group):
            if ep.value.startswith("nodes.builtin"):
                continue
            loaded = ep.load()
            classes = [loaded] if isinstance(loaded, type) else list(loaded)
            self.register_all(classes)


def _node_classes_of(module: Any) -> list[type[NodeType]]:
    out = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, NodeType)
            and value.type_name
            and value.__module__ == module.__name__
        ):
            out.append(value)
    return out


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The built-in nodes plus every installed node package (built once per process)."""
    reg = Registry()
    reg.load_package("nodes.builtin")
    reg.load_entry_points()
    return reg
