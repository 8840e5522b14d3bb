"""Peak memory and CPU time of the systems under test: a thread samples, every ~100 ms, the
resident set size (RSS) of every process in each system's process tree and keeps each
system's peak sum.

Processes are the descendants of this benchmark process (this process itself is the load
client and is not counted). A system is given by the pids of its roots (n8n: its main node
process, whose children are the task runners); the processes under those roots are counted
for it, everything else under this process for the ``rest`` system (here: n8nwork's Ray
processes — GCS, raylet, dashboard, workers, Serve controller, proxy and replicas, HAProxy).
RSS counts shared pages in each process, so the sums are upper bounds. psutil comes with Ray
(``ray/thirdparty_files``); without it nothing is measured and the peaks stay 0.
``cpu_seconds`` walks the same trees for the CPU time used so far.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

MB = 1024 * 1024


def _psutil() -> Any:
    try:
        import psutil
    except ImportError:
        try:
            importlib.import_module("ray")  # puts ray/thirdparty_files (psutil) on sys.path
            return importlib.import_module("psutil")
        except ImportError:
            return None
    return psutil


def split_by_roots(
    parents: dict[int, int], roots: Mapping[str, Iterable[int]], rest: str
) -> dict[int, str]:
    """``{pid: system}`` for every pid of ``parents`` (``{pid: parent pid}``): the system of
    the nearest root above it (or itself), else ``rest``."""
    owner = {pid: name for name, pids in roots.items() for pid in pids}
    systems: dict[int, str] = {}
    for pid in parents:
        seen = pid
        while seen not in owner and seen in parents:
            seen = parents[seen]
        systems[pid] = owner.get(seen, rest)
    return systems


def cpu_seconds_of(pids: Iterable[int]) -> float:
    """User + system CPU seconds the processes ``pids`` (any owner) have used so far."""
    ps = _psutil()
    if ps is None:
        return 0.0
    total = 0.0
    for pid in pids:
        try:
            total += float(sum(ps.Process(pid).cpu_times()[:2]))
        except (ps.NoSuchProcess, ps.AccessDenied, ps.ZombieProcess):
            continue
    return total


class RssSampler:
    """``with RssSampler(roots, rest="n8nwork") as s: ...``; then ``s.peak_mb[system]``."""

    def __init__(self, roots: Mapping[str, Iterable[int]], *, rest: str, interval: float = 0.1):
        self.roots = {name: tuple(pids) for name, pids in roots.items()}
        self.rest = rest
        self.interval = interval
        self.peak_mb: dict[str, float] = {rest: 0.0, **dict.fromkeys(self.roots, 0.0)}
        self.processes: dict[str, int] = dict.fromkeys(self.peak_mb, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._psutil = _psutil()

    @property
    def available(self) -> bool:
        return self._psutil is not None

    def _walk(self, measure: Callable[[Any], float]) -> tuple[dict[str, float], dict[str, int]]:
        """``measure(process)`` summed per system, and the number of processes per system."""
        ps = self._psutil
        parents: dict[int, int] = {}
        values: dict[int, float] = {}
        for proc in ps.Process(os.getpid()).children(recursive=True):
            try:
                parents[proc.pid] = proc.ppid()
                values[proc.pid] = measure(proc)
            except (ps.NoSuchProcess, ps.AccessDenied, ps.ZombieProcess):
                parents.pop(proc.pid, None)
        totals = dict.fromkeys(self.peak_mb, 0.0)
        counts = dict.fromkeys(self.peak_mb, 0)
        for pid, system in split_by_roots(parents, self.roots, self.rest).items():
            totals[system] += values.get(pid, 0.0)
            counts[system] += 1
        return totals, counts

    def cpu_seconds(self) -> dict[str, float]:
        """``{system: user + system CPU seconds}`` its live processes have used so far (a
        difference of two calls is what a measurement cost, whatever else the machine ran)."""
        if self._psutil is None:
            return {}
        return self._walk(lambda p: float(sum(p.cpu_times()[:2])))[0]

    def sample(self) -> dict[str, float]:
        """One sample: ``{system: RSS MB}``; also raises the peaks."""
        if self._psutil is None:
            return {}
        totals, counts = self._walk(lambda p: p.memory_info().rss / MB)
        for system, total in totals.items():
            if total > self.peak_mb[system]:
                self.peak_mb[system] = total
            self.processes[system] = max(self.processes[system], counts[system])
        return totals

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception:  # a process vanishing mid-walk: the next tick measures again
                continue

    def __enter__(self) -> RssSampler:
        if self._psutil is not None:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
