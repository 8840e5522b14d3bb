"""n8n's variables inside expressions: $json, $input, $('X'), $node, $items, $item, $parameter,
$execution, $workflow, $vars, $env, $now/$today, $jmespath, $if and friends."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import ExpressionError
from n8nwork.expressions import ExpressionEngine
from n8nwork.run.data import Source
from tests.unit.expressions.conftest import Chain, node_run, scope_for, simple_scope, stamp

ITEMS: list[dict[str, Any]] = [
    {
        "json": {"id": 1, "name": "Ada"},
        "binary": {"file": {"data": "QUJD", "mimeType": "text/plain", "fileName": "a.txt"}},
    },
    {"json": {"id": 2, "name": "Grace"}},
]


def all_of(engine: ExpressionEngine, expr: str, scope=None) -> list:
    scope = scope or simple_scope(ITEMS)
    return engine.evaluate_all(expr, scope, parameter="p")


def one(engine: ExpressionEngine, expr: str, scope=None, index: int = 0):
    return engine.evaluate(expr, scope or simple_scope(ITEMS), index, parameter="p")


def test_json_binary_and_item_positions(engine: ExpressionEngine) -> None:
    assert all_of(engine, "={{ $json.name }}") == ["Ada", "Grace"]
    assert all_of(engine, "={{ $data.id }}") == [1, 2]
    assert all_of(engine, "={{ $itemIndex }}-{{ $position }}-{{ $thisItemIndex }}") == [
        "0-0-0",
        "1-1-1",
    ]
    assert one(engine, "={{ $binary.file }}") == {"mimeType": "text/plain", "fileName": "a.txt"}
    assert one(engine, "={{ $binary }}", index=1) == {}
    assert one(engine, "={{ $thisItem.json.id }}", index=1) == 2


def test_input(engine: ExpressionEngine) -> None:
    assert all_of(engine, "={{ $input.item.json.id }}") == [1, 2]
    assert all_of(engine, "={{ $input.all().map(i => i.json.id).join() }}") == ["1,2", "1,2"]
    assert one(engine, "={{ $input.first().json.name }}") == "Ada"
    assert one(engine, "={{ $input.last().json.name }}") == "Grace"
    assert (
        one(engine, "={{ $input.params.x }}", simple_scope(ITEMS, params={"Prev": {"x": 5}})) == 5
    )
    with pytest.raises(ExpressionError, match="should have no arguments"):
        one(engine, "={{ $input.first(1) }}")


def test_no_input_items(engine: ExpressionEngine) -> None:
    scope = simple_scope([])
    assert engine.evaluate_all("={{ 1 + 1 }}", scope) == [2]
    [err] = engine.evaluate_all("={{ $json.x }}", scope, parameter="p")
    assert isinstance(err, ExpressionError)
    assert err.message == "Node 'Node' hasn't been executed"
    [err2] = engine.evaluate_all("={{ $input.all() }}", scope)
    assert isinstance(err2, ExpressionError) and err2.message == "No execution data available"


def _three_nodes():
    chain = Chain(["Start", "Set", "Node"], params={"Set": {"value": "={{ 1 + 1 }}", "raw": 7}})
    wf = chain.workflow()
    start_out = [{"json": {"s": "a"}}, {"json": {"s": "b"}}]
    set_out = [
        {"json": {"v": 10}, "pairedItem": {"item": 0}},
        {"json": {"v": 20}, "pairedItem": {"item": 1}},
    ]
    runs = {
        "Start": [node_run([start_out])],
        "Set": [node_run([set_out], [Source("Start")])],
    }
    return wf, runs, set_out


def test_other_nodes(engine: ExpressionEngine) -> None:
    wf, runs, set_out = _three_nodes()
    scope = scope_for(wf, "Node", stamp(set_out), runs=runs, contexts={"Set": {"done": True}})
    assert all_of(engine, "={{ $('Start').item.json.s }}", scope) == ["a", "b"]
    assert all_of(engine, "={{ $('Start').first().json.s }}", scope) == ["a", "a"]
    assert all_of(engine, "={{ $('Start').last().json.s }}", scope) == ["b", "b"]
    assert all_of(engine, "={{ $('Start').all().length }}", scope) == [2, 2]
    assert all_of(engine, "={{ $('Start').itemMatching(1).json.s }}", scope) == ["b", "b"]
    assert all_of(engine, "={{ $('Start').pairedItem().json.s }}", scope) == ["a", "b"]
    assert all_of(engine, "={{ $('Set').isExecuted }}", scope) == [True, True]
    assert all_of(engine, "={{ $('Set').params.raw }}", scope) == [7, 7]
    assert all_of(engine, "={{ $('Set').context.done }}", scope) == [True, True]
    assert all_of(engine, "={{ $node['Set'].json.v }}", scope) == [10, 20]
    assert all_of(engine, "={{ $node.Start.json.s }}", scope) == ["a", "b"]
    assert all_of(engine, "={{ $node['Set'].parameter.value }}", scope) == [2, 2]
    assert all_of(engine, "={{ $node['Set'].context.done }}", scope) == [True, True]
    assert all_of(engine, "={{ $node['Set'].runIndex }}", scope) == [0, 0]
    assert all_of(engine, "={{ $items('Start').length }}", scope) == [2, 2]
    assert all_of(engine, "={{ $items('Start')[1].json.s }}", scope) == ["b", "b"]
    assert all_of(engine, "={{ $items().length }}", scope) == [2, 2]
    assert all_of(engine, "={{ $item(1).$node['Set'].json.v }}", scope) == [20, 20]
    assert all_of(engine, "={{ $item(0).$json.v }}", scope) == [10, 10]
    assert all_of(engine, "={{ $prevNode.name }}:{{ $prevNode.outputIndex }}", scope) == [
        "Set:0",
        "Set:0",
    ]
    with pytest.raises(ExpressionError, match="Referenced node doesn't exist"):
        one(engine, "={{ $('Nope').first() }}", scope)
    with pytest.raises(ExpressionError, match="Referenced node doesn't exist"):
        one(engine, "={{ $node['Nope'].json }}", scope)
    with pytest.raises(ExpressionError, match=r"Missing item index for \.itemMatching"):
        one(engine, "={{ $('Start').itemMatching() }}", scope)
    with pytest.raises(ExpressionError, match="When calling"):
        one(engine, "={{ $('') }}", scope)


def test_unexecuted_nodes(engine: ExpressionEngine) -> None:
    wf, runs, set_out = _three_nodes()
    runs = {"Set": runs["Set"]}
    scope = scope_for(wf, "Node", stamp(set_out), runs=runs)
    assert one(engine, "={{ $('Start').isExecuted }}", scope) is False
    assert (
        one(engine, "={{ $if($('Start').isExecuted, $('Start').item.json.s, 'none') }}", scope)
        == "none"
    )
    with pytest.raises(ExpressionError, match="Node 'Start' hasn't been executed"):
        one(engine, "={{ $('Start').first() }}", scope)
    with pytest.raises(ExpressionError, match="Node 'Start' hasn't been executed"):
        one(engine, "={{ $('Start').item }}", scope)


def test_parameter(engine: ExpressionEngine) -> None:
    params = {
        "Node": {
            "a": "={{ $json.id * 2 }}",
            "b": "plain",
            "c": {"__rl": True, "value": "x", "mode": "list"},
            "self": "={{ $parameter.self }}",
        }
    }
    scope = simple_scope(ITEMS, params=params)
    assert all_of(engine, "={{ $parameter.a }}", scope) == [2, 4]
    assert all_of(engine, "={{ $parameter['b'] }}", scope) == ["plain", "plain"]
    assert one(engine, "={{ $parameter.c }}", scope) == "x"
    assert one(engine, "={{ $parameter.missing }}", scope) is None
    assert one(engine, "={{ $parameter.self }}", scope) is None
    assert one(engine, "={{ $rawParameter.a }}", scope) == "={{ $json.id * 2 }}"
    stored = [{"json": {"id": i, "expr": "{{ $json.id + 100 }}"}} for i in (1, 2)]
    scope2 = simple_scope(stored)
    assert all_of(engine, "={{ $evaluateExpression($json.expr) }}", scope2) == [101, 102]
    assert all_of(engine, "={{ $evaluateExpression($json.expr, 1) }}", scope2) == [102, 102]


def test_run_and_workflow_facts(engine: ExpressionEngine) -> None:
    scope = simple_scope(
        ITEMS,
        run_index=3,
        execution={
            "id": "ex-9",
            "mode": "manual",
            "resumeUrl": "http://x/r",
            "customData": {"k": "v"},
        },
        variables={"region": "eu"},
    )
    assert one(engine, "={{ $runIndex }}", scope) == 3
    assert one(engine, "={{ $thisRunIndex }}", scope) == 3
    assert one(engine, "={{ $execution.id }}", scope) == "ex-9"
    assert one(engine, "={{ $execution.mode }}", scope) == "test"
    assert one(engine, "={{ $execution.resumeUrl }}", scope) == "http://x/r"
    assert one(engine, "={{ $execution.customData.get('k') }}", scope) == "v"
    assert (
        one(engine, "={{ $workflow.id }}|{{ $workflow.name }}|{{ $workflow.active }}", scope)
        == "wf-1|Test workflow|false"
    )
    assert one(engine, "={{ $vars.region }}", scope) == "eu"
    assert one(engine, "={{ $nodeVersion }}", scope) == 1
    assert one(engine, "={{ $nodeId }}", scope) == "id-Node"


def test_env_only_allowed_variables(engine: ExpressionEngine) -> None:
    scope = simple_scope(ITEMS, env={"API_BASE": "http://x"})
    assert one(engine, "={{ $env.API_BASE }}", scope) == "http://x"
    with pytest.raises(ExpressionError, match="access to env vars denied"):
        one(engine, "={{ $env.HOME }}", scope)
    with pytest.raises(ExpressionError, match="access to env vars denied"):
        one(engine, "={{ $env.PATH }}", simple_scope(ITEMS))


def test_now_and_today_use_the_run_clock(engine: ExpressionEngine) -> None:
    ms = 1787567400000  # 2026-08-24T10:30:00Z
    scope = simple_scope(ITEMS, now_ms=ms)
    assert one(engine, "={{ $now.toMillis() }}", scope) == ms
    assert one(engine, "={{ DateTime.now().toMillis() }}", scope) == ms
    assert one(engine, "={{ $now.toISO() }}", scope) == "2026-08-24T10:30:00.000Z"
    assert one(engine, "={{ $today.toISO() }}", scope) == "2026-08-24T00:00:00.000Z"
    ny = simple_scope(ITEMS, now_ms=ms, timezone="America/New_York")
    assert one(engine, "={{ $now.toISO() }}", ny) == "2026-08-24T06:30:00.000-04:00"
    assert one(engine, "={{ $today.toISO() }}", ny) == "2026-08-24T00:00:00.000-04:00"
    assert one(engine, "={{ $now }}", ny) == "2026-08-24T06:30:00.000-04:00"


def test_jmespath(engine: ExpressionEngine) -> None:
    data = {"people": [{"n": "a", "age": 3}, {"n": "b", "age": 5}], "x": {"y": 1}}
    scope = simple_scope([{"json": data}])
    assert one(engine, "={{ $jmespath($json, 'people[?age > `4`].n') }}", scope) == ["b"]
    assert one(engine, "={{ $jmespath($json.people, '[].n').join('') }}", scope) == "ab"
    assert one(engine, "={{ $jmespath($json, 'length(people)') }}", scope) == 2
    assert one(engine, "={{ $jmesPath($json, 'x.y') }}", scope) == 1
    with pytest.raises(ExpressionError, match="expected two arguments"):
        one(engine, "={{ $jmespath('a', 'b') }}", scope)


def test_convenience_functions(engine: ExpressionEngine) -> None:
    assert one(engine, "={{ $if(1 > 0, 'yes', 'no') }}") == "yes"
    assert one(engine, "={{ $if(false, 'yes') }}") is False
    assert one(engine, "={{ $min(4, 2, 8) + $max(1, 9) }}") == 11
    assert one(engine, "={{ $ifEmpty($json.missing, 'dflt') }}") == "dflt"
    assert one(engine, "={{ $ifEmpty([], 'dflt') }}") == "dflt"
    assert one(engine, "={{ $ifEmpty('x', 'dflt') }}") == "x"
    assert one(engine, "={{ $average(2, 4) }}") == 3
    assert one(engine, "={{ $not(0) }}") is True
    with pytest.raises(ExpressionError, match="expected two arguments"):
        one(engine, "={{ $ifEmpty(1) }}")


def test_if_only_runs_the_chosen_branch(engine: ExpressionEngine) -> None:
    # the other branch would throw n8n's own error if it ran
    assert one(engine, "={{ $if(true, 'ok', $('Nope').item) }}") == "ok"


def test_no_io_is_available(engine: ExpressionEngine) -> None:
    for name in ("require", "fetch", "XMLHttpRequest", "process"):
        assert one(engine, "={{ JSON.stringify(" + name + ") }}") == "{}"
    assert one(engine, "={{ typeof std }}-{{ typeof os }}-{{ typeof scriptArgs }}") == (
        "undefined-undefined-undefined"
    )
