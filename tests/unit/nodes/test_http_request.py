"""HTTP Request node against a real HTTP server on 127.0.0.1 (started per module)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from n8nwork.errors import NodeApiError, NodeExecutionError
from n8nwork.net import NetworkPolicy, set_policy
from nodes.sdk.testing import execute_one, items, jsons

HTTP = "n8n-nodes-base.httpRequest"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return

    def reply(
        self,
        status: int,
        body: Any,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = (
            body
            if isinstance(body, bytes)
            else (json.dumps(body) if "json" in ctype else str(body)).encode()
        )
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self) -> None:
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = url.path
        if path == "/echo":
            self.reply(
                200,
                {
                    "method": self.command,
                    "query": query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                },
            )
        elif path == "/text":
            self.reply(200, "hello world", "text/plain; charset=utf-8")
        elif path == "/empty":
            self.reply(204, b"", "text/plain")
        elif path == "/list":
            self.reply(200, [{"a": 1}, {"a": 2}, 3])
        elif path == "/badjson":
            self.reply(200, b"{nope", "application/json")
        elif path.startswith("/status/"):
            self.reply(int(path.rsplit("/", 1)[1]), {"message": "nope"})
        elif path == "/redirect":
            self.reply(302, b"", "text/plain", {"Location": "/echo"})
        elif path == "/loop":
            self.reply(302, b"", "text/plain", {"Location": "/loop"})
        elif path == "/file":
            self.reply(
                200,
                b"\x89PNG\r\n\x1a\nxxxx",
                "image/png",
                {"Content-Disposition": 'attachment; filename="logo.png"'},
            )
        elif path == "/pages":
            page = int(dict(query).get("page", "1"))
            self.reply(200, [{"page": page}] if page <= 3 else [])
        elif path == "/cursor":
            cursor = int(dict(query).get("cursor", "0"))
            host = self.headers.get("Host")
            nxt = f"http://{host}/cursor?cursor={cursor + 1}" if cursor < 2 else None
            self.reply(200, {"items": [cursor], "next": nxt})
        else:
            self.reply(404, {"error": "not found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The SSRF guard refuses loopback by default: this module's server is allowed on purpose.
    set_policy(NetworkPolicy.build(allowed=["127.0.0.1"]))
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        set_policy(None)
        server.shutdown()
        server.server_close()
        thread.join(5)


def run(
    params: dict[str, Any], *data: dict[str, Any], version: float = 4.2, **kw: Any
) -> list[dict[str, Any]]:
    wrapped = [d if "json" in d else {"json": d} for d in (data or ({},))]
    out = execute_one(HTTP, params, [wrapped], version=version, **kw)
    assert isinstance(out, list)
    return out[0]


def test_get_with_query_headers_and_lowercase(base: str) -> None:
    out = jsons(
        run(
            {
                "url": base + "/echo",
                "sendQuery": True,
                "queryParameters": {
                    "parameters": [{"name": "a", "value": "1"}, {"name": "b", "value": "x y"}]
                },
                "sendHeaders": True,
                "headerParameters": {"parameters": [{"name": "X-Token", "value": "t"}]},
            }
        )
    )
    assert out[0]["method"] == "GET"
    assert out[0]["query"] == [["a", "1"], ["b", "x y"]]
    assert out[0]["headers"]["x-token"] == "t"


def test_json_query_arrays_formats(base: str) -> None:
    params = {
        "url": base + "/echo",
        "sendQuery": True,
        "specifyQuery": "json",
        "jsonQuery": '{"ids": [1, 2], "f": {"x": 1}}',
    }
    assert jsons(run(params))[0]["query"] == [["ids[]", "1"], ["ids[]", "2"], ["f[x]", "1"]]
    repeat = jsons(run({**params, "options": {"queryParameterArrays": "repeat"}}))[0]["query"]
    assert repeat[:2] == [["ids", "1"], ["ids", "2"]]
    with pytest.raises(NodeExecutionError, match="valid JSON"):
        run({**params, "jsonQuery": "{bad"})


@pytest.mark.parametrize(
    ("body_params", "content_type", "body"),
    [
        (
            {"bodyParameters": {"parameters": [{"name": "x", "value": "y"}]}},
            "application/json",
            '{"x":"y"}',
        ),
        (
            {"specifyBody": "json", "jsonBody": '{"n": 1, "l": [true]}'},
            "application/json",
            '{"n":1,"l":[true]}',
        ),
        (
            {
                "contentType": "form-urlencoded",
                "bodyParameters": {"parameters": [{"name": "a b", "value": "c&d"}]},
            },
            "application/x-www-form-urlencoded",
            "a+b=c%26d",
        ),
        (
            {"contentType": "form-urlencoded", "specifyBody": "string", "body": "k=v"},
            "application/x-www-form-urlencoded",
            "k=v",
        ),
        ({"contentType": "raw", "rawContentType": "text/csv", "body": "a,b"}, "text/csv", "a,b"),
    ],
)
def test_post_bodies(base: str, body_params: dict[str, Any], content_type: str, body: str) -> None:
    out = jsons(run({"url": base + "/echo", "method": "POST", "sendBody": True, **body_params}))
    assert out[0]["headers"]["content-type"] == content_type
    assert out[0]["body"] == body


def test_multipart_and_binary_bodies(base: str) -> None:
    item = {
        "json": {},
        "binary": {
            "f": {
                "data": base64.b64encode(b"PAYLOAD").decode(),
                "mimeType": "text/plain",
                "fileName": "p.txt",
            }
        },
    }
    multipart = jsons(
        run(
            {
                "url": base + "/echo",
                "method": "POST",
                "sendBody": True,
                "contentType": "multipart-form-data",
                "bodyParameters": {
                    "parameters": [
                        {"name": "field", "value": "v"},
                        {
                            "parameterType": "formBinaryData",
                            "name": "up",
                            "inputDataFieldName": "f",
                        },
                    ]
                },
            },
            item,
        )
    )
    assert multipart[0]["headers"]["content-type"].startswith("multipart/form-data")
    assert 'filename="p.txt"' in multipart[0]["body"] and "PAYLOAD" in multipart[0]["body"]
    raw = jsons(
        run(
            {
                "url": base + "/echo",
                "method": "PUT",
                "sendBody": True,
                "contentType": "binaryData",
                "inputDataFieldName": "f",
            },
            item,
        )
    )
    assert raw[0]["body"] == "PAYLOAD" and raw[0]["headers"]["content-type"] == "text/plain"


def test_response_formats(base: str) -> None:
    assert jsons(run({"url": base + "/text"})) == [{"data": "hello world"}]
    assert jsons(run({"url": base + "/list"})) == [{"a": 1}, {"a": 2}, {"data": 3}]
    assert jsons(run({"url": base + "/empty"})) == [{}]
    text = jsons(
        run(
            {
                "url": base + "/list",
                "options": {
                    "response": {
                        "response": {"responseFormat": "text", "outputPropertyName": "raw"}
                    }
                },
            }
        )
    )
    assert text == [{"raw": '[{"a": 1}, {"a": 2}, 3]'}]
    file = run({"url": base + "/file"}, {"keep": 1})
    assert file[0]["json"] == {"keep": 1}
    assert file[0]["binary"]["data"]["fileName"] == "logo.png"
    assert file[0]["binary"]["data"]["mimeType"] == "image/png"
    full = jsons(
        run({"url": base + "/text", "options": {"response": {"response": {"fullResponse": True}}}})
    )
    assert full[0]["statusCode"] == 200 and full[0]["statusMessage"] == "OK"
    assert full[0]["data"] == "hello world" and "content-type" in full[0]["headers"]
    with pytest.raises(NodeExecutionError, match="Invalid JSON in response body"):
        run({"url": base + "/badjson"})
    forced = jsons(
        run(
            {
                "url": base + "/text",
                "options": {
                    "response": {"response": {"responseFormat": "json", "neverError": True}}
                },
            }
        )
    )
    assert forced == [{"data": "hello world"}]


def test_errors_and_never_error(base: str) -> None:
    with pytest.raises(NodeApiError) as err:
        run({"url": base + "/status/404"})
    data = err.value.to_dict()
    assert data["message"] == "The resource you are requesting could not be found"
    assert data["description"] == '404 - {"message":"nope"}'
    assert data["context"]["httpCode"] == "404" and data["itemIndex"] == 0
    with pytest.raises(NodeApiError, match="failed to process"):
        run({"url": base + "/status/599"})
    kept = jsons(
        run(
            {
                "url": base + "/status/500",
                "options": {"response": {"response": {"neverError": True, "fullResponse": True}}},
            }
        )
    )
    assert kept[0]["statusCode"] == 500 and kept[0]["body"] == {"message": "nope"}
    failed = jsons(
        run({"url": base + "/status/401"}, {}, {}, node_fields={"onError": "continueRegularOutput"})
    )
    assert failed[0]["error"]["message"].startswith("Authorization failed")
    with pytest.raises(NodeExecutionError, match='must start with "http"'):
        run({"url": "ftp://x"})
    with pytest.raises(NodeApiError, match=r"(?i)connect"):
        run({"url": "http://127.0.0.1:9/none"})


def test_redirects(base: str) -> None:
    assert jsons(run({"url": base + "/redirect"}))[0]["method"] == "GET"
    with pytest.raises(NodeApiError):
        run({"url": base + "/redirect"}, version=3)
    with pytest.raises(NodeApiError, match="redirects"):
        run({"url": base + "/loop", "options": {"redirect": {"redirect": {"maxRedirects": 3}}}})


def test_refusals(base: str) -> None:
    with pytest.raises(NodeExecutionError, match="proxy"):
        run({"url": base + "/echo", "options": {"proxy": "http://127.0.0.1:1"}})
    with pytest.raises(NodeExecutionError, match="credentials of type 'httpBasicAuth'"):
        run(
            {
                "url": base + "/echo",
                "authentication": "genericCredentialType",
                "genericAuthType": "httpBasicAuth",
            }
        )


def test_batching_keeps_order(base: str) -> None:
    data = [{"i": n} for n in range(3)]
    out = run(
        {
            "url": base + "/echo",
            "sendQuery": True,
            "queryParameters": {"parameters": [{"name": "i", "value": "x"}]},
            "options": {"batching": {"batch": {"batchSize": 1, "batchInterval": 1}}},
        },
        *data,
    )
    assert [o["pairedItem"] for o in out] == [{"item": 0}, {"item": 1}, {"item": 2}]


def test_pagination_with_fixed_parameter_and_limits(base: str) -> None:
    out = jsons(
        run(
            {
                "url": base + "/pages",
                "options": {
                    "pagination": {
                        "pagination": {
                            "parameters": {
                                "parameters": [{"type": "qs", "name": "page", "value": "2"}]
                            },
                            "limitPagesFetched": True,
                            "maxRequests": 2,
                        }
                    }
                },
            }
        )
    )
    assert out == [{"page": 2}, {"page": 2}]
    stop = jsons(
        run(
            {
                "url": base + "/status/404",
                "options": {
                    "response": {"response": {"neverError": True}},
                    "pagination": {
                        "pagination": {
                            "parameters": {
                                "parameters": [{"type": "qs", "name": "p", "value": "1"}]
                            },
                            "paginationCompleteWhen": "receiveSpecificStatusCodes",
                            "statusCodesWhenComplete": "404",
                        }
                    },
                },
            }
        )
    )
    assert stop == [{"message": "nope"}]
    with pytest.raises(NodeExecutionError, match="identical 5x"):
        run(
            {
                "url": base + "/pages",
                "options": {
                    "pagination": {
                        "pagination": {
                            "parameters": {
                                "parameters": [{"type": "qs", "name": "page", "value": "1"}]
                            }
                        }
                    }
                },
            }
        )
    with pytest.raises(NodeExecutionError, match="At least one entry"):
        run(
            {
                "url": base + "/pages",
                "options": {
                    "pagination": {
                        "pagination": {
                            "parameters": {"parameters": [{"type": "qs", "name": "", "value": ""}]}
                        }
                    }
                },
            }
        )


def _engine_ready() -> bool:
    """True when the expression engine is installed and evaluates a simple expression."""
    try:
        probe = execute_one(
            "n8n-nodes-base.markdown", {"html": "={{ '<b>' + (1 + 1) + '</b>' }}"}, [items({})]
        )
        return isinstance(probe, list) and jsons(probe[0]) == [{"data": "**2**"}]
    except Exception:
        return False


def test_pagination_with_expressions(base: str) -> None:
    if not _engine_ready():
        pytest.skip("the expression engine is not available")
    pages = jsons(
        run(
            {
                "url": base + "/pages",
                "options": {
                    "pagination": {
                        "pagination": {
                            "parameters": {
                                "parameters": [
                                    {"type": "qs", "name": "page", "value": "={{ $pageCount + 1 }}"}
                                ]
                            }
                        }
                    }
                },
            }
        )
    )
    assert pages == [{"page": 1}, {"page": 2}, {"page": 3}]
    cursor = jsons(
        run(
            {
                "url": base + "/cursor",
                "options": {
                    "pagination": {
                        "pagination": {
                            "paginationMode": "responseContainsNextURL",
                            "nextURL": "={{ $response.body.next }}",
                            "paginationCompleteWhen": "other",
                            "completeExpression": "={{ !$response.body.next }}",
                        }
                    }
                },
            }
        )
    )
    assert [c["items"] for c in cursor] == [[0], [1], [2]]


def test_legacy_versions(base: str) -> None:
    v1 = jsons(
        run(
            {
                "requestMethod": "POST",
                "url": base + "/echo",
                "bodyParametersUi": {"parameter": [{"name": "x", "value": "y"}]},
                "queryParametersUi": {"parameter": [{"name": "q", "value": "1"}]},
            },
            version=1,
        )
    )
    assert v1[0]["body"] == '{"x":"y"}' and v1[0]["query"] == [["q", "1"]]
    assert jsons(run({"url": base + "/text", "responseFormat": "string"}, version=2)) == [
        {"data": "hello world"}
    ]
    assert jsons(run({"url": base + "/list", "options": {"splitIntoItems": True}}, version=2)) == [
        {"a": 1},
        {"a": 2},
        {"data": 3},
    ]
    assert jsons(run({"url": base + "/list"}, version=1)) == [{"data": [{"a": 1}, {"a": 2}, 3]}]
    with pytest.raises(NodeExecutionError, match='Change "Response Format" to "String"'):
        run({"url": base + "/text"}, version=1)
    ignored = jsons(
        run({"url": base + "/status/500", "options": {"ignoreResponseCode": True}}, version=1)
    )
    assert ignored == [{"message": "nope"}]
