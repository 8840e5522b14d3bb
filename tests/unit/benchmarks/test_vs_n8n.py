"""The pure parts of ``benchmarks.vs_n8n``: keys, ratios, order, the table, the JSON file, the
measurement loop against a loopback stand-in server, and the skip when n8n cannot be installed
(a registry on a closed loopback port: no network)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import _common, vs_n8n
from benchmarks._n8n import N8nUnavailable, install, n8n_env
from benchmarks._rss import RssSampler
from benchmarks._workflows import CONCURRENCY, WORKFLOWS

REQUIRED = [
    *(
        f"{system}_{w}_{what}_c{c}"
        for system in ("n8nwork", "n8n")
        for w in ("webhook", "chain10")
        for what in ("rps", "p99_ms")
        for c in (1, 10, 50)
    ),
    "n8nwork_peak_rss_mb",
    "n8n_peak_rss_mb",
]


def full_metrics() -> dict[str, float]:
    metrics: dict[str, float] = {}
    for w in WORKFLOWS:
        for c in CONCURRENCY:
            for system, rps in (("n8nwork", 200.0), ("n8n", 100.0)):
                metrics[vs_n8n.key(system, w, "rps", c)] = rps
                metrics[vs_n8n.key(system, w, "p50_ms", c)] = 5.0
                metrics[vs_n8n.key(system, w, "p99_ms", c)] = 9.0
                metrics[vs_n8n.key(system, w, "errors", c)] = 0.0
                metrics[vs_n8n.key(system, w, "cpu_ms_per_req", c)] = 3.0
    metrics.update(n8nwork_peak_rss_mb=900.0, n8n_peak_rss_mb=300.0)
    return metrics


def test_keys_ratio_and_alternating_order() -> None:
    assert vs_n8n.key("n8n", "chain10", "p99_ms", 50) == "n8n_chain10_p99_ms_c50"
    assert vs_n8n.ratio(30.0, 10.0) == 3.0
    assert vs_n8n.ratio(30.0, 0.0) is None
    assert vs_n8n.ratio(None, 10.0) is None
    orders = [vs_n8n.order(level) for level in range(len(CONCURRENCY))]
    assert orders == [("n8n", "n8nwork"), ("n8nwork", "n8n"), ("n8n", "n8nwork")]


def test_table_shows_both_systems_side_by_side_with_the_ratio() -> None:
    metrics = full_metrics()
    vs_n8n.ratios(metrics, WORKFLOWS, CONCURRENCY)
    assert metrics["ratio_webhook_rps_c10"] == 2.0
    assert metrics["ratio_peak_rss"] == 3.0
    text = vs_n8n.table(metrics, list(WORKFLOWS), CONCURRENCY, "title")
    rows = [line for line in text.splitlines() if line.startswith("| webhook |")]
    assert (
        rows[0] == "| webhook | 1 | 200 | 100 | 2.00x | 5.0 | 5.0 | 9.0 | 9.0 | 0 | 0 | 3.0 | 3.0 |"
    )
    assert "| peak RSS, MB (all processes) | 900 | 300 | 3.00x |" in text


def test_table_without_n8n_shows_dashes() -> None:
    metrics = {k: v for k, v in full_metrics().items() if not k.startswith("n8n_")}
    vs_n8n.ratios(metrics, WORKFLOWS, CONCURRENCY)
    assert not any(k.startswith("ratio_") for k in metrics)
    text = vs_n8n.table(metrics, list(WORKFLOWS), CONCURRENCY, "title")
    assert "| chain10 | 50 | 200 | — | — | 5.0 | — | 9.0 | — | 0 | — | 3.0 | — |" in text


async def _respond(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wrong: frozenset[str]
) -> None:
    """Answers like the benchmark workflows' Respond node; ``wrong`` paths answer wrongly."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            length = next(int(v) for k, _, v in (x.partition(":") for x in lines)
                          if k.lower() == "content-length")  # fmt: skip
            x = json.loads(await reader.readexactly(length))["x"]
            path = lines[0].split()[1].rsplit("/", 1)[-1]
            answer = {"bench": {"y": x * 2}, "chain10": {"v": x + 10}}[path]
            body = json.dumps({"v": -1} if path in wrong else answer).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


