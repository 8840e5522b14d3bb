"""The Python workflow builder: workflows written in Python, built into n8n's workflow JSON.

    from n8nwork.builder import Flow, expr, node, nodes as n, where, cond

    trigger = n.ManualTrigger()
    check = n.If(conditions=where(cond(expr("$json.total"), ">", 100)))
    trigger >> n.Set(assignments={"total": 150}) >> check
    check.output("true") >> n.NoOp("Big")
    check.output("false") >> n.NoOp("Small")
    flow = Flow("orders", trigger)
    flow.to_json()          # n8n JSON, validated; flow.build() gives the Workflow model

Node constructors are typed from the node schemas (``nodes``); parameters, options and settings
are checked when a node is made, connections when they are made, the whole workflow when it is
built; every problem raises ``BuilderError`` naming the node and the parameter. ``@node`` makes
a Python function a custom node type (``flow.registry`` runs it in-process,
``flow.custom_nodes`` is what a runtime ships with the run; see ``_custom``).

This package owns the builder. It imports the node SDK (``nodes``) only when a constructor or
``@node`` is first used, so ``import n8nwork`` stays free of node code.
"""

from __future__ import annotations

from n8nwork.builder import nodes
from n8nwork.builder._custom import CustomNode, node
from n8nwork.builder._errors import BuilderError
from n8nwork.builder._expr import Expression, expr, template
from n8nwork.builder._flow import Flow
from n8nwork.builder._graph import InputPort, OutputPort
from n8nwork.builder._node import BuilderNode
from n8nwork.builder._settings import NodeSettingsArgs
from n8nwork.builder._values import assign, cond, where

__all__ = [
    "BuilderError",
    "BuilderNode",
    "CustomNode",
    "Expression",
    "Flow",
    "InputPort",
    "NodeSettingsArgs",
    "OutputPort",
    "assign",
    "cond",
    "expr",
    "node",
    "nodes",
    "template",
    "where",
]
