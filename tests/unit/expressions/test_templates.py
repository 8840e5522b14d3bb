"""Templates versus whole expressions, n8n's stringification, and its error semantics."""

from __future__ import annotations

import math

import pytest

from n8nwork.errors import ExpressionError
from n8nwork.expressions import ExpressionEngine
from n8nwork.expressions.template import compile_expression, split_template
from tests.unit.expressions.conftest import simple_scope


def ev(engine: ExpressionEngine, expr: str, json: dict | None = None, **kwargs):
    scope = simple_scope([{"json": json if json is not None else {"a": 1}}], **kwargs)
    return engine.evaluate(expr, scope, 0, parameter="p")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("={{ 1 + 2 }}", 3),
        ("={{ 'x' }}", "x"),
        ("={{ null }}", None),
        ("={{ undefined }}", None),
        ("={{ true }}", True),
        ("={{ [1, 'a', {b: 2}] }}", [1, "a", {"b": 2}]),
        ("={{ { data: 1 } }}", {"data": 1}),
        ("={{ {a: undefined, b: null} }}", {"b": None}),
        ("=plain text", "plain text"),
        ("=", ""),
        ("=TRUE", "TRUE"),
        ("= {{ 1 }}", " 1"),
        ("={{ 1 }} ", "1 "),
        ("=a{{ 1 }}b{{ 2 }}c", "a1b2c"),
        ("=x{{ null }}y{{ undefined }}z", "xyz"),
        ("=x{{ 0 }}{{ false }}{{ '' }}", "x0false"),
        ("=x{{ NaN }}", "x"),
        ("=x{{ {a: 1} }}", "x[object Object]"),
        ("=x{{ [1, [2, 3]] }}", "x1,2,3"),
        ("=x{{ [null, 1] }}", "x,1"),
        ("=x{{ 1.5 }}", "x1.5"),
        ("=x{{ 1e21 }}", "x1e+21"),
        ("=x{{ DateTime.fromMillis(0, {zone: 'UTC'}) }}", "x1970-01-01T00:00:00.000Z"),
        ("={{ $json.a; $json.b }}", 1),
        ("={{ Math.min(1, 2); }}", 1),
        ("={{\n  // leading comment\n  $json.a +\n  1\n}}", 2),
        ("={{ $json.a // trailing comment\n }}", 1),
        ("={{ `a}b` }}", "a}b"),
        ("={{ 'a\\}}b' }}", "a}}b"),
        ("=C:\\{{ not code }}", "C:\\{{ not code }}"),
        ("={{ `multi\nline` }}", "multi\nline"),
    ],
)
def test_values_and_templates(engine: ExpressionEngine, expr: str, expected: object) -> None:
    assert ev(engine, expr) == expected


def test_whole_expression_keeps_types(engine: ExpressionEngine) -> None:
    assert ev(engine, "={{ $json.n }}", {"n": 1.5}) == 1.5
    assert ev(engine, "={{ $json.o }}", {"o": {"x": [1, 2]}}) == {"x": [1, 2]}
    nan = ev(engine, "={{ NaN }}")
    assert isinstance(nan, float) and math.isnan(nan)
    assert ev(engine, "={{ -Infinity }}") == -math.inf
    assert ev(engine, "={{ 10n ** 20n }}") == 10**20


def test_dates_serialize_like_n8n(engine: ExpressionEngine) -> None:
    assert ev(engine, "={{ new Date(0) }}") == "1970-01-01T00:00:00.000Z"
    assert ev(engine, "={{ DateTime.fromISO('2026-08-24T10:30:00Z') }}").startswith(
        "2026-08-24T10:30"
    )
    assert ev(engine, "={{ Duration.fromObject({hours: 2}) }}") == "PT2H"


def test_functions_and_datetime_class_are_refused(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="this is a function, please add"):
        ev(engine, "={{ () => 1 }}")
    with pytest.raises(ExpressionError, match="this is a DateTime, please access its methods"):
        ev(engine, "={{ DateTime }}")


def test_runtime_errors_are_swallowed_like_n8n(engine: ExpressionEngine) -> None:
    # n8n resolves a failing {{ }} part to undefined (empty in a template), not to an error
    assert ev(engine, "={{ $json.contact.FirstName }}", {"contact": None}) is None
    assert ev(engine, "={{ notDefinedAnywhere }}") is None
    assert ev(engine, "={{ (() => { throw new Error('x') })() }}") is None
    assert ev(engine, "=a{{ $json.x.y.z }}b") == "ab"


