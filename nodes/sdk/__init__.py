"""The node SDK: base class, parameter schema, execution context, registry."""

from nodes.sdk.base import NodeResult, NodeType, Resources, RunWorkflows, WaitFor
from nodes.sdk.context import ExecutionContext
from nodes.sdk.credentials import CredentialsProvider, StaticCredentials
from nodes.sdk.execute import run_node
from nodes.sdk.params import Param, validate_params
from nodes.sdk.registry import Registry, default_registry

__all__ = [
    "CredentialsProvider",
    "ExecutionContext",
    "NodeResult",
    "NodeType",
    "Param",
    "Registry",
    "Resources",
    "RunWorkflows",
    "StaticCredentials",
    "WaitFor",
    "default_registry",
    "run_node",
    "validate_params",
]
