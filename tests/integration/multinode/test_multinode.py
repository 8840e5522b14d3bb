"""Multi-node (issue #8, item 6): a Ray cluster of one head and two worker nodes on this
machine (three raylets on 127.0.0.1) runs workflows whose task nodes spread over the workers;
one worker is killed mid-run and every run still completes.

The scenario runs in its own driver process (``driver.py``, which starts and stops the
cluster): this pytest process is already the driver of the session's single-node cluster, and
a process can join only one. The test gives it a throwaway PostgreSQL database, reads the
JSON it prints, and makes sure that nothing it started outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.integration.multinode.driver import ENV, RESULT_PREFIX, ray_temp_dir
from tests.integration.multinode.procs import cluster_processes, kill
from tests.integration.runtime.conftest import make_database, pg_template

__all__ = ["make_database", "pg_template"]  # fixtures, shared with the runtime tests

pytestmark = pytest.mark.integration

DRIVER_TIMEOUT_S = 240.0  # it took 40-65 s here (2 cores, load 8-40); generous for worse


def run_driver(database_url: str, work_dir: Path) -> dict[str, Any]:
    """Run the scenario's driver; its report. Nothing it started is left running."""
    env = {**os.environ, **ENV, "PYTHONPATH": str(REPO)}
    env.pop("RAY_ADDRESS", None)  # the driver starts its own cluster
    command = [
        sys.executable,
        "-m",
        "tests.integration.multinode.driver",
        "--database-url",
        database_url,
        "--work-dir",
        str(work_dir),
    ]
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, ended by its id below
    )
    try:
        out, err = proc.communicate(timeout=DRIVER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the driver did not finish within {DRIVER_TIMEOUT_S:g} s:\n{err[-3000:]}")
    finally:
        leftovers = _wait_gone(ray_temp_dir(proc.pid))
    assert not leftovers, f"processes of the driver's cluster outlived it: {leftovers}"
    assert proc.returncode == 0, f"the driver failed (rc {proc.returncode}):\n{err[-5000:]}"
    line = next((ln for ln in out.splitlines() if ln.startswith(RESULT_PREFIX)), None)
    assert line is not None, f"the driver printed no result:\n{out[-2000:]}\n{err[-3000:]}"
    report: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
    print("multinode timings (s since the driver started):", report["timings"])  # -s / -rA
    return report


def _wait_gone(temp_dir: str, timeout: float = 15.0) -> list[int]:
    """Give the cluster's processes time to exit; kill the rest by pid and return those."""
    deadline = time.monotonic() + timeout
    while cluster_processes(temp_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    return kill(cluster_processes(temp_dir))


def ran(report: dict[str, Any], keep: Callable[[dict[str, Any]], bool]) -> dict[str, set[str]]:
    """Task executions of the node log, per idempotency key: the Ray nodes where they ended."""
    out: dict[str, set[str]] = defaultdict(set)
    for entry in report["log"]:
        if entry["phase"] == "end" and keep(entry):
            out[entry["key"]].add(entry["node"])
    return out


def test_runs_spread_over_worker_nodes_and_survive_losing_one(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    # Given a head (no CPUs: the runtime's actors only) and two workers on 127.0.0.1, and
    # runs of two task nodes each; When one worker is killed while a task runs on it
    report = run_driver(make_database("postgresql"), tmp_path)
    head, workers, killed = report["head"], set(report["workers"]), report["killed"]
    (survivor,) = workers - {killed}

    # Then the cluster had three nodes, all on 127.0.0.1, and lost only the killed one
    nodes = {n["id"]: n for n in report["nodes"]}
    assert set(nodes) == {head, *workers}
    assert {n["ip"] for n in nodes.values()} == {"127.0.0.1"}
    assert {i for i, n in nodes.items() if not n["alive"]} == {killed}
    # the runtime's actors (directory, host, event log) ran on the head
    assert report["actors"], report
    assert set(report["actors"].values()) == {head}, report["actors"]

    # Then every run completed
    runs = report["runs"]
    assert [r["status"] for r in runs] == ["success"] * len(runs), [r["error"] for r in runs]

    # And the task nodes spread over both workers (never on the head), as recorded by the
    # nodes themselves in their log and in the runs' output
    final = {r["output"][0]["json"][name]["node"] for r in runs for name in ("A", "B")}
    assert final <= workers and survivor in final
    before = ran(report, lambda e: e["at"] < report["kill_at"])
    assert set().union(*before.values()) == workers
    after = ran(report, lambda e: e["at"] > report["killed_at"])
    assert set().union(*after.values()) == {survivor}

    # And the tasks that died with the killed worker ran again on the survivor, with the
    # same idempotency key, without counting as a failed attempt of their runs
    started = {e["key"] for e in report["log"] if e["node"] == killed and e["phase"] == "start"}
    lost = started - set(ran(report, lambda e: e["node"] == killed))
    assert lost, report["log"]
    ended = ran(report, lambda e: True)
    assert all(ended[key] == {survivor} for key in lost), (lost, dict(ended))
    for run in runs:
        assert run["attempts"] == {"Start": ["success"], "A": ["success"], "B": ["success"]}
