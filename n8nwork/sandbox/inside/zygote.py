"""The zygote: preloads the allowed modules and every time zone once, then forks one fresh
child per execution on the parent's request, kills on request, and reports each child's wait
status and CPU time. ``once`` is the cold path (one execution over stdin/stdout).
Imports nothing from n8nwork."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any

from .child import child
from .guard import ALLOWED_MODULES
from .program import TZ_KEEP

# Modules imported lazily by the allowed ones; preloaded so that no import (which would need
# to open a file) happens after lock-down.
LAZY_DEPENDENCIES = ("_strptime", "_uuid", "_json")


def preload(extra_paths: list[str]) -> None:
    """Import every allowed module and load every time zone, before any fork.

    ``extra_paths`` (the directory holding the ``tzdata`` package, when the parent has one)
    are on ``sys.path`` only while time zones load; the interpreter runs with ``-S``, so no
    site-packages and no ``.pth`` hooks are ever in the sandbox.
    """
    import importlib
    import resource  # noqa: F401 - used by every child's lock-down

    # The parent starts us with an empty environment; Python's locale coercion (PEP 538) may
    # still have added LC_CTYPE. Children must find nothing at all.
    for key in list(os.environ):
        del os.environ[key]

    import encodings
    import pkgutil

    codecs = [f"encodings.{m.name}" for m in pkgutil.iter_modules(encodings.__path__)]
    for name in sorted(ALLOWED_MODULES) + list(LAZY_DEPENDENCIES) + codecs:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    import zoneinfo

    saved = list(sys.path)
    sys.path.extend(extra_paths)
    try:
        for key in zoneinfo.available_timezones():
            with contextlib.suppress(Exception):
                TZ_KEEP[key] = zoneinfo.ZoneInfo(key)
        TZ_KEEP["UTC"] = zoneinfo.ZoneInfo("UTC")
    finally:
        sys.path[:] = saved


def zygote(ctrl_fd: int, extra_paths: list[str]) -> None:
    """Serve spawn/kill requests from the parent until it goes away."""
    import gc
    import select
    import signal
    import socket

    os.chdir("/")
    preload(extra_paths)
    devnull = os.open(os.devnull, os.O_RDWR)
    ctrl = socket.socket(fileno=ctrl_fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    gc.collect()
    gc.freeze()
    children: dict[int, int] = {}  # pid -> request id
    pids: dict[int, int] = {}  # request id -> pid

    def send(msg: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            ctrl.send(json.dumps(msg).encode())

    while True:
        ready, _, _ = select.select([ctrl_fd, wake_r], [], [])
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
        if ctrl_fd in ready:
            raw, fds, _flags, _addr = socket.recv_fds(ctrl, 4096, 2)
            if not raw:  # the parent is gone: take every child with us
                for pid in children:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                os._exit(0)
            try:
                msg = json.loads(raw)
            except ValueError:
                msg = {}
            if msg.get("op") == "spawn" and len(fds) == 2:
                try:
                    pid = os.fork()
                except OSError as exc:  # no memory, no process slots: this one run fails
                    for fd in fds:
                        os.close(fd)
                    send({"op": "failed", "id": msg["id"], "error": str(exc)})
                    continue
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    code = 70
                    try:
                        code = child(fds[0], fds[1], devnull)
                    finally:
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                children[pid] = msg["id"]
                pids[msg["id"]] = pid
                send({"op": "spawned", "id": msg["id"], "pid": pid})
            elif msg.get("op") == "kill" and msg.get("id") in pids:
                with contextlib.suppress(OSError):
                    os.kill(pids[msg["id"]], signal.SIGKILL)
            else:
                for fd in fds:
                    os.close(fd)
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            rid = children.pop(pid, None)
            if rid is not None:
                pids.pop(rid, None)
                cpu = usage.ru_utime + usage.ru_stime
                send({"op": "exit", "id": rid, "status": status, "cpu": cpu})


def once(extra_paths: list[str]) -> int:
    """The cold path: one execution over stdin (request) and stdout (result)."""
    preload(extra_paths)
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    return child(0, out_fd, devnull)


def main(argv: list[str]) -> int:
    """``inside --zygote FD [--path DIR]...`` or ``inside --once [--path DIR]...``."""
    paths = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--path"]
    if len(argv) >= 3 and argv[1] == "--zygote":
        zygote(int(argv[2]), paths)
        return 0
    if len(argv) >= 2 and argv[1] == "--once":
        return once(paths)
    print("usage: inside --zygote FD | --once [--path DIR]...", file=sys.stderr)
    return 2
