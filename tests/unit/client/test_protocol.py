"""The shared, I/O-free parts of the client: event-stream decoding, the error of each answer,
the retry policy, and a refresh that happens once for calls that got a 401 together."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from n8nwork.client import (
    ApiError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerUnavailable,
    Unauthorized,
    Unreachable,
    ValidationFailed,
)
from n8nwork.client._protocol import Call, RetryPolicy, Send, Session, Sleep
from n8nwork.client._sse import SseDecoder
from n8nwork.client.errors import error_from_response


def test_sse_decoder_reads_events_comments_and_ids() -> None:
    decoder = SseDecoder()
    lines = [
        ": keep-alive",
        "",
        "id: 17-0",
        "event: nodeFinished",
        'data: {"node":"A",',
        'data: "items":[2]}',
        "",
        "event: finished",
        'data: {"status":"success","replayed":true}',
        "",
    ]
    events = [e for e in (decoder.feed(line) for line in lines) if e is not None]
    assert [(e.type, e.id) for e in events] == [
        ("nodeFinished", "17-0"),
        ("finished", "17-0"),
    ]
    assert events[0].data == {"node": "A", "items": [2]}
    assert not events[0].terminal and events[1].terminal
    odd = SseDecoder()
    assert odd.feed("data: not json") is None
    event = odd.feed("")
    assert event is not None and event.type == "message" and event.data == {"text": "not json"}


def answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    if body is None:
        return httpx.Response(status, text="plain text", headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def api_body(status: int, code: str, fields: list[dict[str, str]] | None = None) -> Any:
    error: dict[str, Any] = {"status": status, "code": code, "message": f"{code} happened"}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationFailed),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (413, ValidationFailed),
        (415, ValidationFailed),
        (422, ValidationFailed),
        (429, RateLimited),
        (500, ApiError),
        (502, ServerUnavailable),
        (503, ServerUnavailable),
        (504, ServerUnavailable),
        (418, ApiError),
    ],
)
def test_each_status_has_its_error(status: int, cls: type[ApiError]) -> None:
    error = error_from_response(answer(status, api_body(status, "some_code")), "req-1")
    assert type(error) is cls
    assert error.status == status and error.code == "some_code"
    assert error.message == "some_code happened" and error.request_id == "req-1"
    plain = error_from_response(answer(status))
    assert type(plain) is cls and plain.code == f"http_{status}" and plain.message


def test_fields_and_retry_after_are_parsed() -> None:
    fields = [{"field": "nodes.0.type", "problem": "unknown type"}]
    invalid = error_from_response(answer(422, api_body(422, "validation_error", fields)))
    assert isinstance(invalid, ValidationFailed)
    assert invalid.fields == [{"loc": "nodes.0.type", "msg": "unknown type"}]
    assert "nodes.0.type: unknown type" in str(invalid)
    limited = error_from_response(
        answer(429, api_body(429, "rate_limited"), **{"Retry-After": "3"})
    )
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
    webhook_shape = error_from_response(answer(404, {"code": 404, "message": "no such hook"}))
    assert isinstance(webhook_shape, NotFound) and webhook_shape.message == "no such hook"


def test_retry_policy() -> None:
    rng = random.Random(1)
    policy = RetryPolicy(retries=2, backoff=1.0, max_backoff=3.0, max_retry_after=10.0)
    get, post = Call("GET", "/x"), Call("POST", "/x")
    keyed = Call("POST", "/x", headers={"Idempotency-Key": "k"})
    down = Unreachable("down")
    assert policy.delay(post, down, 0, rng) is None
    assert 0.5 <= (policy.delay(get, down, 0, rng) or 0) <= 1.0
    assert 1.0 <= (policy.delay(keyed, down, 1, rng) or 0) <= 2.0
    assert policy.delay(get, down, 2, rng) is None  # retries spent
    assert policy.delay(get, NotFound("x", status=404), 0, rng) is None
    assert policy.delay(get, RateLimited("x", retry_after=4.0), 0, rng) == 4.0
    assert policy.delay(get, RateLimited("x", retry_after=60.0), 0, rng) is None  # too long
    assert Call("PUT", "/x").idempotent and Call("DELETE", "/x").idempotent


def test_concurrent_401s_refresh_once() -> None:
    session = Session("http://api", token="old", refresh_token="r1")
    first = session.send(Call("GET", "/a"))
    second = session.send(Call("GET", "/b"))
    assert isinstance(next(first), Send) and isinstance(next(second), Send)
    unauthorized = httpx.Response(401, json=api_body(401, "unauthorized"))
    # Both calls got a 401 with the same token: the first refreshes...
    refresh = first.send(unauthorized)
    assert isinstance(refresh, Send) and refresh.request.url.path == "/api/v1/auth/refresh"
    # ...the second waits for it instead of presenting the refresh token again
    assert isinstance(second.send(unauthorized), Sleep)
    again = first.send(httpx.Response(200, json={"accessToken": "new", "refreshToken": "r2"}))
    assert isinstance(again, Send) and again.request.headers["Authorization"] == "Bearer new"
    retried = second.send(None)
    assert isinstance(retried, Send) and retried.request.headers["Authorization"] == "Bearer new"
    assert session.refresh_token == "r2"


def test_session_keeps_no_password_and_hides_credentials() -> None:
    session = Session("http://api/", email="a@b.c", password="pw")
    op = session.send(Call("GET", "/x"))
    login = next(op)
    assert isinstance(login, Send) and login.request.url.path == "/api/v1/auth/login"
    op.send(httpx.Response(200, json={"accessToken": "a", "refreshToken": "r"}))
    assert session._login is None and "pw" not in repr(session) and session.url == "http://api"
