"""The workflow model (n8n's JSON as immutable values) and its validation."""

from n8nwork.workflow.model import MAIN, Connection, Node, Workflow

__all__ = ["MAIN", "Connection", "Node", "Workflow"]
