"""Following an execution's Server-Sent Events without I/O: decoding lines into ``Event``s
and deciding when a broken stream is reopened (from the last event id seen, so nothing is
missed or repeated) and when to give up. The drivers only read lines."""

from __future__ import annotations

import json
from typing import Any

import httpx

from n8nwork.client._protocol import Call, Op, Session
from n8nwork.client.errors import Unreachable, unreachable
from n8nwork.client.models import Event

STREAM_READ_TIMEOUT = 60.0
"""Longest silence on an event stream; the server sends a keep-alive every 15 s."""


class SseDecoder:
    """Feed it lines of a ``text/event-stream``; it returns each complete event."""

    def __init__(self) -> None:
        self._type = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> Event | None:
        if line == "":
            if not self._data and not self._type:
                return None
            event = self._event()
            self._type, self._data = "", []
            return event
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._type = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value or None
        return None

    def _event(self) -> Event:
        text = "\n".join(self._data)
        try:
            parsed: Any = json.loads(text) if text else {}
        except ValueError:
            parsed = {"text": text}
        data = parsed if isinstance(parsed, dict) else {"value": parsed}
        kind = self._type or str(data.get("type") or "message")
        return Event(type=kind, data=data, id=self._id)


class Watch:
    """The state of following one execution: the last event id, and how many times in a
    row the stream broke without bringing an event (more than ``retries``: give up)."""

    def __init__(self, session: Session, execution_id: int) -> None:
        self.session = session
        self.execution_id = execution_id
        self.last_id: str | None = None
        self.failures = 0
        self.done = False
        self.decoder = SseDecoder()

    def open(self) -> Op[httpx.Response]:
        """Open (or reopen, after the last event seen) the stream."""
        self.decoder = SseDecoder()
        headers = {"Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = self.last_id
        call = Call(
            "GET",
            f"/executions/{self.execution_id}/events",
            headers=headers,
            read_timeout=STREAM_READ_TIMEOUT,
            stream=True,
        )
        return self.session.send(call)

    def line(self, line: str) -> Event | None:
        event = self.decoder.feed(line)
        if event is not None:
            self.failures = 0
            if event.id is not None:
                self.last_id = event.id
            if event.terminal:
                self.done = True
        return event

    def broken(self, exc: httpx.TransportError | None) -> float:
        """The stream ended before the run did (``exc``: how it broke); raises when it is
        time to give up, else returns the seconds to wait before reopening it."""
        self.failures += 1
        if self.failures > self.session.retry.retries:
            if exc is not None:
                raise unreachable(exc, self.session.url) from exc
            raise Unreachable(
                f"the event stream of execution {self.execution_id} keeps closing early",
                code="stream_closed",
            )
        return min(5.0, 0.2 * 2 ** (self.failures - 1))
