"""webhook_item: the Webhook node's item for each kind of request, per typeVersion."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

import pytest

from serve.webhooks.incoming import WebhookHttpError
from serve.webhooks.request_item import fold_headers, parse_query, webhook_item
from tests.unit.webhooks._helpers import multipart, request

URL = "http://example.com/webhook/hook"


def item(req: Any, version: float = 2, options: dict[str, Any] | None = None, **kw: Any) -> Any:
    params = {"options": options or {}}
    return webhook_item(
        req,
        params=params,
        type_version=version,
        mode=kw.pop("mode", "production"),
        webhook_url=URL,
        **kw,
    )


def b64(entry: dict[str, Any]) -> bytes:
    return base64.b64decode(entry["data"])


# ------------------------------------------------------------------------------ the shape
@pytest.mark.parametrize("version", [1, 1.1, 2, 2.1])
def test_json_body_shape_for_every_version(version: float) -> None:
    req = request(
        body=b'{"name": "Ada", "n": [1, 2]}',
        content_type="application/json; charset=utf-8",
        query=[("a", "1")],
        path_params={"id": "7"},
    )
    out = item(req, version)
    assert list(out["json"]) == [
        "headers",
        "params",
        "query",
        "body",
        "webhookUrl",
        "executionMode",
    ]
    assert out["json"]["body"] == {"name": "Ada", "n": [1, 2]}
    assert out["json"]["params"] == {"id": "7"}
    assert out["json"]["query"] == {"a": "1"}
    assert out["json"]["headers"]["content-type"] == "application/json; charset=utf-8"
    assert out["json"]["webhookUrl"] == URL
    assert out["json"]["executionMode"] == "production"
    assert "binary" not in out


@pytest.mark.parametrize("mode", ["manual", "test"])
def test_test_mode_reports_the_test_url(mode: str) -> None:
    out = item(request(), mode=mode)
    assert out["json"]["executionMode"] == "test"
    assert out["json"]["webhookUrl"] == "http://example.com/webhook-test/hook"


def test_jwt_payload_is_added() -> None:
    out = item(request(), jwt_payload={"sub": "u1"})
    assert out["json"]["jwtPayload"] == {"sub": "u1"}


def test_empty_get_has_empty_body_in_every_version() -> None:
    for version in (1, 2):
        out = item(request(method="GET"), version)
        assert out["json"]["body"] == {}
        assert "binary" not in out


# ------------------------------------------------------------------------------ headers
def test_headers_are_folded_like_node() -> None:
    folded = fold_headers(
        [
            ("X-Tag", "a"),
            ("x-tag", "b"),
            ("cookie", "a=1"),
            ("cookie", "b=2"),
            ("set-cookie", "s=1"),
            ("set-cookie", "t=2"),
            ("user-agent", "first"),
            ("user-agent", "second"),
        ]
    )
    assert folded == {
        "x-tag": "a, b",
        "cookie": "a=1; b=2",
        "set-cookie": ["s=1", "t=2"],
        "user-agent": "first",
    }


# -------------------------------------------------------------------------------- query
def test_query_repeated_keys_become_arrays() -> None:
    out = item(request(query=[("tag", "a"), ("tag", "b"), ("x", "1")]))
    assert out["json"]["query"] == {"tag": ["a", "b"], "x": "1"}


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("a[]", "1"), ("a[]", "2")], {"a": ["1", "2"]}),
        ([("a[b]", "1"), ("a[c]", "2")], {"a": {"b": "1", "c": "2"}}),
        ([("a[1]", "y"), ("a[0]", "x")], {"a": ["x", "y"]}),
        ([("a[25]", "z")], {"a": {"25": "z"}}),
        ([("a[][b]", "1")], {"a": [{"b": "1"}]}),
        ([("a", "1"), ("a[b]", "2")], {"a": ["1", {"b": "2"}]}),
        (
            [("a[b][c][d][e][f][g]", "1")],
            {"a": {"b": {"c": {"d": {"e": {"f": {"[g]": "1"}}}}}}},
        ),
        ([("empty", "")], {"empty": ""}),
        ([("a[b", "1")], {"a[b": "1"}),
    ],
)
def test_query_nesting_follows_qs(pairs: list[tuple[str, str]], expected: Any) -> None:
    assert parse_query(pairs) == expected


# -------------------------------------------------------------------------------- bodies
def test_malformed_json_is_422_with_a_hint() -> None:
    with pytest.raises(WebhookHttpError) as err:
        item(request(body=b'{"a": ', content_type="application/json"))
    assert err.value.status == 422
    assert err.value.message == "Failed to parse request body"
    assert err.value.hint and "line 1" in err.value.hint
    assert err.value.body()["hint"] == err.value.hint


def test_nan_is_not_json() -> None:
    with pytest.raises(WebhookHttpError) as err:
        item(request(body=b'{"a": NaN}', content_type="application/json"))
    assert err.value.status == 422


def test_urlencoded_body_uses_querystring_semantics() -> None:
    body = b"a=1&a=2&b%5Bc%5D=x+y&e="
    out = item(request(body=body, content_type="application/x-www-form-urlencoded"))
    assert out["json"]["body"] == {"a": ["1", "2"], "b[c]": "x y", "e": ""}


def test_text_plain_body_is_a_string() -> None:
    out = item(request(body="héllo".encode(), content_type="text/plain"))
    assert out["json"]["body"] == "héllo"


def test_charset_is_honoured() -> None:
    out = item(request(body="é".encode("latin-1"), content_type="text/plain; charset=latin1"))
    assert out["json"]["body"] == "é"


def test_xml_body_is_parsed_like_n8n() -> None:
    body = b"<Order id='7'><Item>  a  </Item><Item>b</Item></Order>"
    out = item(request(body=body, content_type="application/xml"))
    assert out["json"]["body"] == {"order": {"$": {"id": "7"}, "item": ["a", "b"]}}


def test_bad_xml_is_422() -> None:
    with pytest.raises(WebhookHttpError) as err:
        item(request(body=b"<a><b></a>", content_type="text/xml"))
    assert err.value.status == 422


def test_v1_other_content_type_gives_empty_body() -> None:
    out = item(request(body=b"\x89PNG....", content_type="image/png"), version=1)
    assert out["json"]["body"] == {}
    assert "binary" not in out


@pytest.mark.parametrize("version", [2, 2.1])
def test_v2_other_content_type_becomes_binary(version: float) -> None:
    req = request(
        body=b"%PDF-1.4 ...",
        content_type="application/pdf",
        headers=[("content-disposition", 'attachment; filename="report.pdf"')],
    )
    out = item(req, version)
    assert out["json"]["body"] == {}
    entry = out["binary"]["data"]
    assert b64(entry) == b"%PDF-1.4 ..."
    assert entry["mimeType"] == "application/pdf"
    assert entry["fileName"] == "report.pdf"
    assert entry["fileExtension"] == "pdf"


def test_v2_binary_uses_binary_property_name_and_a_generated_name() -> None:
    req = request(body=b"\x00\x01", content_type="application/octet-stream")
    out = item(req, 2, {"binaryPropertyName": "file"})
    entry = out["binary"]["file"]
    assert b64(entry) == b"\x00\x01"
    assert len(entry["fileName"]) == 36  # a uuid, as n8n names it


def test_v2_falsy_json_falls_back_to_binary() -> None:
    out = item(request(body=b"null", content_type="application/json"), 2)
    assert out["json"]["body"] == {}
    assert b64(out["binary"]["data"]) == b"null"


def test_v1_binary_data_option_takes_the_whole_body() -> None:
    body, ctype = multipart([("a", "1")])
    out = item(request(body=body, content_type=ctype), 1, {"binaryData": True})
    assert out["json"]["body"] == {}
    assert b64(out["binary"]["data"]) == body
    assert out["binary"]["data"]["mimeType"] == "multipart/form-data"


def test_v1_binary_data_with_empty_body_has_no_binary() -> None:
    out = item(request(content_type="application/octet-stream"), 1, {"binaryData": True})
    assert "binary" not in out


@pytest.mark.parametrize("version", [1, 2])
def test_raw_body_keeps_the_bytes_and_parses_too(version: float) -> None:
    raw = b'{"a": 1}'
    out = item(request(body=raw, content_type="application/json"), version, {"rawBody": True})
    assert out["json"]["body"] == {"a": 1}
    assert out["binary"] == {
        "data": {"data": base64.b64encode(raw).decode(), "mimeType": "application/json"}
    }


def test_raw_body_v2_unparsed_type_keeps_raw_not_file() -> None:
    out = item(request(body=b"\x01", content_type="image/png"), 2, {"rawBody": True})
    assert out["json"]["body"] == {}
    assert out["binary"]["data"]["mimeType"] == "image/png"
    assert "fileName" not in out["binary"]["data"]


def test_gzip_body_is_inflated() -> None:
    raw = json.dumps({"zipped": True}).encode()
    req = request(
        body=gzip.compress(raw),
        content_type="application/json",
        headers=[("content-encoding", "gzip")],
    )
    assert item(req)["json"]["body"] == {"zipped": True}


def test_deflate_body_is_inflated() -> None:
    req = request(
        body=zlib.compress(b"hi"),
        content_type="text/plain",
        headers=[("content-encoding", "deflate")],
    )
    assert item(req)["json"]["body"] == "hi"


def test_broken_gzip_is_400() -> None:
    req = request(body=b"nope", content_type="text/plain", headers=[("content-encoding", "gzip")])
    with pytest.raises(WebhookHttpError) as err:
        item(req)
    assert err.value.status == 400


def test_gzip_bomb_is_413(monkeypatch: pytest.MonkeyPatch) -> None:
    import serve.webhooks.request_item as module

    monkeypatch.setattr(module, "MAX_INFLATED_BYTES", 1000)
    req = request(
        body=gzip.compress(b"0" * 5000),
        content_type="text/plain",
        headers=[("content-encoding", "gzip")],
    )
    with pytest.raises(WebhookHttpError) as err:
        item(req)
    assert err.value.status == 413


# ----------------------------------------------------------------------------- multipart
def test_multipart_fields_and_files() -> None:
    body, ctype = multipart(
        [("name", "Ada"), ("tags", "a"), ("tags", "b")],
        [
            ("doc", "notes.txt", "text/plain", b"hello"),
            ("pic", "p.png", None, b"\x89PNG\r\n\x1a\n"),
        ],
    )
    out = item(request(body=body, content_type=ctype))
    assert out["json"]["body"] == {"name": "Ada", "tags": ["a", "b"]}
    doc = out["binary"]["doc"]
    assert b64(doc) == b"hello"
    assert doc["fileName"] == "notes.txt"
    assert doc["mimeType"] == "text/plain"
    assert out["binary"]["pic"]["mimeType"] == "image/png"


def test_multipart_several_files_in_one_field_are_numbered() -> None:
    body, ctype = multipart(
        [],
        [("files[]", "a.txt", "text/plain", b"A"), ("files[]", "b.txt", "text/plain", b"B")],
    )
    out = item(request(body=body, content_type=ctype))
    assert sorted(out["binary"]) == ["files0", "files1"]
    assert b64(out["binary"]["files1"]) == b"B"


def test_multipart_binary_property_name_prefixes_every_file() -> None:
    body, ctype = multipart(
        [],
        [("x", "a.txt", None, b"A"), ("y", "b.txt", None, b"B"), ("y", "c.txt", None, b"C")],
    )
    out = item(request(body=body, content_type=ctype), 2, {"binaryPropertyName": "file"})
    assert sorted(out["binary"]) == ["file0", "file1", "file2"]


def test_multipart_skips_empty_file_inputs_and_keeps_utf8_names() -> None:
    body, ctype = multipart([("é", "ü")], [("f", "", "application/octet-stream", b"")])
    body2, _ = multipart([], [("g", "résumé.txt", "text/plain", b"x")])
    out = item(request(body=body, content_type=ctype))
    assert out["json"]["body"] == {"é": "ü"}
    assert "binary" not in out
    out2 = item(request(body=body2, content_type=ctype))
    assert out2["binary"]["g"]["fileName"] == "résumé.txt"


def test_multipart_without_boundary_is_400() -> None:
    req = request(body=b"junk", content_type="multipart/form-data")
    with pytest.raises(WebhookHttpError) as err:
        item(req)
    assert err.value.status == 400
    assert err.value.message == "The submitted form data could not be parsed."


def test_multipart_garbage_is_400() -> None:
    req = request(body=b"garbage without parts", content_type="multipart/form-data; boundary=zz")
    with pytest.raises(WebhookHttpError) as err:
        item(req)
    assert err.value.status == 400
