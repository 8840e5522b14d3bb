"""The scheduler: fires every slot of every active schedule node exactly once, with any number
of schedulers running at once and across their restarts. Ray-free (the Ray actor in
``actors.scheduler`` hosts one); the clock, the store and the dispatch are injected.

How:

- Every ``poll_s`` (0.5 s) it reads the active set (``workflow_activations``: one small
  table), and loads the schedule nodes (``scheduleTrigger``, ``cron``; not disabled) of any
  workflow whose active version or activation time changed. Activation, deactivation and
  edits (a new active version) are therefore seen within ``poll_s``; besides, a slot is
  claimed only if its workflow is still active at the version the slot was computed from
  (checked in the claiming transaction), so nothing fires for a deactivated or replaced
  version, not even in between.
- At each slot it claims the slot AND creates the slot's execution (status ``new``, mode
  ``trigger``, state starting at the schedule node with the slot's item) in one transaction
  (``claim_fires``): the unique ``(workflow, node, fire_at)`` key is the arbiter, so of two
  schedulers exactly one creates the run. Only then is ``dispatch`` called with the
  committed runs. A crash between commit and dispatch loses nothing: a starting scheduler
  dispatches again the never-started runs of recent slots (``undispatched_fires``), and so
  does every scheduler every ``rescan_s`` (30 s) for runs fired more than ``rescan_after_s``
  (10 s) ago (dispatching a run twice is harmless); the runtime's directory also queues
  never-started runs when it starts. Dispatches that fail are retried on the next passes.
- A node's first slot after a (re)start, an activation or an edit follows the later of its
  last fired slot (``last_schedule_fire``) and its activation time. Slots older than
  ``late_grace_s`` (60 s) were missed (everything was down): the workflow's
  ``settings.missedSchedules`` decides — ``"skip"`` (default, what n8n does: no burst of
  stale runs after an outage) or ``"fireOnce"`` (one run, for the latest missed slot).
  Slots within the grace fire each, late.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from n8nwork.run.state import RunState
from n8nwork.store.checkpoint import NewExecution
from n8nwork.store.engine import session_factory
from n8nwork.store.limits import StoreLimits
from n8nwork.store.repo.schedules import claim_fires, last_schedule_fire, undispatched_fires
from n8nwork.store.repo.workflows import get_workflow_version
from n8nwork.store.tables.workflows import WorkflowActivation
from n8nwork.triggers.schedule_rules import (
    SCHEDULE_NODE_TYPES,
    NoRulesError,
    Schedule,
    ScheduleRuleError,
    compile_schedule,
    fire_item,
    workflow_timezone,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

MISSED_SETTING = "missedSchedules"
MISSED_POLICIES = ("skip", "fireOnce")
DEFAULT_MISSED_POLICY = "skip"
CLAIM_CHUNK = 100
"""Slots claimed per transaction."""


class Clock(Protocol):
    """Where the scheduler reads the time and waits (a virtual one in tests)."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class StoreLike(Protocol):
    """What the scheduler needs of a store (``n8nwork.store.Store`` has it)."""

    @property
    def engine(self) -> Engine: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def limits(self) -> StoreLimits: ...


@dataclass(frozen=True)
class FiredRun:
    """A committed run of a slot, to dispatch."""

    execution_id: int
    workflow_id: str
    workflow_version: int | None
    node: str
    fire_at: datetime
    settings: Mapping[str, Any] = field(default_factory=dict)


Dispatch = Callable[[list[FiredRun]], Awaitable[None]]


@dataclass
class _Entry:
    """One schedule node of one active workflow version."""

    workflow_id: str
    version: int
    node: str
    node_type: str
    schedule: Schedule
    settings: Mapping[str, Any]
    policy: str
    next_at: datetime


@dataclass
class SchedulerStats:
    """Counters: slots this scheduler fired, lost to another, skipped as missed, caught up."""

    fired: int = 0
    lost: int = 0
    skipped: int = 0
    caught_up: int = 0
    dispatched: int = 0
    refreshes: int = 0
    errors: int = 0


