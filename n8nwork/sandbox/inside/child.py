"""One sandboxed execution: read the request frame, compile, lock down, run, answer with one
result frame on a dedicated descriptor. Imports nothing from n8nwork."""

from __future__ import annotations

import json
import os
import sys

from .guard import lock_down
from .program import JsObject, Program, fail, syntax_error

FRAME_HEADER = 4


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("request pipe closed early")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    size = int.from_bytes(_read_exact(fd, FRAME_HEADER), "big")
    return _read_exact(fd, size)


def write_frame(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(FRAME_HEADER, "big") + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _Capture:
    """sys.stdout/sys.stderr of the child: keeps what user code prints, up to a cap."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.truncated = False

    def write(self, text: str) -> int:
        text = str(text)
        if self.size + len(text) > self.limit:
            text = text[: max(0, self.limit - self.size)]
            self.truncated = True
            if not text:
                return 0
        self.parts.append(text)
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        return None

    def lines(self, max_lines: int) -> list[str]:
        lines = "".join(self.parts).splitlines()
        if len(lines) > max_lines:
            lines = [*lines[:max_lines], f"[output truncated: {len(lines) - max_lines} more lines]"]
        elif self.truncated:
            lines.append("[output truncated]")
        return lines


def child(in_fd: int, out_fd: int, devnull: int) -> int:
    """Run one execution: read the request, lock down, run, write the result frame."""
    try:
        request = json.loads(read_frame(in_fd), object_hook=JsObject)
    except Exception as exc:
        write_frame(out_fd, json.dumps({"ok": False, "error": fail("crash", str(exc))}).encode())
        return 0
    limits = request["limits"]
    capture = _Capture(int(limits.get("max_stdout_bytes", 1 << 20)))
    try:  # before compiling: compiling is work done for the user
        lock_down(out_fd, devnull, limits)
    except Exception as exc:  # fail closed: no user code runs in a half-built sandbox
        error = fail("crash", f"the Python sandbox could not lock itself down: {exc}")
        write_frame(out_fd, json.dumps({"ok": False, "error": error}).encode())
        return 0
    sys.stdout = sys.stderr = capture
    try:
        frame = Program(request).run()
    except SyntaxError as exc:
        frame = {"ok": False, "error": syntax_error(exc)}
    except MemoryError:
        frame = {"ok": False, "error": fail("memory", "MemoryError")}
    except BaseException as exc:  # e.g. an exception whose __str__ fails while described
        frame = {"ok": False, "error": fail("crash", f"{type(exc).__name__} in the sandbox")}
    frame["stdout"] = capture.lines(int(limits.get("max_stdout_lines", 1000)))
    sys.stdout = sys.stderr = sys.__stderr__
    try:
        data = json.dumps(frame, default=str, ensure_ascii=False).encode("utf-8", "replace")
    except MemoryError:
        data = json.dumps({"ok": False, "error": fail("memory", "MemoryError")}).encode()
    except Exception as exc:
        err = fail("user", f"Output is not JSON-serializable: {exc}")
        data = json.dumps({"ok": False, "error": err, "stdout": frame["stdout"]}).encode()
    max_out = int(limits.get("max_output_bytes", 64 << 20))
    if len(data) > max_out:
        err = fail("output", f"{len(data)} bytes")
        data = json.dumps({"ok": False, "error": err, "stdout": frame["stdout"]}).encode()
    write_frame(out_fd, data)
    os.close(out_fd)  # the parent sees the end now, not after this process is torn down
    return 0
