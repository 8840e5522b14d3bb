"""``SchedulerActor`` (``n8nwork-scheduler-<n>``): an async Ray actor hosting one
``n8nwork.triggers.scheduler.Scheduler``. ``config.scheduler_instances`` of them run per
runtime (default 1); several at once are safe (the store's unique slot decides which one
fires a slot) and keep schedules firing while one restarts.

The scheduler commits each slot's run (status ``new``) before dispatching it; dispatch goes
to the directory exactly like a client's committed runs (``Runtime._submit_chunk``): the
directory admits and places them, the runs it assigns to a host are sent to that host (which
loads them from the store), the others it starts itself. A refused run is recorded as
canceled with the refusal's message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import ray

from actors import persistence
from actors._spawn import spawn
from actors.config import RuntimeConfig
from actors.directory import DIRECTORY_NAME
from actors.hosting import RunStart
from actors.persistence import DbThread
from n8nwork.settings import Settings
from n8nwork.store import Store, open_store
from n8nwork.triggers.scheduler import FiredRun, Scheduler

log = logging.getLogger(__name__)

SCHEDULER_PREFIX = "n8nwork-scheduler-"


def _limit(settings: Any, default: int | None) -> int | None:
    raw = settings.get("maxConcurrency") if hasattr(settings, "get") else None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    return default


@ray.remote(num_cpus=0)
class SchedulerActor:
    """Hosts a ``Scheduler`` (see the module docstring).

    Guarantees: every slot of every active schedule node fires once in the whole runtime
    (whatever the number of scheduler actors); its run is committed before the directory
    hears of it; runs never dispatched (a crash in between) are dispatched again by a
    scheduler's periodic scan or on its start. Ray restarts it (``max_restarts=-1``).
    """

    def __init__(self, name: str, settings: Settings, config: RuntimeConfig) -> None:
        self.name = name
        self.settings = settings
        self.config = config
        self.db = DbThread(f"{name}-db")
        self.store: Store | None = None
        self.scheduler: Scheduler | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """Open the store and start the scheduler's loop (idempotent)."""
        if self.scheduler is None:
            self.store = await self.db.run(open_store, self.settings, migrate=False)
            self.scheduler = Scheduler(
                self.store,
                self._dispatch,
                default_timezone=self.settings.timezone,
                host=self.name,
                poll_s=self.config.scheduler_poll_s,
            )
            self._task = spawn(self.scheduler.run())
        return self.name

    async def _dispatch(self, runs: list[FiredRun]) -> None:
        directory = ray.get_actor(DIRECTORY_NAME, namespace=self.config.namespace)
        reply: dict[str, Any] = await directory.dispatch.remote(
            [
                (
                    r.execution_id,
                    r.workflow_id,
                    0,
                    _limit(r.settings, self.config.workflow_max_concurrency),
                    bool(r.settings.get("dedicatedActor")),
                )
                for r in runs
            ]
        )
        if "refused" in reply:
            assert self.store is not None
            await self.db.run(
                persistence.cancel_unstarted,
                self.store,
                execution_ids=[r.execution_id for r in runs],
                error={"message": reply["refused"], "name": "RunRefusedError"},
            )
            log.warning("scheduler: %d scheduled runs refused: %s", len(runs), reply["refused"])
            return
        for host, assigned in reply["assignments"].items():
            starts = [RunStart(execution_id, seq=seq) for execution_id, seq in assigned]
            try:
                await reply["handles"][host].activate.remote(starts)
            except Exception as exc:  # the host is gone: the directory places them again
                log.warning(
                    "scheduler: could not deliver %d runs to %s: %s", len(starts), host, exc
                )
                await directory.redispatch.remote(host, [s.execution_id for s in starts])

    def describe(self) -> dict[str, Any]:
        """The scheduler's counters and how many schedule nodes it follows."""
        if self.scheduler is None:
            return {"name": self.name, "started": False}
        stats = self.scheduler.stats
        return {
            "name": self.name,
            "started": True,
            "schedules": len(self.scheduler.entries),
            **stats.__dict__,
        }

    async def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
            if self._task is not None:
                await asyncio.wait({self._task}, timeout=5)
            self.scheduler.close()
            self.scheduler = None
        if self.store is not None:
            self.store.close()
            self.store = None


def scheduler_names(config: RuntimeConfig) -> list[str]:
    return [f"{SCHEDULER_PREFIX}{i}" for i in range(config.scheduler_instances)]


def start_schedulers(settings: Settings, config: RuntimeConfig) -> list[Any]:
    """Create (or find) the runtime's scheduler actors and start them; does not wait."""
    handles = []
    for name in scheduler_names(config):
        handle = SchedulerActor.options(  # type: ignore[attr-defined]
            name=name,
            namespace=config.namespace,
            lifetime="detached",
            get_if_exists=True,
            max_restarts=-1,
        ).remote(name, settings, config)
        handle.start.remote()
        handles.append(handle)
    return handles


def stop_schedulers(config: RuntimeConfig, timeout: float = 10.0) -> None:
    """Stop and remove the runtime's scheduler actors (those that exist)."""
    for name in scheduler_names(config):
        try:
            handle = ray.get_actor(name, namespace=config.namespace)
        except ValueError:
            continue
        try:
            ray.get(handle.shutdown.remote(), timeout=timeout)
        except Exception as exc:
            log.warning("runtime: scheduler %s shutdown failed: %s", name, exc)
        ray.kill(handle, no_restart=True)
