"""The node registry a built workflow runs with: every registered type plus its custom ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from n8nwork.builder._custom import CustomNode
    from nodes.sdk.registry import Registry


def registry_with(custom: Iterable[CustomNode]) -> Registry:
    """A new registry holding the default registry's types, then the ``custom`` node types
    (which win over a registered type of the same name and version)."""
    from nodes.sdk.registry import Registry, default_registry

    registry = Registry()
    # ``all()`` lists each name's types newest first; registering oldest first keeps that.
    for impl in reversed(default_registry().all()):
        registry.register(type(impl))
    for spec in custom:
        registry.register(spec.node_type)
    return registry
