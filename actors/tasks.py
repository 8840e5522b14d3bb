"""Task nodes: one Ray remote task per node execution, on a worker with the node's resources.

``RayTaskRunner.submit`` starts ``execute_node_task`` with ``num_cpus``, ``num_gpus``,
``memory`` and ``max_retries`` from the node's ``Placement`` (the node type's ``resources``
overridden by the node's ``n8nwork`` settings). The task gets the run's state and the
workflow document (parsed once per worker and cached) and runs the node with the same
``LocalExecutor`` the hosts use inline, so a node behaves the same wherever it runs.

``result`` turns everything into an event for the run: the node's own ``NodeSucceeded`` /
``NodeFailed`` / ``NodeWaiting``; a timeout (the task is force-canceled, which kills its
worker) or a dead worker becomes ``NodeFailed`` whose error names the limit or the cause.
Retries are the run's: ``retryOnFail``/``maxTries``/``waitBetweenTries`` retry a node that
failed for any reason, a crashed worker included, and the attempts are counted in the run's
data. ``n8nwork.maxRetries`` adds Ray-level retries of a crashed worker below that.
A task whose Ray node died (``NodeDiedError``: the machine was lost, not the node's fault) is
submitted again, up to ``NODE_LOST_RETRIES`` times, without counting as an attempt: as the
in-flight node of a run whose host died, it runs again with the same idempotency key.
Credentials: workers have no store. The host resolves the credentials the node references
(through its program's provider, which checks the workflow's project) and sends them in the
``TaskSpec`` (``credentials``, never in its ``repr``); the worker hands them to the node
through a ``StaticCredentials`` provider, for this task only.
A request that no node of the cluster can ever satisfy (more CPUs, GPUs or memory than the
largest node has) fails at once instead of waiting forever.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ray
import ray.exceptions

from actors.programs import Placement, Program, ProgramCache, WorkflowRef, load_registry
from actors.telemetry import setup as setup_telemetry
from n8nwork.credential_refs import secret_values
from n8nwork.net import NetworkPolicy, set_policy
from n8nwork.observability import TelemetryConfig, redaction, tracing
from n8nwork.observability import runs as observe
from n8nwork.run.events import Event, ExecuteNode, NodeFailed
from n8nwork.run.state import RunState
from nodes.sdk.credentials import StaticCredentials, resolve_node_credentials

log = logging.getLogger(__name__)

CLUSTER_REFRESH_S = 30.0
NODE_LOST_RETRIES = 3
"""Times a node task is submitted again after the Ray node running it died."""


@dataclass(frozen=True)
class TaskSpec:
    """Everything a worker needs to execute one node of one run."""

    ref: WorkflowRef
    document: str
    node_modules: tuple[str, ...]
    timezone: str
    resume_url: str
    command: ExecuteNode
    state: RunState
    traceparent: str | None = None
    """The execution span's, parent of the node's span in the worker."""
    telemetry: TelemetryConfig | None = None
    network: NetworkPolicy | None = None
    """The host's SSRF policy (``actors.network``), installed in the worker before the node."""
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    """The decrypted credentials of the node, by type (resolved by the host)."""
    credential_errors: dict[str, str] = field(default_factory=dict)
    """Why a credential the node references could not be resolved, by type."""


_WORKER_PROGRAMS: dict[tuple[tuple[str, ...], str], ProgramCache] = {}


