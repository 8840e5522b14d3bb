"""Time and memory limits of a QuickJS isolate, enforced from QuickJS's interrupt handler.

Why not simply the binding's ``set_memory_limit``: that is QuickJS's hard allocation limit, and
the QuickJS bundled by the ``quickjs`` package (2021-03-27) can crash the whole process when an
out-of-memory error unwinds through a bytecode frame: decorating the error with its stack
trace needs memory, that allocation fails too, and throwing the second out-of-memory error frees
the first one while it is still being decorated (use after free, then a segfault).

So the memory cap is a *soft* limit: QuickJS calls the interrupt handler every 10,000 function
calls / backward jumps, and the handler stops the code (an uncatchable ``interrupted`` error)
once the runtime's allocated bytes exceed the cap. The hard limit sits well above the cap and
is only reached by huge single allocations, where the failing request leaves plenty of room for
the error and its stack trace. The same handler enforces the time limit (wall clock, per call)
instead of the binding's ``clock()``-based one, which counts the CPU time of every thread.

The handler reads the allocated bytes straight from QuickJS's ``JSRuntime`` (through ``ctypes``;
the layout is checked against the binding's own ``memory()`` figures first). When anything about
that does not hold, the guard falls back to the binding's limits (hard memory limit, CPU time).
"""

from __future__ import annotations

import ctypes
import time
from typing import Any

import _quickjs

__all__ = ["Guard"]

_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
# RuntimeData (the binding's Context object): PyObject_HEAD, JSRuntime *runtime, JSContext *context
_RUNTIME_OFFSET = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)
_CONTEXT_OFFSET = _RUNTIME_OFFSET + ctypes.sizeof(ctypes.c_void_p)
# JSRuntime: JSMallocFunctions (4 function pointers), then JSMallocState {count, size, limit, ...}
_MALLOC_SIZE_OFFSET = 5 * ctypes.sizeof(ctypes.c_void_p)

_guards: dict[int, Guard] = {}


def _load() -> Any:
    try:
        lib = ctypes.CDLL(_quickjs.__file__)
        lib.JS_GetRuntime.restype = ctypes.c_void_p
        lib.JS_GetRuntime.argtypes = [ctypes.c_void_p]
        lib.JS_SetInterruptHandler.restype = None
        lib.JS_SetInterruptHandler.argtypes = [ctypes.c_void_p, _HANDLER, ctypes.c_void_p]
        return lib
    except (OSError, AttributeError):
        return None


_LIB = _load()


@_HANDLER
def _interrupt(rt: int | None, opaque: int | None) -> int:
    """QuickJS's interrupt handler: nonzero stops the running code."""
    try:
        guard = _guards.get(rt or 0)
        if guard is None:
            return 0
        return guard.check()
    except Exception:  # pragma: no cover - never let an exception cross into C
        return 0


class Guard:
    """The limits of one isolate (``quickjs.Context``); see the module docstring."""

    def __init__(self, ctx: Any, memory_limit: int) -> None:
        self.ctx: Any = ctx
        self.memory_limit = memory_limit
        self.hard_limit = memory_limit + max(memory_limit, 64 * 1024 * 1024)
        self.deadline = 0.0
        # why the handler last stopped the code ("timeout" / "memory"), until clear()
        self.reason: str | None = None
        self._rt = 0
        self.active = self._install()
        if self.active:
            self.ctx = None  # the registry keeps the guard: it must not keep the isolate alive
        else:
            ctx.set_memory_limit(memory_limit)

    def _install(self) -> bool:
        if _LIB is None or type(self.ctx) is not _quickjs.Context:
            return False
        base = id(self.ctx)
        rt = ctypes.c_void_p.from_address(base + _RUNTIME_OFFSET).value
        cx = ctypes.c_void_p.from_address(base + _CONTEXT_OFFSET).value
        if not rt or not cx or _LIB.JS_GetRuntime(cx) != rt:
            return False
        self._rt = rt
        if self.allocated() != self.ctx.memory().get("malloc_size"):
            return False
        self.ctx.set_time_limit(-1)  # the binding no longer installs its own handler
        _guards[rt] = self
        _LIB.JS_SetInterruptHandler(rt, _interrupt, None)
        self.ctx.set_memory_limit(self.hard_limit)
        return True

    def allocated(self) -> int:
        """The bytes the runtime has allocated."""
        return int(ctypes.c_size_t.from_address(self._rt + _MALLOC_SIZE_OFFSET).value)

    def check(self) -> int:
        if time.monotonic() > self.deadline:
            self.reason = "timeout"
            return 1
        if self.allocated() > self.memory_limit:
            self.reason = "memory"
            return 1
        return 0

    def clear(self) -> None:
        self.reason = None

    def arm(self, seconds: float) -> None:
        """Before a call into the isolate: it may run ``seconds`` from now."""
        if self.active:
            self.deadline = time.monotonic() + seconds
        elif self.ctx is not None:
            self.ctx.set_time_limit(seconds)

    def release(self) -> None:
        """The isolate is being discarded."""
        if self.active and _guards.get(self._rt) is self:
            del _guards[self._rt]
        self.active = False
        self.ctx = None
