"""``run_code``: Code-node JavaScript (all items / each item) and the legacy Function bodies."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.expressions import ExpressionEngine
from n8nwork.run.data import Source
from tests.unit.expressions.conftest import (
    Chain,
    as_items,
    node_run,
    scope_for,
    simple_scope,
    stamp,
)

ITEMS: list[dict[str, Any]] = [{"json": {"value": 1}}, {"json": {"value": 2}}]


def run(engine: ExpressionEngine, code: str, **kwargs):
    scope = kwargs.pop("scope", None) or simple_scope(ITEMS)
    return engine.run_code(code, scope, **kwargs)


def test_all_items_mode(engine: ExpressionEngine) -> None:
    code = "let sum = 0;\nfor (const item of $input.all()) sum += item.json.value;\nreturn [{sum}];"
    assert run(engine, code) == [{"json": {"sum": 3}}]
    legacy = "let sum = 0;\nfor (const item of items) sum += item.json.value;\nreturn [{sum}];"
    assert run(engine, legacy) == [{"json": {"sum": 3}}]
    assert run(engine, "return $input.all()") == [
        {"json": {"value": 1}, "pairedItem": {"item": 0}},
        {"json": {"value": 2}, "pairedItem": {"item": 1}},
    ]
    assert run(engine, "return {json: {a: 1}}") == [{"json": {"a": 1}}]
    assert run(engine, "return {a: 1}") == [{"json": {"a": 1}}]
    assert run(engine, "return null") == []
    assert run(engine, "return [{json: {a: 1}, binary: {f: {data: 'x'}}}]") == [
        {"json": {"a": 1}, "binary": {"f": {"data": "x"}}}
    ]


def test_each_item_mode(engine: ExpressionEngine) -> None:
    code = "$input.item.json.myNewField = $input.item.json.value;\nreturn $input.item;"
    out = run(engine, code, mode="runOnceForEachItem")
    assert [i["json"] for i in out] == [
        {"value": 1, "myNewField": 1},
        {"value": 2, "myNewField": 2},
    ]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]
    legacy = "item.json.x = item.json.value * 10;\nreturn item;"
    assert [i["json"]["x"] for i in run(engine, legacy, mode="runOnceForEachItem")] == [10, 20]
    assert run(engine, "return {v: $json.value}", mode="runOnceForEachItem", item_index=1) == {
        "json": {"v": 2},
        "pairedItem": {"item": 1},
    }
    # null / undefined results drop the item
    assert run(
        engine, "if ($json.value === 1) return null; return $json", mode="runOnceForEachItem"
    ) == [{"json": {"value": 2}, "pairedItem": {"item": 1}}]
    assert run(engine, "return undefined", mode="runOnceForEachItem", item_index=0) is None


def test_async_code(engine: ExpressionEngine) -> None:
    code = (
        "const json = $input.item.json\n"
        "json.myNewField = await new Promise((resolve) => resolve(json.value));\n"
        "json.other = await (async () => json.value * 2)();\n"
        "return $input.item;"
    )
    out = run(engine, code, mode="runOnceForEachItem")
    assert [i["json"] for i in out] == [
        {"value": 1, "myNewField": 1, "other": 2},
        {"value": 2, "myNewField": 2, "other": 4},
    ]


def test_console_is_captured(engine: ExpressionEngine) -> None:
    run(engine, "console.log('sum', 1 + 2, {a: 1}); console.warn('w'); return []")
    assert engine.last_logs == ['sum 3 {"a":1}', "w"]


def test_runtime_errors_carry_n8n_texts(engine: ExpressionEngine) -> None:
    with pytest.raises(NodeExecutionError) as info:
        run(engine, "const a = 1;\nthrow new Error('Incorrect data');")
    assert info.value.message == "Incorrect data [line 2]"
    assert info.value.description is None
    with pytest.raises(NodeExecutionError) as info:
        run(engine, "const x = null;\n\nreturn x.y;")
    assert info.value.message == "Cannot read properties of null (reading 'y') [line 3]"
    assert info.value.description == "TypeError"
    with pytest.raises(NodeExecutionError) as info:
        run(engine, "\nreturn [{v: undefinedThing}]", mode="runOnceForEachItem")
    assert info.value.message == "undefinedThing is not defined [line 2, for item 0]"
    assert info.value.item_index == 0


def test_errors_inside_helpers_point_at_the_user_line(engine: ExpressionEngine) -> None:
    code = "function helper() {\n  return null.x;\n}\nreturn [{v: helper()}];"
    with pytest.raises(NodeExecutionError, match=r"\[line 2\]"):
        run(engine, code)


def test_syntax_error(engine: ExpressionEngine) -> None:
    with pytest.raises(NodeExecutionError) as info:
        run(engine, "return [{a: 1}")
    assert info.value.description == "SyntaxError"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("return 5", "Code doesn't return items properly"),
        ("return 'x'", "Code doesn't return items properly"),
        ("return", "Code doesn't return items properly"),
        ("return [1, 2]", "Code doesn't return items properly"),
        ("return {json: 'test'}", "A 'json' property isn't an object [item 0]"),
        ("return [{json: {}}, {json: 5}]", "A 'json' property isn't an object [item 1]"),
        ("return [{json: {}, foo: 1}]", "Invalid output format [item 0]"),
        ("return [{json: {}}, {foo: 1}]", "Unknown top-level item key: foo [item 1]"),
        ("return [{json: {}, binary: 5}]", "A 'binary' property isn't an object [item 0]"),
    ],
)
def test_all_items_validation(engine: ExpressionEngine, code: str, message: str) -> None:
    with pytest.raises(NodeExecutionError) as info:
        run(engine, code)
    assert info.value.message == message
    assert info.value.node == "Node"


def test_each_item_validation(engine: ExpressionEngine) -> None:
    with pytest.raises(NodeExecutionError, match=r"A 'json' property isn't an object \[item 0\]"):
        run(engine, "return 5", mode="runOnceForEachItem")
    with pytest.raises(
        NodeExecutionError, match=r"Can't use \.first\(\) here \[line 2, for item 0\]"
    ):
        run(engine, "const a = 1;\nreturn $input.first();", mode="runOnceForEachItem")


def test_continue_on_fail(engine: ExpressionEngine) -> None:
    assert run(engine, "throw new Error('boom')", continue_on_fail=True) == [
        {"json": {"error": "boom [line 1]"}}
    ]
    out = run(
        engine,
        "if ($json.value === 2) throw new Error('two');\nreturn $json;",
        mode="runOnceForEachItem",
        continue_on_fail=True,
    )
    assert out == [
        {"json": {"value": 1}, "pairedItem": {"item": 0}},
        {"json": {"error": "two [line 1, for item 1]"}, "pairedItem": {"item": 1}},
    ]


def test_code_sees_other_nodes_and_runs_again_when_it_needed_data(engine: ExpressionEngine) -> None:
    wf = Chain(["Start", "Set", "Node"]).workflow()
    start = [{"json": {"s": "a"}}, {"json": {"s": "b"}}]
    set_out = [
        {"json": {"v": 1}, "pairedItem": {"item": 0}},
        {"json": {"v": 2}, "pairedItem": {"item": 1}},
    ]
    runs = {"Start": [node_run([start])], "Set": [node_run([set_out], [Source("Start")])]}
    scope = scope_for(wf, "Node", stamp(set_out), runs=runs)
    name = "Start"
    code = (
        "const out = [];\n"
        "for (const [i, it] of $input.all().entries()) {\n"
        "  out.push({s: $('" + name + "').itemMatching(i).json.s, n: $node['Set'].json.v,"
        " all: $items('Start').length});\n"
        "}\n"
        "console.log('ran');\n"
        "return out;"
    )
    assert engine.run_code(code, scope) == [
        {"json": {"s": "a", "n": 1, "all": 2}},
        {"json": {"s": "b", "n": 1, "all": 2}},
    ]
    assert engine.last_logs == ["ran"]
    each = (
        "return {s: $('Start').item.json.s, d: DateTime.fromMillis(0, {zone: 'Asia/Tokyo'}).hour}"
    )
    out = as_items(engine.run_code(each, scope, mode="runOnceForEachItem"))
    assert [o["json"] for o in out] == [{"s": "a", "d": 9}, {"s": "b", "d": 9}]


def test_legacy_function(engine: ExpressionEngine) -> None:
    code = "for (item of items) {\n  item.json.myNewField = 1;\n}\nreturn items;"
    out = run(engine, code, legacy_function=True)
    assert out == [
        {"json": {"value": 1, "myNewField": 1}, "pairedItem": {"item": 0}},
        {"json": {"value": 2, "myNewField": 1}, "pairedItem": {"item": 1}},
    ]
    assert run(engine, "return {success: true}", legacy_function=True) == [
        {"json": {"success": True}}
    ]
    with pytest.raises(NodeExecutionError, match="No data got returned"):
        run(engine, "const a = 1", legacy_function=True)
    with pytest.raises(NodeExecutionError, match=r"Incorrect data \[Line 2\]"):
        run(engine, "\nthrow new Error('Incorrect data')", legacy_function=True)
    assert run(engine, "throw new Error('x')", legacy_function=True, continue_on_fail=True) == [
        {"json": {"error": "x"}}
    ]


def test_legacy_function_item(engine: ExpressionEngine) -> None:
    items: list[dict[str, Any]] = [
        {"json": {"value": 1}, "binary": {"f": {"data": "QQ=="}}},
        {"json": {"value": 2}},
    ]
    scope = simple_scope(items)
    out = engine.run_code(
        "item.myNewField = item.value + 1;\nreturn item;",
        scope,
        mode="runOnceForEachItem",
        legacy_function=True,
    )
    assert out == [
        {
            "json": {"value": 1, "myNewField": 2},
            "pairedItem": {"item": 0},
            "binary": {"f": {"data": "QQ=="}},
        },
        {"json": {"value": 2, "myNewField": 3}, "pairedItem": {"item": 1}},
    ]
    with pytest.raises(NodeExecutionError, match=r"bad \[Line 2 \| Item Index: 0\]"):
        engine.run_code(
            "\nthrow new Error('bad')", scope, mode="runOnceForEachItem", legacy_function=True
        )
    with pytest.raises(NodeExecutionError, match="Always an object has to be returned"):
        engine.run_code("const x = 1", scope, mode="runOnceForEachItem", legacy_function=True)


def test_code_does_not_change_the_callers_items(engine: ExpressionEngine) -> None:
    items = [{"json": {"value": 1}}]
    scope = simple_scope(items)
    engine.run_code("$input.first().json.value = 99; return []", scope)
    assert items == [{"json": {"value": 1}}]
    assert scope.inputs[0][0]["json"] == {"value": 1}
