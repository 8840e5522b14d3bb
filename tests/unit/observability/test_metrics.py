"""The metrics module: what it records and renders, the API middleware's labels (route
templates, never raw paths), the runtime gauges, and the cost on the webhook path."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families

from n8nwork.observability import metrics
from n8nwork.observability.asgi import RequestTelemetry


def value(name: str, **labels: str) -> float:
    """The current value of a sample in this process's registry (0 if absent)."""
    found = metrics.REGISTRY.get_sample_value(name, labels)
    return float(found or 0.0)


def test_execution_and_node_recordings() -> None:
    before = value(
        "n8nwork_executions_finished_total", status="error", mode="webhook", workflow="w9"
    )
    metrics.execution_started("webhook", "w9")
    metrics.execution_finished("error", "webhook", "w9", 0.2)
    metrics.node_ran("n8n-nodes-base.set", "inline", "success", 0.001)
    after = value(
        "n8nwork_executions_finished_total", status="error", mode="webhook", workflow="w9"
    )
    assert after == before + 1
    assert value("n8nwork_executions_started_total", mode="webhook", workflow="w9") >= 1
    assert value("n8nwork_execution_duration_seconds_count", status="error", mode="webhook") >= 1
    count = value(
        "n8nwork_node_duration_seconds_count",
        node_type="n8n-nodes-base.set",
        placement="inline",
        status="success",
    )
    assert count >= 1


def test_render_is_prometheus_text_with_every_name_known() -> None:
    metrics.webhook_request("/webhook/{path}", "POST", 200)
    families = list(text_string_to_metric_families(metrics.render().decode()))
    samples = {s.name for f in families for s in f.samples}
    assert "n8nwork_webhook_requests_total" in samples
    assert samples <= metrics.exported_names() | {s for s in samples if s.endswith("_created")}
    assert all(n.startswith(("n8nwork_", "ray_n8nwork_")) for n in metrics.exported_names())


def test_the_api_middleware_labels_by_route_template() -> None:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    router = APIRouter(prefix="/api/v1")

    @router.get("/items/{item_id}/parts/{part}")
    async def part(item_id: int, part: str) -> dict[str, str]:
        return {"part": part}

    app.include_router(router)

    app.add_middleware(RequestTelemetry)

    async def calls() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for i in range(3):
                assert (await client.get(f"/things/{i}")).status_code == 200
            assert (await client.get("/nowhere/at/all")).status_code == 404
            assert (await client.get("/api/v1/items/12/parts/12")).status_code == 200

    anyio.run(calls)
    assert value("n8nwork_http_requests_total", route="/things/{thing_id}", method="GET",
                 status="200") >= 3  # fmt: skip
    assert value("n8nwork_http_requests_total", route="unmatched", method="GET", status="404") >= 1
    route = "/api/v1/items/{item_id}/parts/{part}"
    assert value("n8nwork_http_requests_total", route=route, method="GET", status="200") >= 1
    text = metrics.render().decode()
    assert "/things/1" not in text and "/nowhere" not in text


class FakeDirectory:
    class admission:
        @staticmethod
        def snapshot() -> dict[str, Any]:
            return {"active": 3, "queued": 2}

    class HostInfo:
        stats = {"active": 3, "loop_lag_ms": 12.0, "rss_bytes": 1000}

    hosts = {"host-1": HostInfo()}
    store = None


def test_runtime_gauges_come_from_the_directory_view() -> None:
    from n8nwork.observability.runtime_view import DirectoryView

    metrics.watch_runtime(DirectoryView(FakeDirectory()).snapshot)
    try:
        assert value("n8nwork_runs_active") == 3 and value("n8nwork_runs_queued") == 2
        assert value("n8nwork_run_hosts") == 1
        assert value("n8nwork_run_host_loop_lag_seconds", host="host-1") == 0.012
        assert value("n8nwork_run_host_rss_bytes", host="host-1") == 1000
    finally:
        metrics.watch_runtime(None)  # type: ignore[arg-type]
    assert metrics.REGISTRY.get_sample_value("n8nwork_runs_active") is None


def test_counting_a_webhook_call_costs_microseconds() -> None:
    # The webhook path is ~2.4 ms of CPU per call; the count must stay far below 20 µs.
    metrics.webhook_request("/webhook/{path}", "POST", 200)
    n = 20_000
    start = time.perf_counter()
    for _ in range(n):
        metrics.webhook_request("/webhook/{path}", "POST", 200)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 10e-6, f"{per_call * 1e6:.2f} µs per webhook count"
