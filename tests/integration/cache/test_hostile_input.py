"""Hostile or corrupt input is stored safely or refused clearly, the same on both backends,
and a refused call changes nothing."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from n8nwork.cache import Cache, CacheLimits
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

ODD_NAMES = [
    "'; DROP TABLE executions; --",
    'name with "quotes" and \\backslashes\\',
    "glob*?[chars]{}",
    "colons:%3A:%25:",
    "line\nbreak\r\ttab",
    "nul\x00byte",
    "ünïcödé — 日本語 — 🚀",
    " ",
    "x" * 1024,
]

# One call per kind of name, so every kind is checked with every odd name.
Call = Callable[[Cache, str], Awaitable[Any]]
NAMED_CALLS: dict[str, Call] = {
    "bucket": lambda c, n: c.take(n, rate=1, burst=1),
    "idempotency key": lambda c, n: c.remember(n, 1, ttl=60),
    "lease name": lambda c, n: c.acquire(n, "owner", ttl=60),
    "lease owner": lambda c, n: c.acquire("lease", n, ttl=60),
    "stream": lambda c, n: c.publish(n, {"e": 1}),
    "namespace": lambda c, n: c.set(n, "k", 1, ttl=60),
    "cache key": lambda c, n: c.set("ns", n, 1, ttl=60),
}


@pytest.mark.parametrize("name", ODD_NAMES, ids=range(len(ODD_NAMES)))
async def test_odd_names_are_stored_safely_and_read_back(cache: Cache, name: str) -> None:
    assert (await cache.take(name, rate=1, burst=1)).allowed
    assert (await cache.remember(name, {"k": name}, ttl=60)).created
    assert await cache.recall(name) == {"k": name}
    lease = await cache.acquire(name, name, ttl=60)
    assert lease is not None and (lease.name, lease.owner) == (name, name)
    held = await cache.holder(name)
    assert held is not None and held.owner == name
    await cache.publish(name, {"k": name})
    assert [e.data for e in await cache.read(name)] == [{"k": name}]
    await cache.set(name, name, name, ttl=60)
    assert await cache.get(name, name) == name
    assert await cache.get(name, "other") is None


@pytest.mark.parametrize("kind", list(NAMED_CALLS))
@pytest.mark.parametrize(
    ("name", "error"),
    [("", ValueError), ("x" * 1025, ValueError), ("\ud800", ValueError), (b"bytes", TypeError)],
    ids=["empty", "too-long", "lone-surrogate", "bytes"],
)
async def test_bad_names_are_refused(
    cache: Cache, kind: str, name: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"cache|must be"):
        await NAMED_CALLS[kind](cache, name)


class NotJson:
    pass


def _deep(n: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(n):
        value = [value]
    return value


BAD_VALUES = {
    "None": None,
    "set": {1, 2},
    "bytes": b"\xff\xfe",
    "object": NotJson(),
    "nan": math.nan,
    "inf": {"x": math.inf},
    "lone surrogate": {"text": "\udcff"},
    "deep nesting": _deep(100_000),
}


@pytest.mark.parametrize("value", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
async def test_non_json_values_are_refused_and_change_nothing(cache: Cache, value: Any) -> None:
    await cache.set("ns", "k", "before", ttl=60)

    with pytest.raises(ValueError, match="cache value"):
        await cache.set("ns", "k", value, ttl=60)
    with pytest.raises(ValueError, match="cache value"):
        await cache.remember("idem", value, ttl=60)

    assert await cache.get("ns", "k") == "before"
    assert await cache.recall("idem") is None


async def test_values_over_the_size_limit_are_refused(backend: Backend) -> None:
    cache = backend.open(CacheLimits(max_value_bytes=1000))
    at_limit = "x" * 998  # 1000 bytes as a JSON string with its quotes
    multibyte = "é" * 500  # 1002 bytes in UTF-8

    await cache.set("ns", "fits", at_limit, ttl=60)
    assert await cache.get("ns", "fits") == at_limit
    for value in ("x" * 999, multibyte, {"big": "x" * 2000}):
        with pytest.raises(ValueError, match="limit is 1000"):
            await cache.set("ns", "big", value, ttl=60)
        with pytest.raises(ValueError, match="limit is 1000"):
            await cache.remember("big", value, ttl=60)
    with pytest.raises(ValueError, match=r"stream event .* limit is 1000"):
        await cache.publish("s", {"big": "x" * 2000})
    assert await cache.get("ns", "big") is None
    assert await cache.read("s") == []


async def test_the_default_size_limit_is_one_mebibyte(cache: Cache) -> None:
    with pytest.raises(ValueError, match="limit is 1048576"):
        await cache.set("ns", "huge", "x" * (1 << 20), ttl=60)


@pytest.mark.parametrize(
    ("ttl", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (11 * 365 * 86_400, ValueError),
        ("60", TypeError),
        (None, TypeError),
        (True, TypeError),
    ],
)
async def test_bad_ttls_are_refused(cache: Cache, ttl: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="ttl"):
        await cache.set("ns", "k", 1, ttl=ttl)
    with pytest.raises(error, match="ttl"):
        await cache.remember("k", 1, ttl=ttl)
    with pytest.raises(error, match="ttl"):
        await cache.acquire("k", "o", ttl=ttl)
    with pytest.raises(error, match="ttl"):
        await cache.expire_stream("k", ttl=ttl)
