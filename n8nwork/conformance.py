"""Judging n8n conformance fixtures: run a fixture workflow and compare its pinned nodes.

The judgement is the one ``shared/n8n-conformance/README.md`` writes down: pinData is taken out
and is the expectation; the start node is the only node or the first enabled trigger; the
optional ``trigger`` key gives mode and start input; every pinned node must have run exactly
once, and output 0 of that run must equal the pinned items (``pairedItem`` and ``binary``
dropped, errors compared by message/name/description/context, key order ignored, null kept);
the execution must end in success. Running is delegated to a ``Runner`` so this module needs
no node code.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from n8nwork.errors import ConformanceError, WorkflowError
from n8nwork.run.state import RunState
from n8nwork.workflow.model import Workflow

# runner(workflow without pinData, start items or None, mode) -> finished run state
Runner = Callable[[Workflow, "list[dict[str, Any]] | None", str], RunState]

_ERROR_KEYS = ("message", "name", "description", "context")


@dataclass(frozen=True)
class Verdict:
    """The outcome for one fixture file: ``passed``, and the first difference if not."""

    path: str
    passed: bool
    detail: str = ""

    def line(self) -> str:
        return f"PASS {self.path}" if self.passed else f"FAIL {self.path}: {self.detail}"


def fixture_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The ``.json`` files named, and those below the folders named, in sorted order."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*.json") if f.is_file())
        else:
            yield path


def normalise_items(items: Any) -> list[Any]:
    """Items as compared: wrapped in ``json``, without pairedItem/binary, errors reduced."""
    out = []
    for item in items or []:
        if not isinstance(item, Mapping) or "json" not in item:
            item = {"json": item}
        js = item.get("json")
        if isinstance(js, Mapping):
            js = dict(js)
            err = js.get("error")
            if isinstance(err, Mapping) and "message" in err:
                js["error"] = {k: err[k] for k in _ERROR_KEYS if err.get(k) is not None}
        out.append({"json": _drop_undefined(js)})
    return out


def _drop_undefined(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_undefined(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_drop_undefined(v) for v in value]
    return value


def _diff(expected: Any, actual: Any, limit: int = 24) -> str:
    a = json.dumps(expected, indent=1, sort_keys=True, default=str).splitlines()
    b = json.dumps(actual, indent=1, sort_keys=True, default=str).splitlines()
    lines = list(difflib.unified_diff(a, b, "expected", "actual", n=1, lineterm=""))
    if len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more diff lines)"]
    return "\n    ".join(lines)


def judge_file(path: Path, runner: Runner) -> Verdict:
    """Run one fixture and judge it."""
    name = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Verdict(name, False, f"cannot read fixture: {exc}")
    if not isinstance(raw, dict):
        return Verdict(name, False, "cannot read fixture: not a JSON object")
    expected = raw.get("pinData") or {}
    trigger = raw.get("trigger") or {}
    try:
        workflow = replace(Workflow.from_json(raw), pin_data=None)
        mode = str(trigger.get("mode", "manual"))
        start_items = None
        if "input" in trigger:
            start = trigger["input"]
            start_items = start if isinstance(start, list) else [start]
        state = runner(workflow, start_items, mode)
    except WorkflowError as exc:
        return Verdict(name, False, f"invalid workflow: {exc}")
    except ConformanceError as exc:
        return Verdict(name, False, str(exc))
    if state.status != "success":
        err = state.error or {}
        where = f" in node '{state.last_node_executed}'" if state.last_node_executed else ""
        return Verdict(
            name,
            False,
            f"execution ended with status {state.status}{where}: {err.get('message', '')}",
        )
    for node_name, pinned in expected.items():
        runs = state.run_data.get(node_name, [])
        if len(runs) != 1:
            return Verdict(
                name, False, f"node '{node_name}' ran {len(runs)} times, expected exactly once"
            )
        want = normalise_items(pinned)
        got = normalise_items(runs[0].output(0))
        if want != got:
            return Verdict(
                name, False, f"node '{node_name}' output differs:\n    {_diff(want, got)}"
            )
    return Verdict(name, True)


def judge(paths: Iterable[str | Path], runner: Runner) -> list[Verdict]:
    """Judge every fixture file under ``paths``."""
    return [judge_file(p, runner) for p in fixture_files(paths)]
