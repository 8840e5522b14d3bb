"""HTML Extract node: cheerio text/html/attribute/value extraction with trimming by default."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, jsons

HE = "n8n-nodes-base.htmlExtract"


def run(params: dict[str, Any], *data: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    wrapped = [d if "json" in d else {"json": d} for d in data]
    out = execute_one(HE, params, [wrapped], **kw)
    assert isinstance(out, list)
    return jsons(out[0])


def test_dot_notation_fixture(fixtures_dir: Path) -> None:
    wf = json.loads((fixtures_dir / "HtmlExtract/test/workflow.dotNotation.json").read_text())
    nodes = {n["name"]: n for n in wf["nodes"]}
    code = nodes["Mock data"]["parameters"]["jsCode"]
    mock = json.loads(code[code.index("[") : code.rindex("]") + 1])[0]
    nested = run(nodes["HTML Extract (nested)"]["parameters"], mock)
    top = run(nodes["HTML Extract (top level)"]["parameters"], {"data": mock["body"]["html"]})
    assert nested == [e["json"] for e in wf["pinData"]["HTML Extract (nested)"]]
    assert top == [e["json"] for e in wf["pinData"]["HTML Extract (top level)"]]


HTML = '<div><p class="a"> one </p><p> two </p><input name="q" value="v"><b>x<i>y</i></b></div>'


def spec(**kw: Any) -> dict[str, Any]:
    return {"extractionValues": {"values": [{"key": "k", "cssSelector": "p", **kw}]}}


def test_text_trimmed_unless_disabled_and_concatenated() -> None:
    assert run(spec(), {"data": HTML}) == [{"k": "one  two"}]
    assert run({**spec(), "options": {"trimValues": False}}, {"data": HTML}) == [
        {"k": " one  two "}
    ]
    assert run(spec(returnArray=True), {"data": HTML}) == [{"k": ["one", "two"]}]
    assert run(spec(cssSelector="em"), {"data": HTML}) == [{"k": ""}]


def test_html_attribute_and_value() -> None:
    assert run(spec(cssSelector="b", returnValue="html"), {"data": HTML}) == [{"k": "x<i>y</i>"}]
    assert run(spec(returnValue="attribute", attribute="class"), {"data": HTML}) == [{"k": "a"}]
    assert run(spec(cssSelector="input", returnValue="value"), {"data": HTML}) == [{"k": "v"}]


def test_binary_source_and_errors() -> None:
    item = {"json": {}, "binary": {"data": {"data": base64.b64encode(HTML.encode()).decode()}}}
    assert run({**spec(), "sourceData": "binary"}, item) == [{"k": "one  two"}]
    with pytest.raises(NodeExecutionError, match="No binary data exists on item"):
        run({**spec(), "sourceData": "binary"}, {"x": 1})
    with pytest.raises(NodeExecutionError, match='No property named "data" exists'):
        run(spec(), {"x": 1})
    out = run(spec(), {"x": 1}, {"data": HTML}, node_fields={"onError": "continueRegularOutput"})
    assert out == [{"error": 'No property named "data" exists!'}, {"k": "one  two"}]
