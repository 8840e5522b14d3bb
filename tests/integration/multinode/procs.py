"""Finding and killing the processes of the multi-node driver's Ray cluster, by pid.

Ray renames its worker processes (``ray::IDLE``, ``ray::n8nwork-node:A``), which overwrites
their command line, so a worker is found by its environment (the driver's ``RAY_TMPDIR``,
inherited from the raylet that started it) or as a descendant of its raylet.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import defaultdict
from pathlib import Path


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _read(pid: int, name: str) -> bytes:
    try:
        return (Path("/proc") / str(pid) / name).read_bytes()
    except OSError:  # gone meanwhile, or not ours to read
        return b""


def cluster_processes(temp_dir: str) -> list[int]:
    """Processes of the cluster whose Ray directory (``RAY_TMPDIR``) is ``temp_dir``."""
    env_entry = f"RAY_TMPDIR={temp_dir}".encode()
    path = f"{temp_dir}/".encode()
    return [
        pid
        for pid in _pids()
        if pid != os.getpid()
        and (env_entry in _read(pid, "environ").split(b"\0") or path in _read(pid, "cmdline"))
    ]


def descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (children, their children, ...)."""
    children: dict[int, list[int]] = defaultdict(list)
    for child in _pids():
        stat = _read(child, "stat")
        if stat:  # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            children[int(stat.rsplit(b")", 1)[1].split()[1])].append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(pids: list[int]) -> list[int]:
    """SIGKILL each of ``pids`` still alive; the ones that were."""
    killed = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed
