"""What every benchmark shares: argument parsing, timing loops, the table and the JSON file."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a run under 60 s")
    return parser.parse_args()


def machine_info() -> dict[str, Any]:
    return {
        "machine_cpus": os.cpu_count(),
        "machine_python": platform.python_version(),
        "machine_platform": platform.platform(),
        "machine_processor": platform.machine(),
    }


def rate(fn: Callable[[], int], *, seconds: float, min_rounds: int = 3) -> float:
    """Call ``fn`` (which returns how many operations it did) for ``seconds``; ops per second."""
    fn()  # warm up
    ops = 0
    rounds = 0
    start = time.perf_counter()
    while True:
        ops += fn()
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and rounds >= min_rounds:
            return ops / elapsed


def report(name: str, metrics: dict[str, float], notes: dict[str, str] | None = None) -> Path:
    """Print the table and write ``results/NAME.json``; returns the file written."""
    width = max(len(k) for k in metrics)
    print(f"\n{name}")
    print("-" * (width + 18))
    for key, value in metrics.items():
        note = f"   {notes[key]}" if notes and key in notes else ""
        print(f"{key:<{width}}  {value:>14,.1f}{note}")
    path = write_results(name, metrics)
    print(f"\nwrote {path}")
    return path


def write_results(
    name: str, metrics: dict[str, float], extra: dict[str, str] | None = None
) -> Path:
    """Write ``results/NAME.json``: the metrics (rounded), ``extra`` strings, machine info."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {**{k: round(v, 3) for k, v in metrics.items()}, **(extra or {}), **machine_info()}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
