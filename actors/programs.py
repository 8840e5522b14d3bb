"""What a process needs to execute runs of one workflow, built once and cached: the parsed
workflow, its state machine, the in-process node executor and each node's placement.

A run names its workflow by a ``WorkflowRef`` (a saved version, or a snapshot of an unsaved
document by content digest); ``ProgramCache`` keeps the most recently used programs of a
process. Versions and snapshots are immutable, so a cached program never goes stale.

A program's executor gets its credentials from ``credentials(workflow_id)`` (a provider bound
to the workflow, e.g. ``StoredCredentials.for_workflow``), given to the cache by a process
that has the store; task workers have none and get each node's credentials with its task.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from n8nwork.run.machine import RunMachine
from n8nwork.workflow.model import Node, Workflow
from nodes.sdk.base import NodeType, Resources
from nodes.sdk.credentials import CredentialsProvider
from nodes.sdk.registry import Registry
from nodes.sdk.runner import LocalExecutor

SETTINGS_KEY = "n8nwork"
"""The node field holding our per-node settings (n8n ignores unknown node fields)."""


@dataclass(frozen=True)  # no slots: it crosses actor boundaries, and slots pickle slowly
class WorkflowRef:
    """The document a run executes: version ``version`` of a saved workflow, or (``version``
    None) a snapshot stored with the execution, identified by its content ``digest``."""

    workflow_id: str
    version: int | None = None
    digest: str = ""

    @property
    def key(self) -> str:
        if self.version is not None:
            return f"{self.workflow_id}@v{self.version}"
        return f"{self.workflow_id}#{self.digest}"


def document_digest(document: Mapping[str, Any]) -> tuple[str, str]:
    """``(canonical JSON, sha256 hex)`` of a workflow document."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8)
def load_registry(modules: tuple[str, ...] = ()) -> Registry:
    """The built-in node types plus those defined in ``modules`` (once per process)."""
    import importlib

    registry = Registry()
    registry.load_package("nodes.builtin")
    registry.load_entry_points()
    for name in modules:
        module = importlib.import_module(name)
        registry.register_all(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, NodeType)
            and value.type_name
            and value.__module__ == module.__name__
        )
    return registry


# ------------------------------------------------------------------------------ placement
@dataclass(frozen=True, slots=True)
class Placement:
    """Where one node runs: ``inline`` in the run host, or as a Ray ``task`` with resources."""

    kind: str = "inline"
    num_cpus: float = 1.0
    num_gpus: float = 0.0
    memory: int | None = None
    timeout_s: float | None = None
    max_retries: int = 0

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    def ray_options(self) -> dict[str, Any]:
        """Keyword arguments of ``.options()`` for the node task."""
        options: dict[str, Any] = {
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
            "max_retries": self.max_retries,
            "retry_exceptions": False,
        }
        if self.memory:
            options["memory"] = self.memory
        return options


class PlacementError(ValueError):
    """A node's ``n8nwork`` settings are invalid (the message names the setting)."""


