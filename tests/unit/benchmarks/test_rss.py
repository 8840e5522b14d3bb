"""``benchmarks._rss``: process trees split by system, and a real child process sampled."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks._rss import RssSampler, split_by_roots


def test_processes_belong_to_the_nearest_root_above_them() -> None:
    parents = {10: 1, 11: 10, 12: 11, 20: 1, 21: 20}
    systems = split_by_roots(parents, {"n8n": [10]}, "n8nwork")
    assert systems == {10: "n8n", 11: "n8n", 12: "n8n", 20: "n8nwork", 21: "n8nwork"}


def test_a_child_process_is_counted_for_its_system() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.5)  # started
        sampler = RssSampler({"n8n": [child.pid]}, rest="n8nwork")
        assert sampler.available
        sample = sampler.sample()
        assert sample["n8n"] > 1.0  # a Python interpreter takes several MB
        assert sampler.peak_mb["n8n"] == sample["n8n"]
        assert sampler.processes["n8n"] == 1
        assert sampler.cpu_seconds()["n8n"] > 0.0  # the interpreter's start-up
    finally:
        child.kill()
        child.wait()
