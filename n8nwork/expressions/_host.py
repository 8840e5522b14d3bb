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
import json.encoder
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from n8nwork.errors import ExpressionError
from n8nwork.expressions._values import copy_json
from n8nwork.expressions.scope import ExpressionScope
from n8nwork.jsvalues import finite
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
        return "".join(_C_ENCODE(value, 0))
    except ValueError:
        return _ENCODE(finite(value))


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
# the same encoder without the per-call set-up of JSONEncoder.encode (and without its check
# for cycles: run data has none, and a cycle still ends in an error, RecursionError)
_C_ENCODE = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else lambda value, _level: [_ENCODE(value)]
)


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


_MAX_NODES = 4096
_MAX_RUNS = 1024


# what a session installs in the isolate: (node token, run token, run index, the run's clock
# in epoch ms or None, token of the previous node run or 0, JSON of the definitions of new
# tokens or "")
Meta = tuple[int, int, int, float | None, int, str]


class MetaTokens:
    """Small integers standing for a node's, a run's and a previous node run's facts, so
    that each is sent to an isolate once: the first session that uses a token carries its
    definition too. When a table is full it starts again, and the isolate is told to forget
    that table (``fn`` / ``fr`` / ``fp``) before it learns the new definitions."""

    def __init__(self) -> None:
        self._nodes: dict[int, tuple[Node, int]] = {}
        self._runs: dict[tuple[Any, ...], tuple[tuple[Any, ...], int]] = {}
        self._prevs: dict[tuple[str, int, int, bool], int] = {}
        self._last: tuple[Any, ...] | None = None
        self._next = 1
        self._forget_all = False

    def clear(self) -> None:
        """The isolate is new: it knows no token."""
        self._nodes.clear()
        self._prevs.clear()
        self._runs.clear()
        self._last = None
        self._forget_all = False

    def forget(self) -> None:
        """A session's metadata may not have reached the isolate: start again, and have the
        isolate forget every token with the next session."""
        self.clear()
        self._forget_all = True

    def meta(self, scope: ExpressionScope) -> Meta:
        """The metadata of a session for ``scope``: node, run and previous-node facts by
        token (each defined once per isolate), the run index and the run's clock."""
        defs: dict[str, Any] = {}
        if self._forget_all:
            defs["fn"] = defs["fr"] = defs["fp"] = True
            self._forget_all = False
        node = scope.node
        hit = self._nodes.get(id(node))
        node_token = hit[1] if hit is not None and hit[0] is node else self.node(node, defs)
        last = self._last
        if (
            last is not None
            and last[0] is scope.workflow
            and last[2] is scope.variables
            and last[3] is scope.env
            and last[4] == scope.timezone
            and last[1] == scope.execution
        ):
            run_token = last[5]
        else:
            run_token = self.run(scope, defs)
        source = scope.source
        src = source[0] if source else None
        prev_token = 0
        if src is not None:
            name = src.previous_node
            prev_node = scope.workflow.by_name.get(name)
            key = (
                name,
                src.previous_node_output,
                src.previous_node_run,
                prev_node is not None and bool(prev_node.execute_once),
            )
            prev_token = self._prevs.get(key) or self._prev(key, defs)
        now = scope.now_ms
        if now is not None:
            now = float(now)  # (the binding would pass a large int cut to 32 bits)
            if now - now != 0:  # NaN or infinite
                now = None
        return (
            node_token,
            run_token,
            int(scope.run_index),
            now,
            prev_token,
            to_json(defs) if defs else "",
        )

    def node(self, node: Node, defs: dict[str, Any]) -> int:
        """The token of ``node``'s facts (added to ``defs`` when the isolate lacks them)."""
        hit = self._nodes.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        token = self._next
        self._next += 1
        if len(self._nodes) >= _MAX_NODES:
            self._nodes.clear()
            defs["fn"] = True
        self._nodes[id(node)] = (node, token)
        defs["nd"] = {
            "node": node.name,
            "nodeId": node.id,
            "nodeVersion": node.type_version,
            "webhookId": node.extras.get("webhookId"),
            "params": thaw(node.parameters),
        }
        return token

    def _prev(self, key: tuple[str, int, int, bool], defs: dict[str, Any]) -> int:
        """A new token for a node run that fed input 0 (``$prevNode``, ``$items()``)."""
        token = self._next
        self._next += 1
        if len(self._prevs) >= _MAX_NODES:
            self._prevs.clear()
            defs["fp"] = True
        self._prevs[key] = token
        defs["pd"] = list(key)
        return token

    def run(self, scope: ExpressionScope, defs: dict[str, Any]) -> int:
        """The token of the run facts of ``scope`` (workflow, execution, variables, env, time
        zone), added to ``defs`` when the isolate has not seen them yet. The run's clock
        (``now_ms``) changes with every node execution: it travels with each session instead."""
        last = self._last
        if (
            last is not None
            and last[0] is scope.workflow
            and last[4] == scope.timezone
            and last[1] == scope.execution
            and (last[2] is scope.variables or last[2] == scope.variables)
            and (last[3] is scope.env or last[3] == scope.env)
        ):
            return int(last[5])
        token = self._run_token(scope, defs)
        self._last = (
            scope.workflow,
            # a copy: nodes may change the run's custom data in place between executions
            {k: copy_json(v) for k, v in scope.execution.items()},
            scope.variables,
            scope.env,
            scope.timezone,
            token,
        )
        return token

    def _run_token(self, scope: ExpressionScope, defs: dict[str, Any]) -> int:
        key = (
            id(scope.workflow),
            _hashable(scope.execution),
            _hashable(scope.variables),
            _hashable(scope.env),
            scope.timezone,
        )
        hit = self._runs.get(key)
        if hit is not None and hit[0][0] is scope.workflow:
            return hit[1]
        token = self._next
        self._next += 1
        if len(self._runs) >= _MAX_RUNS:
            self._runs.clear()
            defs["fr"] = True
        self._runs[key] = ((scope.workflow,), token)
        wf = scope.workflow
        execution = dict(scope.execution)
        tz = scope.timezone if scope.timezone and scope.timezone != "DEFAULT" else "UTC"
        defs["rd"] = {
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
        }
        return token