def _number(node: Node, key: str, value: Any, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PlacementError(
            f"node '{node.name}': setting {SETTINGS_KEY}.{key} must be a number, got {value!r}"
        )
    if value < minimum:
        raise PlacementError(
            f"node '{node.name}': setting {SETTINGS_KEY}.{key} must be at least {minimum:g}"
        )
    return float(value)


def placement_of(node: Node, node_type: NodeType | None) -> Placement:
    """The node type's declared placement and resources, overridden by the node's
    ``n8nwork`` settings (``placement``, ``numCpus``, ``numGpus``, ``memory`` in bytes,
    ``timeout`` in seconds, ``maxRetries``: Ray-level retries of a crashed worker)."""
    kind = node_type.placement if node_type is not None else "inline"
    res = node_type.resources if node_type is not None else Resources()
    num_cpus, num_gpus = res.num_cpus, res.num_gpus
    memory, timeout = res.memory, res.timeout_s
    max_retries = 0
    raw = node.extras.get(SETTINGS_KEY)
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise PlacementError(f"node '{node.name}': {SETTINGS_KEY} must be an object")
        known = {"placement", "numCpus", "numGpus", "memory", "timeout", "maxRetries"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise PlacementError(
                f"node '{node.name}': unknown setting {SETTINGS_KEY}.{unknown[0]} "
                f"(known: {', '.join(sorted(known))})"
            )
        if "placement" in raw:
            if raw["placement"] not in ("inline", "task"):
                raise PlacementError(
                    f"node '{node.name}': setting {SETTINGS_KEY}.placement must be "
                    f"'inline' or 'task', got {raw['placement']!r}"
                )
            kind = raw["placement"]
        if "numCpus" in raw:
            num_cpus = _number(node, "numCpus", raw["numCpus"])
        if "numGpus" in raw:
            num_gpus = _number(node, "numGpus", raw["numGpus"])
        if "memory" in raw:
            memory = int(_number(node, "memory", raw["memory"], minimum=1)) or None
        if raw.get("timeout") is not None:
            timeout = _number(node, "timeout", raw["timeout"]) or None
        if "maxRetries" in raw:
            max_retries = int(_number(node, "maxRetries", raw["maxRetries"]))
    return Placement(kind, num_cpus, num_gpus, memory, timeout, max_retries)


# ------------------------------------------------------------------------------ programs
def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value > 0 else None


@dataclass
class Program:
    """One workflow made ready to run in this process."""

    ref: WorkflowRef
    workflow: Workflow
    document: str
    """The workflow document as JSON text (sent to task workers, which parse it once)."""
    machine: RunMachine
    executor: LocalExecutor
    registry: Registry
    _placements: dict[str, Placement | PlacementError] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def dedicated(self) -> bool:
        """The workflow asks for a Ray actor per run (``settings.dedicatedActor``)."""
        return bool(self.workflow.settings.get("dedicatedActor"))

    def timeout_s(self, default: float | None, maximum: float | None) -> float | None:
        """The execution timeout: the workflow's ``executionTimeout`` (seconds; -1 or unset:
        the default), never above ``maximum``."""
        raw = self.workflow.settings.get("executionTimeout")
        timeout = _seconds(raw) if raw is not None and raw != -1 else default
        if maximum is not None:
            timeout = min(timeout, maximum) if timeout is not None else maximum
        return timeout

    def placement(self, name: str) -> Placement:
        """Where node ``name`` runs (raises ``PlacementError`` for invalid settings)."""
        found = self._placements.get(name)
        if found is None:
            node = self.workflow.by_name[name]
            try:
                found = placement_of(node, self.registry.get(node.type, node.type_version))
            except PlacementError as exc:
                found = exc
            self._placements[name] = found
        if isinstance(found, PlacementError):
            raise found
        return found


def max_concurrency(workflow: Workflow, default: int | None) -> int | None:
    """The workflow's ``settings.maxConcurrency`` (our extension), else ``default``."""
    raw = workflow.settings.get("maxConcurrency")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    return default


def build_program(
    ref: WorkflowRef,
    document: str | Mapping[str, Any],
    *,
    registry: Registry,
    timezone: str,
    resume_base_url: str = "",
    credentials: CredentialsProvider | None = None,
) -> Program:
    """Parse ``document`` and build its machine and executor (its nodes get their
    credentials from ``credentials``)."""
    raw = json.loads(document) if isinstance(document, str) else dict(document)
    text = document if isinstance(document, str) else json.dumps(raw, ensure_ascii=False)
    workflow = Workflow.from_json(raw)
    executor = LocalExecutor(
        workflow,
        registry=registry,
        timezone=timezone,
        execution={"resumeUrl": resume_base_url},
        credentials=credentials,
    )
    return Program(ref, workflow, text, RunMachine(workflow, registry), executor, registry)


class ProgramCache:
    """The ``capacity`` most recently used programs of this process, by workflow key."""

    def __init__(self, *, registry: Registry, timezone: str, resume_base_url: str = "",
                 capacity: int = 256,
                 credentials: Callable[[str], CredentialsProvider] | None = None,
                 ) -> None:  # fmt: skip
        self.registry = registry
        self.credentials = credentials
        self.timezone = timezone
        self.resume_base_url = resume_base_url
        self.capacity = capacity
        self._programs: OrderedDict[str, Program] = OrderedDict()

    def get(self, key: str) -> Program | None:
        program = self._programs.get(key)
        if program is not None:
            self._programs.move_to_end(key)
        return program

    def keys(self) -> list[str]:
        return list(self._programs)

    def add(self, ref: WorkflowRef, document: str | Mapping[str, Any]) -> Program:
        program = self.get(ref.key)
        if program is None:
            program = build_program(
                ref,
                document,
                registry=self.registry,
                timezone=self.timezone,
                resume_base_url=self.resume_base_url,
                credentials=self.credentials(ref.workflow_id) if self.credentials else None,
            )
            self._programs[ref.key] = program
            while len(self._programs) > self.capacity:
                self._programs.popitem(last=False)
        return program
