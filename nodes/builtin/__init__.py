"""n8n's built-in nodes, one node per module; the registry discovers them by module."""

from __future__ import annotations

from nodes.sdk.base import NodeType


def _all() -> list[type[NodeType]]:
    from nodes.sdk.registry import Registry

    reg = Registry()
    reg.load_package(__name__)
    return [type(t) for t in reg.all()]


def __getattr__(name: str) -> list[type[NodeType]]:
    if name == "NODE_TYPES":
        return _all()
    raise AttributeError(name)
