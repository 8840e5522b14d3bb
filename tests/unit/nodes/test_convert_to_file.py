"""Convert to File node: CSV, HTML, JSON, text and base64 files; office formats refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.testing import execute_one, items

CTF = "n8n-nodes-base.convertToFile"
ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "Ann, B", "tags": ["x", "y"], "meta": {"ok": True}, "note": 'say "hi"'},
    {"id": 2, "extra": None},
]


def run(
    params: dict[str, Any], *data: dict[str, Any], version: float = 1.1, **kw: Any
) -> list[Any]:
    out = execute_one(CTF, params, [items(*data)], version=version, **kw)
    assert isinstance(out, list)
    return out[0]


def file_of(item: dict[str, Any], name: str = "data") -> tuple[dict[str, Any], bytes]:
    entry = item["binary"][name]
    return entry, base64.b64decode(entry["data"])


def test_csv_flattens_quotes_and_adds_bom() -> None:
    out = run({"options": {}}, *ROWS)
    assert len(out) == 1 and out[0]["json"] == {}
    assert out[0]["pairedItem"] == [{"item": 0}, {"item": 1}]
    entry, data = file_of(out[0])
    assert entry["fileName"] == "File.csv" and entry["mimeType"] == "text/csv"
    assert data.decode("utf-8") == (
        '\ufeffid,name,tags.0,tags.1,meta.ok,note,extra\n1,"Ann, B",x,y,TRUE,"say ""hi""",\n2,,,,,,'
    )
    custom = run(
        {
            "binaryPropertyName": "f",
            "options": {"delimiter": ";", "headerRow": False, "fileName": "out.csv"},
        },
        {"a": "1;2"},
    )
    entry, data = file_of(custom[0], "f")
    assert entry["fileName"] == "out.csv" and data.decode() == '\ufeff"1;2"'


def test_html_table() -> None:
    entry, data = file_of(run({"operation": "html", "options": {}}, {"a": 1, "b": "x<y"})[0])
    assert entry["mimeType"] == "text/html" and entry["fileName"] == "File.html"
    assert '<td data-t="n" data-v="1" id="sjs-A2">1</td>' in data.decode()
    assert "x&lt;y" in data.decode()


def test_to_json_once_and_each() -> None:
    entry, data = file_of(run({"operation": "toJson", "options": {"format": True}}, {"a": 1})[0])
    assert data.decode() == '[\n  {\n    "a": 1\n  }\n]'
    assert entry["fileName"] == "file.json" and entry["mimeType"] == "application/json"
    each = run(
        {"operation": "toJson", "mode": "each", "options": {"addBOM": True}}, {"a": 1}, {"b": 2}
    )
    assert [file_of(i)[1] for i in each] == [b'\xef\xbb\xbf{"a":1}', b'\xef\xbb\xbf{"b":2}']
    assert [i["pairedItem"] for i in each] == [{"item": 0}, {"item": 1}]


def test_to_text_and_to_binary() -> None:
    entry, data = file_of(
        run(
            {"operation": "toText", "sourceProperty": "t.x", "options": {"encoding": "latin1"}},
            {"t": {"x": "café"}},
        )[0]
    )
    assert data == "café".encode("latin-1") and entry["fileName"] == "file.txt"
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n....").decode()
    entry, data = file_of(
        run({"operation": "toBinary", "sourceProperty": "b", "options": {}}, {"b": png})[0]
    )
    assert entry["mimeType"] == "image/png" and entry["fileName"] == "file.png"
    uri = run(
        {"operation": "toBinary", "sourceProperty": "b", "options": {"fileName": "a.txt"}},
        {"b": "data:text/plain;base64,aGk="},
    )
    entry, data = file_of(uri[0])
    assert data == b"hi" and entry["fileName"] == "a.txt" and entry["mimeType"] == "text/plain"
    raw = run(
        {"operation": "toBinary", "sourceProperty": "b", "options": {"dataIsBase64": False}},
        {"b": "plain text"},
        version=1,
    )
    assert file_of(raw[0])[1] == b"plain text"


def test_errors() -> None:
    with pytest.raises(NodeExecutionError, match='The value in "missing" is not set'):
        run({"operation": "toText", "sourceProperty": "missing", "options": {}}, {"a": 1})
    with pytest.raises(NodeExecutionError, match="not valid base64"):
        run({"operation": "toBinary", "sourceProperty": "b", "options": {}}, {"b": "not base64!"})
    for op in ("xlsx", "xls", "ods", "rtf", "iCal"):
        with pytest.raises(NodeExecutionError, match=f'"{op}" is not supported'):
            run({"operation": op, "options": {}}, {"a": 1})
