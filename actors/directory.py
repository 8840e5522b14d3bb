"""The directory (``n8nwork-directory``): the one actor that knows where every active run is.

It places runs on hosts (least loaded first), keeps the hosts between ``min_hosts`` and
``max_hosts`` (adding one when the hosts are busy, removing idle ones), watches that they
are alive, re-activates the runs of a dead host on the others from their last checkpoint,
admits runs under the concurrency limits (bounded priority queue), and wakes passivated
runs when their time comes or when they are resumed.

What it keeps in memory is rebuilt from the store and the live hosts when it starts, so a
directory restart (or a whole-cluster restart) loses nothing: running executions whose host
is gone are recovered, never-started ones are queued again, timed waits are reloaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ray
import ray.exceptions

from actors import persistence, subruns
from actors._spawn import spawn
from actors.admission import Admission, Request
from actors.config import RuntimeConfig
from actors.dedicated import DedicatedRun
from actors.errors import NotWaitingError, RunRefusedError
from actors.events import EVENT_LOG_NAME, EventLog
from actors.host import RunHost
from actors.hosting import RunStart, rss_bytes
from actors.persistence import DbThread
from actors.tasks import warm_workers
from actors.telemetry import setup as setup_telemetry
from actors.timers import WaitIndex
from n8nwork.observability.runtime_view import watch_directory
from n8nwork.run.events import Cancel, Resume, to_json
from n8nwork.settings import Settings
from n8nwork.store import Store, open_store

log = logging.getLogger(__name__)

DIRECTORY_NAME = "n8nwork-directory"
HOST_PREFIX = "n8nwork-host-"
DEDICATED_PREFIX = "n8nwork-run-"
PING_TIMEOUT_S = 10.0


@dataclass
class HostInfo:
    """A host as the directory sees it."""

    name: str
    handle: Any
    dedicated: bool = False
    assigned: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    draining_since: float | None = None
    created_at: float = field(default_factory=time.monotonic)


@dataclass
class RunEntry:
    """An active run: the host holding it. ``seq`` numbers the assignment: a host's report
    about an earlier assignment of the same run (before a passivation and a resume, say)
    carries an older number and changes nothing."""

    host: str
    workflow_id: str
    dedicated: bool = False
    seq: int = 0


def _is_dead(exc: BaseException) -> bool:
    """A call failed because the actor is gone for good (not merely busy or unreachable)."""
    return isinstance(exc, ray.exceptions.RayActorError) and not isinstance(
        exc, ray.exceptions.ActorUnavailableError
    )


@ray.remote(num_cpus=0)
class Directory:
    """The runtime's directory (one per namespace, named ``n8nwork-directory``).

    Guarantees:
    - ``dispatch`` is all or nothing per call: every run of the call gets a host or a queue
      place, or the call is refused (``{"refused": message}``) and none of them runs.
    - A run is held by at most one host at a time as far as the directory knows; takeovers
      bump the run's fencing epoch in the store, so a host that lost a run cannot write it.
    - The runs of a host that dies are re-activated on other hosts (from their last
      checkpoint) within about ``heartbeat_s``; runs whose lease expired for any other
      reason are found by a scan every ``orphan_scan_s``.
    - Timed waits are resumed at their time (± the tick, 10 ms to 1 s), also after a
      restart (they are reloaded from the store); ``resume`` resumes a waiting run exactly
      once (the store's conditional delete of its wait row decides).
    - Its loops never die (each tick's failure is logged). Calls are not idempotent unless
      stated; callers do not retry ``dispatch`` (a failed call leaves the runs in the store,
      where a directory restart finds and queues them).
    """

    def __init__(self, settings: Settings, config: RuntimeConfig) -> None:
        self.settings = settings
        self.config = config
        self.hosts: dict[str, HostInfo] = {}
        self.runs: dict[int, RunEntry] = {}
        self.admission = Admission(config.max_active_runs, config.max_queued_runs)
        self.waits = WaitIndex()
        self.db = DbThread("directory-db")
        self.store: Store | None = None
        self._started: asyncio.Task[dict[str, Any]] | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._creating = 0
        self._seq = 0
        self._assignments = itertools.count(1)
        self._pending: list[Request] = []
        self._recovering: set[int] = set()
        self._warming: list[Any] = []
        self.counters = {"recovered": 0, "hosts_added": 0, "hosts_removed": 0, "woken": 0}

    # ------------------------------------------------------------------ start
    async def start(self) -> dict[str, Any]:
        """Open the store, adopt live hosts, recover and reload from the store, start hosts
        and loops. Idempotent (later calls wait for the first)."""
        failed = (
            self._started is not None
            and self._started.done()
            and (self._started.cancelled() or self._started.exception() is not None)
        )
        if self._started is None or failed:  # first call, or the last attempt failed
            self._started = spawn(self._start())
        return await asyncio.shield(self._started)

    async def _start(self) -> dict[str, Any]:
        setup_telemetry(self.settings, process="directory")
        watch_directory(self)
        self.store = await self.db.run(open_store, self.settings, migrate=False)
        if self.settings.redis.url is None:
            EventLog.options(  # type: ignore[attr-defined]
                name=EVENT_LOG_NAME,
                namespace=self.config.namespace,
                lifetime="detached",
                get_if_exists=True,
                max_restarts=-1,
            ).remote()
        await self._adopt_hosts()
        while len(self._shared_hosts()) < self.config.min_hosts:
            await self._add_host()
        await self._rebuild()
        cpus = int(ray.cluster_resources().get("CPU", 0))
        self._warming = warm_workers(min(cpus, 4), tuple(self.config.node_modules))
        self._loops = [
            spawn(self._every(self.config.heartbeat_s, self._heartbeat)),
            spawn(self._every(self.config.orphan_scan_s, self._scan_orphans)),
            spawn(self._every(self.config.wait_horizon_s / 2, self._load_waits)),
            spawn(self._every(self.config.wait_horizon_s / 2, self._sweep_subruns)),
            spawn(self._timer_loop()),
        ]
        return self._describe()

    def _store(self) -> Store:
        assert self.store is not None
        return self.store

    async def _adopt_hosts(self) -> None:
        """Hosts that outlived a restart of the directory: keep them and their runs."""
        names = [
            a["name"]
            for a in ray.util.list_named_actors(all_namespaces=True)
            if a["namespace"] == self.config.namespace
            and (a["name"].startswith(HOST_PREFIX) or a["name"].startswith(DEDICATED_PREFIX))
        ]
        for name in names:
            try:
                handle = ray.get_actor(name, namespace=self.config.namespace)
                ids: list[int] = await asyncio.wait_for(handle.active_ids.remote(), PING_TIMEOUT_S)
            except Exception as exc:
                log.warning("directory: not adopting host %s: %s", name, exc)
                continue
            info = HostInfo(name, handle, dedicated=name.startswith(DEDICATED_PREFIX))
            self.hosts[name] = info
            if ids:
                for execution_id, workflow_id in (
                    await self.db.run(persistence.workflow_of, self._store(), execution_ids=ids)
                ).items():
                    self.runs[execution_id] = RunEntry(name, workflow_id, info.dedicated)
                    self.admission.adopt(execution_id, workflow_id)
                    info.assigned += 1

    async def _rebuild(self) -> None:
        """Recover runs of hosts that are gone and queue runs that never started."""
        after = 0
        orphans: dict[str | None, list[int]] = {}
        unstarted: list[Request] = []
        while True:
            page = await self.db.run(
                persistence.unfinished, self._store(), after_id=after, limit=1000
            )
            if not page:
                break
            after = page[-1].id
            for row in page:
                if row.status == "waiting" or row.id in self.runs:
                    continue
                if row.host is None:
                    unstarted.append(Request(row.id, row.workflow_id))
                elif row.host not in self.hosts:
                    orphans.setdefault(row.host, []).append(row.id)
        if unstarted:
            self._admit_and_place(unstarted, force=True)
        for host, ids in orphans.items():
            if host is not None and self._exists(host):
                continue  # alive but not adopted: its leases tell (orphan scan) if it is stuck
            await self._recover(ids, dead_host=host)
        await self._load_waits()
        await self._sweep_subruns()

    def _exists(self, name: str) -> bool:
        """Whether an actor of that name lives in the runtime's namespace."""
        try:
            ray.get_actor(name, namespace=self.config.namespace)
        except ValueError:
            return False
        return True

    # ------------------------------------------------------------------ hosts
    def _shared_hosts(self) -> list[HostInfo]:
        return [h for h in self.hosts.values() if not h.dedicated]

    def _placeable(self) -> list[HostInfo]:
        return [h for h in self._shared_hosts() if h.draining_since is None]

    async def _add_host(self) -> HostInfo | None:
        self._creating += 1
        try:
            self._seq += 1
            name = f"{HOST_PREFIX}{self._seq}-{secrets.token_hex(2)}"
            return await self._spawn(RunHost, name, dedicated=False)
        finally:
            self._creating -= 1

    async def _spawn(self, actor_class: Any, name: str, *, dedicated: bool) -> HostInfo | None:
        me = ray.get_runtime_context().current_actor
        try:
            handle = actor_class.options(
                name=name,
                namespace=self.config.namespace,
                lifetime="detached",
                max_concurrency=self.config.host_max_concurrency,
                num_cpus=self.config.host_num_cpus,
            ).remote(name, self.settings, self.config, me)
            await handle.start.remote()
        except Exception:
            log.exception("directory: could not start host %s", name)
            return None
        info = HostInfo(name, handle, dedicated=dedicated)
        self.hosts[name] = info
        self.counters["hosts_added"] += 1
        log.info("directory: host %s started", name)
        return info

    async def _remove_host(self, info: HostInfo) -> None:
        self.hosts.pop(info.name, None)
        self.counters["hosts_removed"] += 1
        with contextlib.suppress(Exception):
            await asyncio.wait_for(info.handle.shutdown.remote(), 5.0)
        ray.kill(info.handle, no_restart=True)
        log.info("directory: host %s removed", info.name)

    async def _host_died(self, name: str) -> None:
        info = self.hosts.pop(name, None)
        if info is None:
            return
        log.warning("directory: host %s died; recovering its runs", name)
        ids = {i for i, e in self.runs.items() if e.host == name}
        ids.update(await self.db.run(persistence.held_by, self._store(), host=name))
        await self._recover(sorted(ids), dead_host=name)
        if not info.dedicated and len(self._shared_hosts()) < self.config.min_hosts:
            await self._add_host()

    async def _heartbeat(self) -> None:
        infos = list(self.hosts.values())
        results = await asyncio.gather(
            *(asyncio.wait_for(h.handle.stats.remote(), PING_TIMEOUT_S) for h in infos),
            return_exceptions=True,
        )
        for info, result in zip(infos, results, strict=True):
            if isinstance(result, BaseException):
                if _is_dead(result):
                    await self._host_died(info.name)
                continue
            info.stats = result
        await self._scale()
        if self._pending:
            pending, self._pending = self._pending, []
            await self._place(pending)

    async def _scale(self) -> None:
        shared = self._placeable()
        config = self.config
        if shared and len(shared) + self._creating < config.max_hosts:
            busy = sum(h.assigned for h in shared) / len(shared) > config.host_target_runs
            lagging = any(h.stats.get("loop_lag_ms", 0.0) > 250.0 for h in shared)
            if busy or lagging:
                spawn(self._add_host())
                return
        now = time.monotonic()
        for info in list(self.hosts.values()):
            if info.dedicated and info.assigned == 0 and now - info.created_at > 2.0:
                await self._remove_host(info)
            elif info.draining_since is not None:
                if info.assigned > 0:
                    info.draining_since = None  # work arrived meanwhile: keep it
                elif now - info.draining_since > 5.0:
                    await self._remove_host(info)
        shared = self._placeable()
        if len(shared) > config.min_hosts:
            idle = [
                h
                for h in shared
                if h.assigned == 0 and h.stats.get("idle_s", 0.0) > config.host_idle_s
            ]
            if idle:
                idle[-1].draining_since = now

    # ------------------------------------------------------------------ placement
    def _choose(self, count: int) -> list[HostInfo]:
        """Hosts for ``count`` runs, least loaded first (water filling)."""
        hosts = self._placeable()
        if not hosts:
            return []
        loads = {h.name: h.assigned for h in hosts}
        chosen = []
        for _ in range(count):
            best = min(hosts, key=lambda h: loads[h.name])
            loads[best.name] += 1
            chosen.append(best)
        return chosen

    def _assign(self, request: Request, info: HostInfo) -> int:
        """Record that ``info`` holds the run; returns the assignment's number."""
        previous = self.runs.get(request.execution_id)
        if previous is not None and previous.host in self.hosts:
            self.hosts[previous.host].assigned -= 1
        seq = next(self._assignments)
        self.runs[request.execution_id] = RunEntry(
            info.name, request.workflow_id, info.dedicated, seq
        )
        info.assigned += 1
        return seq

    def _admit_and_place(
        self, requests: Sequence[Request], *, force: bool = False, direct_ok: bool = False
    ) -> tuple[dict[str, list[tuple[int, int]]], list[int]]:
        """Admit; place the runs that may start. With ``direct_ok`` (the caller holds the
        runs' states) returns ``host -> ids`` for the caller to send; every other run that
        starts is activated from the store by the directory. Also returns the ids deferred
        (queued, or activated by the directory)."""
        start, queued = self.admission.admit(requests, force=force)
        direct = [r for r in start if not r.dedicated and r.event is None] if direct_ok else []
        deferred = [r for r in start if r not in direct] + self.admission.runnable()
        assignments: dict[str, list[tuple[int, int]]] = {}
        chosen = self._choose(len(direct))
        if not chosen:
            deferred += direct
            direct = []
        for request, info in zip(direct, chosen, strict=False):
            seq = self._assign(request, info)
            assignments.setdefault(info.name, []).append((request.execution_id, seq))
        if deferred:
            spawn(self._place(deferred))
        return assignments, [r.execution_id for r in deferred + queued]

    async def _place(self, requests: Sequence[Request]) -> None:
        """Activate admitted runs from the store (queued, resumed, dedicated ones)."""
        shared = [r for r in requests if not r.dedicated]
        for request in [r for r in requests if r.dedicated]:
            spawn(self._place_dedicated(request))
        if not shared:
            return
        chosen = self._choose(len(shared))
        if not chosen:
            self._pending.extend(shared)
            return
        groups: dict[str, list[RunStart]] = {}
        for request, info in zip(shared, chosen, strict=True):
            seq = self._assign(request, info)
            groups.setdefault(info.name, []).append(
                RunStart(request.execution_id, event=request.event, seq=seq)
            )
        await asyncio.gather(*(self._send(name, starts) for name, starts in groups.items()))

    async def _place_dedicated(self, request: Request) -> None:
        name = f"{DEDICATED_PREFIX}{request.execution_id}"
        existing = self.hosts.get(name)
        info = existing or await self._spawn(DedicatedRun, name, dedicated=True)
        if info is None:
            self._pending.append(Request(**{**request.__dict__, "dedicated": False}))
            return
        seq = self._assign(request, info)
        await self._send(name, [RunStart(request.execution_id, event=request.event, seq=seq)])

    async def _send(self, name: str, starts: list[RunStart]) -> None:
        info = self.hosts.get(name)
        if info is None:
            await self._recover([s.execution_id for s in starts], dead_host=name)
            return
        try:
            activated = set(await info.handle.activate.remote(starts))
        except Exception as exc:
            if _is_dead(exc):
                await self._host_died(name)
            else:
                log.error("directory: activation on %s failed: %s", name, exc)
            return
        for start in starts:
            if start.execution_id not in activated:
                self._forget(start.execution_id, name, start.seq)

    def _forget(self, execution_id: int, host: str | None = None, seq: int = 0) -> None:
        entry = self.runs.get(execution_id)
        if entry is None or (host is not None and entry.host != host):
            return
        if seq and entry.seq and seq != entry.seq:
            return  # news about an earlier assignment of this run
        del self.runs[execution_id]
        info = self.hosts.get(entry.host)
        if info is not None:
            info.assigned -= 1
        self.admission.release(execution_id)

    async def _recover(self, ids: Sequence[int], *, dead_host: str | None) -> None:
        """Re-activate runs from their last checkpoint on live hosts."""
        ids = [i for i in ids if i not in self._recovering]
        if not ids:
            return
        self._recovering.update(ids)
        try:
            dedicated = {i for i in ids if (e := self.runs.get(i)) is not None and e.dedicated}
            unknown = [i for i in ids if i not in self.runs]
            workflows = (
                await self.db.run(persistence.workflow_of, self._store(), execution_ids=unknown)
                if unknown
                else {}
            )
            for execution_id in ids:
                entry = self.runs.get(execution_id)
                workflow_id = entry.workflow_id if entry else workflows.get(execution_id, "")
                if entry is None:
                    self.runs[execution_id] = RunEntry(dead_host or "", workflow_id)
                self.admission.adopt(execution_id, workflow_id)
            chosen = self._choose(len(ids) - len(dedicated))
            shared = [i for i in ids if i not in dedicated]
            if shared and not chosen:
                await asyncio.sleep(0.5)  # no host alive right now: the heartbeat adds one
                self._recovering.difference_update(ids)
                self._pending.extend(Request(i, "") for i in shared)
                return
            groups: dict[str, list[RunStart]] = {}
            for execution_id, info in zip(shared, chosen, strict=True):
                request = Request(execution_id, self.runs[execution_id].workflow_id)
                seq = self._assign(request, info)
                groups.setdefault(info.name, []).append(
                    RunStart(execution_id, recovered=True, take_over_from=dead_host, seq=seq)
                )
            self.counters["recovered"] += len(ids)
            await asyncio.gather(*(self._send(name, starts) for name, starts in groups.items()))
            for execution_id in dedicated:
                entry = self.runs[execution_id]
                await self._place_dedicated(
                    Request(execution_id, entry.workflow_id, dedicated=True)
                )
        finally:
            self._recovering.difference_update(ids)

    async def _scan_orphans(self) -> None:
        expired = await self.db.run(persistence.expired_leases, self._store(), limit=1000)
        ids = [i for i, host in expired if host not in self.hosts or i not in self.runs]
        if ids:
            await self._recover(ids, dead_host=None)

    # ------------------------------------------------------------------ calls from clients
    async def dispatch(self, runs: list[tuple[int, str, int, int | None, bool]]) -> dict[str, Any]:
        """Admit and place fresh runs ``(id, workflow id, priority, workflow limit,
        dedicated)``. Returns ``{"assignments": {host: [(id, seq)]}, "handles": {host:
        handle}, "deferred": [ids]}`` (the caller sends assigned runs to their hosts with
        their assignment numbers; deferred ones are queued or activated by the directory),
        or ``{"refused": message, "ids": [...]}``.
        """
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        requests = [Request(i, w, p, limit, dedicated) for i, w, p, limit, dedicated in runs]
        try:
            assignments, deferred = self._admit_and_place(requests, direct_ok=True)
        except RunRefusedError as exc:
            return {"refused": str(exc), "ids": exc.refused_ids}
        return {
            "assignments": assignments,
            "handles": {name: self.hosts[name].handle for name in assignments},
            "deferred": deferred,
        }

    async def redispatch(self, host: str, ids: list[int]) -> None:
        """A client could not deliver ``ids`` to ``host``: activate them from the store."""
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        info = self.hosts.get(host)
        if info is not None:
            try:
                await asyncio.wait_for(info.handle.stats.remote(), PING_TIMEOUT_S)
            except Exception as exc:
                if _is_dead(exc):
                    await self._host_died(host)
                    return
        await self._recover([i for i in ids if (e := self.runs.get(i)) and e.host == host],
                            dead_host=None)  # fmt: skip

    async def report(self, payload: dict[str, Any]) -> None:
        """A host's news: runs that finished, passivated or were lost (taken over)."""
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        host = payload["host"]
        for execution_id, _workflow_id, _status, seq in payload["finished"]:
            self._forget(execution_id, host, seq)
        for execution_id, _workflow_id, until, seq in payload["passivated"]:
            self._forget(execution_id, host, seq)
            if until is not None and until - time.time() < self.config.wait_horizon_s:
                self.waits.add(execution_id, until)
        for execution_id, seq in payload["lost"]:
            entry = self.runs.get(execution_id)
            if entry is not None and entry.host == host and (not seq or entry.seq == seq):
                # the store refused this host's write and nobody else took the run over
                del self.runs[execution_id]
                info = self.hosts.get(host)
                if info is not None:
                    info.assigned -= 1
        info = self.hosts.get(host)
        if info is not None:
            info.stats["active"] = payload.get("active", 0)
        spawned = payload.get("spawned") or []
        if spawned:  # committed by the host (sub-workflows, error workflows): place them
            self._admit_and_place(
                [Request(i, w, 0, limit, dedicated) for i, w, limit, dedicated in spawned],
                force=True,
            )
        returned = payload.get("returned") or []
        if returned:
            spawn(self._wake_parents(sorted({parent for _, parent in returned})))
        runnable = self.admission.runnable()
        if runnable:
            await self._place(runnable)

    async def locate(self, execution_id: int) -> str | None:
        """The host holding an active run (``None``: not active: queued, waiting, done)."""
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        entry = self.runs.get(execution_id)
        return entry.host if entry is not None else None

    async def cancel(self, execution_id: int, reason: str = "canceled") -> str:
        """Cancel a run wherever it is: ``"running"`` (its host stops it), ``"queued"``,
        ``"waiting"`` (re-activated to be canceled), or ``"finished"``/``"unknown"``."""
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        entry = self.runs.get(execution_id)
        if entry is not None and entry.host in self.hosts:
            try:
                if await self.hosts[entry.host].handle.cancel.remote(execution_id, reason):
                    return "running"
            except Exception as exc:
                if _is_dead(exc):
                    await self._host_died(entry.host)
        if self.admission.remove_queued(execution_id):
            await self.db.run(
                persistence.cancel_unstarted,
                self._store(),
                execution_ids=[execution_id],
                error={"message": "The execution was canceled", "name": "ExecutionCancelledError"},
            )
            return "queued"
        if await self.db.run(persistence.take_wait, self._store(), execution_id=execution_id):
            self.waits.discard(execution_id)
            await self._wake([execution_id], to_json(Cancel(reason)))
            return "waiting"
        entry = self.runs.get(execution_id)
        if entry is not None and entry.host in self.hosts:  # re-activated meanwhile
            await self.hosts[entry.host].handle.cancel.remote(execution_id, reason)
            return "running"
        status = await self.db.run(persistence.status_of, self._store(), execution_id=execution_id)
        return "finished" if status not in ("new", "running", "waiting") else "unknown"

    async def resume(self, execution_id: int, outputs: list[list[dict[str, Any]]] | None) -> None:
        """Resume a waiting run (exactly once); ``NotWaitingError`` if it is not waiting."""
        await self.start()  # a no-op once started; after a restart of this actor: rebuilds
        kind = await self.db.run(subruns.wait_kind, self._store(), execution_id=execution_id)
        if kind == subruns.WAIT_KIND:
            raise NotWaitingError(
                f"execution {execution_id} waits for its sub-workflows; it resumes when they end"
            )
        deadline = time.monotonic() + 5.0
        while True:
            if await self.db.run(persistence.take_wait, self._store(), execution_id=execution_id):
                break
            if execution_id not in self.runs or time.monotonic() > deadline:
                raise NotWaitingError(f"execution {execution_id} is not waiting")
            await asyncio.sleep(0.05)  # it is passivating right now: its wait row is coming
        self.waits.discard(execution_id)
        await self._wake([execution_id], to_json(Resume(outputs=outputs)))

    # ------------------------------------------------------------------ waits
    async def _wake(self, ids: Sequence[int], event: dict[str, Any]) -> None:
        workflows = await self.db.run(persistence.workflow_of, self._store(), execution_ids=ids)
        for execution_id in ids:
            # Its wait row was just taken, so it is passivated, even if its host's report
            # saying so has not arrived yet (that report will carry an older number).
            self._forget(execution_id)
        requests = [Request(i, workflows.get(i, ""), 0, None, False, event) for i in ids]
        self.counters["woken"] += len(ids)
        self._admit_and_place(requests, force=True)

    async def _wake_parents(self, parent_ids: Sequence[int] | None) -> None:
        """Wake the parents whose sub-workflows all finished (``None``: look at all of
        them); the wait row's conditional delete makes each wake-up happen once."""
        try:
            ready = await self.db.run(subruns.ready_parents, self._store(), parent_ids=parent_ids)
            taken = [
                pid
                for pid in ready
                if await self.db.run(persistence.take_wait, self._store(), execution_id=pid)
            ]
            if taken:
                await self._wake(taken, to_json(Resume()))
        except Exception:  # the sweep finds them later
            log.exception("directory: waking parents of sub-workflows failed")

    async def _sweep_subruns(self) -> None:
        """Safety nets: parents whose children's reports were lost, and executions committed
        by a host that died before announcing them."""
        await self._wake_parents(None)
        rows = await self.db.run(
            subruns.unannounced, self._store(), older_than_s=subruns.UNANNOUNCED_GRACE_S
        )
        lost = [
            Request(i, w)
            for i, w in rows
            if i not in self.runs
            and i not in self.admission.active
            and not self.admission.is_queued(i)
        ]
        if lost:
            log.warning("directory: starting %d executions nobody announced", len(lost))
            self._admit_and_place(lost, force=True)

    async def _load_waits(self) -> None:
        horizon = time.time() + self.config.wait_horizon_s
        for execution_id, at in await self.db.run(
            persistence.due, self._store(), before_s=horizon, limit=50_000
        ):
            if execution_id not in self.runs:
                self.waits.add(execution_id, at)

    async def _timer_loop(self) -> None:
        while True:  # the loop never dies
            try:
                due = self.waits.pop_due(time.time())
                if due:
                    taken = []
                    for execution_id in due:
                        if await self.db.run(
                            persistence.take_wait, self._store(), execution_id=execution_id
                        ):
                            taken.append(execution_id)
                    if taken:
                        await self._wake(taken, to_json(Resume()))
                next_due = self.waits.next_due()
                delay = 1.0 if next_due is None else next_due - time.time()
                await asyncio.sleep(min(max(delay, 0.01), 1.0))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("directory: timer tick failed")
                await asyncio.sleep(1.0)

    async def _every(self, seconds: float, fn: Any) -> None:
        while True:  # loops never die
            await asyncio.sleep(seconds)
            try:
                await fn()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("directory: %s failed", getattr(fn, "__name__", fn))

    # ------------------------------------------------------------------ introspection
    async def describe(self) -> dict[str, Any]:
        """The directory's view: hosts, runs, admission, timers, counters."""
        await self.start()
        return self._describe()

    def _describe(self) -> dict[str, Any]:
        return {
            "hosts": {
                name: {
                    "dedicated": h.dedicated,
                    "assigned": h.assigned,
                    "draining": h.draining_since is not None,
                    **h.stats,
                }
                for name, h in self.hosts.items()
            },
            "runs": len(self.runs),
            "admission": self.admission.snapshot(),
            "timers": len(self.waits),
            "rss_bytes": rss_bytes(),
            **self.counters,
        }

    def pid(self) -> int:
        return os.getpid()

    async def host_handles(self) -> dict[str, Any]:
        await self.start()
        return {name: h.handle for name, h in self.hosts.items()}

    async def shutdown(self) -> None:
        """Stop the loops and every host (runs in flight are left to recovery)."""
        for task in self._loops:
            task.cancel()
        for info in list(self.hosts.values()):
            await self._remove_host(info)
