"""The answers of each response mode and of Respond to Webhook descriptions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from serve.webhooks.incoming import WebhookHttpError
from serve.webhooks.response import (
    HTML,
    JSON,
    SANDBOX_CSP,
    WebhookResponse,
    empty_response,
    error_response,
    last_node_response,
    node_response,
    received_response,
    response_code,
)


def body(answer: WebhookResponse) -> Any:
    return json.loads(answer.body)


HEADERS = {"responseHeaders": {"entries": [{"name": "X-Trace", "value": "t1"}]}}


# ------------------------------------------------------------------------------ codes
@pytest.mark.parametrize(
    ("params", "version", "code"),
    [
        ({}, 1, 200),
        ({"responseCode": 201}, 1, 201),
        ({"responseCode": 201}, 1.1, 201),
        ({}, 2, 200),
        ({"options": {"responseCode": {"values": {"responseCode": 204}}}}, 2, 204),
        (
            {
                "options": {
                    "responseCode": {"values": {"responseCode": "customCode", "customCode": 418}}
                }
            },
            2.1,
            418,
        ),
    ],
)
def test_response_code(params: dict[str, Any], version: float, code: int) -> None:
    assert response_code(params, version) == code


def test_bad_response_code() -> None:
    with pytest.raises(WebhookHttpError):
        response_code({"responseCode": 999}, 1)


# ------------------------------------------------------------------------- onReceived
def test_received_default_message() -> None:
    answer = received_response({}, 2)
    assert answer.status == 200
    assert body(answer) == {"message": "Workflow was started"}
    assert answer.media_type == JSON


def test_received_custom_text_and_headers() -> None:
    answer = received_response(
        {"responseCode": 202, "options": {"responseData": "ok", **HEADERS}}, 1
    )
    assert (answer.status, answer.body, answer.media_type) == (202, b"ok", HTML)
    assert answer.headers == {"x-trace": "t1"}


def test_received_no_body() -> None:
    answer = received_response({"options": {"noResponseBody": True}}, 2)
    assert (answer.body, answer.media_type) == (b"", None)


def test_received_user_content_type_wins() -> None:
    options = {
        "responseData": "<a/>",
        "responseHeaders": {"entries": [{"name": "Content-Type", "value": "application/xml"}]},
    }
    answer = received_response({"options": options}, 2)
    assert answer.media_type == "application/xml; charset=utf-8"
    assert "content-type" not in answer.headers


def test_invalid_headers_are_dropped() -> None:
    entries = [
        {"name": "X-Ok", "value": 1},
        {"name": "Bad Name", "value": "x"},
        {"name": "X-Inject", "value": "a\r\nSet-Cookie: x=1"},
        {"name": "Content-Length", "value": "5"},
        {"name": None, "value": "x"},
    ]
    answer = received_response({"options": {"responseHeaders": {"entries": entries}}}, 2)
    assert answer.headers == {"x-ok": "1"}


# --------------------------------------------------------------------------- lastNode
ITEMS: list[dict[str, Any]] = [{"json": {"a": 1, "data": {"x": [10, 20]}}}, {"json": {"a": 2}}]


def test_last_node_first_entry_json_is_default() -> None:
    answer = last_node_response({"responseMode": "lastNode"}, 2, ITEMS)
    assert body(answer) == {"a": 1, "data": {"x": [10, 20]}}
    assert answer.media_type == JSON


def test_last_node_property_name_and_content_type() -> None:
    params = {
        "responseData": "firstEntryJson",
        "options": {"responsePropertyName": "data.x[1]", "responseContentType": "text/x-num"},
    }
    answer = last_node_response(params, 2, ITEMS)
    assert answer.body == b"20"
    assert answer.media_type == "text/x-num; charset=utf-8"


def test_last_node_missing_property_gives_no_body() -> None:
    params = {"options": {"responsePropertyName": "nope"}}
    assert last_node_response(params, 2, ITEMS).body == b""


def test_last_node_all_entries() -> None:
    answer = last_node_response({"responseData": "allEntries", "options": HEADERS}, 2, ITEMS)
    assert body(answer) == [{"a": 1, "data": {"x": [10, 20]}}, {"a": 2}]
    assert answer.headers == {"x-trace": "t1"}
    assert body(last_node_response({"responseData": "allEntries"}, 2, [])) == []


def test_last_node_no_data() -> None:
    answer = last_node_response({"responseData": "noData", "responseCode": 204}, 1, ITEMS)
    assert (answer.status, answer.body) == (204, b"")


def test_last_node_first_entry_binary() -> None:
    entry = {"data": base64.b64encode(b"PNGDATA").decode(), "mimeType": "image/png"}
    items = [{"json": {}, "binary": {"file": entry}}]
    params = {"responseData": "firstEntryBinary", "responseBinaryPropertyName": "file"}
    answer = last_node_response(params, 2, items)
    assert (answer.body, answer.media_type) == (b"PNGDATA", "image/png")


@pytest.mark.parametrize(
    ("params", "items", "message"),
    [
        ({}, [], "No item to return was found"),
        ({"responseData": "firstEntryBinary"}, [], "No item was found to return"),
        (
            {"responseData": "firstEntryBinary"},
            [{"json": {}}],
            "No binary data was found to return",
        ),
        (
            {"responseData": "firstEntryBinary"},
            [{"json": {}, "binary": {"other": {"data": ""}}}],
            "The binary property 'data' which should be returned does not exist",
        ),
    ],
)
def test_last_node_errors(params: dict[str, Any], items: list[Any], message: str) -> None:
    with pytest.raises(WebhookHttpError) as err:
        last_node_response(params, 2, items)
    assert (err.value.status, err.value.message) == (500, message)


def test_last_node_without_data() -> None:
    answer = last_node_response({}, 2, None)
    assert body(answer) == {
        "message": "Workflow executed successfully but the last node did not return any data"
    }


def test_json_is_compact_utf8_and_nan_safe() -> None:
    answer = last_node_response({}, 2, [{"json": {"é": float("nan"), "n": [1.5]}}])
    assert answer.body == '{"é":null,"n":[1.5]}'.encode()


# ------------------------------------------------------------------------ error / empty
def test_error_response_hides_the_error() -> None:
    answer = error_response({"message": "secret db password in here", "stack": "..."})
    assert answer.status == 500
    assert body(answer) == {"message": "Error in workflow"}


def test_empty_response() -> None:
    answer = empty_response({"responseCode": 202}, 1)
    assert (answer.status, answer.body, answer.media_type) == (202, b"", None)


# -------------------------------------------------------------------------- node answers
def test_node_json() -> None:
    answer = node_response(
        {"status": 201, "headers": {"x-a": "1"}, "kind": "json", "body": {"ok": True}}
    )
    assert (answer.status, body(answer), answer.media_type) == (201, {"ok": True}, JSON)
    assert answer.headers == {"x-a": "1"}


def test_node_json_string_is_sent_as_text() -> None:
    answer = node_response({"status": 200, "headers": {}, "kind": "json", "body": "hi"})
    assert (answer.body, answer.media_type) == (b"hi", HTML)


def test_node_text_gets_sandbox_csp() -> None:
    answer = node_response({"status": 200, "headers": {}, "kind": "text", "body": "<b>hi</b>"})
    assert answer.media_type == HTML
    assert answer.headers["content-security-policy"] == SANDBOX_CSP


def test_node_text_with_own_content_type_and_csp() -> None:
    headers = {"content-type": "text/plain", "Content-Security-Policy": "default-src 'none'"}
    answer = node_response({"status": 200, "headers": headers, "kind": "text", "body": "x"})
    assert answer.media_type == "text/plain; charset=utf-8"
    assert answer.headers == {"content-security-policy": "default-src 'none'"}


def test_node_binary() -> None:
    description = {
        "status": 200,
        "headers": {"content-type": "image/png", "content-length": "3"},
        "kind": "binary",
        "body": base64.b64encode(b"abc").decode(),
        "mimeType": "image/png",
    }
    answer = node_response(description)
    assert (answer.body, answer.media_type, answer.headers) == (b"abc", "image/png", {})


def test_node_binary_by_reference() -> None:
    description = {"status": 200, "headers": {}, "kind": "binary", "body": None, "binaryId": "b1"}
    answer = node_response(description, read_binary=lambda ref: f"ref:{ref}".encode())
    assert answer.body == b"ref:b1"


def test_node_redirect_and_no_data() -> None:
    redirect = node_response(
        {"status": 307, "headers": {"location": "https://n8n.io"}, "kind": "redirect", "body": None}
    )
    assert (redirect.status, redirect.headers, redirect.body) == (
        307,
        {"location": "https://n8n.io"},
        b"",
    )
    empty = node_response({"status": 200, "headers": {}, "kind": "noData", "body": None})
    assert (empty.body, empty.media_type) == (b"", None)


def test_node_invalid_status() -> None:
    with pytest.raises(WebhookHttpError) as err:
        node_response({"status": "abc", "kind": "noData"})
    assert err.value.status == 500
