"""Placement of nodes (type defaults, overridden by the node's ``n8nwork`` settings) and
workflow programs."""

from __future__ import annotations

from typing import Any

import pytest

from actors.programs import (
    Placement,
    PlacementError,
    WorkflowRef,
    build_program,
    document_digest,
    load_registry,
    max_concurrency,
    placement_of,
)
from n8nwork.workflow.model import Node, Workflow


def node(**extra: Any) -> Node:
    raw = {"name": "N", "type": "x", "typeVersion": 1, "parameters": {}, **extra}
    return Node.from_json(raw, 0)


def test_node_types_declare_their_placement_and_resources() -> None:
    registry = load_registry(())
    code = registry.get("n8n-nodes-base.code", 2)
    http = registry.get("n8n-nodes-base.httpRequest", 4.2)
    assert placement_of(node(), registry.get("n8n-nodes-base.set", 3.4)).kind == "inline"
    assert placement_of(node(), code).is_task
    assert placement_of(node(), http) == Placement("task", 0.25, 0.0, None, 600, 0)


def test_node_settings_override_the_type_s_defaults() -> None:
    placement = placement_of(
        node(n8nwork={"placement": "task", "numCpus": 2, "memory": 1 << 30, "timeout": 5}),
        None,
    )
    assert placement == Placement("task", 2.0, 0.0, 1 << 30, 5.0, 0)
    assert placement.ray_options() == {
        "num_cpus": 2.0,
        "num_gpus": 0.0,
        "max_retries": 0,
        "retry_exceptions": False,
        "memory": 1 << 30,
    }


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"placement": "cloud"}, "n8nwork.placement"),
        ({"numCpus": "two"}, "n8nwork.numCpus"),
        ({"timeout": -1}, "n8nwork.timeout"),
        ({"numGPUs": 1}, "n8nwork.numGPUs"),
    ],
)
def test_invalid_settings_are_refused_naming_the_setting(
    settings: dict[str, Any], named: str
) -> None:
    with pytest.raises(PlacementError, match=named.replace(".", r"\.")):
        placement_of(node(n8nwork=settings), None)


def test_a_program_knows_timeouts_concurrency_and_dedication() -> None:
    doc = {
        "name": "w",
        "nodes": [{"name": "S", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                   "parameters": {}}],
        "connections": {},
        "settings": {"executionTimeout": 30, "maxConcurrency": 3, "dedicatedActor": True},
    }  # fmt: skip
    program = build_program(WorkflowRef("w", 1), doc, registry=load_registry(()), timezone="UTC")
    assert program.timeout_s(None, None) == 30
    assert program.timeout_s(None, 10) == 10
    assert program.dedicated
    assert max_concurrency(program.workflow, None) == 3
    assert max_concurrency(Workflow.from_json({**doc, "settings": {}}), 7) == 7
    text, digest = document_digest(doc)
    assert document_digest({**doc})[1] == digest and '"name":"w"' in text
    assert WorkflowRef("w", None, digest).key == f"w#{digest}"
