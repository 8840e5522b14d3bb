"""Retries: idempotent calls are sent again (after ``Retry-After``, or with backoff) when the
API rate-limits them, is unavailable or unreachable; a plain POST is sent once. Counted on
the wire: the transports record every request they pass on."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from n8nwork.client import (
    Client,
    RateLimited,
    ServerUnavailable,
    Unreachable,
)
from tests.unit.client.conftest import ClientWorld
from tests.unit.serve.conftest import workflow_doc


def exhaust(world: ClientWorld, actor: str) -> RateLimited:
    """Spend ``actor``'s request budget; return the 429 that ends it."""
    with world.sync(actor, retries=0) as c:
        for _ in range(50):
            try:
                c.keys.list()
            except RateLimited as exc:
                return exc
    raise AssertionError("the rate limit never answered 429")


def test_429_carries_retry_after(limited_world: ClientWorld) -> None:
    limited = exhaust(limited_world, "viewer")
    assert limited.status == 429 and limited.code == "rate_limited"
    assert limited.retry_after is not None and 1 <= limited.retry_after <= 3


def test_get_is_retried_after_retry_after_and_post_is_not(limited_world: ClientWorld) -> None:
    exhaust(limited_world, "editor")
    transport = limited_world.transport()
    with limited_world.sync("editor", retries=2, transport=transport) as c:
        started = time.monotonic()
        c.keys.list()  # 429, waits Retry-After (1 s), then succeeds
        assert time.monotonic() - started >= 0.9
        assert transport.sent == [("GET", "/api/v1/api-keys")] * 2
    exhaust(limited_world, "editor")
    transport = limited_world.transport()
    with limited_world.sync("editor", retries=3, transport=transport) as c:
        with pytest.raises(RateLimited):
            c.workflows.create(workflow_doc())
        assert transport.sent == [("POST", "/api/v1/workflows")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Counting(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.method)
        return self.inner.handle_request(request)


def test_unreachable_server_retries_idempotent_calls_only() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    transport = Counting(httpx.HTTPTransport())
    with Client(url, token="t", retries=2, backoff=0.01, transport=transport) as c:
        with pytest.raises(Unreachable) as unreachable:
            c.workflows.get("w1")
        assert transport.sent == ["GET"] * 3
        assert unreachable.value.status is None and "cannot connect" in str(unreachable.value)
        transport.sent.clear()
        with pytest.raises(Unreachable):
            c.run("w1")
        assert transport.sent == ["POST"]


def test_unavailable_server_is_retried_with_backoff() -> None:
    # A synthetic 503/502 (the in-process app has no way to be unavailable on purpose).
    answers = [
        httpx.Response(
            503, json={"error": {"status": 503, "code": "unavailable", "message": "db"}}
        ),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(200, json=[]),
    ]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return answers.pop(0) if answers else httpx.Response(503)

    transport = httpx.MockTransport(handler)
    with Client("http://api", token="t", retries=3, backoff=0.01, transport=transport) as c:
        assert c.keys.list() == []
        assert seen == ["GET"] * 3
        seen.clear()
        with pytest.raises(ServerUnavailable) as unavailable:
            c.keys.create("k")
        assert seen == ["POST"] and unavailable.value.status == 503


def test_watch_reopens_a_broken_stream_after_the_last_event() -> None:
    resumed_after: list[str | None] = []
    bodies = [
        b"id: 1-0\nevent: started\ndata: {}\n\n"
        b'id: 2-0\nevent: nodeFinished\ndata: {"node":"A"}\n\n',
        b'id: 3-0\nevent: finished\ndata: {"status":"success"}\n\n',
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        resumed_after.append(request.headers.get("last-event-id"))
        body = bodies.pop(0) if bodies else b": keep-alive\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with Client("http://api", token="t", transport=httpx.MockTransport(handler)) as c:
        events = list(c.executions.watch(5))
        assert [e.type for e in events] == [
            "started",
            "nodeFinished",
            "finished",
        ]
        assert resumed_after == [None, "2-0"]  # reopened after the last event seen
    # A stream that keeps closing without events: given up after ``retries`` reopenings
    resumed_after.clear()
    with Client("http://api", token="t", retries=1, transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(Unreachable, match="keeps closing"):
            list(c.executions.watch(5))
        assert len(resumed_after) == 2
