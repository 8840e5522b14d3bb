"""Execution event streams: ordered, replayable from a position, blocking reads, capped, TTL."""

from __future__ import annotations

import asyncio
import time

import pytest

from n8nwork.cache import Cache, CacheLimits, SyncCache
from tests.integration.cache.conftest import Backend

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def _pos(event_id: str) -> tuple[int, int]:
    ms, seq = event_id.split("-")
    return int(ms), int(seq)


async def test_events_are_read_back_in_order_with_increasing_ids(cache: Cache) -> None:
    ids = [await cache.publish("exec:1", {"type": "nodeFinished", "n": i}) for i in range(5)]

    events = await cache.read("exec:1")

    assert [e.id for e in events] == ids
    assert [e.data["n"] for e in events] == list(range(5))
    assert [_pos(i) for i in ids] == sorted(_pos(i) for i in ids)
    assert len(set(ids)) == 5


async def test_replay_after_reconnect_resumes_after_the_last_seen_id(cache: Cache) -> None:
    # Given a live view that saw three events and lost its connection ...
    for i in range(3):
        await cache.publish("exec:2", {"n": i})
    seen = await cache.read("exec:2")
    for i in range(3, 7):
        await cache.publish("exec:2", {"n": i})

    # ... reconnecting with Last-Event-ID returns exactly what it missed, pageable by count.
    page1 = await cache.read("exec:2", after_id=seen[-1].id, count=2)
    page2 = await cache.read("exec:2", after_id=page1[-1].id, count=100)

    assert [e.data["n"] for e in page1 + page2] == [3, 4, 5, 6]
    assert await cache.read("exec:2", after_id=page2[-1].id) == []


async def test_an_unknown_stream_reads_as_empty(cache: Cache) -> None:
    assert await cache.read("nobody-published-here") == []


async def test_a_blocking_read_wakes_on_publish(backend: Backend) -> None:
    reader, writer = backend.open(), backend.open()
    first = await writer.publish("exec:3", {"n": 0})

    started = time.monotonic()
    pending = asyncio.create_task(reader.read("exec:3", after_id=first, block_ms=5000))
    await asyncio.sleep(0.05)
    await writer.publish("exec:3", {"n": 1})
    events = await pending

    assert [e.data for e in events] == [{"n": 1}]
    assert time.monotonic() - started < 2


async def test_a_blocking_read_waits_for_a_stream_that_does_not_exist_yet(
    backend: Backend,
) -> None:
    reader, writer = backend.open(), backend.open()
    pending = asyncio.create_task(reader.read("exec:later", block_ms=5000))
    await asyncio.sleep(0.05)
    await writer.publish("exec:later", {"hello": True})

    assert [e.data for e in await pending] == [{"hello": True}]


async def test_many_blocked_readers_all_wake(backend: Backend) -> None:
    reader, writer = backend.open(), backend.open()
    last = await writer.publish("exec:fan", {"n": 0})
    pending = [
        asyncio.create_task(reader.read("exec:fan", after_id=last, block_ms=5000))
        for _ in range(10)
    ]
    await asyncio.sleep(0.05)
    await writer.publish("exec:fan", {"n": 1})

    results = await asyncio.gather(*pending)
    assert all([e.data for e in r] == [{"n": 1}] for r in results)


async def test_a_blocking_read_times_out_empty(cache: Cache) -> None:
    last = await cache.publish("exec:4", {"n": 0})

    started = time.monotonic()
    events = await cache.read("exec:4", after_id=last, block_ms=150)

    assert events == []
    assert 0.12 <= time.monotonic() - started < 2


async def test_block_ms_zero_never_waits(cache: Cache) -> None:
    started = time.monotonic()
    assert await cache.read("exec:empty", block_ms=0) == []
    assert time.monotonic() - started < 0.5


async def test_concurrent_publishers_keep_each_ones_order(backend: Backend) -> None:
    peers = [backend.open() for _ in range(4)]

    async def publisher(p: int) -> None:
        for i in range(50):
            await peers[p].publish("exec:many", {"p": p, "i": i})

    await asyncio.gather(*(publisher(p) for p in range(4)))
    events = await peers[0].read("exec:many", count=1000)

    assert len(events) == 200
    assert [_pos(e.id) for e in events] == sorted(_pos(e.id) for e in events)
    for p in range(4):
        assert [e.data["i"] for e in events if e.data["p"] == p] == list(range(50))


