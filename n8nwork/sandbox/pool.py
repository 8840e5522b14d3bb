"""The parent side of the sandbox: starting child processes and talking to them.

Warm path: one zygote per worker process (``python -I _child.py --zygote``, empty
environment), started on first use. It has imported the allowed modules and loaded the time
zones once; for each execution the parent makes two pipes, hands the child's ends to the
zygote over a SOCK_SEQPACKET socket (SCM_RIGHTS), and the zygote forks a fresh child that
talks to the parent directly. The zygote reports each child's wait status and kills on
request. A dead zygote is replaced on the next execution. Cold path: a fresh
``python -I _child.py --once`` per execution, used when ``use_zygote`` is off or the zygote
cannot be started.

``exchange`` writes the request and reads the result frame with one deadline (the wall-clock
limit) and a size cap, and kills the child when either is exceeded.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

CHILD_SCRIPT = str(Path(__file__).with_name("inside") / "__main__.py")
# -I: no environment variables, no user site, no script directory on sys.path; -S: no
# site-packages and no .pth hooks. -B: never write bytecode.
PYTHON_FLAGS = ("-I", "-S", "-B")


def _child_argv(*args: str) -> list[str]:
    argv = [sys.executable, *PYTHON_FLAGS, CHILD_SCRIPT, *args]
    try:
        import tzdata  # the IANA database, for hosts without /usr/share/zoneinfo

        argv += ["--path", str(Path(tzdata.__file__).parent.parent)]
    except ImportError:  # pragma: no cover - tzdata is a dependency
        pass
    return argv


FRAME_HEADER = 4
_EXIT_GRACE_S = 5.0  # how long a killed child may take to be reaped
_LINGER_S = 0.05  # how long a child that answered may take to exit before it is killed


class SandboxUnavailable(RuntimeError):
    """The sandbox process could not be started or went away before answering."""


@dataclass
class Termination:
    """How a child ended: exit code or signal; ``lost`` when nobody could tell."""

    exit_code: int | None = None
    signal: int | None = None
    lost: bool = False
    cpu_seconds: float | None = None  # user + system CPU time, when known
    error: str | None = None  # why the child could not be started

    @classmethod
    def from_wait_status(cls, status: int, cpu_seconds: float | None = None) -> Termination:
        if os.WIFSIGNALED(status):
            return cls(signal=os.WTERMSIG(status), cpu_seconds=cpu_seconds)
        if os.WIFEXITED(status):
            return cls(exit_code=os.WEXITSTATUS(status), cpu_seconds=cpu_seconds)
        return cls(lost=True)

    @classmethod
    def from_returncode(cls, code: int) -> Termination:
        return cls(signal=-code) if code < 0 else cls(exit_code=code)


@dataclass
class Outcome:
    """What ``exchange`` saw: the result frame (None if none came), how the child ended, and
    whether the parent had to kill it for time or for output size."""

    frame: bytes | None
    termination: Termination
    timed_out: bool = False
    too_large: bool = False


class ChildHandle(Protocol):
    def kill(self) -> None: ...

    def wait(self, timeout: float) -> Termination | None: ...


# ---------------------------------------------------------------------------------- zygote
class _ZygoteChild:
    def __init__(self, zygote: Zygote, request_id: int) -> None:
        self._zygote = zygote
        self.request_id = request_id
        self.pid: int | None = None
        self.termination: Termination | None = None
        self.done = threading.Event()

    def kill(self) -> None:
        # Through the zygote, which knows whether the pid is still this child's. Should the
        # zygote be gone, the child's own alarm ends it shortly after its wall-clock limit.
        self._zygote.send({"op": "kill", "id": self.request_id})

    def wait(self, timeout: float) -> Termination | None:
        self.done.wait(timeout)
        return self.termination


class Zygote:
    """One zygote process and the thread that reads its reports."""

    def __init__(self) -> None:
        try:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        except (OSError, AttributeError) as exc:  # e.g. no SOCK_SEQPACKET on this platform
            raise SandboxUnavailable(f"no zygote on this platform: {exc}") from exc
        try:
            self.proc = subprocess.Popen(
                _child_argv("--zygote", str(theirs.fileno())),
                pass_fds=(theirs.fileno(),),
                env={},
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            ours.close()
            raise SandboxUnavailable(f"could not start the Python sandbox: {exc}") from exc
        finally:
            theirs.close()
        self.pid = os.getpid()
        self.sock = ours
        self.alive = True
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._children: dict[int, _ZygoteChild] = {}
        self._reader = threading.Thread(
            target=self._read_loop, name="n8nwork-sandbox-zygote", daemon=True
        )
        self._reader.start()

    def spawn(self, in_fd: int, out_fd: int) -> _ZygoteChild:
        """Ask for a child that reads ``in_fd`` and writes ``out_fd`` (both are duplicated)."""
        with self._lock:
            if not self.alive:
                raise SandboxUnavailable("the Python sandbox zygote is not running")
            child = _ZygoteChild(self, next(self._ids))
            self._children[child.request_id] = child
            message = json.dumps({"op": "spawn", "id": child.request_id}).encode()
            try:
                socket.send_fds(self.sock, [message], [in_fd, out_fd])
            except OSError as exc:
                self._children.pop(child.request_id, None)
                self.alive = False
                raise SandboxUnavailable(f"the Python sandbox zygote went away: {exc}") from exc
        return child

    def send(self, message: dict[str, Any]) -> None:
        with self._lock, contextlib.suppress(OSError):
            self.sock.send(json.dumps(message).encode())

    def _read_loop(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            with self._lock:
                child = self._children.get(message.get("id"))
                if child is not None and message.get("op") in ("exit", "failed"):
                    del self._children[child.request_id]
            if child is None:
                continue
            if message.get("op") == "spawned":
                child.pid = message.get("pid")
            elif message.get("op") == "exit":
                child.termination = Termination.from_wait_status(
                    int(message["status"]), message.get("cpu")
                )
                child.done.set()
            elif message.get("op") == "failed":
                child.termination = Termination(lost=True, error=str(message.get("error")))
                child.done.set()
        with self._lock:
            self.alive = False
            orphans = list(self._children.values())
            self._children.clear()
        for child in orphans:
            child.termination = Termination(lost=True)
            child.done.set()

    def close(self) -> None:
        with self._lock:
            self.alive = False
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=2)


_zygote: Zygote | None = None
_zygote_lock = threading.Lock()


def get_zygote() -> Zygote:
    """The zygote of this process, started (or restarted) as needed."""
    global _zygote
    with _zygote_lock:
        current = _zygote
        if current is not None and (not current.alive or current.pid != os.getpid()):
            if current.pid == os.getpid():
                current.close()
            current = None
        if current is None:
            current = Zygote()
            _zygote = current
        return current


def shutdown() -> None:
    """Stop this process's zygote (it is started again on the next execution)."""
    global _zygote
    with _zygote_lock:
        current, _zygote = _zygote, None
    if current is not None and current.pid == os.getpid():
        current.close()


