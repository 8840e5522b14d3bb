"""How the runtime is sized and paced: ``RuntimeConfig``, read from ``N8NWORK_RUNTIME__*``.

    N8NWORK_RUNTIME__MIN_HOSTS=1            run hosts kept alive at least
    N8NWORK_RUNTIME__MAX_HOSTS=4            run hosts at most (added with load)
    N8NWORK_RUNTIME__MAX_ACTIVE_RUNS=10000  runs executing at once, cluster-wide
    N8NWORK_RUNTIME__MAX_QUEUED_RUNS=100000 runs waiting for a slot; more are refused
    N8NWORK_RUNTIME__NODE_MODULES='["mypkg.nodes"]'  extra node types for hosts and workers

The config travels with the runtime's actors (it is a frozen value), so every host, worker
and the directory see the same one. Per-workflow values come from the workflow's settings
(``maxConcurrency``, ``executionTimeout``, ``dedicatedActor``) and win over the defaults here.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RuntimeConfig(BaseSettings):
    """Sizing, limits and timings of the Ray runtime (see the module docstring)."""

    model_config = SettingsConfigDict(
        env_prefix="N8NWORK_RUNTIME__", env_file=None, extra="forbid", frozen=True
    )

    namespace: str = "n8nwork"
    """Ray namespace of the runtime's named actors (several runtimes can share a cluster)."""

    # -- hosts
    min_hosts: int = Field(default=1, ge=1)
    max_hosts: int = Field(default=4, ge=1)
    host_target_runs: int = Field(default=2000, ge=1)
    """Active runs per host above which the directory adds a host (up to ``max_hosts``)."""
    host_idle_s: float = Field(default=60.0, gt=0)
    """A host above ``min_hosts`` with no run for this long is drained and removed."""
    host_num_cpus: float = Field(default=0.0, ge=0)
    """CPUs a host reserves in Ray (0: hosts never compete with node tasks for CPU slots)."""
    host_max_concurrency: int = Field(default=10_000, ge=1)

    # -- admission
    max_active_runs: int = Field(default=10_000, ge=1)
    """Runs executing at once in the whole runtime; more wait in the queue."""
    max_queued_runs: int = Field(default=100_000, ge=0)
    """Runs waiting for a slot at most; a submission that does not fit is refused."""
    workflow_max_concurrency: int | None = Field(default=None, ge=1)
    """Default per-workflow limit of active runs (a workflow's ``maxConcurrency`` wins)."""

    # -- execution
    execution_timeout_s: float | None = Field(default=None, gt=0)
    """Default execution timeout (n8n's EXECUTIONS_TIMEOUT); a workflow's setting wins."""
    max_execution_timeout_s: float | None = Field(default=None, gt=0)
    """Upper bound of any workflow's ``executionTimeout`` (n8n's EXECUTIONS_TIMEOUT_MAX)."""
    node_modules: tuple[str, ...] = ()
    """Modules whose node types are added to the built-in ones in hosts and task workers."""
    max_subworkflow_depth: int = Field(default=10, ge=1)
    """How deep sub-workflows may nest (a top-level run has depth 0): an executeWorkflow node
    whose child would be deeper fails, naming the depth and the workflow."""
    resume_base_url: str = ""
    """Base of ``$execution.resumeUrl`` (the execution id is appended), e.g.
    ``https://n8n.example.com/webhook-waiting``."""

    # -- durability
    lease_ttl_s: float = Field(default=30.0, gt=0)
    """A run's lease: a host that stops renewing for this long loses its runs."""
    lease_renew_s: float = Field(default=10.0, gt=0)
    heartbeat_s: float = Field(default=0.5, gt=0)
    """How often the directory checks that hosts are alive (and recovers dead ones' runs)."""
    orphan_scan_s: float = Field(default=5.0, gt=0)
    """How often the directory looks for runs whose lease expired."""
    report_interval_s: float = Field(default=0.02, gt=0)
    """How often a host tells the directory which runs finished or passivated."""

    # -- waits
    wait_horizon_s: float = Field(default=60.0, gt=0)
    """Timed waits due within this horizon are held in the directory's timer heap; later
    ones stay only in the store and are loaded as their time approaches."""

    # -- schedules
    scheduler_instances: int = Field(default=1, ge=0)
    """Scheduler actors (``actors.scheduler``); several at once are safe, each slot fires once."""
    scheduler_poll_s: float = Field(default=0.5, gt=0)
    """How often a scheduler re-reads the active schedules (activations and edits)."""

    # -- events
    cache_prefix: str = "n8nwork:"
    """Key prefix of the runtime's event streams in Redis (``<prefix>ev:execution:<id>``)."""
    finished_stream_ttl_s: float = Field(default=3600.0, gt=0)
    """A finished run's event stream is kept this long."""

    def with_changes(self, **changes: object) -> RuntimeConfig:
        """A copy with ``changes`` (values are validated)."""
        return RuntimeConfig.model_validate({**self.model_dump(), **changes})
