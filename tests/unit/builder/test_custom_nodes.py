"""``@node``: Python functions as custom node types, run in-process through the flow's
registry, in both modes; their errors become node errors naming node, item and function;
their parameters are checked like any node's; they pickle for shipping to other processes."""

from __future__ import annotations

import inspect
import json
import pickle
import subprocess
import sys
from datetime import datetime
from typing import Any, Literal

import cloudpickle
import pytest

from n8nwork.builder import BuilderError, CustomNode, Flow, expr, node
from n8nwork.builder import nodes as n
from tests.unit.builder import _fns
from tests.unit.builder._flows import out, round_trip, run


@node(name="testPkg.scale", mode="each", placement="inline")
def scale(item: dict[str, Any], by: float = 10, how: Literal["mul", "div"] = "mul") -> Any:
    if item.get("skip"):
        return None
    if item.get("twice"):
        return [{"y": item["x"]}, {"y": item["x"]}]
    return {"y": item["x"] * by if how == "mul" else item["x"] / by}


@node(name="testPkg.invert", mode="each")
def invert(item: dict[str, Any]) -> dict[str, Any]:
    return {"inv": 1 / item["x"]}


@node(name="testPkg.sumAll")
def sum_all(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"total": sum(item["x"] for item in items)}


def flow_of(*chain: Any) -> Flow:
    trigger = n.ManualTrigger()
    last: Any = trigger
    for step in chain:
        last = last >> step
    return Flow("custom", trigger)


def test_all_mode_runs_with_its_parameter() -> None:
    flow = flow_of(_fns.double(factor=3))
    round_trip(flow)
    state = run(flow, {"x": 1}, {"x": 2})
    assert state.status == "success"
    assert out(state, "Double") == [{"x": 3}, {"x": 6}]


def test_all_mode_may_return_one_item() -> None:
    state = run(flow_of(sum_all()), {"x": 1}, {"x": 2}, {"x": 4})
    assert out(state, "Sum all") == [{"total": 7}]


def test_each_mode_runs_per_item_with_expressions_per_item() -> None:
    flow = flow_of(scale(by=expr("$json.x + 1")))
    state = run(flow, {"x": 1}, {"x": 2, "skip": True}, {"x": 3}, {"x": 4, "twice": True})
    assert state.status == "success"
    items = state.run_data["Scale"][-1].output(0)
    assert [i["json"] for i in items] == [{"y": 2}, {"y": 12}, {"y": 4}, {"y": 4}]
    assert [i["pairedItem"] for i in items] == [{"item": 0}, {"item": 2}, {"item": 3}, {"item": 3}]


def test_inputs_are_copies() -> None:
    @node(name="testPkg.mutate", mode="each")
    def mutate(item: dict[str, Any]) -> dict[str, Any]:
        item["x"] = "changed"
        return {"ok": True}

    trigger = n.ManualTrigger()
    keep = n.NoOp("Keep")
    trigger >> keep >> mutate()
    state = run(Flow("copies", trigger), {"x": 1})
    assert out(state, "Keep") == [{"x": 1}]


def test_error_in_each_mode_names_node_item_and_function() -> None:
    state = run(flow_of(invert("Invert")), {"x": 1}, {"x": 0})
    assert state.status == "error"
    error = state.error
    assert error is not None
    assert error["message"] == "ZeroDivisionError: division by zero"
    assert error["node"] == "Invert"
    assert error["context"]["itemIndex"] == 1
    assert "invert() of custom node type testPkg.invert at item 1" in error["description"]
    assert 'return {"inv": 1 / item["x"]}' in error["stack"]
    assert "_function_type" not in error["stack"]  # the user's frames only


def test_error_in_all_mode_names_node() -> None:
    state = run(flow_of(_fns.double()), {"y": 1})
    assert state.status == "error"
    assert state.error is not None
    assert state.error["message"] == "KeyError: 'x'"
    assert state.error["node"] == "Double"
    assert state.error.get("itemIndex") is None


