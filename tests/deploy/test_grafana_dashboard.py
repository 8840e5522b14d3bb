"""``k8s/grafana-dashboard.json``: a valid Grafana dashboard whose every query names only
metrics that ``n8nwork/observability/metrics.py`` produces (as Ray's export shows them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from n8nwork.observability.metrics import exported_names

DASHBOARD = Path(__file__).resolve().parents[2] / "k8s" / "grafana-dashboard.json"
IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
PROMQL_WORDS = frozenset(
    {"sum", "max", "min", "avg", "count", "by", "without", "rate", "irate", "increase",
     "histogram_quantile", "topk", "bottomk", "le", "on", "ignoring", "group_left"}
)  # fmt: skip


def load() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def expressions(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in panels(dashboard) for t in p.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    """Identifiers of ``expr`` outside label matchers, ranges, strings and ``by (...)``
    label lists that are not PromQL's own words: the metric names it reads."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", " ", expr)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    return {w for w in IDENTIFIER.findall(bare) if w not in PROMQL_WORDS}


def test_the_dashboard_is_grafana_json() -> None:
    dashboard = load()
    assert dashboard["title"] and dashboard["uid"] and dashboard["schemaVersion"] >= 30
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel["type"] != "row":
            assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}"
            assert all(t["refId"] and t["expr"] for t in panel["targets"])
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert "datasource" in variables


def test_every_metric_of_every_query_is_defined_in_the_metrics_module() -> None:
    known = exported_names()
    used: set[str] = set()
    for expr in expressions(load()):
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        unknown = names - known
        assert not unknown, f"{expr!r} reads metrics not in metrics.py: {sorted(unknown)}"
        used |= names
    # every kind of metric the issue asks for is on the dashboard
    for stem in ("executions_started", "executions_finished", "execution_duration",
                 "node_duration", "runs_active", "runs_queued", "runs_waiting", "run_hosts",
                 "run_host_runs", "http_requests", "webhook_requests", "cache_errors",
                 "database_errors"):  # fmt: skip
        assert any(stem in name for name in used), f"no panel shows {stem}"


def test_the_name_check_would_catch_a_typo() -> None:
    assert metric_names('sum(rate(ray_n8nwork_executon_total{a="b"}[5m]))') == {
        "ray_n8nwork_executon_total"
    }
    assert "ray_n8nwork_executon_total" not in exported_names()
