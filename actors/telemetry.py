"""Telemetry of Ray processes: ``setup`` (``n8nwork.observability.configure`` plus the copy
below) is what run hosts, the directory, task workers and API replicas call at start.

The copy: this process's ``metrics.REGISTRY`` into Ray's metrics (``ray.util.metrics``),
which the node's Ray metrics export serves to Prometheus as ``ray_<name>``.

Recording stays with prometheus-client (a dict lookup and a locked add: about a
microsecond per count on the webhook path); a daemon thread copies every ``interval_s`` s:
counters as their increase since the last copy, gauges as their value (a series that
disappeared is set to 0), histograms as one observation per new sample, at the middle of
its bucket (Ray's export rebuilds histograms from bucket midpoints anyway). Each series
gets a ``process`` label naming the kind of process. Only Ray worker processes (actors,
tasks, Serve replicas) export: a driver's metrics are its own.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from prometheus_client import CollectorRegistry

from n8nwork.observability import TelemetryConfig, configure, metrics

log = logging.getLogger(__name__)

Key = tuple[str, tuple[tuple[str, str], ...]]

_exporter: RayExporter | None = None
_start_lock = threading.Lock()


def in_ray_worker() -> bool:
    """True in a Ray worker process (actor, task, Serve replica), not in a driver."""
    try:
        import ray
        from ray._private import worker
    except ImportError:
        return False
    return bool(ray.is_initialized() and worker.global_worker.mode == worker.WORKER_MODE)


class RayExporter:
    """The copying described in the module docstring; ``flush()`` copies once, now."""

    def __init__(self, registry: CollectorRegistry, process: str, interval_s: float) -> None:
        self.registry = registry
        self.process = process
        self.interval_s = interval_s
        self._ray: dict[str, Any] = {}
        self._last: dict[Key, float] = {}
        self._gauges: set[Key] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="n8nwork-metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:  # loops never die
                self.flush()
            except Exception:
                log.exception("metrics: copying into Ray's metrics failed")

    def _metric(self, kind: str, name: str, documentation: str, labels: tuple[str, ...],
                boundaries: list[float] | None = None) -> Any:  # fmt: skip
        found = self._ray.get(name)
        if found is None:
            from ray.util import metrics as ray_metrics

            keys = (*labels, "process")
            if kind == "counter":
                found = ray_metrics.Counter(name, documentation, tag_keys=keys)
            elif kind == "gauge":
                found = ray_metrics.Gauge(name, documentation, tag_keys=keys)
            else:
                found = ray_metrics.Histogram(
                    name, documentation, boundaries=boundaries or [1.0], tag_keys=keys
                )
            found.set_default_tags({"process": self.process})
            self._ray[name] = found
        return found

    def flush(self) -> None:
        with self._lock:
            seen_gauges: set[Key] = set()
            for family in self.registry.collect():
                if family.type == "counter":
                    self._counter(family)
                elif family.type == "gauge":
                    self._gauge(family, seen_gauges)
                elif family.type == "histogram":
                    self._histogram(family)
            for key in self._gauges - seen_gauges:
                name, labels = key
                self._ray[name].set(0.0, dict(labels))
            self._gauges = seen_gauges

    def _counter(self, family: Any) -> None:
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            labels = tuple(sorted(sample.labels.items()))
            key = (sample.name, labels)
            delta = sample.value - self._last.get(key, 0.0)
            if delta > 0:
                keys = tuple(k for k, _ in labels)
                counter = self._metric("counter", sample.name, family.documentation, keys)
                counter.inc(delta, dict(labels))
                self._last[key] = sample.value

    def _gauge(self, family: Any, seen: set[Key]) -> None:
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            keys = tuple(k for k, _ in labels)
            gauge = self._metric("gauge", sample.name, family.documentation, keys)
            gauge.set(sample.value, dict(labels))
            seen.add((sample.name, labels))

    def _histogram(self, family: Any) -> None:
        series: dict[tuple[tuple[str, str], ...], list[tuple[float, float]]] = {}
        for sample in family.samples:
            if not sample.name.endswith("_bucket"):
                continue
            plain = dict(sample.labels)
            bound = float(plain.pop("le"))
            series.setdefault(tuple(sorted(plain.items())), []).append((bound, sample.value))
        for labels, buckets in series.items():
            buckets.sort()
            bounds = [b for b, _ in buckets if b != float("inf")]
            keys = tuple(k for k, _ in labels)
            histogram = self._metric("histogram", family.name, family.documentation, keys, bounds)
            tags = dict(labels)
            previous_cumulative = 0.0
            lower = 0.0
            for bound, cumulative in buckets:
                key = (f"{family.name}_bucket:{bound}", labels)
                in_bucket = cumulative - previous_cumulative
                previous_cumulative = cumulative
                new = int(in_bucket - self._last.get(key, 0.0))
                if new > 0:
                    value = (lower + bound) / 2 if bound != float("inf") else lower * 2 or 1.0
                    for _ in range(new):
                        histogram.observe(value, tags)
                    self._last[key] = in_bucket
                lower = bound if bound != float("inf") else lower


def start(registry: CollectorRegistry, process: str, interval_s: float) -> RayExporter | None:
    """Start copying in this process (once; later calls return the running exporter).
    ``None`` outside a Ray worker process."""
    global _exporter
    with _start_lock:
        if _exporter is None and in_ray_worker():
            _exporter = RayExporter(registry, process, interval_s)
            _exporter.start()
        return _exporter


def setup(
    source: Any, *, process: str, logs: bool = True, secrets: tuple[Any, ...] = ()
) -> TelemetryConfig:
    """Logs, traces and secrets of this process (``observability.configure``, ``source``:
    ``Settings`` or ``TelemetryConfig``), and the copy into Ray's metrics when this is a Ray
    worker process. Idempotent; cheap after the first call (task workers call it per task)."""
    config = configure(source, process=process, logs=logs, secrets=secrets)
    start(metrics.REGISTRY, process, config.metrics_export_s)
    return config
