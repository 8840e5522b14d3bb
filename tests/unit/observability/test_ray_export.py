"""Copying the registry into Ray's metrics: counters as increases, gauges as values (gone
series set to 0), histograms as observations in the right buckets. Ray's metric classes
are replaced by recorders here (unit tests start no Ray; the integration test scrapes the
real export)."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from actors import telemetry as ray_export


class Recorder:
    made: dict[str, Recorder] = {}

    def __init__(self, name: str, description: str = "", tag_keys: Any = (), **kw: Any) -> None:
        self.name, self.tag_keys, self.kw = name, tuple(tag_keys), kw
        self.calls: list[tuple[float, dict[str, str]]] = []
        self.defaults: dict[str, str] = {}
        Recorder.made[name] = self

    def set_default_tags(self, tags: dict[str, str]) -> None:
        self.defaults = tags

    def inc(self, value: float, tags: dict[str, str]) -> None:
        self.calls.append((value, tags))

    set = observe = inc


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> tuple[ray_export.RayExporter, CollectorRegistry]:
    from ray.util import metrics as ray_metrics

    for name in ("Counter", "Gauge", "Histogram"):
        monkeypatch.setattr(ray_metrics, name, Recorder)
    Recorder.made = {}
    registry = CollectorRegistry()
    return ray_export.RayExporter(registry, "host", 60.0), registry


def test_counters_are_copied_as_increases(exporter: Any) -> None:
    copier, registry = exporter
    counter = Counter("n8nwork_things", "things", ["kind"], registry=registry)
    counter.labels("a").inc(3)
    copier.flush()
    counter.labels("a").inc(2)
    copier.flush()
    copier.flush()  # nothing new: nothing copied
    made = Recorder.made["n8nwork_things_total"]
    assert made.tag_keys == ("kind", "process") and made.defaults == {"process": "host"}
    assert made.calls == [(3.0, {"kind": "a"}), (2.0, {"kind": "a"})]


def test_histograms_are_copied_into_their_buckets(exporter: Any) -> None:
    copier, registry = exporter
    histogram = Histogram("n8nwork_d", "d", ["t"], buckets=(0.1, 1.0), registry=registry)
    for v in (0.05, 0.5, 0.5, 5.0):
        histogram.labels("x").observe(v)
    copier.flush()
    histogram.labels("x").observe(0.05)
    copier.flush()
    made = Recorder.made["n8nwork_d"]
    assert made.kw["boundaries"] == [0.1, 1.0]
    values = sorted(v for v, _ in made.calls)
    assert values == [0.05, 0.05, 0.55, 0.55, 2.0]  # bucket midpoints; +Inf: twice the last


def test_gauges_are_set_and_vanished_series_zeroed(exporter: Any) -> None:
    copier, registry = exporter
    hosts = {"h1": 4.0}

    class Collector:
        def collect(self) -> Any:
            family = GaugeMetricFamily("n8nwork_run_host_runs", "runs", labels=["host"])
            for host, runs in hosts.items():
                family.add_metric([host], runs)
            yield family

    registry.register(Collector())
    copier.flush()
    hosts.clear()
    copier.flush()
    calls = Recorder.made["n8nwork_run_host_runs"].calls
    assert calls == [(4.0, {"host": "h1"}), (0.0, {"host": "h1"})]


def test_only_ray_worker_processes_export() -> None:
    assert ray_export.in_ray_worker() is False
    assert ray_export.start(CollectorRegistry(), "api", 1.0) is None
