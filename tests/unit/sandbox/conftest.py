"""Helpers for the sandbox tests: tight limits so that limit tests finish fast."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.sandbox import SandboxError, SandboxLimits, SandboxResult, run_python

TIGHT = SandboxLimits(cpu_seconds=1, memory_mb=128, wall_seconds=3)

# A gadget chain that reaches the real ``os`` module's globals from nothing but builtins.
OS_GLOBALS = (
    "g = [c for c in ().__class__.__base__.__subclasses__()"
    " if c.__name__ == '_wrap_close'][0].__init__.__globals__\n"
)
REAL_IMPORT = OS_GLOBALS + "imp = g['__builtins__']['__import__']\n"


def run(code: str, items: list[dict[str, Any]] | None = None, **kwargs: Any) -> SandboxResult:
    kwargs.setdefault("limits", TIGHT)
    return run_python(code, items if items is not None else [{"json": {}}], **kwargs)


def fails(code: str, items: list[dict[str, Any]] | None = None, **kwargs: Any) -> SandboxError:
    with pytest.raises(SandboxError) as info:
        run(code, items, **kwargs)
    return info.value