def run_spec(spec: TaskSpec) -> Event:
    """Execute the node of ``spec`` in this process (what the Ray task does)."""
    cache_key = (spec.node_modules, spec.timezone)
    programs = _WORKER_PROGRAMS.get(cache_key)
    if programs is None:
        programs = ProgramCache(registry=load_registry(spec.node_modules), timezone=spec.timezone)
        _WORKER_PROGRAMS[cache_key] = programs
    program = programs.get(spec.ref.key) or programs.add(spec.ref, spec.document)
    program.executor.execution["resumeUrl"] = spec.resume_url
    node = spec.command.node
    for data in spec.credentials.values():
        redaction.remember(*secret_values(data))  # masked in this worker's logs too
    program.executor.credentials = StaticCredentials(
        {node: spec.credentials}, errors={node: spec.credential_errors}
    )
    if spec.network is not None:
        set_policy(spec.network)
    if spec.telemetry is not None:
        setup_telemetry(spec.telemetry, process="worker")
    parent = observe.remote_parent(spec.traceparent)
    try:
        with observe.run_scope(spec.state.execution_id, spec.ref.workflow_id, parent):
            node_type = observe.node_type_of(program, spec.command.node)
            return observe.run_node(
                program.executor, spec.command, spec.state, node_type=node_type, placement="task"
            )
    finally:
        program.executor.credentials = None  # this task's only


@ray.remote
def execute_node_task(spec: TaskSpec) -> Event:
    """A node execution on a worker (all of its input items in one task, as in n8n)."""
    return run_spec(spec)


@ray.remote(num_cpus=1)
def _warm(node_modules: tuple[str, ...], hold_s: float) -> int:
    import os

    load_registry(node_modules)
    time.sleep(hold_s)  # held a moment, so that concurrent warm-ups land on distinct workers
    return os.getpid()


def warm_workers(count: int, node_modules: tuple[str, ...]) -> list[Any]:
    """Start ``count`` task workers and load the node types in them now, so that the first
    task nodes do not pay for a cold worker (a Python start plus imports, about a second
    here). Returns the refs; nobody needs to wait for them."""
    return [_warm.remote(tuple(node_modules), 0.5) for _ in range(max(count, 0))]


@dataclass
class TaskHandle:
    ref: Any
    submitted_at: float  # epoch ms
    problem: str | None = None
    resubmit: Callable[[], Any] | None = None  # a new ref of the same task
    nodes_lost: int = 0


def _failed(command: ExecuteNode, started: float, message: str, name: str,
            **context: Any) -> NodeFailed:  # fmt: skip
    return NodeFailed(
        node=command.node,
        run_index=command.run_index,
        error={
            "message": message,
            "name": name,
            "node": command.node,
            "context": context,
        },
        started_at=started,
        execution_time=time.time() * 1000.0 - started,
    )


