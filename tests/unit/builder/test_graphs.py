"""Every kind of graph the builder writes: chains, fan-out and fan-in, If and Switch branches,
Merge inputs, loops with Loop Over Items v3, error outputs. Each is checked as n8n JSON (round
trip through the workflow model and validation) and run in-process for its items."""

from __future__ import annotations

import pytest

from n8nwork.builder import BuilderError, Flow, assign, cond, expr, where
from n8nwork.builder import nodes as n
from tests.unit.builder._flows import out, round_trip, run


def test_chain_gives_connections_keyed_by_name_and_runs() -> None:
    trigger = n.ManualTrigger()
    double = n.Set(assignments=[assign("y", expr("$json.x * 2"), "number")])
    trigger >> double >> n.Limit(maxItems=2)
    flow = Flow("chain", trigger)

    document = round_trip(flow)

    assert [node["name"] for node in document["nodes"]] == [
        "Manual Trigger",
        "Edit Fields",
        "Limit",
    ]
    assert document["connections"] == {
        "Manual Trigger": {"main": [[{"node": "Edit Fields", "type": "main", "index": 0}]]},
        "Edit Fields": {"main": [[{"node": "Limit", "type": "main", "index": 0}]]},
    }
    assert document["settings"] == {"executionOrder": "v1"}
    state = run(flow, {"x": 1}, {"x": 2}, {"x": 3})
    assert state.status == "success"
    assert out(state, "Limit") == [{"y": 2}, {"y": 4}]


def test_nodes_get_latest_type_version_ids_and_left_to_right_positions() -> None:
    trigger = n.ManualTrigger()
    trigger >> n.Set() >> n.If() >> n.SplitInBatches()
    document = Flow("versions", trigger).to_json()

    versions = {node["type"]: node["typeVersion"] for node in document["nodes"]}
    assert versions == {
        "n8n-nodes-base.manualTrigger": 1,
        "n8n-nodes-base.set": 3.4,
        "n8n-nodes-base.if": 2.2,
        "n8n-nodes-base.splitInBatches": 3,
    }
    xs = [node["position"][0] for node in document["nodes"]]
    assert xs == sorted(xs) and len(set(xs)) == 4
    ids = [node["id"] for node in document["nodes"]]
    assert len(set(ids)) == 4 and all(len(i) == 36 for i in ids)


def test_rebuilding_gives_the_same_document() -> None:
    def make() -> Flow:
        trigger = n.ManualTrigger()
        trigger >> n.NoOp() >> n.NoOp()
        return Flow("stable", trigger)

    assert make().to_json() == make().to_json()


def test_auto_names_follow_n8n_and_avoid_explicit_ones() -> None:
    trigger = n.ManualTrigger()
    trigger >> n.Set() >> n.Set("Edit Fields1") >> n.Set() >> n.SplitInBatches()
    names = [node["name"] for node in Flow("names", trigger).to_json()["nodes"]]
    assert names == [
        "Manual Trigger",
        "Edit Fields",
        "Edit Fields1",
        "Edit Fields2",
        "Loop Over Items",
    ]


def test_duplicate_explicit_names_fail() -> None:
    trigger = n.ManualTrigger()
    trigger >> n.NoOp("Same") >> n.NoOp("Same")
    with pytest.raises(BuilderError, match="2 nodes are named 'Same'"):
        Flow("dupes", trigger).to_json()


def test_nodes_are_collected_from_the_graph_including_later_wiring() -> None:
    trigger = n.ManualTrigger()
    flow = Flow("grow", trigger)
    trigger >> n.NoOp("Later")
    assert [flow.name_of(node) for node in flow.nodes] == ["Manual Trigger", "Later"]
    loose = n.NoOp("Elsewhere")
    flow.add(loose)
    assert flow.name_of(loose) == "Elsewhere"
    with pytest.raises(BuilderError, match="not in flow"):
        flow.name_of(n.NoOp())


