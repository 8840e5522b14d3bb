"""What a run host is, without Ray: many ``RunActor`` objects in one event loop, sharing one
group-commit writer, one event publisher, one program cache and one database thread.

``HostCore`` activates runs (claims their leases, loads them from the store when the caller
did not send their state), routes messages to them, batches passivations into single
transactions, renews the leases of the runs it holds, and reports to the directory which
runs finished, passivated or were lost. Its programs' nodes get their credentials from the
store (``StoredCredentials``, per workflow, cached a few seconds); task nodes get them from
the host with their task (``actors.tasks``). ``actors.host.RunHost`` and
``actors.dedicated.DedicatedRun`` are thin Ray shells around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from actors import persistence
from actors._futures import AckPump
from actors._spawn import spawn
from actors.config import RuntimeConfig
from actors.events import EventSink, Publisher
from actors.persistence import DbThread, Passivation
from actors.programs import ProgramCache, WorkflowRef, load_registry
from actors.run_loop import RunActor, TaskRunner
from n8nwork.credentials_provider import StoredCredentials, WorkflowCredentials
from n8nwork.run.events import Cancel, from_json
from n8nwork.run.state import RunState
from n8nwork.settings import Settings
from n8nwork.store import ExecutionWriter, Store, open_store

log = logging.getLogger(__name__)

Reporter = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class RunStart:
    """A run to activate on a host. ``state`` is the run's state JSON when the caller has it
    (a fresh submission); without it the host loads the run from the store. ``event`` is
    ``to_json`` of a ``Resume`` or ``Cancel`` to deliver on activation."""

    execution_id: int
    ref: WorkflowRef | None = None
    state: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    recovered: bool = False
    take_over_from: str | None = None
    """The host this run was held by, known to be dead: its lease may be taken at once."""
    seq: int = 0
    """The directory's number of this assignment (echoed in the host's reports)."""


@dataclass
class _Report:
    finished: list[tuple[int, str, str, int]] = field(default_factory=list)
    passivated: list[tuple[int, str, float | None, int]] = field(default_factory=list)
    lost: list[tuple[int, int]] = field(default_factory=list)
    spawned: list[tuple[int, str, int | None, bool]] = field(default_factory=list)
    """Executions this host committed for the directory to place (sub-workflows, error
    workflows): (id, workflow id, workflow limit, dedicated)."""
    returned: list[tuple[int, int]] = field(default_factory=list)
    """Sub-workflow executions that ended while their parent waits: (child, parent)."""

    def __bool__(self) -> bool:
        return bool(self.finished or self.passivated or self.lost or self.spawned or self.returned)


def rss_bytes() -> int:
    """Resident memory of this process (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class HostCore:
    """Many runs in one process (see the module docstring)."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        config: RuntimeConfig,
        *,
        tasks: TaskRunner,
        sink: EventSink,
        reporter: Reporter | None = None,
        store: Store | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.config = config
        self.tasks = tasks
        self.events = Publisher(sink)
        self.reporter = reporter
        self.runs: dict[int, RunActor] = {}
        self.programs = ProgramCache(
            registry=load_registry(tuple(config.node_modules)),
            timezone=settings.timezone,
            resume_base_url=config.resume_base_url,
            credentials=self._credentials_for,
        )
        self._store = store
        self._credentials: StoredCredentials | None = None
        self.writer: ExecutionWriter
        self.acks: AckPump
        self.db = DbThread(f"{name}-db")
        self._report = _Report()
        self._report_failures = 0
        self._activating: set[int] = set()
        self._passivations: list[tuple[Passivation, asyncio.Future[BaseException | None]]] = []
        self._passivating: asyncio.Task[None] | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._lag_ms = 0.0
        self.started_at = time.time()
        self.last_active = time.monotonic()
        self.counters = {"activated": 0, "finished": 0, "passivated": 0, "lost": 0}

    @property
    def store(self) -> Store:
        assert self._store is not None, "HostCore.start() first"
        return self._store

    def _credentials_for(self, workflow_id: str) -> WorkflowCredentials:
        """The credentials provider of a workflow's runs (from the store, once started)."""
        if self._credentials is None:
            self._credentials = StoredCredentials(self.store)
        return self._credentials.for_workflow(workflow_id)

    async def start(self) -> None:
        if self._store is None:
            self._store = await self.db.run(open_store, self.settings, migrate=False)
        self.writer = self.store.writer()
        self.acks = AckPump(asyncio.get_running_loop())
        self.events.start()
        self._loops = [
            spawn(self._every(self.config.lease_renew_s, self._renew)),
            spawn(self._every(self.config.report_interval_s, self._send_report)),
            spawn(self._measure_lag()),
        ]

    # ------------------------------------------------------------------ activation
    async def activate(
        self, starts: list[RunStart], documents: dict[str, str] | None = None
    ) -> list[int]:
        """Claim and start ``starts``; returns the ids now held here (others were finished
        or are held by a live host). Documents are JSON texts by workflow key."""
        documents = documents or {}
        for key, text in documents.items():
            if self.programs.get(key) is None:
                ref = next((s.ref for s in starts if s.ref and s.ref.key == key), None)
                if ref is not None:
                    self.programs.add(ref, text)
        activated: list[int] = []
        todo: list[RunStart] = []
        for start in starts:
            if start.execution_id in self._activating:
                activated.append(start.execution_id)  # a concurrent call is claiming it
                continue
            run = self.runs.get(start.execution_id)
            if run is None or run.done:
                todo.append(start)
                continue
            if start.seq:
                run.seq = start.seq
            event = from_json(start.event) if start.event else None
            if isinstance(event, Cancel):
                run.post("cancel", event.reason)
            activated.append(start.execution_id)
        fresh = [
            s
            for s in todo
            if s.state is not None and s.ref is not None and self.programs.get(s.ref.key)
        ]
        fresh_ids = {s.execution_id for s in fresh}
        stored = [s for s in todo if s.execution_id not in fresh_ids]  # read from the store
        claiming = {s.execution_id for s in todo}
        self._activating |= claiming
        try:
            await self._claim_and_start(fresh, stored, activated)
        finally:
            self._activating -= claiming
        return activated

    async def _claim_and_start(
        self, fresh: list[RunStart], stored: list[RunStart], activated: list[int]
    ) -> None:
        if fresh:
            claims = await self.db.run(
                persistence.activate,
                self.store,
                execution_ids=[s.execution_id for s in fresh],
                host=self.name,
                ttl_s=self.config.lease_ttl_s,
                load=False,
            )
            for s in fresh:
                claim = claims.get(s.execution_id)
                if claim is None:
                    continue
                assert s.state is not None and s.ref is not None
                program = self.programs.get(s.ref.key)
                assert program is not None
                self._start_run(s, program, RunState.from_json(s.state), claim.epoch)
                activated.append(s.execution_id)
        if stored:
            loaded = await self.db.run(
                persistence.activate,
                self.store,
                execution_ids=[s.execution_id for s in stored],
                host=self.name,
                ttl_s=self.config.lease_ttl_s,
                load=True,
                known_keys=self.programs.keys(),
                take_over_from=sorted({s.take_over_from for s in stored if s.take_over_from}),
            )
            for s in stored:
                found = loaded.get(s.execution_id)
                if found is None or found.state is None:
                    continue
                program = self.programs.get(found.ref.key)
                if program is None:
                    if found.document is None:
                        log.error("run %s: workflow %s not found", s.execution_id, found.ref.key)
                        continue
                    try:
                        program = self.programs.add(found.ref, found.document)
                    except Exception:  # one bad document must not stop the other runs
                        log.exception("run %s: workflow %s unusable", s.execution_id, found.ref.key)
                        continue
                self._start_run(s, program, found.state, found.epoch)
                activated.append(s.execution_id)

    def _start_run(self, start: RunStart, program: Any, state: RunState, epoch: int) -> None:
        run = RunActor(self, start.execution_id, program, state, epoch)
        run.seq = start.seq
        self.runs[start.execution_id] = run
        self.counters["activated"] += 1
        self.last_active = time.monotonic()
        event = from_json(start.event) if start.event else None
        run.post("activate", event, start.recovered)

    async def cancel(self, execution_id: int, reason: str = "canceled") -> bool:
        """Cancel a run held here (its task, if any, is stopped); ``False`` if not here."""
        run = self.runs.get(execution_id)
        if run is None:
            return False
        run.post("cancel", reason)
        return True

    # ------------------------------------------------------------------ RunHostServices
    async def passivate(self, item: Passivation) -> BaseException | None:
        future: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self._passivations.append((item, future))
        if self._passivating is None or self._passivating.done():
            self._passivating = spawn(self._passivate_batches())
        return await future

    async def _passivate_batches(self) -> None:
        while self._passivations:
            batch, self._passivations = self._passivations[:1000], self._passivations[1000:]
            try:
                errors = await self.db.run(
                    persistence.passivate,
                    self.store,
                    items=[item for item, _ in batch],
                    host=self.name,
                )
            except Exception as exc:
                errors = [exc] * len(batch)
            for (_, future), error in zip(batch, errors, strict=True):
                if not future.done():
                    future.set_result(error)

    def _drop(self, run: RunActor) -> None:
        if self.runs.get(run.id) is run:
            del self.runs[run.id]

    def run_ended(self, run: RunActor, status: str) -> None:
        self._drop(run)
        self.counters["finished"] += 1
        self.last_active = time.monotonic()
        self._report.finished.append((run.id, run.workflow_id, status, run.seq))
        parent = run.state.parent
        if parent and parent.get("wait") and parent.get("executionId") is not None:
            self._report.returned.append((run.id, int(parent["executionId"])))
        self.events.expire(run.id, self.config.finished_stream_ttl_s)

    def spawned(self, runs: list[tuple[int, str, int | None, bool]]) -> None:
        """Executions committed here (sub-workflows, error workflows) for the directory to
        admit and place; announced with the next report."""
        self._report.spawned.extend(runs)

    def run_passivated(self, run: RunActor, until: float | None) -> None:
        self._drop(run)
        self.counters["passivated"] += 1
        self._report.passivated.append((run.id, run.workflow_id, until, run.seq))

    def run_lost(self, run: RunActor) -> None:
        self._drop(run)
        self.counters["lost"] += 1
        self._report.lost.append((run.id, run.seq))

    # ------------------------------------------------------------------ loops
    async def _every(self, seconds: float, fn: Callable[[], Awaitable[None]]) -> None:
        while True:  # loops never die
            await asyncio.sleep(seconds)
            try:
                await fn()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("host %s: %s failed", self.name, getattr(fn, "__name__", fn))

    async def _renew(self) -> None:
        ids = list(self.runs)
        if ids:
            await self.db.run(
                persistence.renew,
                self.store,
                execution_ids=ids,
                host=self.name,
                ttl_s=self.config.lease_ttl_s,
            )

    async def _send_report(self) -> None:
        if not self._report or self.reporter is None:
            return
        await self.events.flush()  # a run's events are out before the directory hears of it
        report, self._report = self._report, _Report()
        payload = {
            "host": self.name,
            "finished": report.finished,
            "passivated": report.passivated,
            "lost": report.lost,
            "spawned": report.spawned,
            "returned": report.returned,
            "active": len(self.runs),
        }
        try:
            await self.reporter(payload)
            self._report_failures = 0
        except Exception as exc:  # the directory is away (restarting): keep it for later
            self._report.finished[:0] = report.finished
            self._report.passivated[:0] = report.passivated
            self._report.lost[:0] = report.lost
            self._report.spawned[:0] = report.spawned
            self._report.returned[:0] = report.returned
            self._report_failures += 1
            if self._report_failures in (1, 100) or self._report_failures % 1000 == 0:
                log.warning("host %s: the directory did not take a report: %s", self.name, exc)

    async def _measure_lag(self) -> None:
        interval = 0.1
        while True:
            start = time.perf_counter()
            await asyncio.sleep(interval)
            lag = (time.perf_counter() - start - interval) * 1000.0
            self._lag_ms = 0.8 * self._lag_ms + 0.2 * max(lag, 0.0)

    # ------------------------------------------------------------------ introspection
    def stats(self) -> dict[str, Any]:
        return {
            "host": self.name,
            "pid": os.getpid(),
            "active": len(self.runs),
            "loop_lag_ms": round(self._lag_ms, 2),
            "rss_bytes": rss_bytes(),
            "idle_s": time.monotonic() - self.last_active if not self.runs else 0.0,
            "events_published": self.events.published,
            "writer_batches": self.writer.stats.batches,
            "writer_writes": self.writer.stats.writes,
            **self.counters,
        }

    async def close(self) -> None:
        for task in self._loops:
            task.cancel()
        for run in list(self.runs.values()):
            run.stop()
        self.runs.clear()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._send_report(), 2.0)
        await self.events.close()
        self.writer.close()
        self.db.close()
