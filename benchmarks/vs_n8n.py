"""n8nwork next to a real n8n, on the same machine, the same workflows and the same load.

Both systems run on 127.0.0.1 at the same time: n8nwork as ``n8nwork up`` brings it up
(local Ray cluster, Serve app, executions saved to a fresh PostgreSQL database, Redis cache)
and n8n 2.41.1 in its default regular mode (SQLite, executions saved), installed on first
run into a cache directory (``benchmarks/_n8n.py``). The n8n exports of
``shared/bench-workflows`` are imported into both and activated. For each concurrency level
(1, 10, 50 keep-alive connections) and workflow, each system is driven for the same time by
the same client (``_http_load``, in this process) with the same payload ``{"x": 21}``, one
system loaded while the other idles, the order alternating from one level to the next. An
answer other than 200 with the Respond node's JSON counts as an error. A sampler adds up the
RSS of each system's process tree every ~100 ms and keeps the peak.

When n8n cannot be installed or started, it is skipped with one line saying why, and
n8nwork is still measured.

    python -m benchmarks.vs_n8n [--quick] [--seconds S] [--skip-n8n]
        [--database-url URL] [--redis-url URL] [--workflows DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import write_results
from benchmarks._http_load import load, one
from benchmarks._n8n import N8N_VERSION, Installation, N8nUnavailable, install, running_n8n
from benchmarks._platform import running_platform
from benchmarks._rss import RssSampler, cpu_seconds_of
from benchmarks._workflows import (
    BODY,
    CONCURRENCY,
    FOLDER,
    WORKFLOWS,
    activate_all,
    answer_check,
    count_executions,
    expected_answer,
    fresh_database,
    postgres_backends,
    webhook_path,
)

NAME = "vs_n8n"
SYSTEMS = ("n8nwork", "n8n")
BENCH_DB = "n8nwork_bench_vs_n8n"
HEADERS = {"Content-Type": "application/json"}
PAUSE_S = 2.0
"""Between two measurements, so that the system just loaded is idle again."""
REGISTER_TIMEOUT_S = 120.0
WHAT = ("rps", "p50_ms", "p99_ms", "errors", "cpu_ms_per_req")
"""What is measured per system, workflow and concurrency (``key``)."""


@dataclass(frozen=True)
class Target:
    """A system under load: its base URL and ``{workflow: webhook path}``."""

    url: str
    paths: dict[str, str]


def key(system: str, workflow: str, what: str, concurrency: int) -> str:
    """The JSON key of one measurement: ``n8nwork_webhook_rps_c10``."""
    return f"{system}_{workflow}_{what}_c{concurrency}"


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """``ours / theirs``, or ``None`` when either is missing or ``theirs`` is 0."""
    if ours is None or not theirs:
        return None
    return ours / theirs


def order(level: int) -> tuple[str, ...]:
    """The systems in the order they are loaded at the ``level``-th concurrency level."""
    return tuple(reversed(SYSTEMS)) if level % 2 == 0 else SYSTEMS


def ratios(metrics: dict[str, float], workflows: Iterable[str], levels: Iterable[int]) -> None:
    """Add ``ratio_W_rps_cN`` (n8nwork / n8n) and ``ratio_peak_rss`` where both are known."""
    levels = tuple(levels)
    for workflow in workflows:
        for c in levels:
            r = ratio(metrics.get(key("n8nwork", workflow, "rps", c)),
                      metrics.get(key("n8n", workflow, "rps", c)))  # fmt: skip
            if r is not None:
                metrics[f"ratio_{workflow}_rps_c{c}"] = r
    r = ratio(metrics.get("n8nwork_peak_rss_mb"), metrics.get("n8n_peak_rss_mb"))
    if r is not None:
        metrics["ratio_peak_rss"] = r


def _cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def table(
    metrics: dict[str, float], workflows: Sequence[str], levels: Sequence[int], title: str
) -> str:
    """The side-by-side table (Markdown), from the metrics of ``measure``."""
    get = metrics.get
    lines = [
        title,
        "",
        "| workflow | conn. | req/s n8nwork | req/s n8n | ratio | p50 ms n8nwork | p50 ms n8n "
        "| p99 ms n8nwork | p99 ms n8n | errors n8nwork | errors n8n "
        "| CPU ms/req n8nwork | CPU ms/req n8n |",
        "| --- |" + " ---: |" * 12,
    ]
    for workflow in workflows:
        for c in levels:
            ours = {w: get(key("n8nwork", workflow, w, c)) for w in WHAT}
            theirs = {w: get(key("n8n", workflow, w, c)) for w in WHAT}
            r = ratio(ours["rps"], theirs["rps"])
            cells = [
                workflow,
                str(c),
                _cell(ours["rps"], ",.0f"),
                _cell(theirs["rps"], ",.0f"),
                "—" if r is None else f"{r:.2f}x",
                _cell(ours["p50_ms"], ".1f"),
                _cell(theirs["p50_ms"], ".1f"),
                _cell(ours["p99_ms"], ".1f"),
                _cell(theirs["p99_ms"], ".1f"),
                _cell(ours["errors"], ".0f"),
                _cell(theirs["errors"], ".0f"),
                _cell(ours["cpu_ms_per_req"], ".1f"),
                _cell(theirs["cpu_ms_per_req"], ".1f"),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| memory and storage | n8nwork | n8n | ratio |", "| --- | ---: | ---: | ---: |"]
    for label, what, fmt in (
        ("peak RSS, MB (all processes)", "peak_rss_mb", ",.0f"),
        ("idle RSS before the load, MB", "idle_rss_mb", ",.0f"),
        ("processes", "processes", ".0f"),
        ("executions saved", "executions_saved", ",.0f"),
    ):
        ours_v, theirs_v = get(f"n8nwork_{what}"), get(f"n8n_{what}")
        r = ratio(ours_v, theirs_v) if what.endswith("_mb") else None
        ratio_cell = "—" if r is None else f"{r:.2f}x"
        cells = [label, _cell(ours_v, fmt), _cell(theirs_v, fmt), ratio_cell]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="per measurement (10)")
    parser.add_argument("--skip-n8n", action="store_true", help="measure n8nwork only")
    parser.add_argument(
        "--n8n-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra n8n setting, e.g. N8N_EXPRESSION_ENGINE=legacy (repeatable)",
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh PG database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--workflows", default=str(FOLDER), help="the n8n exports")
    args = parser.parse_args(argv)
    if args.seconds is not None and args.seconds <= 0:
        parser.error(f"--seconds must be positive, not {args.seconds}")
    for item in args.n8n_env:
        name, sep, _ = item.partition("=")
        if not sep or not name.startswith(("N8N_", "EXECUTIONS_", "DB_", "NODE_")):
            parser.error(f"--n8n-env wants N8N_/EXECUTIONS_/DB_/NODE_ KEY=VALUE, not {item!r}")
    return args


def check_and_warm(system: str, target: Target) -> None:
    """One request per workflow must give the expected answer; then 1 s of load to warm up.
    A 404 is retried for up to ``REGISTER_TIMEOUT_S``: n8n registers the webhooks of its
    active workflows a few seconds after it says "Editor is now accessible"."""
    for workflow, path in target.paths.items():
        url = f"{target.url}/webhook/{path}"
        deadline = time.monotonic() + REGISTER_TIMEOUT_S
        status, body = asyncio.run(one(url, "POST", BODY, HEADERS))
        while status == 404 and time.monotonic() < deadline:
            time.sleep(0.5)
            status, body = asyncio.run(one(url, "POST", BODY, HEADERS))
        try:
            got = json.loads(body)
        except ValueError:
            got = body
        if status != 200 or got != expected_answer(workflow):
            raise SystemExit(f"{system} {workflow}: unexpected answer {status} {got!r}")
        asyncio.run(load(url, method="POST", body=BODY, headers=HEADERS, concurrency=10,
                         seconds=1.0, check=answer_check(workflow)))  # fmt: skip


def measure(
    targets: dict[str, Target],
    seconds: float,
    sampler: RssSampler,
    database_pids: Callable[[], list[int]] | None = None,
) -> dict[str, float]:
    """Every measurement; ``database_pids`` gives n8nwork's PostgreSQL server processes, whose
    CPU time is added to n8nwork's (n8n's SQLite runs inside its own process)."""
    metrics: dict[str, float] = {"seconds_per_measurement": seconds,
                                 "load_avg_1m_start": os.getloadavg()[0]}  # fmt: skip
    for system, target in targets.items():
        check_and_warm(system, target)
    time.sleep(PAUSE_S)
    for system, mb in sampler.sample().items():
        metrics[f"{system}_idle_rss_mb"] = mb
    for level, concurrency in enumerate(CONCURRENCY):
        for workflow in WORKFLOWS:
            for system in order(level):
                if system not in targets:
                    continue
                url = f"{targets[system].url}/webhook/{targets[system].paths[workflow]}"
                db = database_pids() if database_pids and system == "n8nwork" else []
                cpu_before = sampler.cpu_seconds().get(system, 0.0)
                db_before = cpu_seconds_of(db)
                result = asyncio.run(load(url, method="POST", body=BODY, headers=HEADERS,
                                          concurrency=concurrency, seconds=seconds,
                                          check=answer_check(workflow)))  # fmt: skip
                metrics[key(system, workflow, "rps", concurrency)] = result.rps
                metrics[key(system, workflow, "p50_ms", concurrency)] = result.p50_ms
                metrics[key(system, workflow, "p99_ms", concurrency)] = result.p99_ms
                metrics[key(system, workflow, "errors", concurrency)] = float(result.errors)
                db_cpu = cpu_seconds_of(db) - db_before
                cpu = sampler.cpu_seconds().get(system, 0.0) - cpu_before + db_cpu
                per_req = 1000.0 / result.requests if result.requests else 0.0
                cpu_ms = cpu * per_req
                metrics[key(system, workflow, "cpu_ms_per_req", concurrency)] = cpu_ms
                if db:
                    metrics[key(system, workflow, "db_cpu_ms_per_req", concurrency)] = (
                        db_cpu * per_req
                    )
                print(
                    f"{system:>7} {workflow} c{concurrency}: {result.rps:,.0f} req/s, p50 "
                    f"{result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}"
                    f", CPU {cpu_ms:.1f} ms/request",
                    flush=True,
                )
                time.sleep(PAUSE_S)
    metrics["load_avg_1m_end"] = os.getloadavg()[0]
    for system in targets:
        metrics[f"{system}_peak_rss_mb"] = sampler.peak_mb.get(system, 0.0)
        metrics[f"{system}_processes"] = float(sampler.processes.get(system, 0))
    return metrics


def n8n_installation(skip: bool) -> tuple[Installation | None, str | None]:
    """``(installation, None)`` or ``(None, why n8n is skipped)``."""
    if skip:
        return None, "--skip-n8n"
    try:
        return install(), None
    except N8nUnavailable as exc:
        return None, str(exc)


def skip_line(reason: str) -> str:
    return f"n8n skipped: {reason}. Measuring n8nwork only."


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    folder = Path(args.workflows)
    files = [folder / file for file in WORKFLOWS.values()]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"workflow files not found: {', '.join(missing)}")
    paths = {
        name: webhook_path(json.loads(f.read_text()))
        for name, f in zip(WORKFLOWS, files, strict=True)
    }
    inst, skipped = n8n_installation(args.skip_n8n)
    if skipped:
        print(skip_line(skipped), flush=True)
    database_url = args.database_url or fresh_database(BENCH_DB)
    from serve.config import ApiConfig

    with ExitStack() as stack:
        platform = stack.enter_context(running_platform(
            NAME, database_url=database_url, redis_url=args.redis_url, config=ApiConfig()
        ))  # fmt: skip
        targets = {"n8nwork": Target(platform.url, activate_all(platform, folder))}
        roots: dict[str, list[int]] = {}
        n8n = None
        if inst is not None:
            try:
                settings = dict(item.split("=", 1) for item in args.n8n_env)
                n8n = stack.enter_context(running_n8n(inst, files, settings=settings))
            except N8nUnavailable as exc:
                skipped = str(exc)
                print(skip_line(skipped), flush=True)
            else:
                targets["n8n"] = Target(n8n.url, paths)
                roots["n8n"] = [n8n.pid]
        sampler = stack.enter_context(RssSampler(roots, rest="n8nwork"))
        metrics = measure(targets, seconds, sampler, lambda: postgres_backends(database_url))
        time.sleep(PAUSE_S)
        if n8n is not None:
            metrics["n8n_executions_saved"] = float(n8n.count_executions())
    metrics["n8nwork_executions_saved"] = float(count_executions(database_url))
    metrics["machine_memory_gib"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    ratios(metrics, WORKFLOWS, CONCURRENCY)
    title = (
        f"n8nwork vs n8n {N8N_VERSION} (regular mode, SQLite): {seconds:g} s per measurement, "
        f"one system loaded at a time, {os.cpu_count()} CPUs shared with the client"
    )
    print("\n" + table(metrics, list(WORKFLOWS), CONCURRENCY, title))
    extra = {"n8n_version": N8N_VERSION, "platform_proxy": platform.proxy}
    if args.n8n_env:
        extra["n8n_settings"] = " ".join(args.n8n_env)
    if skipped:
        extra["n8n_skipped"] = skipped
    # results/vs_n8n.json is n8n with its defaults; a run with settings goes next to it
    path = write_results(f"{NAME}_settings" if args.n8n_env else NAME, metrics, extra)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