@pytest.fixture
def stand_ins() -> Iterator[dict[str, vs_n8n.Target]]:
    """Two loopback servers in a thread; the one posing as n8n gets chain10 wrong."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start(wrong: frozenset[str]) -> asyncio.Server:
        return await asyncio.start_server(
            lambda r, w: _respond(r, w, wrong), "127.0.0.1", 0, backlog=128
        )

    servers = [asyncio.run_coroutine_threadsafe(start(w), loop).result(5)
               for w in (frozenset(), frozenset({"chain10"}))]  # fmt: skip
    paths = {"webhook": "bench", "chain10": "chain10"}
    yield {
        system: vs_n8n.Target(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", paths)
        for system, server in zip(("n8nwork", "n8n"), servers, strict=True)
    }

    async def stop() -> None:
        for server in servers:
            server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_measure_writes_every_required_key_and_counts_wrong_answers(
    stand_ins: dict[str, vs_n8n.Target], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(vs_n8n, "PAUSE_S", 0.0)
    monkeypatch.setattr(vs_n8n, "check_and_warm", lambda system, target: None)
    monkeypatch.setattr(_common, "RESULTS", tmp_path)
    with RssSampler({}, rest="n8nwork") as sampler:
        # the stand-in's database server: this process (the servers' thread runs in it)
        metrics = vs_n8n.measure(stand_ins, 0.1, sampler, lambda: [os.getpid()])
    # Given the stand-in for n8n answers chain10 wrongly, every such answer is an error
    assert metrics["n8n_chain10_errors_c1"] > 0
    assert metrics["n8n_chain10_errors_c1"] == pytest.approx(metrics["n8n_chain10_rps_c1"] * 0.1,
                                                              rel=0.5)  # fmt: skip
    assert metrics["n8nwork_chain10_errors_c10"] == 0
    assert metrics["n8n_webhook_errors_c50"] == 0
    path = _common.write_results("vs_n8n", metrics, {"n8n_version": "x"})
    written = json.loads(path.read_text())
    assert set(REQUIRED) <= set(written)
    assert "n8n_webhook_cpu_ms_per_req_c10" in written
    assert written["n8nwork_webhook_db_cpu_ms_per_req_c10"] > 0
    assert "n8n_webhook_db_cpu_ms_per_req_c10" not in written
    assert written["n8n_version"] == "x" and "machine_cpus" in written


def test_install_failure_gives_one_clear_skip_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registry on a closed loopback port and an empty cache: no network is touched
    monkeypatch.setenv("N8NWORK_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.setenv("npm_config_offline", "false")
    inst, reason = vs_n8n.n8n_installation(skip=False)
    assert inst is None and reason is not None
    assert "'fetch node' failed" in reason and "install.log" in reason
    assert not (tmp_path / "cache" / "n8n-2.41.1" / ".installed").exists()
    line = vs_n8n.skip_line(reason)
    assert line.startswith("n8n skipped: n8n install step") and "\n" not in line
    assert vs_n8n.n8n_installation(skip=True) == (None, "--skip-n8n")


def test_install_without_npm_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(N8nUnavailable, match="npm is not on PATH"):
        install(tmp_path / "n8n")


def test_n8n_runs_on_loopback_with_sqlite_and_no_outside_calls(tmp_path: Path) -> None:
    env = n8n_env(tmp_path, 5999, tmp_path / "node" / "bin" / "node")
    assert env["N8N_LISTEN_ADDRESS"] == env["N8N_HOST"] == "127.0.0.1"
    assert env["N8N_RUNNERS_BROKER_LISTEN_ADDRESS"] == "127.0.0.1"
    assert env["DB_TYPE"] == "sqlite" and env["N8N_USER_FOLDER"] == str(tmp_path)
    assert env["N8N_DIAGNOSTICS_ENABLED"] == env["N8N_TEMPLATES_ENABLED"] == "false"
    assert env["N8N_VERSION_NOTIFICATIONS_ENABLED"] == "false"
    assert "EXECUTIONS_MODE" not in env  # regular mode, n8n's default
    assert env["PATH"].startswith(str(tmp_path / "node" / "bin"))


def test_bad_arguments_are_refused_before_anything_starts(tmp_path: Path) -> None:
    for bad in (["--seconds", "0"], ["--n8n-env", "PATH=/x"], ["--n8n-env", "N8N_X"]):
        with pytest.raises(SystemExit) as exc:
            vs_n8n.parse(bad)
        assert exc.value.code == 2
    assert vs_n8n.parse(["--n8n-env", "N8N_EXPRESSION_ENGINE=legacy"]).n8n_env == [
        "N8N_EXPRESSION_ENGINE=legacy"
    ]
    with pytest.raises(SystemExit, match="workflow files not found"):
        vs_n8n.main(["--skip-n8n", "--workflows", str(tmp_path)])
