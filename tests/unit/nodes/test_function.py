"""Function (legacy, ``n8n-nodes-base.function`` v1): JavaScript once over all ``items``."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Items, NodeRun
from nodes.builtin.function import DEFAULT_CODE
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import StaticRun, execute_one, items, jsons

FUNCTION = "n8n-nodes-base.function"
INPUT = items({"value": 1}, {"value": 2})


def run(code: str, inputs: Any = None, **kw: Any) -> list[Items]:
    return execute(FUNCTION, {"functionCode": code}, [INPUT if inputs is None else inputs], **kw)


def execute(type_name: str, params: dict[str, Any], inputs: list[Items], **kw: Any) -> list[Items]:
    result = execute_one(type_name, params, inputs, **kw)
    assert isinstance(result, list)
    return result


def test_type_is_a_task_node_with_one_code_parameter() -> None:
    impl = default_registry().get(FUNCTION, 1)
    assert impl is not None
    assert impl.placement == "task"
    assert [p["name"] for p in impl.describe_json()["properties"]] == ["functionCode"]


def test_default_code_adds_a_field_to_every_item() -> None:
    [out] = execute(FUNCTION, {}, [INPUT])
    assert jsons(out) == [{"value": 1, "myNewField": 1}, {"value": 2, "myNewField": 1}]
    [out] = run(DEFAULT_CODE)
    assert jsons(out) == [{"value": 1, "myNewField": 1}, {"value": 2, "myNewField": 1}]


def test_items_can_be_built_and_aggregated() -> None:
    code = (
        "let sum = 0;\nfor (const item of items) sum += item.json.value;\nreturn [{json: {sum}}];"
    )
    [out] = run(code)
    assert jsons(out) == [{"sum": 3}]
    # plain objects are wrapped into items, as n8n's normalizeItems does
    [out] = run("return items.map((item) => ({double: item.json.value * 2}))")
    assert jsons(out) == [{"double": 2}, {"double": 4}]
    [out] = run("return {json: {single: true}}")
    assert jsons(out) == [{"single": True}]


def test_binary_data_passes_through_and_index_is_not_output() -> None:
    src = [{"json": {"a": 1}, "binary": {"data": {"data": "aGk=", "mimeType": "text/plain"}}}]
    [out] = run("items[0].json.seen = items[0].index === 0;\nreturn items;", src)
    assert out[0]["json"] == {"a": 1, "seen": True}
    assert out[0]["binary"]["data"]["data"] == "aGk="
    assert "index" not in out[0]


def test_expression_helpers_are_available() -> None:
    code = (
        "return [{json: {\n"
        "  second: $item(1).$json.value,\n"
        "  count: $input.all().length,\n"
        "  year: DateTime.fromISO('2024-05-06').year,\n"
        "  found: $jmespath({a: [1, 2]}, 'a[1]'),\n"
        "}}];"
    )
    [out] = run(code)
    assert jsons(out) == [{"second": 2, "count": 2, "year": 2024, "found": 2}]


def test_other_nodes_need_a_connection() -> None:
    previous = NodeRun(start_time=0, status="success", outputs=[items({"p": 7})])
    run_view = StaticRun(runs={"Previous": [previous]})
    with pytest.raises(NodeExecutionError) as info:
        run("return [{json: {p: $node['Previous'].json.p}}]", run=run_view, extra_nodes=[_node()])
    assert info.value.message == 'connect "Node" to "Previous" [Line 1]'


def test_static_data_is_readable() -> None:
    [out] = run(
        "const data = getWorkflowStaticData('global');\nreturn [{json: {type: typeof data}}];"
    )
    assert jsons(out) == [{"type": "object"}]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("return 5", 'All returned items have to contain a property named "json"!'),
        ("return", "No data got returned. Always return an Array of items!"),
        ("return [{a: 1, json: 5}]", "The json-property has to be an object!"),
        ("return [{json: {}, binary: 5}]", "The binary-property has to be an object!"),
    ],
)
def test_invalid_results_fail_with_n8n_texts(code: str, message: str) -> None:
    with pytest.raises(NodeExecutionError) as info:
        run(code)
    assert info.value.message == message
    assert info.value.node == "Node"


def test_errors_name_the_line() -> None:
    with pytest.raises(NodeExecutionError) as info:
        run("const a = 1;\nthrow new Error('broken');")
    assert info.value.message == "broken [Line 2]"
    with pytest.raises(NodeExecutionError) as info:
        run("return [{json: {a: }}];")
    assert info.value.message == "Unexpected token '}' [line 1]"


def test_continue_on_fail_returns_the_error_as_an_item() -> None:
    [out] = run("throw new Error('broken')", node_fields={"onError": "continueRegularOutput"})
    assert jsons(out) == [{"error": "broken"}]


def test_console_log_does_not_reach_the_output() -> None:
    [out] = run("console.log('hello', items.length);\nreturn items;")
    assert jsons(out) == [{"value": 1}, {"value": 2}]


def _node() -> dict[str, Any]:
    return {
        "name": "Previous",
        "type": "n8n-nodes-base.noOp",
        "typeVersion": 1,
        "parameters": {},
        "position": [0, 0],
    }
