"""Split In Batches / Loop Over Items: batches over repeated runs, node context keys, the
outputs of each version, reset, lineage of later batches, fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from n8nwork.conformance import judge_file
from n8nwork.errors import NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Source
from n8nwork.run.driver import VirtualClock
from n8nwork.workflow.model import Workflow
from nodes.sdk import ExecutionContext, run_node
from nodes.sdk.registry import default_registry
from nodes.sdk.runner import run_workflow
from nodes.sdk.testing import StaticRun, items, jsons
from tests.unit.nodes._param_checks import output_count

SIB = "n8n-nodes-base.splitInBatches"
START = items({"i": 0}, {"i": 1}, {"i": 2}, {"i": 3}, {"i": 4})


class Loop:
    """One node whose runs share a node context, fed from a start node then from the loop."""

    def __init__(self, version: float, params: dict[str, Any]) -> None:
        raw = {"name": "Loop", "type": SIB, "typeVersion": version, "parameters": params}
        self.workflow = Workflow.from_json({"name": "t", "nodes": [raw], "connections": {}})
        self.context: dict[str, Any] = {}
        self.version = version
        self.runs = 0

    def run(self, data: list[Any], source: str = "Start") -> list[list[dict[str, Any]]]:
        impl = default_registry().get(SIB, self.version)
        assert impl is not None
        scope = ExpressionScope(
            workflow=self.workflow,
            node=self.workflow.node("Loop"),
            run=StaticRun(contexts={"Loop": self.context}),
            inputs=[data],
            source=[Source(source)],
            run_index=self.runs,
        )
        defaults = {p.name: p.default for p in impl.params if p.applies_to(self.version)}
        ctx = ExecutionContext(scope=scope, defaults=defaults, node_context=self.context)
        self.runs += 1
        out = run_node(impl, ctx)
        assert isinstance(out, list)
        return out


def test_outputs_per_version() -> None:
    assert output_count(SIB, {}, 1) == 1
    assert output_count(SIB, {}, 2) == 2
    assert output_count(SIB, {}, 3) == 2
    impl = default_registry().get(SIB, 3)
    assert impl is not None and impl.loop_capable


def test_v1_hands_out_batches_then_nothing() -> None:
    loop = Loop(1, {"batchSize": 2})
    first = loop.run(START)
    assert jsons(first[0]) == [{"i": 0}, {"i": 1}]
    assert loop.context["maxRunIndex"] == 3
    assert loop.context["currentRunIndex"] == 0
    assert loop.context["noItemsLeft"] is False
    second = loop.run(items({"x": 1}), source="Loop body")
    assert jsons(second[0]) == [{"i": 2}, {"i": 3}]
    assert loop.run(items({"x": 1}))[0][0]["json"] == {"i": 4}
    assert loop.context["noItemsLeft"] is True
    assert loop.context["currentRunIndex"] == 2
    assert loop.run(items({"x": 1})) == []


def test_v2_loop_then_done_with_everything_that_came_back() -> None:
    loop = Loop(2, {"batchSize": 2})
    loop_out, done = loop.run(START)
    assert jsons(loop_out) == [{"i": 0}, {"i": 1}] and done == []
    loop.run(items({"r": 0}, {"r": 1}), source="Body")
    loop.run(items({"r": 2}, {"r": 3}), source="Body")
    assert loop.context["done"] is False
    loop_out, done = loop.run(items({"r": 4}), source="Body")
    assert loop_out == []
    assert jsons(done) == [{"r": i} for i in range(5)]
    assert loop.context["done"] is True
    assert done[0]["pairedItem"] == {
        "sourceOverwrite": {"previousNode": "Body", "previousNodeOutput": 0, "previousNodeRun": 0},
        "item": 0,
    }


def test_v3_done_is_output_zero() -> None:
    loop = Loop(3, {})
    done, batch = loop.run(START[:2])
    assert done == [] and jsons(batch) == [{"i": 0}]
    done, batch = loop.run(items({"r": 0}), source="Body")
    assert jsons(batch) == [{"i": 1}]
    done, batch = loop.run(items({"r": 1}), source="Body")
    assert batch == [] and jsons(done) == [{"r": 0}, {"r": 1}]


def test_later_batches_keep_lineage_to_the_first_input() -> None:
    loop = Loop(3, {"batchSize": 1})
    first = loop.run(START[:2], source="Start")[1]
    assert first[0]["pairedItem"] == {"item": 0}
    later = loop.run(items({"r": 0}), source="Body")[1]
    assert later[0]["pairedItem"] == {
        "item": 1,
        "sourceOverwrite": {"previousNode": "Start", "previousNodeOutput": 0, "previousNodeRun": 0},
    }
    assert loop.context["sourceData"]["previousNode"] == "Start"


def test_reset_starts_over_with_the_new_input() -> None:
    loop = Loop(2, {"batchSize": 1, "options": {"reset": True}})
    loop.run(START[:2])
    again = loop.run(items({"new": 1}, {"new": 2}))
    assert jsons(again[0]) == [{"new": 1}]
    assert loop.context["currentRunIndex"] == 0
    assert loop.context["processedItems"] == []


def test_bad_batch_size() -> None:
    with pytest.raises(NodeExecutionError, match="batch size"):
        Loop(3, {"batchSize": 0}).run(START)


def test_empty_input() -> None:
    loop = Loop(3, {})
    done, batch = loop.run([])
    assert done == [] and batch == []
    assert loop.context["done"] is True


@pytest.mark.parametrize(
    "name",
    [
        "SplitInBatches.combineData.json",
        "SplitInBatches.workflow_v1.json",
        "SplitInBatches.workflow_v2_done_variable.json",
    ],
)
def test_fixture(fixtures_dir: Path, name: str) -> None:
    registry = default_registry()

    def runner(workflow: Any, start: Any, mode: str) -> Any:
        return run_workflow(
            workflow, items=start, mode=mode, registry=registry, clock=VirtualClock()
        )

    verdict = judge_file(fixtures_dir / "SplitInBatches/test" / name, runner)
    assert verdict.passed, verdict.detail
