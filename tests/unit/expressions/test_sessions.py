"""What makes batches cheap must not change what they compute: session metadata sent by token
(and forgotten when the tables fill up), the run's clock per execution, input items sent as
columns, one isolate call for several strings, and parameter plans."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import ExpressionError
from n8nwork.expressions import ExpressionEngine, _host
from n8nwork.expressions._plan import plan_of
from n8nwork.workflow.frozen import freeze
from tests.unit.expressions.conftest import simple_scope


def test_run_facts_follow_each_execution_when_the_token_table_starts_again(
    engine: ExpressionEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_host, "_MAX_RUNS", 2)
    monkeypatch.setattr(_host, "_MAX_NODES", 2)
    for n in range(7):
        scope = simple_scope(execution={"id": f"exec-{n}", "mode": "manual"}, variables={"n": n})
        assert engine.evaluate("={{ $execution.id }}:{{ $vars.n }}", scope, 0) == f"exec-{n}:{n}"
        assert engine.evaluate("={{ $prevNode.name }}", scope, 0) == "Prev"


def test_custom_data_changed_in_place_is_seen_by_the_next_execution(
    engine: ExpressionEngine,
) -> None:
    custom: dict[str, Any] = {"k": "1"}
    first = simple_scope(execution={"id": "e", "mode": "manual", "customData": custom})
    assert engine.evaluate("={{ $execution.customData.get('k') }}", first, 0) == "1"
    custom["k"] = "2"  # as the Execution Data node does
    second = simple_scope(execution={"id": "e", "mode": "manual", "customData": custom})
    assert engine.evaluate("={{ $execution.customData.get('k') }}", second, 0) == "2"


def test_each_execution_has_its_own_clock(engine: ExpressionEngine) -> None:
    for ms in (1_700_000_000_000, 1_787_567_400_000, 1_700_000_000_123):
        scope = simple_scope(now_ms=ms)
        assert engine.evaluate("={{ $now.toMillis() }}", scope, 0) == ms


def test_columns_give_each_item_its_own_json(engine: ExpressionEngine) -> None:
    items = [{"json": {"a": 1, "b": {"c": 2}}}, {"json": {"b": None}}, {"json": {"a": 0}}]
    scope = simple_scope(items)
    assert engine.evaluate_all("={{ $json.a === undefined }}", scope) == [False, True, False]
    assert engine.evaluate_all("={{ 'a' in $json ? 1 : 2 }}", scope) == [1, 2, 1]
    # what one item's expression changes stays with that item
    counted = "={{ ($json.a = ($json.a || 10) + 1, $json.a) }}"
    assert engine.evaluate_all(counted, scope) == [2, 11, 11]
    assert engine.evaluate_all("={{ $json.b?.c ?? 'none' }}", scope) == [2, "none", "none"]


def test_values_json_cannot_carry_come_back_per_item(engine: ExpressionEngine) -> None:
    items = [{"json": {"n": 1}}, {"json": {"n": 0}}, {"json": {"n": -1}}]
    out = engine.evaluate_all("={{ $json.n / 0 }}", simple_scope(items))
    assert out[0] == float("inf") and out[1] != out[1] and out[2] == float("-inf")
    assert engine.evaluate_all("={{ BigInt($json.n) * 2n }}", simple_scope(items)) == [2, 0, -2]
    err = engine.evaluate_all("={{ $json.n ? () => 1 : 5 }}", simple_scope(items), parameter="p")
    assert isinstance(err[0], ExpressionError) and err[1] == 5


def test_a_value_that_cannot_be_serialized_fails_only_its_item(engine: ExpressionEngine) -> None:
    items = [{"json": {"n": 1}}, {"json": {"n": 2}}]
    out = engine.evaluate_all(
        "={{ $json.n === 1 ? { toJSON() { throw new Error('no') } } : $json.n }}",
        simple_scope(items),
    )
    assert out[1] == 2
    assert isinstance(out[0], ExpressionError) and out[0].message == "no"


def test_evaluate_columns(engine: ExpressionEngine) -> None:
    items = [{"json": {"s": "12"}}, {"json": {"s": "x"}}]
    values = ("={{ $json.s.toNumber() }}", "plain", "={{ $json.s.toNumber() }}", "={{ 1 }}")
    columns = engine.evaluate_columns(values, simple_scope(items), parameter="p")
    assert columns[0][0] == 12 and columns[1] == ["plain", "plain"] and columns[3] == [1, 1]
    assert columns[2] is columns[0]  # the same expression is evaluated once
    err = columns[0][1]
    assert isinstance(err, ExpressionError)
    assert (err.parameter, err.item_index, err.expression) == ("p", 1, values[0])


def test_plans_build_fresh_values_and_report_the_first_failure() -> None:
    value = freeze(
        {
            "a": "={{ 1 }}",
            "list": [{"k": "={{ 2 }}", "fixed": {"x": [1]}}, "={{ 1 }}", 3],
            "b": "text",
        }
    )
    plan = plan_of(value)
    assert plan is not None and plan.exprs == ("={{ 1 }}", "={{ 2 }}")
    assert plan_of(value) is plan  # frozen values keep their plan
    first, second = ExpressionError("first"), ExpressionError("second")
    results: dict[str, list[Any]] = {"={{ 1 }}": [{"o": 1}, second], "={{ 2 }}": [2, first]}
    errors: list[ExpressionError] = []
    built = plan.build(results, 0, errors)
    assert errors == []
    assert built == {
        "a": {"o": 1},
        "list": [{"k": 2, "fixed": {"x": [1]}}, {"o": 1}, 3],
        "b": "text",
    }
    assert built["a"] is not built["list"][1]  # a repeated expression: one copy each
    other = plan.build(results, 0, [])
    assert other["list"][0]["fixed"] is not built["list"][0]["fixed"]
    plan.build(results, 1, errors)
    assert errors[0] is second  # in the order the value is written


def test_plans_of_large_values_work_too() -> None:
    value = freeze({f"k{i}": f"={{{{ {i} }}}}" if i % 2 else i for i in range(1000)})
    plan = plan_of(value)
    assert plan is not None
    results = {e: [int(e[4:-3])] for e in plan.exprs}
    built = plan.build(results, 0, [])
    assert built == {f"k{i}": i for i in range(1000)}


def test_a_session_that_never_reached_the_isolate_is_sent_again(
    engine: ExpressionEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = engine._call
    failures = [RuntimeError("lost on the way")]

    def call(name: str, *args: Any, limit: float) -> Any:
        if name == "evalBatch" and failures:
            raise failures.pop()
        return original(name, *args, limit=limit)

    monkeypatch.setattr(engine, "_call", call)
    with pytest.raises(RuntimeError):
        engine.evaluate("={{ $json.a + 1 }}", simple_scope(), 0)
    assert engine.evaluate("={{ $json.a + 1 }}:{{ $prevNode.name }}", simple_scope(), 0) == "2:Prev"