def test_continue_on_fail_makes_error_items() -> None:
    state = run(flow_of(invert(on_error="continueRegularOutput")), {"x": 2}, {"x": 0})
    assert state.status == "success"
    assert out(state, "Invert") == [{"inv": 0.5}, {"error": "ZeroDivisionError: division by zero"}]


def test_error_output_gets_the_failed_items() -> None:
    trigger = n.ManualTrigger()
    inv = invert(on_error="continueErrorOutput")
    trigger >> inv
    inv.output(0) >> n.NoOp("Fine")
    inv.output("error") >> n.NoOp("Failed")
    state = run(Flow("routes", trigger), {"x": 2}, {"x": 0})
    assert out(state, "Fine") == [{"inv": 0.5}]
    assert out(state, "Failed") == [{"error": "ZeroDivisionError: division by zero"}]


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (3, "bad() returned an int; it must return a list of dicts"),
        ([{"ok": 1}, "x"], "bad() returned item 1 as a str"),
        ([{"at": datetime(2024, 1, 1)}], "bad() returned item 0, which JSON cannot hold"),
    ],
)
def test_results_that_are_not_items_fail(result: Any, message: str) -> None:
    @node(name="testPkg.bad")
    def bad(items: list[dict[str, Any]]) -> Any:
        return result

    state = run(flow_of(bad()), {"x": 1})
    assert state.status == "error"
    assert state.error is not None
    assert message in state.error["message"]
    assert state.error["node"] == "Bad"


def test_raw_mode_passes_whole_items() -> None:
    @node(name="testPkg.rawCopy", mode="each", raw=True)
    def raw_copy(item: dict[str, Any]) -> dict[str, Any]:
        return {"json": {"keys": sorted(item)}, "binary": {"f": {"data": "aGk=", "mimeType": "x"}}}

    state = run(flow_of(raw_copy()), {"x": 1})
    produced = state.run_data["Raw copy"][-1].output(0)
    assert produced[0]["json"] == {"keys": ["json"]}
    assert produced[0]["binary"]["f"]["data"] == "aGk="


def test_parameters_come_from_the_signature_and_are_checked() -> None:
    kinds = {p.name: (p.kind, p.default, p.options) for p in scale.params}
    assert kinds == {"by": ("number", 10, ()), "how": ("options", "mul", ("mul", "div"))}
    assert list(inspect.signature(scale).parameters)[:5] == [
        "name",
        "version",
        "parameters",
        "by",
        "how",
    ]
    with pytest.raises(BuilderError, match="parameter 'how' is 'pow'; allowed: \\['mul', 'div'\\]"):
        scale(how="pow")
    with pytest.raises(BuilderError, match="unknown parameter 'bye'; did you mean 'by'"):
        scale(bye=2)
    with pytest.raises(BuilderError, match="'by' must be of kind number"):
        scale(by="ten")