class RayTaskRunner:
    """Submits task nodes to Ray from a run host (see the module docstring)."""

    def __init__(self, *, node_modules: tuple[str, ...], timezone: str,
                 resume_base_url: str = "",
                 telemetry: TelemetryConfig | None = None,
                 network: NetworkPolicy | None = None) -> None:  # fmt: skip
        self.node_modules = tuple(node_modules)
        self.telemetry = telemetry
        self.network = network
        self.timezone = timezone
        self.resume_base_url = resume_base_url.rstrip("/")
        self._largest: dict[str, float] = {}
        self._largest_at = 0.0
        self._remotes: dict[tuple[Placement, str], Any] = {}

    def _largest_node(self) -> dict[str, float]:
        now = time.monotonic()
        if not self._largest or now - self._largest_at > CLUSTER_REFRESH_S:
            largest: dict[str, float] = {}
            for node in ray.nodes():
                if not node.get("Alive"):
                    continue
                for key, value in (node.get("Resources") or {}).items():
                    largest[key] = max(largest.get(key, 0.0), float(value))
            self._largest, self._largest_at = largest, now
        return self._largest

    def _infeasible(self, placement: Placement) -> str | None:
        largest = self._largest_node()
        asks = (
            ("CPU", placement.num_cpus, "n8nwork.numCpus", "CPUs"),
            ("GPU", placement.num_gpus, "n8nwork.numGpus", "GPUs"),
            ("memory", float(placement.memory or 0), "n8nwork.memory", "bytes of memory"),
        )
        for resource, wanted, setting, unit in asks:
            if wanted and wanted > largest.get(resource, 0.0):
                return (
                    f"The node asks for {wanted:g} {unit} ({setting}) but the largest node of "
                    f"the cluster has {largest.get(resource, 0.0):g}"
                )
        return None

    def submit(self, program: Program, command: ExecuteNode, state: RunState,
               placement: Placement) -> TaskHandle:  # fmt: skip
        started = time.time() * 1000.0
        problem = self._infeasible(placement)
        if problem is not None:
            return TaskHandle(None, started, problem)
        resume_url = f"{self.resume_base_url}/{state.execution_id}" if self.resume_base_url else ""
        credentials: dict[str, dict[str, Any]] = {}
        credential_errors: dict[str, str] = {}
        node = program.workflow.by_name[command.node]
        provider = program.executor.credentials
        if node.credentials and provider is not None:
            credentials, credential_errors = resolve_node_credentials(provider, node)
        spec = TaskSpec(
            ref=program.ref,
            document=program.document,
            node_modules=self.node_modules,
            timezone=self.timezone,
            resume_url=resume_url,
            command=command,
            state=state,
            traceparent=tracing.current_traceparent(),
            telemetry=self.telemetry,
            network=self.network,
            credentials=credentials,
            credential_errors=credential_errors,
        )
        key = (placement, command.node)
        remote = self._remotes.get(key)
        if remote is None:  # .options() builds a new wrapper: keep one per node and placement
            remote = execute_node_task.options(
                name=f"n8nwork-node:{command.node}", **placement.ray_options()
            )
            if len(self._remotes) > 4096:
                self._remotes.clear()
            self._remotes[key] = remote
        return TaskHandle(
            remote.remote(spec), started, resubmit=functools.partial(remote.remote, spec)
        )

    async def result(self, handle: TaskHandle, program: Program, command: ExecuteNode,
                     placement: Placement) -> Event:  # fmt: skip
        started = handle.submitted_at
        if handle.problem is not None:
            return _failed(command, started, handle.problem, "NodeResourceError", limit="resources")
        try:
            if placement.timeout_s is not None:
                event: Event = await asyncio.wait_for(handle.ref, placement.timeout_s)
            else:
                event = await handle.ref
            return event
        except TimeoutError:
            self.cancel(handle)
            return _failed(
                command,
                started,
                f"The node exceeded its timeout of {placement.timeout_s:g} s and was stopped "
                "(limit: n8nwork.timeout)",
                "NodeTimeoutError",
                limit="timeout",
                timeoutSeconds=placement.timeout_s,
            )
        except ray.exceptions.OutOfMemoryError as exc:
            return _failed(
                command,
                started,
                "The worker running the node ran out of memory and was killed "
                f"(limit: memory): {_first_line(exc)}",
                "NodeMemoryError",
                limit="memory",
            )
        except ray.exceptions.TaskCancelledError:
            return _failed(command, started, "The node was canceled", "NodeCanceledError")
        except ray.exceptions.RayTaskError as exc:  # the task itself raised (not the node)
            return _failed(
                command,
                started,
                f"The node task failed: {_first_line(exc.cause or exc)}",
                "NodeTaskError",
            )
        except ray.exceptions.NodeDiedError as exc:  # the machine, not the node: run it again
            if handle.resubmit is None or handle.nodes_lost >= NODE_LOST_RETRIES:
                return _failed(
                    command,
                    started,
                    f"The Ray node running the node died {handle.nodes_lost + 1} times",
                    "NodeWorkerError",
                    cause=_first_line(exc),
                )
            handle.nodes_lost += 1
            log.warning("node task %s: its Ray node died; submitted again", command.node)
            handle.ref = handle.resubmit()
            return await self.result(handle, program, command, placement)
        except ray.exceptions.RayError as exc:  # worker died, object lost
            return _failed(
                command,
                started,
                f"The worker running the node died ({type(exc).__name__})",
                "NodeWorkerError",
                cause=_first_line(exc),
            )

    def cancel(self, handle: TaskHandle) -> None:
        if handle.ref is not None:
            ray.cancel(handle.ref, force=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__