def _policy(settings: Mapping[str, Any], workflow_id: str) -> str:
    raw = settings.get(MISSED_SETTING, DEFAULT_MISSED_POLICY)
    if raw not in MISSED_POLICIES:
        log.warning(
            "scheduler: workflow %s: settings.%s is %r (allowed: %s); using %r",
            workflow_id,
            MISSED_SETTING,
            raw,
            ", ".join(MISSED_POLICIES),
            DEFAULT_MISSED_POLICY,
        )
        return DEFAULT_MISSED_POLICY
    return str(raw)


# ------------------------------------------------------------------------------ store calls
def _active_set(session: Session) -> dict[str, tuple[int, datetime]]:
    rows = session.execute(
        select(
            WorkflowActivation.workflow_id,
            WorkflowActivation.version,
            WorkflowActivation.activated_at,
        )
    )
    return {w: (int(v), a) for w, v, a in rows}


def _load_workflow(
    session: Session, workflow_id: str, version: int
) -> tuple[dict[str, Any], dict[str, datetime]]:
    """The version's document and the last fired slot of each of its schedule nodes."""
    document = dict(
        get_workflow_version(session=session, workflow_id=workflow_id, version=version).document
    )
    last: dict[str, datetime] = {}
    for node in document.get("nodes") or []:
        if isinstance(node, dict) and node.get("type") in SCHEDULE_NODE_TYPES:
            row = last_schedule_fire(session=session, workflow_id=workflow_id, node=node["name"])
            if row is not None:
                last[node["name"]] = row.fire_at
    return document, last


