"""The host side of the isolate: the answers to what JavaScript asks Python for.

The isolate cannot call Python while its time limit is armed, so it records each question
as a key ``"op\x00arg"`` and stops (see ``js/prelude.js``); the engine asks the ``Session``
for the answers and hands them over before the evaluation resumes. A ``Session`` is bound to
one ``ExpressionScope`` (one node execution) and answers about other nodes' outputs
(``$('X').all()``, ``$node["X"].json``, ``$items()``), their context and parameters, the
lineage of the input items (``$('X').item``), the offsets of an IANA time zone over a year
(``zoneinfo``) and the compiled form of an expression string. Answers are strings; an error is
``"\x01"`` followed by a JSON object (``plain: true`` makes it an ordinary JavaScript
``Error``, which expressions swallow like n8n does; otherwise it is an n8n ExpressionError).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from n8nwork.errors import ExpressionError
from n8nwork.expressions.scope import ExpressionScope
from n8nwork.run.data import Items
from n8nwork.run.lineage import LineageError, connection_output_index, resolve_paired_item
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node

ERROR_PREFIX = "\x01"
_DOLLAR_NODE = re.compile(r"""\$\(\s*("[^"\n]*"|'[^'\n]*'|`[^`\n]*`)\s*\)""")
_NODE_INDEX = re.compile(r"""\$node\[\s*("[^"\n]*"|'[^'\n]*')\s*\]""")
_NODE_DOT = re.compile(r"\$node\.([A-Za-z_$][A-Za-z0-9_$]*)")


def to_json(value: Any) -> str:
    """Compact JSON of run data for the isolate (frozen mappings and tuples allowed)."""
    try:
        return _ENCODE(value)
    except ValueError:
        return _ENCODE(_finite(value))


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


_ENCODE = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, default=_default, allow_nan=False
).encode


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def error_reply(message: str, *, plain: bool = False, **extra: Any) -> str:
    info = {"message": message, **{k: v for k, v in extra.items() if v is not None}}
    if plain:
        info["plain"] = True
    return ERROR_PREFIX + json.dumps(info)


