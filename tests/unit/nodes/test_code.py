"""Code node: JavaScript through the expression engine, Python through the sandbox; modes,
versions, n8n's output rules, pairing, continue-on-fail, errors naming the node."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import NodeRun, Source
from n8nwork.sandbox import SandboxError, SandboxLimits
from nodes.builtin.code import Code
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import StaticRun, execute_one, items, jsons
from tests.unit.nodes._param_checks import problems

CODE = "n8n-nodes-base.code"
INPUT = items({"value": 1}, {"value": 2})
HAS_ENGINE = importlib.util.find_spec("n8nwork.expressions.engine") is not None
needs_engine = pytest.mark.skipif(not HAS_ENGINE, reason="the expression engine has not landed")


def run(params: dict[str, Any], inputs: Any = None, version: float = 2, **kw: Any) -> Any:
    return execute_one(CODE, params, [INPUT if inputs is None else inputs], version=version, **kw)


def test_type_declares_versions_and_task_placement() -> None:
    impl = default_registry().get(CODE, 2)
    assert impl is not None and default_registry().get(CODE, 1) is not None
    assert impl.placement == "task"
    described = impl.describe_json()
    assert described["version"] == [1, 2]
    assert {p["name"] for p in described["properties"]} >= {"mode", "language", "jsCode"}


def test_python_all_items() -> None:
    code = "total = sum(i['json']['value'] for i in _items)\nreturn [{'sum': total}]"
    [out] = run({"language": "python", "pythonCode": code})
    assert jsons(out) == [{"sum": 3}]


def test_python_native_all_items_returns_input_items() -> None:
    code = "for item in _items:\n    item['json']['seen'] = True\nreturn _items"
    [out] = run({"language": "pythonNative", "pythonCode": code})
    assert jsons(out) == [{"value": 1, "seen": True}, {"value": 2, "seen": True}]
    assert [i["pairedItem"] for i in out] == [{"item": 0}, {"item": 1}]


def test_python_pyodide_style_all_items() -> None:
    code = (
        "for item in _input.all():\n    item.json.myNewField = item.json.value\nreturn _input.all()"
    )
    [out] = run({"language": "python", "pythonCode": code})
    assert jsons(out) == [{"value": 1, "myNewField": 1}, {"value": 2, "myNewField": 2}]


def test_python_each_item_pairs_outputs_with_inputs() -> None:
    code = "_item['json']['myNewField'] = _item['json']['value'] * 10\nreturn _item"
    [out] = run({"language": "pythonNative", "mode": "runOnceForEachItem", "pythonCode": code})
    assert out == [
        {"json": {"value": 1, "myNewField": 10}, "pairedItem": {"item": 0}},
        {"json": {"value": 2, "myNewField": 20}, "pairedItem": {"item": 1}},
    ]


def test_python_each_item_plain_dict_and_skip() -> None:
    code = "if _json['value'] == 1:\n    return None\nreturn {'v': _json['value']}"
    [out] = run({"language": "python", "mode": "runOnceForEachItem", "pythonCode": code})
    assert out == [{"json": {"v": 2}, "pairedItem": {"item": 1}}]


def test_python_error_names_node_line_and_item() -> None:
    with pytest.raises(SandboxError) as info:
        run(
            {
                "language": "python",
                "mode": "runOnceForEachItem",
                "pythonCode": "return {'x': 1 / (_json['value'] - 2)}",
            }
        )
    err = info.value
    assert err.node == "Node"
    assert err.message == "ZeroDivisionError: division by zero [line 1, for item 1]"
    assert err.to_dict()["context"] == {"lineNumber": 1, "itemIndex": 1}


def test_python_sandbox_refusal_surfaces_as_node_error() -> None:
    with pytest.raises(SandboxError) as info:
        run({"language": "python", "pythonCode": "import os\nreturn []"})
    assert info.value.message == "import of 'os' is not allowed [line 1]"
    assert info.value.node == "Node"


def test_python_validation_error_text() -> None:
    with pytest.raises(NodeExecutionError) as info:
        run({"language": "python", "pythonCode": "return {'json': 'test'}"})
    assert info.value.message == "A 'json' property isn't a dictionary [item 0]"
    assert info.value.node == "Node"


@pytest.mark.parametrize("on_error", ["continueRegularOutput", "continueErrorOutput"])
def test_continue_on_fail_all_items(on_error: str) -> None:
    [out] = run(
        {"language": "python", "pythonCode": "raise ValueError('nope')"},
        node_fields={"onError": on_error},
    )
    assert jsons(out) == [{"error": "ValueError: nope [line 1]"}]


def test_continue_on_fail_each_item_keeps_order() -> None:
    code = "if _json['value'] == 1:\n    raise ValueError('bad')\nreturn {'ok': _json['value']}"
    [out] = run(
        {"language": "python", "mode": "runOnceForEachItem", "pythonCode": code},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert out == [
        {"json": {"error": "ValueError: bad [line 2, for item 0]"}, "pairedItem": {"item": 0}},
        {"json": {"ok": 2}, "pairedItem": {"item": 1}},
    ]


def test_continue_on_fail_each_item_validation_error() -> None:
    [out] = run(
        {"language": "python", "mode": "runOnceForEachItem", "pythonCode": "return 5"},
        node_fields={"continueOnFail": True},
    )
    assert jsons(out) == [
        {"error": "Code doesn't return a dictionary [item 0]"},
        {"error": "Code doesn't return a dictionary [item 1]"},
    ]


def test_limits_reach_the_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Code, "limits", SandboxLimits(cpu_seconds=1, wall_seconds=5))
    with pytest.raises(SandboxError) as info:
        run({"language": "python", "pythonCode": "while True: pass"})
    assert info.value.message == "CPU time limit of 1 s exceeded"
    [out] = run(
        {"language": "python", "pythonCode": "while True: pass"},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert jsons(out) == [{"error": "CPU time limit of 1 s exceeded"}]


def test_other_nodes_and_lineage_are_visible() -> None:
    src_items = items({"k": "a"}, {"k": "b"})
    previous = items({"p": 0}, {"p": 1})
    previous[0]["pairedItem"] = {"item": 1}
    previous[1]["pairedItem"] = {"item": 0}
    static = StaticRun(
        runs={
            "Src": [NodeRun(start_time=0, status="success", outputs=[src_items])],
            "Previous": [
                NodeRun(start_time=0, status="success", outputs=[previous], source=[Source("Src")])
            ],
        }
    )
    code = "return {'k': _('Src').item.json.k, 'all': len(_('Src').all()), 'prev': _prevNode.name}"
    [out] = run(
        {"language": "python", "mode": "runOnceForEachItem", "pythonCode": code},
        inputs=previous,
        run=static,
    )
    assert jsons(out) == [
        {"k": "b", "all": 2, "prev": "Previous"},
        {"k": "a", "all": 2, "prev": "Previous"},
    ]


def test_workflow_context_is_visible() -> None:
    code = "return [{'run': _runIndex, 'mode': _execution.mode, 'param': _parameter['language']}]"
    [out] = run({"language": "python", "pythonCode": code}, run_index=3)
    assert jsons(out) == [{"run": 3, "mode": "test", "param": "python"}]


def test_print_does_not_change_output() -> None:
    [out] = run({"language": "python", "pythonCode": "print('debug')\nreturn [{'a': 1}]"})
    assert jsons(out) == [{"a": 1}]


def test_unknown_mode_and_language_are_clear_errors() -> None:
    with pytest.raises(NodeExecutionError) as info:
        run({"mode": "sometimes", "language": "python", "pythonCode": "return []"})
    assert info.value.message == "The mode 'sometimes' is not known"
    assert info.value.node == "Node"
    with pytest.raises(NodeExecutionError) as info:
        run({"language": "cobol"})
    assert info.value.message == "The language 'cobol' is not known"
    assert problems(CODE, {"language": "cobol"}, 2) == [
        "parameter 'language' is 'cobol'; allowed: ['javaScript', 'python', 'pythonNative']"
    ]
    assert problems(CODE, {"language": "python"}, 1) == [
        "parameter 'language' exists from typeVersion 2 on"
    ]


# ------------------------------------------------------------------ JavaScript (engine)
@needs_engine
def test_js_all_items() -> None:
    code = "let sum = 0;\nfor (const item of $input.all()) sum += item.json.value;\nreturn [{sum}];"
    [out] = run({"jsCode": code}, version=1)
    assert jsons(out) == [{"sum": 3}]


@needs_engine
def test_js_each_item_and_version_1_ignores_language() -> None:
    code = "$input.item.json.myNewField = $input.item.json.value;\nreturn $input.item;"
    params = {"mode": "runOnceForEachItem", "jsCode": code, "pythonCode": "return []"}
    [out] = run({**params, "language": "python"}, version=1)
    assert out == [
        {"json": {"value": 1, "myNewField": 1}, "pairedItem": {"item": 0}},
        {"json": {"value": 2, "myNewField": 2}, "pairedItem": {"item": 1}},
    ]


@needs_engine
def test_js_validation_error_with_continue_on_fail() -> None:
    [out] = run(
        {"jsCode": 'return {json: "test"}'},
        node_fields={"onError": "continueErrorOutput"},
    )
    assert jsons(out) == [{"error": "A 'json' property isn't an object [item 0]"}]


@needs_engine
def test_js_error_names_node() -> None:
    with pytest.raises(NodeExecutionError) as info:
        run({"jsCode": "throw new Error('boom')"})
    assert info.value.node == "Node"
    assert "boom" in info.value.message


@needs_engine
def test_js_each_item_continue_on_fail_isolates_the_failing_item() -> None:
    code = "if ($input.item.json.value === 1) return 5;\nreturn {v: $input.item.json.value};"
    [out] = run(
        {"mode": "runOnceForEachItem", "jsCode": code},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert out[1] == {"json": {"v": 2}, "pairedItem": {"item": 1}}
    assert out[0]["pairedItem"] == {"item": 0}
    assert "error" in out[0]["json"]


@needs_engine
def test_js_runtime_error_with_continue_on_fail_each_item() -> None:
    code = "if ($input.item.json.value === 2) throw new Error('two');\nreturn $input.item;"
    [out] = run(
        {"mode": "runOnceForEachItem", "jsCode": code},
        node_fields={"onError": "continueRegularOutput"},
    )
    assert out[0] == {"json": {"value": 1}, "pairedItem": {"item": 0}}
    assert out[1]["pairedItem"] == {"item": 1}
    assert "two" in out[1]["json"]["error"]
