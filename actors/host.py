"""``RunHost``: an async Ray actor that holds many active runs (``actors.hosting.HostCore``).

Hosts are created, named and removed by the directory (``n8nwork-host-<n>-<suffix>`` in the
runtime's namespace, so the Ray dashboard lists them); clients send fresh runs straight to
the host the directory chose, with their state, so a run's items never pass through the
directory.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import ray

from actors.config import RuntimeConfig
from actors.events import ActorSink, CacheSink, EventSink
from actors.hosting import HostCore, RunStart
from actors.network import install_policy
from actors.tasks import RayTaskRunner
from actors.telemetry import setup as setup_telemetry
from n8nwork.settings import Settings

log = logging.getLogger(__name__)


def make_sink(settings: Settings, config: RuntimeConfig) -> EventSink:
    """Redis when configured, else the ``EventLog`` actor of the runtime."""
    from actors.events import EVENT_LOG_NAME

    if settings.redis.url is not None:
        from n8nwork.cache import connect_cache

        url = settings.redis.url.get_secret_value()
        return CacheSink(connect_cache(url, prefix=config.cache_prefix))
    return ActorSink(ray.get_actor(EVENT_LOG_NAME, namespace=config.namespace))


class HostShell:
    """The Ray-facing methods shared by ``RunHost`` and ``DedicatedRun`` (a plain class:
    each of them is made a Ray actor class on its own, with its own name and guarantees)."""

    def __init__(
        self, name: str, settings: Settings, config: RuntimeConfig, directory: Any
    ) -> None:
        self.name = name
        self.settings = settings
        self.config = config
        self.directory = directory
        self.core: HostCore | None = None

    async def start(self) -> str:
        """Open the store and start the loops; returns the host's name (idempotent)."""
        if self.core is None:
            telemetry = setup_telemetry(self.settings, process="host")
            network = install_policy(self.settings)
            tasks = RayTaskRunner(
                node_modules=tuple(self.config.node_modules),
                timezone=self.settings.timezone,
                resume_base_url=self.config.resume_base_url,
                telemetry=telemetry,
                network=network,
            )
            core = HostCore(
                self.name,
                self.settings,
                self.config,
                tasks=tasks,
                sink=make_sink(self.settings, self.config),
                reporter=self._report,
            )
            await core.start()
            self.core = core
        return self.name

    async def _report(self, payload: dict[str, Any]) -> None:
        await self.directory.report.remote(payload)

    def _core(self) -> HostCore:
        assert self.core is not None, "start() was not called"
        return self.core

    async def activate(
        self, starts: list[RunStart], documents: dict[str, str] | None = None
    ) -> list[int]:
        """Claim and start runs (see ``HostCore.activate``)."""
        return await self._core().activate(starts, documents)

    async def cancel(self, execution_id: int, reason: str = "canceled") -> bool:
        return await self._core().cancel(execution_id, reason)

    def active_ids(self) -> list[int]:
        return list(self._core().runs)

    def stats(self) -> dict[str, Any]:
        return self._core().stats()

    def pid(self) -> int:
        return os.getpid()

    async def shutdown(self) -> None:
        """Stop the loops and flush; the runs still held here are left to recovery."""
        if self.core is not None:
            await self.core.close()
            self.core = None


@ray.remote(num_cpus=0)
class RunHost(HostShell):
    """A run host: an async actor holding many runs, each an actor in the actor-model sense
    (identity = execution id, private state, one message at a time; ``actors.run_loop``).

    Guarantees:
    - ``activate`` is idempotent: a run already held here is not started twice, and a run
      held by another live host (its lease) or finished is skipped; the ids returned are the
      runs now held here.
    - Every node run of every run is checkpointed (acknowledged after commit, fenced by the
      run's lease epoch) before the run moves on; after a crash of this process the directory
      re-activates each of its runs on another host from its last checkpoint.
    - Inline nodes run in this process; task nodes run as Ray tasks, so a node that exceeds
      a limit or kills its worker fails that node only: this host and its other runs go on.
    - Waiting runs leave this process entirely (state, wait row and released lease are
      written in one transaction); only the directory's timer entry remains.
    - Nothing is retried by callers: the directory retries activations on another host when
      this one dies; leases are renewed every ``lease_renew_s`` while the run is held here.
    """