class Scheduler:
    """Fires the slots of the active schedules (see the module docstring)."""

    def __init__(
        self,
        store: StoreLike,
        dispatch: Dispatch,
        *,
        clock: Clock | None = None,
        default_timezone: str = "America/New_York",
        host: str | None = None,
        poll_s: float = 0.5,
        late_grace_s: float = 60.0,
        redispatch_window: timedelta = timedelta(days=1),
        rescan_s: float = 30.0,
        rescan_after_s: float = 10.0,
    ) -> None:
        self.store = store
        self.dispatch = dispatch
        self.clock: Clock = clock or SystemClock()
        self.default_timezone = default_timezone
        self.host = host
        self.poll_s = poll_s
        self.late_grace = timedelta(seconds=late_grace_s)
        self.redispatch_window = redispatch_window
        self.rescan = timedelta(seconds=rescan_s)
        self.rescan_after = timedelta(seconds=rescan_after_s)
        self._next_rescan: datetime | None = None
        self.stats = SchedulerStats()
        self.entries: dict[tuple[str, str], _Entry] = {}
        self._active: dict[str, tuple[int, datetime]] = {}
        self._undelivered: list[FiredRun] = []
        self._next_refresh: datetime | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="n8nwork-scheduler-db")
        # Claims read the active versions, then write: on SQLite they take the write lock at
        # BEGIN, or two schedulers' read-then-write transactions would refuse each other.
        self._claim_sessions = session_factory(
            store.engine.execution_options(sqlite_begin="IMMEDIATE")
        )
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    # ------------------------------------------------------------------ plumbing
    async def _db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def _read(self, fn: Callable[..., T], /, *args: Any) -> T:
        with self.store.sessions() as session:
            return fn(session, *args)

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> None:
        """Fire slots until ``stop()`` (or until the task is cancelled: an abrupt stop)."""
        try:
            await self.redispatch_unstarted()
        except Exception:
            self.stats.errors += 1
            log.exception("scheduler: re-dispatching never-started runs failed")
        failures = 0
        while not self._stop.is_set():
            try:
                await self.tick()
                failures = 0
            except Exception as exc:  # the loop never dies
                self.stats.errors += 1
                failures += 1
                if failures in (1, 10) or failures % 1000 == 0:  # logged, not flooded
                    log.exception("scheduler: tick failed (%d in a row): %s", failures, exc)
            await self._wait()

    def stop(self) -> None:
        """Ask ``run`` to end after its current pass."""
        self._stop.set()
        self._wake.set()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _wait(self) -> None:
        now = self.clock.now()
        due = [e.next_at for e in self.entries.values()]
        if self._next_refresh is not None:
            due.append(self._next_refresh)
        delay = max(0.0, (min(due) - now).total_seconds()) if due else self.poll_s
        if self._undelivered:
            delay = min(delay, 1.0)
        sleeper = asyncio.ensure_future(self.clock.sleep(min(delay, self.poll_s)))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._wake.clear()

    # ------------------------------------------------------------------ one pass
    async def tick(self) -> list[FiredRun]:
        """Refresh the active set when due, fire the due slots, dispatch. Returns the runs
        this pass created."""
        now = self.clock.now()
        if self._next_refresh is None or now >= self._next_refresh:
            await self.refresh(now)
            self._next_refresh = now + timedelta(seconds=self.poll_s)
        fired = await self._fire_due(now)
        await self._deliver(fired)
        if self._next_rescan is None:
            self._next_rescan = now + self.rescan
        elif now >= self._next_rescan:
            self._next_rescan = now + self.rescan
            await self.redispatch_unstarted(before=now - self.rescan_after)
        return fired

    async def refresh(self, now: datetime) -> None:
        """Load what was activated or edited, drop what was deactivated."""
        active = await self._db(self._read, _active_set)
        self.stats.refreshes += 1
        for workflow_id in [w for w in self._active if w not in active]:
            self._drop(workflow_id)
        for workflow_id, (version, activated_at) in active.items():
            if self._active.get(workflow_id) == (version, activated_at):
                continue
            self._drop(workflow_id)
            try:
                await self._load(workflow_id, version, activated_at, now)
            except Exception as exc:
                self.stats.errors += 1
                log.error("scheduler: workflow %s v%s not scheduled: %s", workflow_id, version, exc)
            self._active[workflow_id] = (version, activated_at)

    def _drop(self, workflow_id: str) -> None:
        self._active.pop(workflow_id, None)
        for key in [k for k in self.entries if k[0] == workflow_id]:
            del self.entries[key]

    async def _load(
        self, workflow_id: str, version: int, activated_at: datetime, now: datetime
    ) -> None:
        document, last = await self._db(self._read, _load_workflow, workflow_id, version)
        settings = document.get("settings") or {}
        if not isinstance(settings, dict):
            settings = {}
        timezone = workflow_timezone(settings, self.default_timezone)
        policy = _policy(settings, workflow_id)
        for node in document.get("nodes") or []:
            if not isinstance(node, dict) or node.get("type") not in SCHEDULE_NODE_TYPES:
                continue
            if node.get("disabled"):
                continue
            name = str(node.get("name"))
            try:
                schedule = compile_schedule(
                    node["type"],
                    float(node.get("typeVersion", 1)),
                    node.get("parameters") or {},
                    node=name,
                    node_id=node.get("id"),
                    workflow_id=workflow_id,
                    timezone=timezone,
                )
            except NoRulesError:
                continue
            except ScheduleRuleError as exc:
                self.stats.errors += 1
                log.error("scheduler: workflow %s v%s: %s", workflow_id, version, exc)
                continue
            start = max(activated_at, last[name]) if name in last else activated_at
            self.entries[(workflow_id, name)] = _Entry(
                workflow_id,
                version,
                name,
                node["type"],
                schedule,
                settings,
                policy,
                schedule.next_after(start),
            )

    def _execution(self, entry: _Entry, fire_at: datetime) -> NewExecution:
        state = RunState(
            execution_id="",
            mode="trigger",
            stack=[
                {
                    "node": entry.node,
                    "data": [[fire_item(entry.node_type, fire_at, entry.schedule.timezone)]],
                    "source": None,
                }
            ],
        )
        return NewExecution(
            workflow_id=entry.workflow_id,
            workflow_version=entry.version,
            mode="trigger",
            trigger=entry.node,
            status="new",
            state=state.to_json(),
        )

    async def _fire_due(self, now: datetime) -> list[FiredRun]:
        """Claim every due slot (in slot order, in chunks of ``CLAIM_CHUNK``)."""
        missed_before = now - self.late_grace
        due: list[tuple[datetime, _Entry]] = []
        for entry in list(self.entries.values()):
            if entry.next_at <= missed_before:  # everything was down: the policy decides
                latest = entry.schedule.latest_at_or_before(missed_before)
                if entry.policy == "fireOnce" and latest is not None:
                    due.append((latest, entry))
                    self.stats.caught_up += 1
                else:
                    self.stats.skipped += 1
                log.info(
                    "scheduler: %s/%s missed slots from %s (%s)",
                    entry.workflow_id,
                    entry.node,
                    entry.next_at.isoformat(),
                    entry.policy,
                )
                entry.next_at = entry.schedule.next_after(missed_before)
            while entry.next_at <= now:
                due.append((entry.next_at, entry))
                entry.next_at = entry.schedule.next_after(entry.next_at)
        due.sort(key=lambda d: (d[0], d[1].workflow_id, d[1].node))
        fired: list[FiredRun] = []
        for i in range(0, len(due), CLAIM_CHUNK):
            fired += await self._claim(due[i : i + CLAIM_CHUNK])
        return fired

    async def _claim(self, due: list[tuple[datetime, _Entry]]) -> list[FiredRun]:
        claims = [(e.workflow_id, e.version, e.node, at, self._execution(e, at)) for at, e in due]
        ids = await self._db(self._claim_in_db, claims)
        fired = []
        for (at, entry), execution_id in zip(due, ids, strict=True):
            if execution_id is None:
                self.stats.lost += 1
                continue
            self.stats.fired += 1
            fired.append(
                FiredRun(
                    execution_id, entry.workflow_id, entry.version, entry.node, at, entry.settings
                )
            )
        return fired

    def _claim_in_db(
        self, claims: list[tuple[str, int, str, datetime, NewExecution]]
    ) -> list[int | None]:
        with self._claim_sessions() as session, session.begin():
            return claim_fires(
                session=session,
                claims=claims,
                host=self.host,
                limits=self.store.limits,
                now=self.clock.now(),
            )

    async def _deliver(self, fired: list[FiredRun]) -> None:
        runs = self._undelivered + fired
        if not runs:
            return
        self._undelivered = []
        try:
            await self.dispatch(runs)
            self.stats.dispatched += len(runs)
        except Exception:
            self.stats.errors += 1
            log.exception("scheduler: dispatching %d runs failed; retrying", len(runs))
            self._undelivered = runs

    # ------------------------------------------------------------------ recovery
    async def redispatch_unstarted(self, before: datetime | None = None) -> list[FiredRun]:
        """Dispatch again the runs of slots fired recently (before ``before``) that never
        started (a scheduler died between commit and dispatch). Dispatching a run twice is
        harmless: the runtime admits a queued or running run once and a host skips a run
        held elsewhere."""
        since = self.clock.now() - self.redispatch_window

        def read(session: Session) -> list[FiredRun]:
            runs = []
            settings: dict[tuple[str, int | None], Mapping[str, Any]] = {}
            for row in undispatched_fires(session=session, since=since, before=before):
                key = (row["workflow_id"], row["workflow_version"])
                if key not in settings:
                    doc: dict[str, Any] = {}
                    if row["workflow_version"] is not None:
                        doc = get_workflow_version(
                            session=session,
                            workflow_id=row["workflow_id"],
                            version=row["workflow_version"],
                        ).document
                    settings[key] = doc.get("settings") or {}
                runs.append(
                    FiredRun(
                        row["execution_id"],
                        row["workflow_id"],
                        row["workflow_version"],
                        row["node"],
                        row["fire_at"],
                        settings[key],
                    )
                )
            return runs

        runs = await self._db(self._read, read)
        if runs:
            log.info("scheduler: dispatching %d never-started scheduled runs again", len(runs))
            await self._deliver(runs)
        return runs
