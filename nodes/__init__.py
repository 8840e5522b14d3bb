"""Nodes: the SDK for writing node types (``nodes.sdk``) and n8n's built-in nodes
(``nodes.builtin``, one node per module). Imports ``n8nwork`` only."""

from nodes.sdk import ExecutionContext, NodeType, Param, Registry, WaitFor, default_registry

__all__ = ["ExecutionContext", "NodeType", "Param", "Registry", "WaitFor", "default_registry"]