class Session:
    """What the isolate may ask about the run while evaluating for one ``ExpressionScope``."""

    __slots__ = ("_compile_js", "items", "items_keys", "items_sent", "scope")

    def __init__(
        self, scope: ExpressionScope, compile_js: Callable[[str], str], items: Items
    ) -> None:
        self.scope = scope
        self.items = items  # the input items the isolate has (when items_sent)
        self.items_sent = False
        self.items_keys: frozenset[str] | None = None  # columns sent; None: whole items
        self._compile_js = compile_js

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
        names, methods, dates = prefetch_hints(code)
        if not names and not dates:
            return []
        keys: list[str] = []
        by_name = self.scope.workflow.by_name
        for name in names:
            if name not in by_name:
                continue
            keys.append("node\x00" + name)
            keys.extend("paired\x00" + json.dumps([name, method]) for method in methods)
        tz = self.scope.timezone
        if dates and tz and tz not in ("UTC", "DEFAULT"):
            year = datetime.now(tz=UTC).year
            keys.extend(f"tz\x00{tz}\x00{y}" for y in (year - 1, year, year + 1))
        return keys


@lru_cache(maxsize=4096)
def prefetch_hints(code: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """What ``code`` probably asks for: (nodes it names, the paired-item methods it calls,
    whether it works with dates in the workflow's time zone)."""
    if "$" not in code and "DateTime" not in code and "toDateTime" not in code:
        return (), (), False
    methods: tuple[str, ...] = ()
    if ".item" in code or ".pairedItem" in code:
        methods = tuple(m for m in ("item", "itemMatching", "pairedItem") if "." + m in code)
    dates = "DateTime" in code or "$now" in code or "$today" in code or "toDateTime" in code
    return _referenced_nodes(code), methods, dates
