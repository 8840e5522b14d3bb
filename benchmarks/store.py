"""Durable store on PostgreSQL: execution creates per second and node checkpoints per second
through the group-commit writer (each counted only once acknowledged, i.e. after its
transaction committed), and execution-list latency at 1,000,000 rows (first page and a page
deep in the history, keyset pagination through ``list_executions``).

Databases (created on the server at N8NWORK_BENCH_POSTGRES_URL, default the local ``test``
server): ``n8nwork_bench_write`` is created fresh for the write measurements and dropped at
the end; ``n8nwork_bench_history`` holds the seeded history (generate_series, once) and is
kept for the next run. ``--quick`` seeds and lists 100,000 rows instead (its own database)
and measures writes for less time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from benchmarks._common import parse_args, report
from n8nwork.run.data import NodeRun
from n8nwork.store.checkpoint import Checkpoint, NewExecution
from n8nwork.store.engine import create_engine, session_factory
from n8nwork.store.migrate import upgrade
from n8nwork.store.repo.history import ExecutionFilter, list_executions
from n8nwork.store.tables.executions import Execution
from n8nwork.store.writer import ExecutionWriter

ADMIN_URL = os.environ.get(
    "N8NWORK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WRITE_DB = "n8nwork_bench_write"
WINDOW = 512  # writes in flight: as many runs waiting for their acknowledgement
RUNS = 256  # concurrent runs checkpointing
WORKFLOWS = 100


def _admin() -> sa.Engine:
    return sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def _url(database: str) -> str:
    return make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _create_database(name: str, *, fresh: bool) -> str:
    admin = _admin()
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and fresh:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or fresh:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _url(name)


def _drop_database(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed_workflows(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO projects (id, name, type, created_at, updated_at) "
                "VALUES ('benchproject', 'bench', 'team', now(), now()) ON CONFLICT DO NOTHING"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO workflows (id, project_id, name, latest_version, created_at, "
                "updated_at) SELECT 'wf' || g, 'benchproject', 'Workflow ' || g, 1, now(), now() "
                f"FROM generate_series(1, {WORKFLOWS}) g ON CONFLICT DO NOTHING"
            )
        )


# ---------------------------------------------------------------------------- writes
def _sliding(submit: Callable[[int], Future[Any]], seconds: float) -> float:
    """Keep WINDOW writes in flight for ``seconds``; acknowledged writes per second."""
    inflight: deque[Future[Any]] = deque()
    acked = n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        while len(inflight) < WINDOW:
            inflight.append(submit(n))
            n += 1
        inflight.popleft().result()
        acked += 1
    while inflight:
        inflight.popleft().result()
        acked += 1
    return acked / (time.perf_counter() - start)


def _initial_state(n: int) -> dict[str, Any]:
    return {
        "mode": "webhook",
        "status": "running",
        "stack": [{"node": "Webhook", "data": [[{"json": {"order": n, "total": 42.5}}]]}],
        "customData": {},
    }


def measure_writes(seconds: float) -> tuple[dict[str, float], dict[str, str]]:
    url = _create_database(WRITE_DB, fresh=True)
    engine = create_engine(url)
    try:
        upgrade(engine)
        _seed_workflows(engine)
        with ExecutionWriter(engine, max_batch=512, max_delay=0.001) as writer:

            def create(n: int) -> Future[int]:
                return writer.submit_create(
                    NewExecution(
                        workflow_id=f"wf{1 + n % WORKFLOWS}",
                        workflow_version=1,
                        mode="webhook",
                        trigger="Webhook",
                        status="running",
                        state=_initial_state(n),
                    )
                )

            _sliding(create, 1.0)  # warm up
            creates = _sliding(create, seconds)
            create_batch = writer.stats.mean_batch

            runs = [
                writer.create(NewExecution(workflow_id="wf1", status="running"))
                for _ in range(RUNS)
            ]
            node_index = [0] * RUNS

            def checkpoint(n: int) -> Future[None]:
                run = n % RUNS
                i = node_index[run]
                node_index[run] += 1
                node_run = NodeRun(
                    start_time=1_700_000_000_000.0 + n,
                    execution_time=0.4,
                    status="success",
                    outputs=[[{"json": {"order": run, "step": i}, "pairedItem": {"item": 0}}]],
                )
                state = {
                    "mode": "webhook",
                    "status": "running",
                    "stack": [
                        {"node": f"N{i + 1}", "data": [[{"json": {"order": run, "step": i}}]]}
                    ],
                    "context": {},
                    "lastNodeExecuted": f"N{i}",
                }
                return writer.submit_checkpoint(
                    Checkpoint(runs[run], node=f"N{i}", run=node_run, state=state)
                )

            before = writer.stats.batches, writer.stats.writes
            checkpoints = _sliding(checkpoint, seconds)
            batches = writer.stats.batches - before[0]
            cp_batch = (writer.stats.writes - before[1]) / batches if batches else 0.0
    finally:
        engine.dispose()
        _drop_database(WRITE_DB)
    metrics = {"execution_creates_per_s": creates, "node_checkpoints_per_s": checkpoints}
    notes = {
        "execution_creates_per_s": f"target >= 2,000 (mean {create_batch:.0f} per commit)",
        "node_checkpoints_per_s": f"target >= 5,000 (mean {cp_batch:.0f} per commit)",
    }
    return metrics, notes


# ---------------------------------------------------------------------------- history
def seed_history(database: str, rows: int) -> str:
    """The history database with exactly ``rows`` executions (seeded once, then reused)."""
    url = _create_database(database, fresh=False)
    engine = create_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            have = conn.scalar(sa.text("SELECT count(*) FROM executions"))
        if have == rows:
            print(f"reusing {rows:,} seeded executions in {database}")
            return url
        print(f"seeding {rows:,} executions in {database} ...", flush=True)
        started = time.perf_counter()
        _seed_workflows(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE executions RESTART IDENTITY CASCADE"))
            conn.execute(
                sa.text(
                    "INSERT INTO executions (workflow_id, workflow_version, mode, trigger, "
                    "status, created_at, started_at, stopped_at, lease_epoch) "
                    f"SELECT 'wf' || (1 + g % {WORKFLOWS}), 1, "
                    "(ARRAY['manual','trigger','webhook','retry'])[1 + g % 4], 'Trigger', "
                    "CASE WHEN g % 50 = 0 THEN 'error' WHEN g % 997 = 0 THEN 'waiting' "
                    "ELSE 'success' END, ts, ts, ts + interval '2 seconds', 0 "
                    "FROM (SELECT g, timestamptz '2025-01-01 00:00:00+00' + g * interval '2 s' "
                    f"AS ts FROM generate_series(1, {rows}) g) s"
                )
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE executions"))
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        return url
    finally:
        engine.dispose()


def _median_ms(fn: Callable[[], Any], repeat: int = 30) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_history(url: str, rows: int) -> tuple[dict[str, float], dict[str, str]]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    deep = rows // 10  # a cursor 90% of the way down: ~rows * 0.9 newer rows above it
    start = datetime(2025, 1, 1, tzinfo=UTC)
    window = (start, start + timedelta(seconds=2 * rows // 5))  # the oldest fifth

    with sessions() as session:
        row = session.get(Execution, deep)
        assert row is not None and row.started_at is not None
        deep_by_id = str(deep)
        micros = (row.started_at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        deep_by_time = f"{micros}.{deep}"

    def page(flt: ExecutionFilter | None = None, cursor: str | None = None) -> Callable[[], Any]:
        def run() -> None:
            with sessions() as session:
                result = list_executions(session=session, filter=flt, cursor=cursor, limit=50)
                assert len(result.items) == 50, len(result.items)

        return run

    variants = {
        "workflow": ExecutionFilter(workflow_ids=["wf7"]),
        "status": ExecutionFilter(statuses=["error"]),
        "mode": ExecutionFilter(modes=["webhook"]),
        "time_range": ExecutionFilter(started_after=window[0], started_before=window[1]),
    }
    try:
        metrics = {
            "list_first_page_ms": _median_ms(page()),
            "list_deep_page_ms": _median_ms(page(cursor=deep_by_id)),
        }
        filtered = {
            name: max(
                _median_ms(page(flt)),
                _median_ms(page(flt, deep_by_time if name == "time_range" else deep_by_id)),
            )
            for name, flt in variants.items()
        }
        metrics["list_filtered_page_ms_max"] = max(filtered.values())
        metrics["list_rows"] = float(rows)
    finally:
        engine.dispose()
    worst = max(filtered, key=lambda k: filtered[k])
    notes = {
        "list_first_page_ms": "target < 50 (50 rows, newest first)",
        "list_deep_page_ms": f"target < 50 (cursor {deep:,}: {rows - deep:,} rows deep)",
        "list_filtered_page_ms_max": f"worst of workflow/status/mode/time filters ({worst})",
    }
    return metrics, notes


def main() -> None:
    args = parse_args(__doc__ or "")
    rows = 100_000 if args.quick else 1_000_000
    database = "n8nwork_bench_history_quick" if args.quick else "n8nwork_bench_history"
    metrics, notes = measure_writes(seconds=3.0 if args.quick else 10.0)
    history_url = seed_history(database, rows)
    list_metrics, list_notes = measure_history(history_url, rows)
    metrics.update(list_metrics)
    notes.update(list_notes)
    if args.quick:
        notes["list_rows"] = "--quick: 100,000 rows (the full run seeds 1,000,000)"
    report("store", metrics, notes)


if __name__ == "__main__":
    main()
