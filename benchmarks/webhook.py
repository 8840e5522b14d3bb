"""Webhooks end to end over HTTP: the n8n exports in ``shared/bench-workflows``
(``webhook-set-respond.json``: Webhook → Set ``{{ $json.body.x * 2 }}`` → Respond to Webhook;
``webhook-chain10-respond.json``: ten Set nodes in a chain), imported and activated through
the API unchanged, driven with ``POST /webhook/<path>`` at 1, 10 and 50 concurrent
keep-alive connections. Executions are saved to PostgreSQL (a fresh database), Redis is the
cache (rate limits, routes' generation). ``GET /healthz`` is measured in the same run as the
reference of what the front end and the client alone reach on this machine.

The platform comes up as ``n8nwork up`` does (local Ray cluster, runtime, Serve app,
HAProxy front end when a binary is found). The load generator (``_http_load``) runs in this
process and shares the 2 CPUs with the server.

    python -m benchmarks.webhook [--quick] [--database-url URL] [--redis-url URL]
        [--proxy auto|haproxy|default] [--workflows DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path

from benchmarks._common import report
from benchmarks._http_load import LoadResult, load, one
from benchmarks._platform import Platform, running_platform
from benchmarks._workflows import (
    BODY,
    CONCURRENCY,
    FOLDER,
    activate_all,
    count_executions,
    expected_answer,
    fresh_database,
)

BENCH_DB = "n8nwork_bench_webhook"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="per measurement")
    parser.add_argument("--proxy", default="auto", choices=("auto", "haproxy", "default"))
    parser.add_argument(
        "--replicas", type=int, default=None, help="API replicas (default: autoscaling 1-2)"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh PG database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument(
        "--workflows",
        default=str(FOLDER),
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    database_url = args.database_url or fresh_database(BENCH_DB)
    from serve.config import ApiConfig

    with running_platform(
        "webhook",
        database_url=database_url,
        redis_url=args.redis_url,
        proxy=args.proxy,
        config=ApiConfig(),  # default limits: webhooks have their own per-address limit
        replicas=args.replicas,
    ) as platform:
        metrics, notes = measure(platform, args, seconds)
    metrics["executions_saved"] = float(count_executions(database_url))
    notes["executions_saved"] = "rows in PostgreSQL after the run"
    report("webhook", metrics, notes)


def measure(
    platform: Platform, args: argparse.Namespace, seconds: float
) -> tuple[dict[str, float], dict[str, str]]:
    url = platform.url
    paths = activate_all(platform, Path(args.workflows))
    metrics: dict[str, float] = {"load_avg_1m_start": os.getloadavg()[0]}
    headers = {"Content-Type": "application/json"}
    for name, path in paths.items():
        status, body = asyncio.run(one(f"{url}/webhook/{path}", "POST", BODY, headers))
        got = json.loads(body) if status == 200 else body
        if status != 200 or got != expected_answer(name):
            raise SystemExit(f"{name}: unexpected answer {status} {got!r}")
        asyncio.run(load(f"{url}/webhook/{path}", method="POST", body=BODY,
                         headers=headers, concurrency=10, seconds=1.0))  # fmt: skip
    for concurrency in CONCURRENCY:
        runs: list[tuple[str, str, str, bytes, dict[str, str]]] = [
            ("healthz", "GET", "/healthz", b"", {}),
            *[(n, "POST", f"/webhook/{p}", BODY, headers) for n, p in paths.items()],
        ]
        for name, method, path, body, extra in runs:
            result: LoadResult = asyncio.run(
                load(
                    f"{url}{path}",
                    method=method,
                    body=body,
                    headers=extra,
                    concurrency=concurrency,
                    seconds=seconds,
                )
            )
            metrics[f"{name}_rps_c{concurrency}"] = result.rps
            metrics[f"{name}_p50_ms_c{concurrency}"] = result.p50_ms
            metrics[f"{name}_p99_ms_c{concurrency}"] = result.p99_ms
            metrics[f"{name}_errors_c{concurrency}"] = float(result.errors)
            print(
                f"{name} c{concurrency}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} "
                f"ms, p99 {result.p99_ms:.2f} ms, errors {result.errors}",
                flush=True,
            )
    metrics["load_avg_1m_end"] = os.getloadavg()[0]
    replicas = args.replicas or "1-2 (autoscaling)"
    notes = {
        "webhook_rps_c1": f"{platform.proxy} front end, {replicas} replicas, PostgreSQL + Redis",
        "healthz_rps_c1": "no-op route: the front end's and the client's ceiling",
    }
    return metrics, notes


if __name__ == "__main__":
    main()
