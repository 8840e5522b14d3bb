"""Helpers shared by the node unit tests: validating a node's parameters against its type."""

from __future__ import annotations

from typing import Any

from n8nwork.workflow.model import Node
from nodes.sdk.registry import default_registry


def node_of(type_name: str, params: dict[str, Any], version: float = 1) -> Node:
    raw = {"name": "Node", "type": type_name, "typeVersion": version, "parameters": params}
    return Node.from_json(raw, 0)


def problems(type_name: str, params: dict[str, Any], version: float = 1) -> list[str]:
    impl = default_registry().get(type_name, version)
    assert impl is not None
    return impl.validate(node_of(type_name, params, version))


def output_count(type_name: str, params: dict[str, Any], version: float = 1) -> int:
    impl = default_registry().get(type_name, version)
    assert impl is not None
    return impl.output_count(node_of(type_name, params, version))