def test_fan_out_and_fan_in() -> None:
    trigger = n.ManualTrigger()
    left = n.Set("Left", assignments={"side": "left"})
    right = n.Set("Right", assignments={"side": "right"})
    end = n.NoOp("End")
    trigger >> [left, right] >> end
    flow = Flow("fan", trigger)

    document = round_trip(flow)

    assert document["connections"]["Manual Trigger"] == {
        "main": [
            [
                {"node": "Left", "type": "main", "index": 0},
                {"node": "Right", "type": "main", "index": 0},
            ]
        ]
    }
    assert document["connections"]["Left"]["main"][0] == [
        {"node": "End", "type": "main", "index": 0}
    ]
    assert document["connections"]["Right"]["main"][0] == [
        {"node": "End", "type": "main", "index": 0}
    ]
    state = run(flow, {"x": 1})
    assert [out(state, "End", run_index=i) for i in range(2)] == [
        [{"side": "left"}],
        [{"side": "right"}],
    ]


def test_if_branches_by_output_name_and_index() -> None:
    trigger = n.ManualTrigger()
    check = n.If(conditions=where(cond(expr("$json.total"), ">", 100)))
    trigger >> check
    check.output("true") >> n.NoOp("Big")
    check.output(1) >> n.NoOp("Small")
    flow = Flow("if", trigger)

    document = round_trip(flow)

    assert document["connections"]["If"]["main"] == [
        [{"node": "Big", "type": "main", "index": 0}],
        [{"node": "Small", "type": "main", "index": 0}],
    ]
    state = run(flow, {"total": 150}, {"total": 5}, {"total": 101})
    assert out(state, "Big") == [{"total": 150}, {"total": 101}]
    assert out(state, "Small") == [{"total": 5}]


def test_switch_rules_make_outputs_and_route() -> None:
    trigger = n.ManualTrigger()
    route = n.Switch(
        rules=[
            where(cond(expr("$json.kind"), "equals", "a")),
            [cond(expr("$json.kind"), "equals", "b")],
            where(cond(expr("$json.kind"), "equals", "c")),
        ]
    )
    assert route.output_count == 3
    trigger >> route
    for i, name in enumerate(["A", "B", "C"]):
        route.output(i) >> n.NoOp(name)
    flow = Flow("switch", trigger)

    document = round_trip(flow)

    rules = document["nodes"][1]["parameters"]["rules"]["values"]
    assert [rule["conditions"]["options"]["version"] for rule in rules] == [2, 2, 2]
    state = run(flow, {"kind": "c"}, {"kind": "a"}, {"kind": "b"}, {"kind": "a"})
    assert out(state, "A") == [{"kind": "a"}, {"kind": "a"}]
    assert out(state, "B") == [{"kind": "b"}]
    assert out(state, "C") == [{"kind": "c"}]
    with pytest.raises(BuilderError, match="output 3 does not exist; the node has 3 output"):
        route.output(3)


def test_merge_inputs_are_explicit() -> None:
    trigger = n.ManualTrigger()
    names = n.Set("Names", assignments={"name": "Ada"})
    ages = n.Set("Ages", assignments={"age": 36})
    merge = n.Merge(mode="combine", combineBy="combineByPosition")
    trigger >> [names, ages]
    names >> merge.input(0)
    ages >> merge.input(1)
    flow = Flow("merge", trigger)

    document = round_trip(flow)

    assert document["connections"]["Ages"]["main"] == [
        [{"node": "Merge", "type": "main", "index": 1}]
    ]
    state = run(flow, {"id": 1})
    assert out(state, "Merge") == [{"name": "Ada", "age": 36}]


def test_fan_in_to_a_multi_input_node_must_name_inputs() -> None:
    merge = n.Merge()
    with pytest.raises(BuilderError, match=r"has 2 inputs; say which each source feeds"):
        [n.NoOp(), n.NoOp()] >> merge
    with pytest.raises(BuilderError, match="input 2 does not exist; the node has 2 input"):
        merge.input(2)
    three = n.Merge(numberInputs=3)
    assert three.input(2).index == 2


