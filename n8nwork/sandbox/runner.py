"""``run_python``: run a Code node's Python in a fresh sandboxed child and turn what came back
(result, refusal, exception, limit, crash) into items or a ``SandboxError`` naming the cause."""

from __future__ import annotations

import json
import signal
from typing import Any, Literal

from n8nwork.errors import NodeExecutionError
from n8nwork.run.data import Item, Items
from n8nwork.sandbox import pool
from n8nwork.sandbox.limits import DEFAULT_LIMITS, SandboxError, SandboxLimits, SandboxResult
from n8nwork.sandbox.validation import PYTHON_TEXT, validate_all_items, validate_each_item

Mode = Literal["runOnceForAllItems", "runOnceForEachItem"]
Language = Literal["python", "pythonNative"]

# Room for the frame header, the JSON wrapper and the captured print output.
_FRAME_SLACK = 4 << 20


def run_python(
    code: str,
    items: Items,
    *,
    mode: Mode = "runOnceForAllItems",
    limits: SandboxLimits = DEFAULT_LIMITS,
    context: dict[str, Any] | None = None,
    language: Language = "python",
    continue_on_fail: bool = False,
) -> SandboxResult:
    """Run ``code`` over ``items`` in a new sandboxed child process.

    ``context`` holds what the code may see besides its input (``runIndex``, ``workflow``,
    ``execution``, ``prevNode``, ``vars``, ``parameter``, ``timezone`` and ``nodes``: other
    nodes' outputs by name). It must hold nothing secret: the code can read all of it.
    Raises ``SandboxError`` (or ``CodeValidationError`` for bad output); in each-item mode with
    ``continue_on_fail`` an item's own exception lands in ``result.errors`` instead.
    """
    request = {
        "code": code,
        "items": items,
        "mode": mode,
        "language": language,
        "context": context or {},
        "limits": limits.to_json(),
        "continue_on_fail": continue_on_fail,
    }
    try:
        payload = json.dumps(request, default=str, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise SandboxError(f"the input of the Python code is not JSON: {exc}") from exc
    try:
        outcome = pool.execute(
            payload,
            wall_seconds=limits.wall_seconds,
            max_frame=limits.max_output_bytes + _FRAME_SLACK,
            warm=limits.use_zygote,
        )
    except pool.SandboxUnavailable as exc:
        raise SandboxError(str(exc), limit="crash") from exc
    frame = _decode(outcome, limits)
    stdout = [str(line) for line in frame.get("stdout") or []]
    if mode == "runOnceForEachItem":
        return _each_item_result(frame, limits, stdout, continue_on_fail)
    if not frame.get("ok"):
        raise _error_from(frame.get("error") or {}, limits)
    return SandboxResult(validate_all_items(frame.get("result"), PYTHON_TEXT), stdout)


def _each_item_result(
    frame: dict[str, Any], limits: SandboxLimits, stdout: list[str], continue_on_fail: bool
) -> SandboxResult:
    if not frame.get("ok"):  # the first error, or a limit that ended the run part-way
        raise _error_from(frame.get("error") or {}, limits)
    out: list[Item] = []
    errors: dict[int, NodeExecutionError] = {}
    for index, outcome in enumerate(frame.get("results") or []):
        if "error" in outcome:
            errors[index] = _error_from(outcome["error"], limits)
            continue
        value = outcome.get("value")
        if value is None:
            continue
        try:
            item = validate_each_item(value, index, PYTHON_TEXT)
        except NodeExecutionError as exc:
            if not continue_on_fail:
                raise
            errors[index] = exc
            continue
        clean: Item = {"json": item["json"], "pairedItem": {"item": index}}
        if item.get("binary") is not None:
            clean["binary"] = item["binary"]
        out.append(clean)
    return SandboxResult(out, stdout, errors)


def _decode(outcome: pool.Outcome, limits: SandboxLimits) -> dict[str, Any]:
    """The child's answer, or the SandboxError that explains why there is none."""
    if outcome.timed_out or outcome.termination.signal == signal.SIGALRM:
        raise SandboxError(
            f"wall-clock timeout of {limits.wall_seconds:g} s exceeded", limit="wall"
        )
    if outcome.too_large:
        raise _output_error(limits)
    end = outcome.termination
    if outcome.frame is not None:
        try:
            decoded = json.loads(outcome.frame)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            return decoded
        raise SandboxError("the Python sandbox returned an unreadable result", limit="crash")
    cpu_spent = end.cpu_seconds is None or end.cpu_seconds >= limits.cpu_seconds - 0.05
    if end.signal == signal.SIGXCPU or (end.signal == signal.SIGKILL and cpu_spent):
        raise SandboxError(f"CPU time limit of {limits.cpu_seconds:g} s exceeded", limit="cpu")
    if end.signal is not None:
        raise SandboxError(
            f"the Python sandbox process was killed by {pool.signal_name(end.signal)} "
            f"(the memory limit of {limits.memory_mb} MB may have been exceeded)",
            limit="crash",
        )
    if end.error:
        raise SandboxError(f"the Python sandbox could not start: {end.error}", limit="crash")
    if end.lost:
        raise SandboxError("the Python sandbox process went away unexpectedly", limit="crash")
    raise SandboxError(
        f"the Python sandbox process exited unexpectedly with code {end.exit_code}",
        limit="crash",
    )


def _output_error(limits: SandboxLimits) -> SandboxError:
    return SandboxError(
        f"output of the Python code exceeds the limit of {limits.max_output_mb:g} MB",
        limit="output",
    )


def _error_from(error: dict[str, Any], limits: SandboxLimits) -> SandboxError:
    kind = error.get("kind")
    line = error.get("line")
    item = error.get("item")
    stack = error.get("stack")
    if kind == "memory":
        return SandboxError(
            f"memory limit of {limits.memory_mb} MB exceeded",
            limit="memory",
            line=line,
            item_index=item,
            stack=stack,
        )
    if kind == "output":
        return _output_error(limits)
    message = str(error.get("message") or "Unknown error")
    if line is not None and item is not None:
        message = f"{message} [line {line}, for item {item}]"
    elif line is not None:
        message = f"{message} [line {line}]"
    elif item is not None:
        message = f"{message} [item {item}]"
    return SandboxError(
        message,
        limit={"refused": "refused", "crash": "crash"}.get(str(kind)),
        line=line,
        item_index=item,
        description=stack,
        stack=stack,
    )