def test_syntax_errors_fail_with_invalid_syntax(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError) as info:
        ev(engine, "={{ 1 + }}")
    err = info.value
    assert err.message == "invalid syntax"
    assert err.parameter == "p" and err.item_index == 0 and err.expression == "={{ 1 + }}"
    assert "parameter 'p'" in str(err) and "item 0" in str(err)
    with pytest.raises(ExpressionError, match="invalid syntax"):
        ev(engine, "=literal {{ }} braces? {{ 1 + 1 }}")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("={{ $json.a.constructor }}", "Expression contains invalid constructor function call"),
        ("={{ $json['__proto__'] }}", 'Cannot access "__proto__" due to security concerns'),
        ("={{ $json.x.prototype }}", 'Cannot access "prototype" due to security concerns'),
        ("={{ $ }}", 'Cannot access "$" without calling it as a function'),
        ("={{ $.x }}", 'Cannot access "$" without calling it as a function'),
        ("={{ $if(true) }}", "$if requires at least 2 parameters"),
    ],
)
def test_refused_expressions(engine: ExpressionEngine, expr: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("$", "\\$")):
        ev(engine, expr)


def test_denylisted_globals_are_empty_objects(engine: ExpressionEngine) -> None:
    for name in (
        "globalThis",
        "window",
        "eval",
        "Function",
        "fetch",
        "Promise",
        "Reflect",
        "process",
    ):
        assert ev(engine, "={{ " + name + " }}") == {}, name
    assert ev(engine, "={{ typeof require }}") == "object"
    assert ev(engine, "={{ typeof XMLHttpRequest }}") == "object"


def test_split_template_follows_n8n() -> None:
    chunks = split_template("a{{ b }}c{{ d")
    assert [(c.code, c.text) for c in chunks] == [
        (False, "a"),
        (True, " b "),
        (False, "c"),
        (True, " d"),
    ]
    assert [(c.code, c.text) for c in split_template("{{ x }}")] == [(False, ""), (True, " x ")]


def test_compile_kinds() -> None:
    assert compile_expression("=abc").kind == "const"
    assert compile_expression("={{ $json.a.b }}").kind == "path"
    assert compile_expression("=id-{{ $json['a b'] }}").kind == "tpath"
    assert compile_expression("={{ $json.a + 1 }}").kind == "js"
    assert compile_expression("={{ $json.a + 1 }}").json_keys == frozenset({"a"})
    assert compile_expression("={{ $input.item.json.a }}").json_keys is None
    assert compile_expression("={{ Object.keys($json) }}").json_keys is None


@pytest.mark.parametrize(
    ("expr", "json"),
    [
        ("={{ $json.a }}", {"a": 1}),
        ("={{ $json.a.b }}", {"a": {"b": [1, {"c": 2}]}}),
        ("={{ $json.missing }}", {"a": 1}),
        ("={{ $json.a.b.c }}", {"a": None}),
        ("={{ $json.list[1] }}", {"list": [1, 2]}),
        ("={{ $json.list.length }}", {"list": [1, 2, 3]}),
        ("={{ $json.s.length }}", {"s": "héllo"}),
        ("={{ $json.toString }}", {"a": 1}),
        ("=v={{ $json.f }}", {"f": 0.1}),
        ("=v={{ $json.f }}", {"f": 1e-7}),
        ("=v={{ $json.f }}", {"f": 2.0}),
        ("=v={{ $json.b }}/{{ $json.n }}", {"b": False, "n": None}),
        ("=v={{ $json.o }}", {"o": {"x": 1}}),
    ],
)
def test_python_fast_path_matches_javascript(
    engine: ExpressionEngine, expr: str, json: dict
) -> None:
    fast = _try(lambda: ev(engine, expr, json))
    compiled = compile_expression(expr)
    js_expr = expr.replace("}}", " ; }}") if compiled.kind in ("path", "tpath") else expr
    slow = _try(lambda: ev(engine, js_expr, json))
    assert compile_expression(js_expr).kind == "js"
    assert fast == slow


def _try(fn):
    try:
        return fn()
    except ExpressionError as exc:
        return ("error", exc.message)


def test_evaluates_structures_and_keeps_literals(engine: ExpressionEngine) -> None:
    scope = simple_scope([{"json": {"a": 1}}, {"json": {"a": 2}}])
    value = {"x": "={{ $json.a * 10 }}", "lit": ["keep", 3, "=id{{ $json.a }}"], "n": None}
    out = engine.evaluate_all(value, scope, parameter="fields")
    assert out == [
        {"x": 10, "lit": ["keep", 3, "id1"], "n": None},
        {"x": 20, "lit": ["keep", 3, "id2"], "n": None},
    ]
    # results are fresh objects: changing one does not change the other
    out[0]["lit"].append("changed")
    assert out[1]["lit"] == ["keep", 3, "id2"]


def test_non_expression_values_pass_through(engine: ExpressionEngine) -> None:
    scope = simple_scope()
    assert engine.evaluate_all("plain", scope) == ["plain"]
    assert engine.evaluate_all(5, scope) == [5]
    assert engine.evaluate_all({"a": [1, "b"]}, scope) == [{"a": [1, "b"]}]