def test_required_arguments_are_required_parameters() -> None:
    @node(name="testPkg.needs")
    def needs(items: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
        return [{field: 1} for _ in items]

    with pytest.raises(BuilderError, match="parameter 'field' is required"):
        needs()
    state = run(flow_of(needs(field="k")), {"x": 1})
    assert out(state, "Needs") == [{"k": 1}]


def test_type_placement_and_resources() -> None:
    node_type = _fns.double.node_type
    assert node_type.type_name == "testPkg.double"
    assert node_type.placement == "task"
    assert node_type.resources.num_cpus == 1
    assert node_type.display_name == "Double" and node_type.description.startswith("Multiply")
    raw = _fns.double(num_gpus=1, memory="1GiB").to_json("D", id="1", position=(0, 0))
    assert raw["n8nwork"] == {"numGpus": 1.0, "memory": 2**30}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "double"}, "needs a package prefix"),
        ({"name": "n8n-nodes-base.double"}, "belongs to n8n's nodes"),
        ({"name": "x.y", "mode": "batch"}, "mode must be 'all'"),
        ({"name": "x.y", "placement": "gpu"}, "placement must be 'inline' or 'task'"),
        ({"name": "x.y", "memory": "much"}, "memory must be bytes"),
        ({"name": "x.y", "num_cpus": -1}, "num_cpus must be a number >= 0"),
    ],
)
def test_bad_decorations_fail(options: dict[str, Any], message: str) -> None:
    def f(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items

    with pytest.raises(BuilderError, match=message):
        node(**options)(f)


def test_bad_functions_fail() -> None:
    def clash(items: list[dict[str, Any]], name: str = "") -> list[dict[str, Any]]:
        return items

    def star(items: list[dict[str, Any]], **more: Any) -> list[dict[str, Any]]:
        return items

    async def later(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items

    def nothing() -> list[dict[str, Any]]:
        return []

    with pytest.raises(BuilderError, match="argument 'name' clashes with a node setting"):
        node(clash)
    with pytest.raises(BuilderError, match=r"\*more cannot be a node parameter"):
        node(star)
    with pytest.raises(BuilderError, match="async functions are not supported"):
        node(later)
    with pytest.raises(BuilderError, match="must take the items"):
        node(nothing)


def test_bare_decorator_names_the_type_after_the_function() -> None:
    @node
    def add_one(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"x": i["x"] + 1} for i in items]

    assert isinstance(add_one, CustomNode)
    assert add_one.type_name == "custom.addOne"
    assert add_one.fn([{"x": 1}]) == [{"x": 2}]


def test_flow_lists_and_registers_its_custom_nodes() -> None:
    flow = flow_of(_fns.double(), scale(), _fns.double())
    assert flow.custom_nodes == (_fns.double, scale)
    registry = flow.registry
    assert registry.get("testPkg.double", 1) is not None
    assert registry.get("n8n-nodes-base.set", 3.4) is not None
    assert flow.registry is registry  # cached while the custom types are the same


def test_two_functions_with_one_type_name_conflict() -> None:
    @node(name="testPkg.double")
    def other(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items

    flow = flow_of(_fns.double(), other())
    with pytest.raises(BuilderError, match=r"are both type 'testPkg\.double'"):
        flow.build()


def test_importable_functions_pickle_by_reference() -> None:
    assert pickle.loads(pickle.dumps(_fns.double)) is _fns.double
    assert pickle.loads(pickle.dumps(_fns.double.node_type)) is _fns.double.node_type
    assert cloudpickle.loads(cloudpickle.dumps(_fns.double)) is _fns.double


_WORKER = """
import json, sys
import cloudpickle
from n8nwork.builder import Flow, nodes as n
from nodes.sdk.runner import run_workflow
from nodes.sdk.testing import items

custom = cloudpickle.loads(sys.stdin.buffer.read())
trigger = n.ManualTrigger()
trigger >> custom("Shipped")
flow = Flow("shipped", trigger)
state = run_workflow(flow.build(), registry=flow.registry, items=items({"x": 2}, {"x": 5}))
print(json.dumps([i["json"] for i in state.run_data["Shipped"][-1].output(0)]))
"""


def test_notebook_functions_ship_by_value_to_another_process() -> None:
    # Given a function defined where no other process can import it (as in a notebook)
    offset = 100

    @node(name="notebook.shift", mode="each")
    def shift(item: dict[str, Any]) -> dict[str, Any]:
        return {"x": item["x"] + offset}

    # When it is pickled with cloudpickle (as Ray does) and loaded in a fresh interpreter
    payload = cloudpickle.dumps(shift)
    done = subprocess.run(
        [sys.executable, "-c", _WORKER], input=payload, capture_output=True, timeout=120
    )

    # Then that process registers and runs it
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == [{"x": 102}, {"x": 105}]
