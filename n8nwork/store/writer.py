"""Group commit: one background thread writes the executions and checkpoints of many runs,
many per transaction, and acknowledges each only after its transaction committed.

``submit_create`` / ``submit_checkpoint`` check and serialize in the caller's thread (bad input
raises there), queue the write and return a ``concurrent.futures.Future``; ``create`` /
``checkpoint`` wait for it, ``acreate`` / ``acheckpoint`` await it. The writer takes whatever
is queued (up to ``max_batch``, waiting at most ``max_delay`` seconds for more), applies it in
one transaction and resolves the futures: a result means committed, durable (synchronous
commit on PostgreSQL, ``synchronous=FULL`` on SQLite). If a batch fails, each of its writes is
retried alone, so one bad write fails only its own future.

Guarantees: a create's future gives the id only after the execution row and its state are
committed; a checkpoint's future resolves only after commit; a fenced checkpoint of a run whose
lease moved on fails with ``LeaseLostError`` and writes nothing. The loop never dies: an
unexpected error fails the batch's futures and the loop goes on. Re-sending a checkpoint is
harmless (upserts), so a caller may retry one whose outcome it did not learn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine

from n8nwork.store.checkpoint import (
    Checkpoint,
    NewExecution,
    PreparedCheckpoint,
    PreparedCreate,
    apply_checkpoints,
    apply_creates,
    prepare_checkpoint,
    prepare_create,
)
from n8nwork.store.errors import StoreError
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.repo._errors import is_unavailable, translate
from n8nwork.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Op:
    prepared: PreparedCreate | PreparedCheckpoint
    future: Future[Any]


_STOP = object()


@dataclass(slots=True)
class WriterStats:
    """Counters for observability: transactions committed and writes acknowledged."""

    batches: int = 0
    writes: int = 0
    failures: int = 0

    @property
    def mean_batch(self) -> float:
        return self.writes / self.batches if self.batches else 0.0


class ExecutionWriter:
    """Batches execution creates and node checkpoints into few transactions (group commit)."""

    def __init__(
        self,
        engine: Engine,
        *,
        limits: StoreLimits = DEFAULT_LIMITS,
        max_batch: int = 512,
        max_delay: float = 0.001,
        name: str = "n8nwork-store-writer",
    ) -> None:
        self.engine = engine
        self.limits = limits
        self.max_batch = max_batch
        self.max_delay = max_delay
        self.stats = WriterStats()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ submitting
    def _submit(self, prepared: PreparedCreate | PreparedCheckpoint) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise StoreError("the execution writer is closed")
            self._queue.put(_Op(prepared, future))
        return future

    def submit_create(self, spec: NewExecution) -> Future[int]:
        """Queue a new execution; the future gives its id once committed."""
        return self._submit(prepare_create(spec, self.limits, utcnow()))

    def submit_checkpoint(self, checkpoint: Checkpoint) -> Future[None]:
        """Queue a checkpoint; the future resolves once committed."""
        return self._submit(prepare_checkpoint(checkpoint, self.limits))

    def create(self, spec: NewExecution, timeout: float | None = None) -> int:
        return int(self.submit_create(spec).result(timeout))

    def checkpoint(self, checkpoint: Checkpoint, timeout: float | None = None) -> None:
        self.submit_checkpoint(checkpoint).result(timeout)

    async def acreate(self, spec: NewExecution) -> int:
        execution_id: int = await asyncio.wrap_future(self.submit_create(spec))
        return execution_id

    async def acheckpoint(self, checkpoint: Checkpoint) -> None:
        await asyncio.wrap_future(self.submit_checkpoint(checkpoint))

    # ------------------------------------------------------------------ lifecycle
    def close(self, timeout: float | None = 30.0) -> None:
        """Write what is queued, then stop the thread. Submitting afterwards raises."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join(timeout)

    def __enter__(self) -> ExecutionWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ the loop
    def _collect(self) -> tuple[list[_Op], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch: list[_Op] = [first] if first.future.set_running_or_notify_cancel() else []
        deadline = time.monotonic() + self.max_delay
        stop = False
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if item is _STOP:
                stop = True
                break
            if item.future.set_running_or_notify_cancel():  # skip writes cancelled meanwhile
                batch.append(item)
        return batch, stop

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            conn, self._conn = self._conn, None
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()

    def _loop(self) -> None:
        while True:
            try:
                batch, stop = self._collect()
                if batch:
                    self._commit(batch)
                if stop:
                    while True:  # drain what was queued before close
                        try:
                            item = self._queue.get_nowait()
                        except queue.Empty:
                            return
                        if item is not _STOP and item.future.set_running_or_notify_cancel():
                            self._commit([item])
            except Exception:  # the loop never dies
                log.exception("execution writer: unexpected error")

    def _apply(self, conn: Connection, batch: Sequence[_Op]) -> list[tuple[bool, Any]]:
        now = utcnow()
        out: list[tuple[bool, Any]] = [(True, None)] * len(batch)
        creates = [(n, op) for n, op in enumerate(batch) if isinstance(op.prepared, PreparedCreate)]
        checks = [
            (n, op) for n, op in enumerate(batch) if isinstance(op.prepared, PreparedCheckpoint)
        ]
        followups: list[PreparedCheckpoint] = []
        if creates:
            ids = apply_creates(conn, [op.prepared for _, op in creates], now)  # type: ignore[misc]
            for (n, op), execution_id in zip(creates, ids, strict=True):
                out[n] = (True, execution_id)
                follow = op.prepared.followup_for(execution_id)  # type: ignore[union-attr]
                if follow is not None:
                    followups.append(follow)
        if checks or followups:
            prepared = [op.prepared for _, op in checks] + followups
            errors = apply_checkpoints(conn, prepared, now)  # type: ignore[arg-type]
            for (n, _), error in zip(checks, errors, strict=False):
                out[n] = (error is None, error)
        return out

    def _connection(self) -> Connection:
        """The writer's own connection, kept between batches: no pool checkout and no
        liveness ping per commit (a broken one is dropped and the next batch reconnects)."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.engine.connect()
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()  # never back to the pool: its state is unknown
                conn.close()
            except Exception:
                log.debug("execution writer: closing a broken connection failed", exc_info=True)

    def _write(self, batch: list[_Op]) -> list[tuple[bool, Any]]:
        kept = self._conn is not None
        try:
            conn = self._connection()
            with conn.begin():
                return self._apply(conn, batch)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._drop_connection()
            if not kept:
                raise
        # The kept connection had gone stale (e.g. the server restarted): once more on a
        # new one, as the pool's liveness ping would have done before the first statement.
        conn = self._connection()
        with conn.begin():
            return self._apply(conn, batch)

    def _commit(self, batch: list[_Op]) -> None:
        try:
            results = self._write(batch)
        except Exception as exc:
            if is_unavailable(exc):
                self._drop_connection()
            if len(batch) > 1 and not is_unavailable(exc):
                for op in batch:  # isolate the write that failed the batch
                    self._commit([op])
                return
            self.stats.failures += len(batch)
            error = translate(exc, "write")
            if not isinstance(error, StoreError):
                log.exception("execution writer: write failed")
            for op in batch:
                op.future.set_exception(error)
            return
        self.stats.batches += 1
        self.stats.writes += len(batch)
        for op, (ok, value) in zip(batch, results, strict=True):
            if ok:
                op.future.set_result(value)
            else:
                op.future.set_exception(value)
