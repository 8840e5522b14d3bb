"""Helpers of the builder tests: build, check the n8n JSON round trip, run in-process."""

from __future__ import annotations

from typing import Any

from n8nwork.builder import Flow
from n8nwork.run.state import RunState
from n8nwork.workflow import Workflow
from n8nwork.workflow.validate import validate
from nodes.sdk.runner import run_workflow
from nodes.sdk.testing import items


def round_trip(flow: Flow) -> dict[str, Any]:
    """The flow's JSON, checked to parse, validate and export unchanged."""
    document = flow.to_json()
    parsed = validate(Workflow.from_json(document), flow.registry)
    assert parsed.to_json() == document
    return document


def run(flow: Flow, *data: dict[str, Any]) -> RunState:
    """Run the built flow in this process with ``data`` as the trigger's items."""
    state = run_workflow(flow.build(), registry=flow.registry, items=items(*data) if data else None)
    return state


def out(state: RunState, node: str, output: int = 0, run_index: int = -1) -> list[Any]:
    """The JSON of the items ``node`` sent on ``output`` in one of its runs (the last)."""
    runs = state.run_data[node]
    return [item["json"] for item in runs[run_index].output(output)]