# ----------------------------------------------------------------------------- time zones
@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows (plus UTC)."""
    return tuple(sorted(available_timezones() | {"UTC"}))


def _offset(zone: ZoneInfo, stamp: float) -> tuple[int, str]:
    dt = datetime.fromtimestamp(stamp, tz=zone)
    off = dt.utcoffset()
    return (int(off.total_seconds() // 60) if off is not None else 0), dt.tzname() or ""


@lru_cache(maxsize=4096)
def zone_year_table(name: str, year: int) -> str:
    """``[[utc_ms, offset_minutes, abbreviation], ...]``: each change of ``name`` in ``year``."""
    zone = _zone(name)
    year = min(max(year, 1), 9998)
    start = datetime(year, 1, 1, tzinfo=UTC).timestamp()
    end = datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()
    step = 6 * 3600.0
    prev = _offset(zone, start)
    table = [[start * 1000, prev[0], prev[1]]]
    t = start
    while t < end:
        nxt = min(t + step, end)
        cur = _offset(zone, nxt)
        if cur != prev:
            lo, hi = t, nxt  # the change happens in (lo, hi]
            while hi - lo > 1:
                mid = math.floor((lo + hi) / 2)
                if _offset(zone, mid) == prev:
                    lo = mid
                else:
                    hi = mid
            table.append([hi * 1000, cur[0], cur[1]])
            prev = cur
        t = nxt
    return json.dumps(table)


# ----------------------------------------------------------------------------- session
def _expr_error(exc: ExpressionError) -> str:
    return error_reply(
        exc.message,
        description=exc.description,
        nodeCause=getattr(exc, "node_cause", None) or None,
    )


@lru_cache(maxsize=4096)
def _referenced_nodes(code: str) -> tuple[str, ...]:
    names = set(_DOLLAR_NODE.findall(code)) | set(_NODE_INDEX.findall(code))
    names |= set(_NODE_DOT.findall(code))
    return tuple(sorted(n.strip("'\"`") for n in names))


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple((k, _hashable(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


class MetaTokens:
    """Small integers standing for a node's and a run's facts, so that each is sent to an
    isolate once: the first session that uses a token carries its definition too."""

    def __init__(self) -> None:
        self._nodes: dict[int, tuple[Node, int]] = {}
        self._runs: dict[tuple[Any, ...], tuple[tuple[Any, ...], int]] = {}
        self._last: tuple[Any, ...] | None = None
        self._next = 1

    def clear(self) -> None:
        self._nodes.clear()
        self._runs.clear()
        self._last = None

    def node(self, node: Node) -> tuple[int, str]:
        hit = self._nodes.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1], ""
        token = self._next
        self._next += 1
        if len(self._nodes) > 4096:
            self._nodes.clear()
        self._nodes[id(node)] = (node, token)
        return token, to_json(
            {
                "node": node.name,
                "nodeId": node.id,
                "nodeVersion": node.type_version,
                "webhookId": node.extras.get("webhookId"),
                "params": thaw(node.parameters),
            }
        )

    def run(self, scope: ExpressionScope) -> tuple[int, str]:
        last = self._last
        if (
            last is not None
            and last[0] is scope.workflow
            and last[4] == scope.timezone
            and last[5] == scope.now_ms
            and (last[1] is scope.execution or last[1] == scope.execution)
            and (last[2] is scope.variables or last[2] == scope.variables)
            and (last[3] is scope.env or last[3] == scope.env)
        ):
            return last[6], ""
        token, definition = self._run_token(scope)
        self._last = (
            scope.workflow,
            scope.execution,
            scope.variables,
            scope.env,
            scope.timezone,
            scope.now_ms,
            token,
        )
        return token, definition

    def _run_token(self, scope: ExpressionScope) -> tuple[int, str]:
        key = (
            id(scope.workflow),
            _hashable(scope.execution),
            _hashable(scope.variables),
            _hashable(scope.env),
            scope.timezone,
            scope.now_ms,
        )
        hit = self._runs.get(key)
        if hit is not None and hit[0][0] is scope.workflow:
            return hit[1], ""
        token = self._next
        self._next += 1
        if len(self._runs) > 1024:
            self._runs.clear()
        self._runs[key] = ((scope.workflow,), token)
        wf = scope.workflow
        execution = dict(scope.execution)
        tz = scope.timezone if scope.timezone and scope.timezone != "DEFAULT" else "UTC"
        return token, to_json(
            {
                "mode": execution.get("mode", "manual"),
                "execution": execution,
                "workflow": {
                    "id": wf.extras.get("id"),
                    "name": wf.name,
                    "active": bool(wf.extras.get("active", False)),
                },
                "vars": dict(scope.variables),
                "env": dict(scope.env),
                "timezone": tz,
                "nowMs": scope.now_ms,
            }
        )


class Session:
    """What the isolate may ask about the run while evaluating for one ``ExpressionScope``."""

    def __init__(self, scope: ExpressionScope, compile_js: Callable[[str], str]) -> None:
        self.scope = scope
        self.items: Items = scope.inputs[0] if scope.inputs and scope.inputs[0] else []
        self.items_sent = False
        self.items_keys: frozenset[str] | None = None  # columns sent; None: whole items
        self._compile_js = compile_js

    # -- metadata sent when the session starts
    def meta(self, tokens: MetaTokens) -> str:
        """The session's metadata: node and run facts by token (defined once per isolate)."""
        scope = self.scope
        wf = scope.workflow
        src = scope.source[0] if scope.source else None
        prev: list[Any] | None = None
        prev_once = False
        if src is not None:
            prev = [src.previous_node, src.previous_node_output, src.previous_node_run]
            prev_node = wf.by_name.get(src.previous_node)
            prev_once = bool(prev_node and prev_node.execute_once)
        node_token, node_def = tokens.node(scope.node)
        run_token, run_def = tokens.run(scope)
        out = f'{{"n":{node_token},"r":{run_token},"ri":{int(scope.run_index)}'
        if prev is not None:
            out += ',"p":' + _ENCODE(prev)
        if prev_once:
            out += ',"eo":true'
        if node_def:
            out += ',"nd":' + node_def
        if run_def:
            out += ',"rd":' + run_def
        return out + "}"

    # -- answers
    def answer(self, key: str) -> str:
        """The answer to the isolate's question ``key`` (``"op\\x00arg"``); never raises."""
        op, _, arg = key.partition("\x00")
        try:
            if op == "tz":
                name, _, year = arg.partition("\x00")
                return zone_year_table(name, int(year))
            handler = getattr(self, "op_" + op, None)
            if handler is None:
                return error_reply(f"unknown host operation {op!r}", plain=True)
            return str(handler(arg))
        except ExpressionError as exc:
            return _expr_error(exc)
        except Exception as exc:  # a host bug must not take the isolate down
            return error_reply(f"{type(exc).__name__}: {exc}", plain=True)

    # -- node data
    def _runs(self, name: str) -> list[Any]:
        return list(self.scope.run.node_runs(name))

    def op_node(self, name: str) -> str:
        exists = name in self.scope.workflow.by_name
        runs = self._runs(name) if exists else []
        return json.dumps({"exists": exists, "executed": bool(runs), "runs": len(runs)})

    def _execution_data(self, name: str, branch: int | None, run: int, legacy: bool) -> Items:
        ctx = self.scope.node.name
        if name not in self.scope.workflow.by_name:
            raise ExpressionError("Referenced node doesn't exist")
        runs = self._runs(name)
        if not runs:
            raise ExpressionError(
                f"Node '{name}' hasn't been executed",
                description=(
                    "An expression references this node, but the node is unexecuted. Consider "
                    "re-wiring your nodes or checking for execution first, i.e. "
                    f'{{{{ $if( $("{name}").isExecuted, <action_if_executed>, "") }}}}'
                ),
            )
        run_index = len(runs) - 1 if run == -1 else run
        if run_index < 0 or run_index >= len(runs):
            raise ExpressionError(f'Run {run_index} of node "{name}" not found')
        outputs = runs[run_index].outputs
        if not outputs or outputs[0] is None:
            raise ExpressionError("No data found from `main` input")
        if branch is None:
            branch = connection_output_index(self.scope.workflow, ctx, name)
            if branch is None:
                if legacy:
                    raise ExpressionError(f'connect "{ctx}" to "{name}"')
                branch = 0
        if branch >= len(outputs):
            raise ExpressionError(f'Node "{name}" has no branch with index {branch}.')
        return outputs[branch] or []

    def op_output(self, arg: str) -> str:
        name, branch, run = json.loads(arg)
        return to_json(self._execution_data(str(name), branch, int(run), legacy=False))

    def op_legacy(self, arg: str) -> str:
        name, branch, run = json.loads(arg)
        return to_json(self._execution_data(str(name), branch, int(run), legacy=True))

    def op_context(self, name: str) -> str:
        return to_json(self.scope.run.node_context(name))

    def op_params(self, name: str) -> str:
        node = self.scope.workflow.by_name.get(name)
        return to_json(thaw(node.parameters) if node is not None else {})

    def _paired_one(self, name: str, method: str, index: int) -> Any:
        scope = self.scope
        try:
            ref = resolve_paired_item(
                scope.run,
                scope.workflow,
                current_node=scope.node.name,
                sources=scope.source,
                input_items=self.items,
                item_index=index,
                target=name,
                method=method,
            )
        except LineageError as exc:
            info = {"message": exc.message, "description": exc.description}
            if exc.node_cause:
                info["nodeCause"] = exc.node_cause
            return {"error": info}
        return None if ref is None else [ref.output, ref.run, ref.index]

    def op_paired(self, arg: str) -> str:
        """Where every input item's ``$(name).<method>`` points: ``[output, run, index]``."""
        name, method = json.loads(arg)
        refs = [self._paired_one(str(name), str(method), i) for i in range(len(self.items))]
        outside = self._paired_one(str(name), str(method), len(self.items))
        return json.dumps({"refs": refs, "outside": outside})

    def op_compile(self, expr: str) -> str:
        return self._compile_js(expr)

    def prefetch(self, code: str) -> list[str]:
        """Questions ``code`` will probably ask, to answer before it runs the first time."""
        if "$" not in code and "DateTime" not in code and "toDateTime" not in code:
            return []
        keys: list[str] = []
        for name in _referenced_nodes(code):
            if name not in self.scope.workflow.by_name:
                continue
            keys.append("node\x00" + name)
            if ".item" in code or ".pairedItem" in code:
                for method in ("item", "itemMatching", "pairedItem"):
                    if "." + method in code:
                        keys.append("paired\x00" + json.dumps([name, method]))
        tz = self.scope.timezone
        if (
            tz
            and tz not in ("UTC", "DEFAULT")
            and ("DateTime" in code or "$now" in code or "$today" in code or "toDateTime" in code)
        ):
            year = datetime.now(tz=UTC).year
            keys.extend(f"tz\x00{tz}\x00{y}" for y in (year - 1, year, year + 1))
        return keys