atexit.register(shutdown)


# ---------------------------------------------------------------------------------- cold
class _ColdChild:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()

    def wait(self, timeout: float) -> Termination | None:
        try:
            return Termination.from_returncode(self.proc.wait(timeout))
        except subprocess.TimeoutExpired:
            return None


def _start_cold(in_fd: int, out_fd: int) -> _ColdChild:
    try:
        proc = subprocess.Popen(
            _child_argv("--once"),
            env={},
            cwd="/",
            stdin=in_fd,
            stdout=out_fd,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise SandboxUnavailable(f"could not start the Python sandbox: {exc}") from exc
    return _ColdChild(proc)


# ---------------------------------------------------------------------------------- exchange
def execute(request: bytes, *, wall_seconds: float, max_frame: int, warm: bool = True) -> Outcome:
    """Run one child for ``request`` and collect its result frame.

    Warm: from the zygote, restarted once if it is gone; when no zygote can be had at all,
    the cold path serves.
    """
    for attempt in range(3):
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        try:
            handle: ChildHandle = (
                get_zygote().spawn(req_r, res_w)
                if warm and attempt < 2
                else _start_cold(req_r, res_w)
            )
        except SandboxUnavailable:
            for fd in (req_r, req_w, res_r, res_w):
                os.close(fd)
            continue
        except BaseException:
            for fd in (req_r, req_w, res_r, res_w):
                os.close(fd)
            raise
        os.close(req_r)
        os.close(res_w)
        return exchange(handle, req_w, res_r, request, wall_seconds, max_frame)
    raise SandboxUnavailable("the Python sandbox could not be started")


def exchange(
    handle: ChildHandle,
    write_fd: int,
    read_fd: int,
    request: bytes,
    wall_seconds: float,
    max_frame: int,
) -> Outcome:
    """Feed ``request`` to the child and read its answer, within the deadline and size cap."""
    deadline = time.monotonic() + wall_seconds
    pending = memoryview(len(request).to_bytes(FRAME_HEADER, "big") + request)
    received = bytearray()
    timed_out = too_large = False
    os.set_blocking(write_fd, False)
    os.set_blocking(read_fd, False)
    selector = selectors.DefaultSelector()
    selector.register(write_fd, selectors.EVENT_WRITE)
    selector.register(read_fd, selectors.EVENT_READ)
    writing, reading = True, True
    try:
        while reading:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in selector.select(remaining):
                if key.fd == write_fd:
                    try:
                        pending = pending[os.write(write_fd, pending[: 1 << 16]) :]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child is gone; its status will tell why
                        pending = pending[:0]
                    if not pending and writing:
                        selector.unregister(write_fd)
                        os.close(write_fd)
                        writing = False
                else:
                    try:
                        chunk = os.read(read_fd, 1 << 20)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        reading = False
                        break
                    received += chunk
                    if len(received) > max_frame:
                        too_large = True
                        reading = False
                        break
                    if _frame(received) is not None:  # complete: no need to wait for EOF
                        reading = False
                        break
    finally:
        selector.close()
        if writing:
            os.close(write_fd)
        os.close(read_fd)
    frame = None if timed_out or too_large else _frame(received)
    termination = None
    if timed_out or too_large:
        handle.kill()
    elif frame is not None:  # complete: the child only has to exit, and may not linger
        termination = handle.wait(_LINGER_S)
    else:  # the child closed its end without answering: it has the rest of its time to end
        termination = handle.wait(max(0.0, deadline - time.monotonic()))
        if termination is None:
            timed_out = True
    if termination is None:
        handle.kill()
        termination = handle.wait(_EXIT_GRACE_S) or Termination(lost=True)
    return Outcome(frame, termination, timed_out, too_large)


def _frame(received: bytearray) -> bytes | None:
    if len(received) < FRAME_HEADER:
        return None
    size = int.from_bytes(received[:FRAME_HEADER], "big")
    if len(received) != FRAME_HEADER + size:
        return None
    return bytes(received[FRAME_HEADER:])


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