async def test_a_stream_keeps_only_its_newest_maxlen_events(backend: Backend) -> None:
    cache = backend.open(CacheLimits(stream_maxlen=5))
    for i in range(12):
        await cache.publish("exec:capped", {"n": i})

    events = await cache.read("exec:capped", count=100)

    assert [e.data["n"] for e in events] == [7, 8, 9, 10, 11]


async def test_a_finished_stream_expires(cache: Cache) -> None:
    await cache.publish("exec:done", {"status": "success"})

    assert await cache.expire_stream("exec:done", ttl=0.1) is True
    assert len(await cache.read("exec:done")) == 1
    await asyncio.sleep(0.2)

    assert await cache.read("exec:done") == []
    assert await cache.expire_stream("exec:done", ttl=1) is False


async def test_streams_expire_after_the_default_ttl_since_the_last_publish(
    backend: Backend,
) -> None:
    cache = backend.open(CacheLimits(stream_ttl_s=0.3))
    await cache.publish("exec:idle", {"n": 0})
    await asyncio.sleep(0.2)
    await cache.publish("exec:idle", {"n": 1})  # publishing again extends the stream's life
    await asyncio.sleep(0.2)
    assert len(await cache.read("exec:idle")) == 2

    await asyncio.sleep(0.25)
    assert await cache.read("exec:idle") == []


async def test_delete_stream(cache: Cache) -> None:
    await cache.publish("exec:del", {"n": 0})

    assert await cache.delete_stream("exec:del") is True
    assert await cache.read("exec:del") == []
    assert await cache.delete_stream("exec:del") is False


HOSTILE_IDS = ["", "abc", "-1", "1-2-3", "1-", "$", "0x10", " 1", "1 ", str(1 << 64)]
HOSTILE_IDS += [f"1-{1 << 64}", "\u0661"]  # U+0661 is a digit to str.isdigit, not to Redis


@pytest.mark.parametrize("after_id", HOSTILE_IDS)
async def test_a_hostile_last_event_id_is_refused(cache: Cache, after_id: str) -> None:
    with pytest.raises(ValueError, match="stream id"):
        await cache.read("exec:5", after_id=after_id)


async def test_an_incomplete_id_means_sequence_zero(cache: Cache) -> None:
    first = await cache.publish("exec:6", {"n": 0})
    ms = first.split("-")[0]

    events = await cache.read("exec:6", after_id=ms)

    assert [e.id for e in events] == ([first] if first != f"{ms}-0" else [])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"count": 0}, ValueError),
        ({"count": 10_001}, ValueError),
        ({"block_ms": -1}, ValueError),
        ({"block_ms": 300_001}, ValueError),
        ({"count": 1.5}, TypeError),
        ({"block_ms": True}, TypeError),
    ],
)
async def test_read_arguments_are_checked(
    cache: Cache, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await cache.read("exec:7", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("event", [[1, 2], "text", None, 5])
async def test_an_event_must_be_a_json_object(cache: Cache, event: object) -> None:
    with pytest.raises(TypeError, match="dict"):
        await cache.publish("exec:8", event)  # type: ignore[arg-type]


async def test_a_reader_on_another_thread_wakes_on_publish(backend: Backend) -> None:
    # Given a blocked reader on another thread's event loop (the sync facade's) ...
    sync = SyncCache(backend.fresh())
    try:
        started = time.monotonic()
        pending = asyncio.create_task(asyncio.to_thread(sync.read, "exec:threads", block_ms=5000))
        await asyncio.sleep(0.1)

        # ... a publish on this loop wakes it.
        await backend.cache.publish("exec:threads", {"n": 1})
        events = await pending
    finally:
        await asyncio.to_thread(sync.close)

    assert [e.data for e in events] == [{"n": 1}]
    assert time.monotonic() - started < 2
