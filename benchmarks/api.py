"""The HTTP API on Ray Serve, measured through real HTTP on 127.0.0.1: requests per second
and p50/p99 latency of ``GET /api/v1/executions?limit=20`` and of a manual run with
``wait=true`` of a 3-node workflow (manual trigger, two Set nodes), at 1, 10 and 50
concurrent connections (keep-alive, one ``httpx`` client per connection).

The platform is brought up as ``n8nwork up`` does (local Ray cluster, the runtime, the Serve
app with the HTTP front end picked the same way: HAProxy when a binary is found, else
Serve's proxy; ``--proxy`` forces one), on a fresh data directory: the embedded default, or
PostgreSQL and Redis with ``--database-url`` / ``--redis-url`` (an existing, empty or
n8nwork database: it is migrated). Rate limits are off for the
measurement. The load generator is bounded in time and count and talks to 127.0.0.1 only;
it shares the machine's CPUs with the server.

    python -m benchmarks.api [--quick] [--proxy auto|haproxy|default]
        [--database-url URL] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

import httpx

from benchmarks._common import report
from benchmarks._platform import running_platform

CONCURRENCY = (1, 10, 50)
MAX_REQUESTS = 200_000


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a run under 90 s")
    parser.add_argument("--proxy", default="auto", choices=("auto", "haproxy", "default"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    return parser.parse_args()


def workflow_doc() -> dict[str, Any]:
    def set_node(node_id: str, name: str, x: int) -> dict[str, Any]:
        return {
            "id": node_id,
            "name": name,
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [x, 0],
            "parameters": {
                "assignments": {
                    "assignments": [{"id": node_id, "name": name, "value": "x", "type": "string"}]
                },
                "includeOtherFields": True,
                "options": {},
            },
        }

    return {
        "name": "Benchmark: 3 nodes",
        "nodes": [
            {
                "id": "t",
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            set_node("a", "A", 200),
            set_node("b", "B", 400),
        ],
        "connections": {
            "Start": {"main": [[{"node": "A", "type": "main", "index": 0}]]},
            "A": {"main": [[{"node": "B", "type": "main", "index": 0}]]},
        },
        "settings": {"executionOrder": "v1"},
    }


async def load(
    url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    *,
    concurrency: int,
    seconds: float,
    expect: int,
) -> tuple[float, float, float, int]:
    """``concurrency`` connections sending requests back to back for ``seconds``:
    (requests/s, p50 ms, p99 ms, errors)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=120.0
        ) as client:
            await client.request(method, path)  # connect and warm up
            while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                started = time.perf_counter()
                try:
                    response = await client.request(method, path)
                    ok = response.status_code == expect
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000.0)
                if not ok:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, p50, p99, errors


def main() -> None:
    args = parse()
    seconds = 4.0 if args.quick else 15.0
    from serve.config import ApiConfig

    with running_platform(
        "api",
        database_url=args.database_url,
        redis_url=args.redis_url,
        proxy=args.proxy,
        config=ApiConfig(ip_limit=None, principal_limit=None, login_limit=None),
        port=args.port,
    ) as platform:
        url, headers, proxy, settings = (
            platform.url, platform.headers, platform.proxy, platform.settings
        )  # fmt: skip
        wid = httpx.post(f"{url}/api/v1/workflows", json=workflow_doc(), headers=headers).json()[
            "id"
        ]
        for _ in range(40):  # history to list (and a warm runtime)
            httpx.post(f"{url}/api/v1/workflows/{wid}/run?wait=true", headers=headers, timeout=60)
        metrics: dict[str, float] = {}
        notes: dict[str, str] = {}
        backend = "embedded (SQLite)" if settings.embedded else "PostgreSQL"
        metrics["load_avg_1m_start"] = os.getloadavg()[0]
        for concurrency in CONCURRENCY:
            for name, method, path, expect in (
                ("noop_healthz", "GET", "/healthz", 200),
                ("executions_list", "GET", "/api/v1/executions?limit=20", 200),
                ("manual_run", "POST", f"/api/v1/workflows/{wid}/run?wait=true", 200),
            ):
                rps, p50, p99, errors = asyncio.run(
                    load(
                        url,
                        method,
                        path,
                        headers,
                        concurrency=concurrency,
                        seconds=seconds,
                        expect=expect,
                    )
                )
                metrics[f"{name}_rps_c{concurrency}"] = rps
                metrics[f"{name}_p50_ms_c{concurrency}"] = p50
                metrics[f"{name}_p99_ms_c{concurrency}"] = p99
                metrics[f"{name}_errors_c{concurrency}"] = float(errors)
                print(
                    f"{name} c{concurrency}: {rps:,.0f} req/s, p50 {p50:.1f} ms, "
                    f"p99 {p99:.1f} ms, errors {errors}",
                    flush=True,
                )
        metrics["load_avg_1m_end"] = os.getloadavg()[0]
        notes["executions_list_rps_c1"] = f"{proxy} front end, {backend}"
        notes["noop_healthz_rps_c1"] = "no-op route: the front end's and the client's ceiling"
        notes["load_avg_1m_start"] = "other work on the machine while measuring"
        report("api", metrics, notes)


if __name__ == "__main__":
    main()
