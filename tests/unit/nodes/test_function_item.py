"""Function Item (legacy, ``n8n-nodes-base.functionItem`` v1): JavaScript once per item."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Items
from nodes.builtin.function_item import DEFAULT_CODE
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import execute_one, items, jsons

FUNCTION_ITEM = "n8n-nodes-base.functionItem"
INPUT = items({"value": 1}, {"value": 2}, {"value": 3})


def run(code: str, inputs: Any = None, **kw: Any) -> list[Items]:
    return execute({"functionCode": code}, [INPUT if inputs is None else inputs], **kw)


def execute(params: dict[str, Any], inputs: list[Items], **kw: Any) -> list[Items]:
    result = execute_one(FUNCTION_ITEM, params, inputs, **kw)
    assert isinstance(result, list)
    return result


def test_type_is_a_task_node_with_one_code_parameter() -> None:
    impl = default_registry().get(FUNCTION_ITEM, 1)
    assert impl is not None
    assert impl.placement == "task"
    assert [p["name"] for p in impl.describe_json()["properties"]] == ["functionCode"]


def test_default_code_adds_a_field_to_each_item() -> None:
    for out in (execute({}, [INPUT])[0], run(DEFAULT_CODE)[0]):
        assert jsons(out) == [
            {"value": 1, "myNewField": 1},
            {"value": 2, "myNewField": 1},
            {"value": 3, "myNewField": 1},
        ]


def test_item_is_the_json_and_outputs_pair_with_inputs() -> None:
    [out] = run("item.double = item.value * 2;\nreturn item;")
    assert jsons(out) == [
        {"value": 1, "double": 2},
        {"value": 2, "double": 4},
        {"value": 3, "double": 6},
    ]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}, {"item": 2}]
    [out] = run("return {index: $itemIndex, same: $json.value === item.value}")
    assert jsons(out) == [
        {"index": 0, "same": True},
        {"index": 1, "same": True},
        {"index": 2, "same": True},
    ]


def test_binary_data_of_the_input_is_kept() -> None:
    src = [{"json": {"a": 1}, "binary": {"data": {"data": "aGk=", "mimeType": "text/plain"}}}]
    [out] = run("return {b: 2}", src)
    assert out[0]["json"] == {"b": 2}
    assert out[0]["binary"]["data"]["data"] == "aGk="


def test_items_of_other_indexes_are_reachable() -> None:
    [out] = run("return {next: $item(($itemIndex + 1) % 3).$json.value}")
    assert jsons(out) == [{"next": 2}, {"next": 3}, {"next": 1}]


def test_missing_result_fails() -> None:
    with pytest.raises(NodeExecutionError) as info:
        run("item.x = 1;")
    assert info.value.message == "No data got returned. Always an object has to be returned!"


def test_errors_name_line_and_item() -> None:
    code = "if (item.value === 2) {\n  throw new Error('two');\n}\nreturn item;"
    with pytest.raises(NodeExecutionError) as info:
        run(code)
    assert info.value.message == "two [Line 2 | Item Index: 1]"
    assert info.value.node == "Node"


def test_continue_on_fail_replaces_only_the_failing_item() -> None:
    code = "if (item.value === 2) {\n  throw new Error('two');\n}\nreturn item;"
    [out] = run(code, node_fields={"onError": "continueRegularOutput"})
    assert out == [
        {"json": {"value": 1}, "pairedItem": {"item": 0}},
        {"json": {"error": "two"}, "pairedItem": {"item": 1}},
        {"json": {"value": 3}, "pairedItem": {"item": 2}},
    ]


def test_no_input_items_give_no_output() -> None:
    [out] = run("return item;", [])
    assert out == []
