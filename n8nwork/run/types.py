"""What the run core needs to know of node types, as a Protocol the node registry satisfies.

The core never imports ``nodes``; whoever runs a workflow passes a ``NodeTypeLookup``.
"""

from __future__ import annotations

from typing import Protocol

from n8nwork.workflow.model import Node


class NodeTypeInfo(Protocol):
    """The shape of one node type as far as graph execution is concerned."""

    @property
    def type_name(self) -> str: ...

    @property
    def is_trigger(self) -> bool: ...

    @property
    def loop_capable(self) -> bool: ...

    @property
    def placement(self) -> str: ...

    def input_count(self, node: Node) -> int:
        """How many main inputs this node has (0 for triggers)."""
        ...

    def output_count(self, node: Node) -> int:
        """How many main outputs this node has, not counting an error output."""
        ...

    def validate(self, node: Node) -> list[str]:
        """Problems with the node's parameters against its schema (empty when valid)."""
        ...


class NodeTypeLookup(Protocol):
    """Finds node types by name and version."""

    def describe(self, type_name: str, version: float) -> NodeTypeInfo | None:
        """The node type, or None when the name or the version is unknown."""
        ...

    def versions_of(self, type_name: str) -> tuple[float, ...]:
        """The versions known for a type name (empty when the name is unknown)."""
        ...
