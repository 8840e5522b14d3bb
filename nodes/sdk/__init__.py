"""The node SDK: base class, parameter schema, execution context, registry."""

from nodes.sdk.base import NodeResult, NodeType, Resources, RunWorkflows, WaitFor
from nodes.sdk.context import ExecutionContext
from nodes.sdk.execute import run_node
from nodes.sdk.params import Param, validate_params
from nodes.sdk.registry import Registry, default_registry

__all__ = [
    "ExecutionContext",
    "NodeResult",
    "NodeType",
    "Param",
    "Registry",
    "Resources",
    "RunWorkflows",
    "WaitFor",
    "default_registry",
    "run_node",
    "validate_params",
]
