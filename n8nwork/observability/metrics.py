"""Every n8nwork metric, defined once (names prefixed ``n8nwork_``), in a process-local
prometheus-client registry (``REGISTRY``).

Each process records into its own registry; how the samples leave the process:

- ``GET /metrics`` of an API replica answers that replica's registry (Prometheus text).
- In every Ray process (API replicas, run hosts, the directory, task workers),
  ``ray_export`` copies the registry into Ray's metrics every few seconds; the node's Ray
  metrics export (``--metrics-export-port``, scraped by ``k8s/podmonitor.yaml``) serves
  them as ``ray_<name>`` with a ``process`` label (``api``, ``host``, ``directory``,
  ``worker``) and Ray's ``WorkerId``. That is the path that reaches every process.

Labels are bounded: route *templates* (never raw paths), node *types*, status and mode
words, workflow ids (as many as there are workflows), run host names (a handful).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST
RAY_PREFIX = "ray_"

FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

EXECUTIONS_STARTED = Counter(
    "n8nwork_executions_started",
    "Executions started, by mode and workflow.",
    ["mode", "workflow"],
    registry=REGISTRY,
)
EXECUTIONS_FINISHED = Counter(
    "n8nwork_executions_finished",
    "Executions finished, by status (success, error, canceled, crashed), mode and workflow.",
    ["status", "mode", "workflow"],
    registry=REGISTRY,
)
EXECUTION_DURATION = Histogram(
    "n8nwork_execution_duration_seconds",
    "Wall time of finished executions, from their first node's start, by status and mode.",
    ["status", "mode"],
    buckets=SLOW,
    registry=REGISTRY,
)
NODE_DURATION = Histogram(
    "n8nwork_node_duration_seconds",
    "Node runs: time to execute a node (all its items), by node type, placement and status.",
    ["node_type", "placement", "status"],
    buckets=FAST,
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "n8nwork_http_requests",
    "API requests by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "n8nwork_http_request_duration_seconds",
    "API request latency in the replica, by route template and method.",
    ["route", "method"],
    buckets=FAST,
    registry=REGISTRY,
)
WEBHOOK_REQUESTS = Counter(
    "n8nwork_webhook_requests",
    "Webhook calls by route template (/webhook/{path}, ...), method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
CACHE_ERRORS = Counter(
    "n8nwork_cache_errors",
    "Cache (Redis) operations that failed, by where they were noticed.",
    ["where"],
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "n8nwork_database_errors",
    "Database operations that failed (unavailable, refused), by where they were noticed.",
    ["where"],
    registry=REGISTRY,
)

RUNTIME_GAUGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "n8nwork_runs_active": ("Runs admitted and held by run hosts.", ()),
    "n8nwork_runs_queued": ("Runs waiting for admission (concurrency limits).", ()),
    "n8nwork_runs_waiting": ("Runs parked by a Wait node with a timer (passivated).", ()),
    "n8nwork_run_hosts": ("Live run hosts (shared and dedicated).", ()),
    "n8nwork_run_host_runs": ("Runs held by each run host.", ("host",)),
    "n8nwork_run_host_loop_lag_seconds": ("Event-loop lag of each run host.", ("host",)),
    "n8nwork_run_host_rss_bytes": ("Resident memory of each run host.", ("host",)),
}
"""Gauges read from the directory when collected (``watch_runtime``)."""

Snapshot = Callable[[], dict[str, Any]]


class _RuntimeCollector:
    """Collects ``RUNTIME_GAUGES`` from a snapshot function (the directory's view)."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(n, d, labels=list(lb)) for n, (d, lb) in RUNTIME_GAUGES.items()]

    def collect(self) -> Iterator[Metric]:
        if self.snapshot is None:
            return
        try:
            view = self.snapshot()
        except Exception:  # a broken view must not break the whole scrape
            return
        families = {
            n: GaugeMetricFamily(n, d, labels=list(lb)) for n, (d, lb) in RUNTIME_GAUGES.items()
        }
        for name in ("runs_active", "runs_queued", "runs_waiting", "run_hosts"):
            families[f"n8nwork_{name}"].add_metric([], float(view.get(name, 0)))
        for host, stats in (view.get("hosts") or {}).items():
            families["n8nwork_run_host_runs"].add_metric([host], float(stats.get("active", 0)))
            lag = float(stats.get("loop_lag_ms", 0.0)) / 1000.0
            families["n8nwork_run_host_loop_lag_seconds"].add_metric([host], lag)
            families["n8nwork_run_host_rss_bytes"].add_metric([host], float(stats.get("rss", 0)))
        yield from families.values()


_RUNTIME = _RuntimeCollector()
REGISTRY.register(_RUNTIME)


def watch_runtime(snapshot: Snapshot) -> None:
    """Collect the runtime gauges from ``snapshot()``: ``{"runs_active", "runs_queued",
    "runs_waiting", "run_hosts", "hosts": {name: {"active", "loop_lag_ms", "rss"}}}``."""
    _RUNTIME.snapshot = snapshot


# ----------------------------------------------------------------------------- recording
_children: dict[tuple[Any, ...], Any] = {}


def _child(metric: Any, *labels: str) -> Any:
    """The labelled child of ``metric``, memoized (a dict lookup instead of ``labels()``)."""
    key = (id(metric), *labels)
    found = _children.get(key)
    if found is None:
        if len(_children) > 50_000:
            _children.clear()
        found = _children[key] = metric.labels(*labels)
    return found


def execution_started(mode: str, workflow_id: str) -> None:
    _child(EXECUTIONS_STARTED, mode, workflow_id).inc()


def execution_finished(status: str, mode: str, workflow_id: str, duration_s: float | None) -> None:
    _child(EXECUTIONS_FINISHED, status, mode, workflow_id).inc()
    if duration_s is not None and duration_s >= 0:
        _child(EXECUTION_DURATION, status, mode).observe(duration_s)


def node_ran(node_type: str, placement: str, status: str, duration_s: float) -> None:
    _child(NODE_DURATION, node_type, placement, status).observe(duration_s)


def http_request(route: str, method: str, status: int, duration_s: float) -> None:
    _child(HTTP_REQUESTS, route, method, str(status)).inc()
    _child(HTTP_DURATION, route, method).observe(duration_s)


def webhook_request(route: str, method: str, status: int) -> None:
    _child(WEBHOOK_REQUESTS, route, method, str(status)).inc()


def cache_error(where: str) -> None:
    _child(CACHE_ERRORS, where).inc()


def database_error(where: str) -> None:
    _child(DATABASE_ERRORS, where).inc()


def run_duration_s(state: Any) -> float | None:
    """Seconds since the first node of a run started (its ``runData``), if any ran."""
    starts = [r.start_time for runs in state.run_data.values() for r in runs if r.start_time]
    return time.time() - min(starts) / 1000.0 if starts else None


# ----------------------------------------------------------------------------- exposition
def render() -> bytes:
    """This process's metrics in Prometheus text format."""
    return generate_latest(REGISTRY)


def exported_names() -> frozenset[str]:
    """Every series name this module can produce, as ``/metrics`` shows it and as Ray's
    export shows it (``ray_`` prefix)."""
    names: set[str] = set(RUNTIME_GAUGES)
    for metric in (
        EXECUTIONS_STARTED,
        EXECUTIONS_FINISHED,
        HTTP_REQUESTS,
        WEBHOOK_REQUESTS,
        CACHE_ERRORS,
        DATABASE_ERRORS,
    ):
        names.add(f"{metric._name}_total")
    for histogram in (EXECUTION_DURATION, NODE_DURATION, HTTP_DURATION):
        names |= {f"{histogram._name}_{suffix}" for suffix in ("bucket", "count", "sum")}
    return frozenset(names | {RAY_PREFIX + n for n in names})
