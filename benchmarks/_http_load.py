"""A small HTTP/1.1 load generator for benchmarks: ``concurrency`` keep-alive connections on
asyncio streams, each sending one prepared request back to back for ``seconds``.

Why not httpx: on this 2-core machine the client shares the CPUs with the server, and
httpx spends ~0.3 ms of CPU per request, a third of what a fast endpoint costs. This
client writes prepared bytes and parses only the status line, ``Content-Length`` and
``Connection`` (~30 µs per request), so the server gets the CPU. It talks to 127.0.0.1
only, is bounded in time and count, and stops by itself.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_REQUESTS = 500_000


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def build_request(
    method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[str, int, bytes]:
    """``(host, port, request bytes)`` for a keep-alive request."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load generation goes to loopback only, not {host!r}")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """``(status, body, keep_alive)`` of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    keep = True
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(data[:-2])
        return status, b"".join(chunks), keep
    return status, await reader.readexactly(length) if length else b"", keep


async def one(url: str, method: str = "GET", body: bytes = b"",
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:  # fmt: skip
    """A single request (for checks before a measurement)."""
    host, port, request = build_request(method, url, body, headers)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        status, data, _ = await _read_response(reader)
        return status, data
    finally:
        writer.close()


async def load(
    url: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    concurrency: int,
    seconds: float,
    expect: int = 200,
    check: Callable[[bytes], bool] | None = None,
) -> LoadResult:
    """Measure: requests/s, p50/p99 latency (ms) and errors: responses other than ``expect``
    and, with ``check``, bodies it refuses (a wrong answer counts as an error)."""
    host, port, request = build_request(method, url, body, headers)
    latencies: list[float] = []
    errors = 0
    warmed = 0
    ready = asyncio.Event()
    started = deadline = 0.0

    async def worker() -> None:
        nonlocal errors, warmed, started, deadline
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)  # a connection's first request warms it up, uncounted
            await _read_response(reader)
            warmed += 1
            if warmed == concurrency:  # every connection open and warm: the clock starts
                started = time.perf_counter()
                deadline = started + seconds
                ready.set()
            await ready.wait()
            while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                begun = time.perf_counter()
                try:
                    writer.write(request)
                    status, answer, keep = await _read_response(reader)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status, answer, keep = 0, b"", False
                latencies.append((time.perf_counter() - begun) * 1000.0)
                if status != expect or (check is not None and not check(answer)):
                    errors += 1
                if not keep:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))),
                           timeout=seconds + 120)  # fmt: skip
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return LoadResult(0.0, 0.0, 0.0, errors, 0)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return LoadResult(
        len(latencies) / elapsed, statistics.median(latencies), p99, errors, len(latencies)
    )
