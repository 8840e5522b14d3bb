"""Node constructors, one per registered node type, named after the node's class:
``nodes.ManualTrigger()``, ``nodes.Set(assignments=[...])``, ``nodes.If(conditions=...)``,
``nodes.HttpRequest(url=..., num_cpus=0.5)``; ``create(type_name, ...)`` for any type by name.

The constructors are made from the node schemas when first used (so installed node packages
get theirs too); ``nodes.pyi`` declares those of the built-in nodes for type checkers and
editors (regenerate it with ``python -m n8nwork.builder._stubgen``).
"""

from __future__ import annotations

import difflib
from typing import Any

from n8nwork.builder._node import BuilderNode


def create(type_name: str, name: str | None = None, **kwargs: Any) -> BuilderNode:
    """A node of any registered type by type name: ``create("n8n-nodes-base.noOp")``."""
    from n8nwork.builder._constructors import for_type

    return for_type(type_name)(name, **kwargs)


def __getattr__(name: str) -> type[BuilderNode]:
    if name.startswith("_"):
        raise AttributeError(name)
    from n8nwork.builder._constructors import registered

    found = registered().get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(registered()), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise AttributeError(f"n8nwork.builder.nodes has no node {name!r}{hint}")
    return found


def __dir__() -> list[str]:
    from n8nwork.builder._constructors import registered

    return sorted(["create", *registered()])