def test_loop_over_items_v3_runs_each_batch_then_done() -> None:
    trigger = n.ManualTrigger()
    loop = n.SplitInBatches(batchSize=2)
    work = n.Set(assignments=[assign("y", expr("$json.x * 10"), "number")], includeOtherFields=True)
    trigger >> loop
    loop.output("loop") >> work >> loop
    loop.output("done") >> n.NoOp("Done")
    flow = Flow("loop", trigger)

    document = round_trip(flow)

    assert document["connections"]["Loop Over Items"]["main"] == [
        [{"node": "Done", "type": "main", "index": 0}],
        [{"node": "Edit Fields", "type": "main", "index": 0}],
    ]
    assert document["connections"]["Edit Fields"]["main"] == [
        [{"node": "Loop Over Items", "type": "main", "index": 0}]
    ]
    state = run(flow, {"x": 1}, {"x": 2}, {"x": 3})
    assert state.status == "success"
    assert len(state.run_data["Edit Fields"]) == 2  # two batches: [1, 2] and [3]
    assert out(state, "Done") == [{"x": 1, "y": 10}, {"x": 2, "y": 20}, {"x": 3, "y": 30}]


def test_a_cycle_without_a_loop_node_fails_at_build() -> None:
    trigger = n.ManualTrigger()
    a, b = n.NoOp("A"), n.NoOp("B")
    trigger >> a >> b >> a
    with pytest.raises(BuilderError, match="form a cycle"):
        Flow("cycle", trigger).build()


def test_error_output_gets_the_failed_items() -> None:
    trigger = n.ManualTrigger()
    fail = n.StopAndError(errorMessage="boom", on_error="continueErrorOutput")
    assert fail.output_count == 0 and fail.has_error_output
    trigger >> fail
    fail.output("error") >> n.NoOp("Handle")
    flow = Flow("errors", trigger)

    document = round_trip(flow)

    assert document["nodes"][1]["onError"] == "continueErrorOutput"
    state = run(flow, {"x": 1})
    assert state.status == "success"
    assert "Handle" in state.run_data


def test_error_output_needs_the_setting() -> None:
    with pytest.raises(BuilderError, match="no error output; create the node with on_error"):
        n.NoOp().output("error")


def test_triggers_and_sticky_notes_take_no_connections() -> None:
    with pytest.raises(BuilderError, match="has no inputs"):
        n.NoOp() >> n.ManualTrigger()
    note = n.StickyNote(content="## Read me")
    with pytest.raises(BuilderError, match="has no outputs"):
        note >> n.NoOp()
    document = round_trip(Flow("notes", n.ManualTrigger(), note))
    assert [node["type"] for node in document["nodes"]][1] == "n8n-nodes-base.stickyNote"


def test_chains_read_left_to_right() -> None:
    a, b, c, d = n.NoOp("A"), n.Merge("B"), n.NoOp("C"), n.NoOp("D")
    a >> b.input(1) >> c >> d  # an input port continues from its node's first output
    assert (a.output(0) >> [c, d]) == [c, d]
    assert [(e.target, e.input) for e in a.edges_out] == [(b, 1), (c, 0), (d, 0)]
    assert [(e.source, e.target) for e in c.edges_in] == [(b, c), (a, c)]
    assert [e.target for e in c.edges_out] == [d]


def test_connecting_twice_is_one_connection() -> None:
    a, b = n.ManualTrigger(), n.NoOp()
    a >> b
    a >> b
    assert len(a.edges_out) == 1 and len(b.edges_in) == 1


def test_only_nodes_connect() -> None:
    with pytest.raises(TypeError):
        n.NoOp() >> 3
    with pytest.raises(BuilderError, match="add\\(\\) takes nodes"):
        Flow("bad", "node")


def test_flow_settings_are_kept_and_checked() -> None:
    document = Flow("s", n.ManualTrigger(), settings={"timezone": "Europe/Berlin"}).to_json()
    assert document["settings"] == {"executionOrder": "v1", "timezone": "Europe/Berlin"}
    with pytest.raises(BuilderError, match="executionOrder must be 'v0' or 'v1'"):
        Flow("s", settings={"executionOrder": "v2"})
    with pytest.raises(BuilderError, match="non-empty name"):
        Flow(" ")


def test_webhook_nodes_get_a_webhook_id_as_in_n8n() -> None:
    hook = n.Webhook(path="orders", httpMethod="POST")
    hook >> n.NoOp()
    document = round_trip(Flow("hook", hook))
    assert len(document["nodes"][0]["webhookId"]) == 36
    assert "webhookId" not in document["nodes"][1]
