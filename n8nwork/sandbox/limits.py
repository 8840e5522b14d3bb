"""What a sandboxed execution may use (``SandboxLimits``), what it returns (``SandboxResult``)
and how it fails (``SandboxError``, ``CodeValidationError``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Item


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one execution of user code.

    ``cpu_seconds`` is RLIMIT_CPU of the child; ``memory_mb`` its address space (RLIMIT_AS);
    ``wall_seconds`` is enforced by the parent, which kills the child; ``max_output_mb`` caps
    the serialized result; printed output is capped separately and truncated, not refused.
    ``use_zygote`` picks the warm pre-forked path (default) over a cold ``python`` per run.
    """

    cpu_seconds: float = 5.0
    memory_mb: int = 256
    wall_seconds: float = 30.0
    max_output_mb: float = 64.0
    open_files: int = 16
    max_stdout_lines: int = 1000
    max_stdout_bytes: int = 1 << 20
    use_zygote: bool = True

    @property
    def max_output_bytes(self) -> int:
        return int(self.max_output_mb * 1024 * 1024)

    def to_json(self) -> dict[str, Any]:
        """What the child needs to know (it applies the rlimits itself, and an alarm a little
        after the wall-clock limit in case the parent cannot kill it)."""
        return {
            "cpu_seconds": self.cpu_seconds,
            "wall_seconds": self.wall_seconds,
            "memory_mb": self.memory_mb,
            "open_files": self.open_files,
            "max_output_bytes": self.max_output_bytes,
            "max_stdout_lines": self.max_stdout_lines,
            "max_stdout_bytes": self.max_stdout_bytes,
        }


DEFAULT_LIMITS = SandboxLimits()


class SandboxError(NodeExecutionError):
    """User code failed in the sandbox: a limit was hit, the sandbox refused something, the
    code raised, or the child died. ``limit`` names the cause: ``cpu``, ``memory``, ``wall``,
    ``output``, ``refused`` (import/file/network/process), ``crash``, or None for an exception
    of the user's code; ``line`` is the 1-based line of the user's code where it happened."""

    def __init__(
        self,
        message: str,
        *,
        limit: str | None = None,
        line: int | None = None,
        item_index: int | None = None,
        description: str | None = None,
        stack: str | None = None,
        node: str | None = None,
    ) -> None:
        self.limit = limit
        self.line = line
        context: dict[str, Any] = {}
        if line is not None:
            context["lineNumber"] = line
        super().__init__(
            message,
            node=node,
            item_index=item_index,
            description=description,
            context=context,
            stack=stack,
        )


class CodeValidationError(NodeExecutionError):
    """The code ran but returned something that is not valid n8n output (n8n's texts)."""

    name = "ValidationError"


@dataclass
class SandboxResult:
    """What one execution produced.

    ``items``: the output items, validated and normalised as n8n does. In each-item mode one
    per input item that returned something, in input order, with ``pairedItem: {"item": i}``.
    ``errors``: per input item index, the error of that item (each-item mode with
    ``continue_on_fail``). ``stdout``: the lines user code printed.
    """

    items: list[Item]
    stdout: list[str] = field(default_factory=list)
    errors: dict[int, NodeExecutionError] = field(default_factory=dict)
