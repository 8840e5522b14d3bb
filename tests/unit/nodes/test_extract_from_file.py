"""Extract from File node: CSV and HTML tables, JSON, text, XML, base64; others refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from n8nwork.binary import prepare_binary
from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, jsons

EFF = "n8n-nodes-base.extractFromFile"


def file_item(
    data: bytes, name: str = "data", json: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    return {"json": json or {}, "binary": {name: prepare_binary(data, **kw)}}


def run(params: dict[str, Any], *data: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    out = execute_one(EFF, params, [list(data)], **kw)
    assert isinstance(out, list)
    return out[0]


CSV = '\ufeffid,name,empty\n1,"Ann, B",\n2,"say ""hi""",x\n'.encode()


def test_csv_rows_keep_bom_and_drop_empty_cells() -> None:
    assert jsons(run({"options": {}}, file_item(CSV))) == [
        {"\ufeffid": "1", "name": "Ann, B"},
        {"\ufeffid": "2", "name": 'say "hi"', "empty": "x"},
    ]
    out = jsons(
        run(
            {"options": {"enableBOM": True, "includeEmptyCells": True, "maxRowCount": 1}},
            file_item(CSV),
        )
    )
    assert out == [{"id": "1", "name": "Ann, B", "empty": ""}]
    rows = jsons(
        run(
            {"options": {"headerRow": False, "delimiter": ";", "fromLine": 2}},
            file_item(b"x;y\n1;2\n"),
        )
    )
    assert rows == [{"row": ["1", "2"]}]
    with pytest.raises(NodeExecutionError, match="Invalid Record Length"):
        run({"options": {}}, file_item(b"a,b\n1\n"))


def test_html_table_typed_cells() -> None:
    html = (
        b"<table><tr><th>n</th><th>s</th><th>b</th></tr>"
        b"<tr><td>2</td><td>x</td><td>TRUE</td></tr></table>"
    )
    assert jsons(run({"operation": "html", "options": {}}, file_item(html))) == [
        {"n": 2, "s": "x", "b": True}
    ]


def test_json_text_xml_and_base64() -> None:
    item = file_item(b'{"a": [1]}', json={"keep": 1}, file_name="x.json")
    assert jsons(run({"operation": "fromJson", "options": {}}, item)) == [{"data": {"a": [1]}}]
    kept = run(
        {"operation": "fromJson", "destinationKey": "out.v", "options": {"keepSource": "both"}},
        item,
    )
    assert kept[0]["json"] == {"keep": 1, "out": {"v": {"a": [1]}}} and "data" in kept[0]["binary"]
    assert jsons(run({"operation": "text", "options": {}}, file_item("\ufeffhé".encode()))) == [
        {"data": "hé"}
    ]
    assert jsons(
        run(
            {"operation": "text", "options": {"encoding": "latin1", "stripBOM": False}},
            file_item("hé".encode("latin-1")),
        )
    ) == [{"data": "hé"}]
    assert jsons(run({"operation": "xml", "options": {}}, file_item(b"<a/>"))) == [{"data": "<a/>"}]
    assert jsons(run({"operation": "binaryToPropery", "options": {}}, file_item(b"hi"))) == [
        {"data": base64.b64encode(b"hi").decode()}
    ]
    assert run({"operation": "text", "options": {}}, {"json": {"no": "binary"}}) == []


def test_errors() -> None:
    with pytest.raises(NodeExecutionError, match="not in JSON format"):
        run({"operation": "fromJson", "options": {}}, file_item(b"{nope"))
    with pytest.raises(NodeExecutionError, match="No binary data exists on item"):
        run({"options": {}}, {"json": {}})
    for op in ("xlsx", "pdf", "fromIcs"):
        with pytest.raises(NodeExecutionError, match=f'"{op}" is not supported'):
            run({"operation": op, "options": {}}, file_item(b"x"))
