"""The expression engine: n8n expressions and Code-node JavaScript in an embedded QuickJS isolate.

One ``ExpressionEngine`` per thread (``get_engine()``; QuickJS runtimes must not be shared
between threads). Its isolate has no I/O at all (no ``std``/``os`` modules, no module loader,
no ``fetch``/``require``), a memory cap and a time limit per call (see ``_guard``); Luxon,
an ``Intl`` polyfill and n8n's runtime are loaded once per isolate and the realm is frozen
afterwards, so one evaluation cannot change what the next sees. A timeout leaves the isolate
usable; running out of memory discards it and the next call builds a fresh one.

API (the agreed contract with the nodes):

- ``evaluate(value, scope, item_index, *, parameter="") -> Any``: ``value`` is any JSON (plain
  or frozen); every string starting with ``=`` in it is evaluated for input item
  ``item_index``. Raises ``ExpressionError`` naming the expression, parameter and item.
- ``evaluate_all(value, scope, *, parameter="") -> list[Any | ExpressionError]``: the value
  for every item of ``scope.inputs[0]`` (one entry, item 0, when there are none), compiled once
  and evaluated in one isolate call; a failing item gets its ``ExpressionError`` in its slot.
- ``evaluate_columns(values, scope, *, parameter="")``: for a tuple of strings, each one's
  column over the items (an expression evaluated, a plain string repeated), one isolate call.
- ``run_code(code, scope, *, mode="runOnceForAllItems" | "runOnceForEachItem",
  item_index=None, legacy_function=False, continue_on_fail=False)``: runs a Code node body
  (``legacy_function=True``: the old Function / Function Item nodes). All-items mode returns
  the list of output items; each-item mode returns the list of items for all inputs, or the
  single item (``dict``, or ``None`` when the code returned nothing) when ``item_index`` is
  given. User errors raise ``NodeExecutionError`` with n8n's texts ("... [line 3]");
  with ``continue_on_fail`` they become ``{"json": {"error": message}}`` items instead.
  ``engine.last_logs`` holds what the code passed to ``console.log``.

Semantics follow n8n: inside ``{{ }}`` only n8n's own errors (paired items, env access,
extension misuse, ...) fail an evaluation; other JavaScript errors make the part
``undefined`` (empty in templates); syntax errors give ``invalid syntax``.

What keeps a batch cheap: a session (one per node execution) installs its metadata by tokens
(node, run and previous-node facts are sent to an isolate once; only the run index and the
run's clock travel with every session); expressions that read nothing but some ``$json`` keys
get those keys as columns instead of whole items; the functions and input columns of a set of
expressions are looked up once per isolate; results come back as one JSON array of columns.
"""

from __future__ import annotations

import json
import json.scanner
import math
import re
import threading
import time
import weakref
from collections import OrderedDict
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import quickjs

from n8nwork.errors import ExpressionError
from n8nwork.expressions import _code, _values
from n8nwork.expressions._guard import Guard
from n8nwork.expressions._host import (
    Meta,
    MetaTokens,
    Session,
    prefetch_hints,
    to_json,
    zone_names,
)
from n8nwork.expressions._plan import plan_of
from n8nwork.expressions.scope import ExpressionScope
from n8nwork.expressions.template import (
    CODE_LINE_OFFSET,
    Compiled,
    code_source,
    compile_expression,
    function_source,
    split_template,
)
from n8nwork.expressions.transform import RewriteError
from n8nwork.run.data import Items
from n8nwork.workflow.frozen import thaw

_JS_DIR = Path(__file__).parent / "js"
# libraries are loaded inside a function so they leave exactly one global, which the prelude
# takes and deletes: (file, global it is stored in, prologue, expression returning it)
_LIBRARIES = (
    ("luxon.min.js", "__n8n_luxon", "", "luxon"),
    ("jmespath.js", "__n8n_jmespath", "var exports = {};", "exports"),
    (
        "sha.min.js",
        "__n8n_jssha",
        "var module = { exports: {} }, exports = module.exports;",
        "module.exports",
    ),
    ("md5.min.js", "__n8n_md5", "var window = {};", "window.md5"),
)
_API = ("compile", "forget", "evalBatch", "provide", "runCode", "codeResult", "resetCaches")
_MB = 1024 * 1024
# how the isolate's JSON writes the key marking values JSON cannot carry (see ``_values``)
_MARK_JSON = json.dumps(_values.MARK)[1:-1]
_NO_META: Meta = (0, 0, 0, None, 0, "")
_MAX_ROUNDS = 10_000  # questions answered for one evaluation batch / reruns of one Code run


@lru_cache(maxsize=1)
def _boot_sources() -> tuple[str, ...]:
    def read(name: str) -> str:
        return (_JS_DIR / name).read_text(encoding="utf-8")

    out = [read("intl.js")]
    for name, target, prologue, result in _LIBRARIES:
        out.append(
            f'"use strip";\nglobalThis.{target} = (function () {{ {prologue}\n'
            + read(name)
            + f"\nreturn {result};\n}})();"
        )
    out.append(read("prelude.js"))
    out.append(read("extensions.js"))
    out.append(f"__n8n_intl.setZones({json.dumps(list(zone_names()))});")
    out.append(read("finalize.js"))
    return tuple(out)


class _Fault(Exception):
    """The isolate was interrupted: ``kind`` is timeout, memory, stack or js."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail


_OOM_TEXTS = frozenset(["null", "(Failed obtaining QuickJS error string. Concurrency issue?)"])

_FAULT_MESSAGES = {
    "timeout": "Expression timed out",
    "memory": "Expression exceeded memory limit",
    "stack": "Maximum call stack size exceeded",
}


class _Batch(NamedTuple):
    """Expressions evaluated together: the ones defined in the isolate (``exprs``, by
    ``ids``), the ``$json`` keys they read (None: whole items), the ones that may ask the host
    for data before they run (``hinted``) and the ones with invalid syntax."""

    exprs: tuple[str, ...]
    ids: int | str
    keys: frozenset[str] | None
    hinted: tuple[str, ...]
    invalid: tuple[str, ...]


class ExpressionEngine:
    """Evaluates n8n expressions and runs Code-node JavaScript; see the module docstring."""

    def __init__(
        self,
        *,
        memory_limit: int = 64 * _MB,
        time_limit: float = 1.0,
        code_time_limit: float = 60.0,
        stack_size: int = 2 * _MB,
        cache_size: int = 4096,
    ) -> None:
        self.memory_limit = memory_limit
        self.time_limit = time_limit
        self.code_time_limit = code_time_limit
        self.stack_size = stack_size
        self.cache_size = cache_size
        self.last_logs: list[str] = []
        self._ctx: Any = None
        self._guard: Guard | None = None
        # the current guard, released when the engine is garbage collected without reset()
        self._guard_box: list[Guard | None] = [None]
        weakref.finalize(self, _release_guard, self._guard_box)
        self._fns: dict[str, Any] = {}
        self._compiled: OrderedDict[str, Compiled] = OrderedDict()
        self._js_ids: OrderedDict[str, int] = OrderedDict()
        self._batches: dict[tuple[str, ...], _Batch] = {}
        self._only_js: dict[tuple[str, ...], _Batch] = {}  # expressions all run in the isolate
        self._next_id = 1
        self._session: Session | None = None
        self._tokens = MetaTokens()
        self._thread = threading.get_ident()

    # ------------------------------------------------------------------ isolate lifecycle
    def _ensure(self) -> None:
        if self._ctx is not None:
            return
        if threading.get_ident() != self._thread:
            raise RuntimeError("an ExpressionEngine must be used by the thread that created it")
        ctx = quickjs.Context()
        ctx.set_max_stack_size(self.stack_size)
        ctx.set_time_limit(60)
        for source in _boot_sources():
            ctx.eval(source)
        self._fns = {name: ctx.eval("__n8n_api." + name) for name in _API}
        # user code must never reach the API: with it, it could switch its session to another
        # run's facts (begin) or replace the compiled expressions of later runs (compile)
        ctx.eval("delete globalThis.__n8n_api")
        if ctx.eval("typeof globalThis.__n8n_api") != "undefined":  # pragma: no cover
            raise RuntimeError("the isolate's host API could not be hidden")
        self._guard = self._guard_box[0] = Guard(ctx, self.memory_limit)
        self._ctx = ctx
        self._js_ids.clear()
        self._batches.clear()
        self._only_js.clear()
        self._tokens.clear()
        self._session = None

    def reset(self) -> None:
        """Discard the isolate; the next call builds a fresh one."""
        _release_guard(self._guard_box)
        self._guard = None
        self._ctx = None
        self._fns = {}
        self._js_ids.clear()
        self._batches.clear()
        self._only_js.clear()
        self._tokens.clear()
        self._session = None

    def _call(self, name: str, *args: Any, limit: float) -> Any:
        return self._guarded(self._fns[name], args, limit)

    def _pending_job(self, limit: float) -> bool:
        """Runs one pending promise job; False when there was none."""
        return bool(self._guarded(self._ctx.execute_pending_job, (), limit))

    def _guarded(self, fn: Any, args: tuple[Any, ...], limit: float) -> Any:
        guard = self._guard
        assert guard is not None
        guard.clear()
        guard.arm(limit)
        try:
            result = fn(*args)
            if guard.reason is not None:
                # interrupted inside a promise job: the rejection was caught, the limit still holds
                raise quickjs.JSException("InternalError: interrupted")
            return result
        except quickjs.StackOverflow as exc:
            self._session = None
            raise _Fault("stack", str(exc)) from None
        except quickjs.JSException as exc:
            text = str(exc)
            self._session = None
            if "interrupted" in text:
                if guard.reason == "memory":
                    self.reset()
                    raise _Fault("memory", text) from None
                raise _Fault("timeout", text) from None
            # QuickJS throws null when it cannot even allocate its out-of-memory error, and the
            # binding cannot always turn an error into text then: API calls throw nothing else
            if "out of memory" in text or text.split("\n", 1)[0] in _OOM_TEXTS:
                self.reset()
                raise _Fault("memory", text) from None
            raise _Fault("js", text) from None

    def _answer(self, session: Session, raw: str) -> str | None:
        """When ``raw`` is the isolate's ``{"need": [...]}``, answer and return None."""
        if not raw.startswith('{"need":'):
            return raw
        keys = json.loads(raw)["need"]
        self._provide(session, keys)
        return None

    def _provide(self, session: Session, keys: list[str]) -> None:
        self._call("provide", self._answers(session, keys), limit=max(self.time_limit, 5.0))

    @staticmethod
    def _answers(session: Session, keys: list[str]) -> str:
        if not keys:
            return ""
        return json.dumps({key: session.answer(key) for key in keys})

    def _activate(
        self, scope: ExpressionScope, keys: frozenset[str] | None = None
    ) -> tuple[Session, Meta, str]:
        """The session for ``scope`` and what the next isolate call must install first:
        the session metadata (``_NO_META`` when the session is there) and the input items
        (an empty string when already there).

        ``keys`` are the only ``$json`` keys the coming evaluation reads (None: it needs the
        whole items); then only those columns are sent.
        """
        session = self._session
        inputs = scope.inputs
        items = inputs[0] if inputs and inputs[0] else []
        meta = _NO_META
        if session is None or session.scope is not scope:
            session = self._session = Session(scope, self._js_for_host, items)
            try:
                meta = self._tokens.meta(scope)
            except BaseException:
                self._session = None
                self._tokens.forget()
                raise
        elif session.items is not items:
            session.items = items
            session.items_sent = False
            session.items_keys = None
        try:
            items_json = self._items_json(session, items, keys)
        except BaseException:
            if meta[5]:  # the session's definitions will not reach the isolate
                self._session = None
                self._tokens.forget()
            raise
        return session, meta, items_json

    @staticmethod
    def _items_json(session: Session, items: Items, keys: frozenset[str] | None) -> str:
        """What the isolate needs of ``items`` that it does not have yet ("" for nothing)."""
        items_json = ""
        if not items:
            if not session.items_sent:
                items_json = "[]"
                session.items_sent = True
            return items_json
        if keys is None:
            if not session.items_sent or session.items_keys is not None:
                items_json = to_json(items)
                session.items_sent = True
                session.items_keys = None
        elif not session.items_sent or (
            session.items_keys is not None and not keys <= session.items_keys
        ):
            wanted = keys | (session.items_keys or frozenset()) if session.items_sent else keys
            items_json = _columns(items, wanted)
            session.items_sent = True
            session.items_keys = wanted
        return items_json

    # ------------------------------------------------------------------ compilation
    def compile(self, expression: str) -> Compiled:
        """The compiled form of ``expression`` (cached)."""
        hit = self._compiled.get(expression)
        if hit is not None:
            self._compiled.move_to_end(expression)
            return hit
        compiled = compile_expression(expression)
        self._compiled[expression] = compiled
        if len(self._compiled) > self.cache_size:
            self._compiled.popitem(last=False)
        return compiled

    def _js_of(self, compiled: Compiled) -> str:
        if compiled.kind == "js":
            return compiled.js
        body = compiled.source[1:] if compiled.source.startswith("=") else compiled.source
        try:
            return function_source(split_template(body))[0]
        except RewriteError as exc:  # cannot happen for the paths compile_expression accepts
            message = json.dumps(str(exc) or "invalid syntax")
            return "(function(){return function(){throw __n8n_fail(" + message + ");};})()"

    def _js_for_host(self, expression: str) -> str:
        compiled = self.compile(expression)
        if compiled.kind == "const":
            return (
                "(function(){var v="
                + to_json(compiled.value)
                + ";return function(){return v;};})()"
            )
        if compiled.kind == "error":
            return (
                "(function(){return function(){throw new Error("
                + json.dumps(compiled.value)
                + ");};})()"
            )
        return self._js_of(compiled)

    def _define(self, key: str, source: str) -> int:
        fid = self._js_ids.get(key)
        if fid is not None:
            self._js_ids.move_to_end(key)
            return fid
        fid = self._next_id
        self._next_id += 1
        self._call("compile", fid, source, limit=max(self.time_limit, 5.0))
        self._js_ids[key] = fid
        if len(self._js_ids) > self.cache_size:
            _, old = self._js_ids.popitem(last=False)
            self._batches.clear()  # a batch may use the forgotten function
            self._only_js.clear()
            self._call("forget", old, limit=self.time_limit)
        return fid

    # ------------------------------------------------------------------ expressions
    def evaluate(
        self, value: Any, scope: ExpressionScope, item_index: int, *, parameter: str = ""
    ) -> Any:
        """``value`` with its expressions evaluated for one item (raises ``ExpressionError``)."""
        result = self._evaluate(value, scope, item_index, item_index + 1, parameter)[0]
        if isinstance(result, ExpressionError):
            raise result
        return result

    def evaluate_all(
        self, value: Any, scope: ExpressionScope, *, parameter: str = ""
    ) -> list[Any | ExpressionError]:
        """``value`` evaluated for every input item (at least item 0), one isolate call."""
        n = max(1, len(scope.inputs[0]) if scope.inputs and scope.inputs[0] else 0)
        return self._evaluate(value, scope, 0, n, parameter)

    def evaluate_columns(
        self, values: tuple[str, ...], scope: ExpressionScope, *, parameter: str = ""
    ) -> list[list[Any | ExpressionError]]:
        """For each string of ``values``, its value for every input item (at least item 0):
        an expression's column (``ExpressionError`` where it failed), a plain string's value
        repeated. All expressions are evaluated in one isolate call."""
        inputs = scope.inputs
        n = max(1, len(inputs[0]) if inputs and inputs[0] else 0)
        exprs = _expressions_of(values)
        results = self._evaluate_strings(exprs, scope, 0, n, parameter) if exprs else {}
        return [results[v] if v.startswith("=") else [v] * n for v in values]

    def _evaluate(
        self, value: Any, scope: ExpressionScope, start: int, end: int, parameter: str
    ) -> list[Any]:
        count = end - start
        if isinstance(value, str):
            if not value.startswith("="):
                return [value] * count
            return self._evaluate_strings((value,), scope, start, end, parameter)[value]
        plan = plan_of(value)
        if plan is None:
            return [thaw(value) for _ in range(count)]
        results = self._evaluate_strings(plan.exprs, scope, start, end, parameter)
        build = plan.build
        out: list[Any] = []
        errors: list[ExpressionError] = []
        for k in range(count):
            built = build(results, k, errors)
            if errors:
                out.append(errors[0])
                errors = []
            else:
                out.append(built)
        return out

    def _evaluate_strings(
        self,
        exprs: tuple[str, ...],
        scope: ExpressionScope,
        start: int,
        end: int,
        parameter: str,
    ) -> dict[str, list[Any]]:
        batch = self._only_js.get(exprs)
        if batch is not None:
            return self._run_batch(batch, scope, start, end, parameter)
        inputs = scope.inputs
        items = inputs[0] if inputs and inputs[0] else []
        count = end - start
        results: dict[str, list[Any]] = {}
        pending: list[tuple[str, Compiled]] = []
        compiled = self._compiled
        for expr in exprs:
            c = compiled.get(expr)
            if c is None:
                c = self.compile(expr)
            kind = c.kind
            if kind == "js":
                pending.append((expr, c))
            elif kind == "const":
                results[expr] = [c.value] * count
            elif kind == "error":
                results[expr] = [
                    ExpressionError(
                        str(c.value), expression=expr, parameter=parameter, item_index=start + k
                    )
                    for k in range(count)
                ]
            elif items and end <= len(items):  # path / tpath: in Python when it can be exact
                fast = _python_eval(c, items, start, end)
                if fast is None:
                    pending.append((expr, c))
                else:
                    results[expr] = fast
            else:
                pending.append((expr, c))
        if pending:
            results.update(self._evaluate_js(pending, scope, start, end, parameter))
            if len(pending) == len(exprs) and all(c.kind == "js" for _, c in pending):
                # these always go to the isolate: no sorting next time
                batch = self._batches.get(exprs)
                if batch is not None:
                    if len(self._only_js) >= self.cache_size:
                        self._only_js.clear()
                    self._only_js[exprs] = batch
        return results

    def _batch(self, pending: list[tuple[str, Compiled]]) -> _Batch:
        """What evaluating ``pending`` together takes in this isolate (defined once)."""
        key = tuple(expr for expr, _ in pending)
        batch = self._batches.get(key)
        if batch is not None:
            return batch
        runnable: list[tuple[str, int]] = []
        invalid: list[str] = []
        for expr, c in pending:
            try:
                runnable.append((expr, self._define(expr, self._js_of(c))))
            except _Fault as f:
                if f.kind != "js":
                    raise
                invalid.append(expr)
        keys: frozenset[str] | None = frozenset()
        for _, c in pending:
            keys = None if keys is None or c.json_keys is None else keys | c.json_keys
        ids: int | str = (
            runnable[0][1] if len(runnable) == 1 else ",".join(str(f) for _, f in runnable)
        )
        hinted = tuple(e for e, _ in runnable if any(prefetch_hints(e)))
        batch = _Batch(tuple(e for e, _ in runnable), ids, keys, hinted, tuple(invalid))
        if len(self._batches) >= self.cache_size:
            self._batches.clear()
        self._batches[key] = batch
        return batch

    def _evaluate_js(
        self,
        pending: list[tuple[str, Compiled]],
        scope: ExpressionScope,
        start: int,
        end: int,
        parameter: str,
    ) -> dict[str, list[Any]]:
        try:
            if self._ctx is None:
                self._ensure()
            batch = self._batch(pending)
        except _Fault as f:
            message = _FAULT_MESSAGES.get(f.kind, f.detail)
            return {expr: _failed(message, expr, parameter, start, end) for expr, _ in pending}
        return self._run_batch(batch, scope, start, end, parameter)

    def _run_batch(
        self, batch: _Batch, scope: ExpressionScope, start: int, end: int, parameter: str
    ) -> dict[str, list[Any]]:
        """Evaluates the expressions of ``batch`` for items start..end-1 in the isolate."""
        results: dict[str, list[Any]] = {}
        for expr in batch.invalid:
            results[expr] = _failed("invalid syntax", expr, parameter, start, end)
        exprs = batch.exprs
        if not exprs:
            return results
        count = (end - start) * len(exprs)
        limit = self.time_limit if count <= 1000 else self.time_limit * math.ceil(count / 1000)
        try:
            session, meta, items_json = self._activate(scope, batch.keys)
            try:
                provided = ""
                if batch.hinted:
                    wanted = [k for e in batch.hinted for k in session.prefetch(e)]
                    if wanted:
                        provided = self._answers(session, wanted)
                ids = batch.ids
                raw = self._call(
                    "evalBatch", ids, start, end, False, *meta, items_json, provided, limit=limit
                )
            except BaseException as exc:
                if meta[5] and not (isinstance(exc, _Fault) and exc.kind != "js"):
                    # the definitions the session carried may not have been installed
                    self._session = None
                    self._tokens.forget()
                raise
            if raw.startswith('{"need":'):
                for _ in range(_MAX_ROUNDS):
                    done = self._answer(session, raw)
                    if done is not None:
                        raw = done
                        break
                    raw = self._call(
                        "evalBatch", ids, start, end, True, *_NO_META, "", "", limit=limit
                    )
                else:
                    raise _Fault("js", "the expression asked for too much data")
        except _Fault as f:
            message = _FAULT_MESSAGES.get(f.kind, f.detail)
            for expr in exprs:
                results[expr] = _failed(message, expr, parameter, start, end)
            return results
        columns = _from_json(raw)
        if _MARK_JSON not in raw:
            if len(exprs) == 1:
                results[exprs[0]] = columns[0]
            else:
                results.update(zip(exprs, columns, strict=True))
            return results
        mark = _values.MARK
        for expr, column in zip(exprs, columns, strict=True):
            for k, v in enumerate(column):
                if type(v) is dict and mark in v:
                    kind = v[mark]
                    if kind == "err":
                        column[k] = ExpressionError(
                            str(v.get("message", "")),
                            expression=expr,
                            parameter=parameter,
                            item_index=start + k,
                            description=v.get("description") or v.get("messageTemplate"),
                        )
                    else:
                        column[k] = _values.decode(v)
            results[expr] = column
        return results

    # ------------------------------------------------------------------ Code / Function nodes
    def run_code(
        self,
        code: str,
        scope: ExpressionScope,
        *,
        mode: str = "runOnceForAllItems",
        item_index: int | None = None,
        legacy_function: bool = False,
        continue_on_fail: bool = False,
    ) -> list[dict[str, Any]] | dict[str, Any] | None:
        """Run a Code (or legacy Function / Function Item) node body; see the module docstring."""
        each = mode == "runOnceForEachItem"
        if mode not in ("runOnceForAllItems", "runOnceForEachItem"):
            raise ValueError(f"unknown Code node mode {mode!r}")
        items = scope.inputs[0] if scope.inputs and scope.inputs[0] else []
        node = scope.node.name
        if each and not legacy_function:
            try:
                _code.check_each_item_code(code)
            except _code.CodeError as exc:
                exc.node = node
                raise
        start, end = (0, len(items))
        if each and item_index is not None:
            start, end = item_index, item_index + 1
        options = {
            "mode": "each" if each else "all",
            "start": start,
            "end": end,
            "legacy": legacy_function,
            "continueOnFail": continue_on_fail,
            "staticData": thaw(scope.workflow.static_data) if scope.workflow.static_data else {},
        }
        try:
            result = self._run_code(code, scope, options)
        except _code.CodeError as exc:
            exc.node = node
            if not continue_on_fail:
                raise
            if not each:
                return [{"json": {"error": exc.message}}]
            failed = [
                {"json": {"error": exc.message}, "pairedItem": {"item": i}}
                for i in range(start, end)
            ]
            return failed[0] if item_index is not None else failed
        self.last_logs = list(result.get("logs", []))
        try:
            out = self._code_output(result, each, legacy_function, start, items, continue_on_fail)
        except _code.CodeError as exc:
            exc.node = node
            if continue_on_fail and not each:
                return [{"json": {"error": exc.message}}]
            raise
        if each and item_index is not None:
            return out[0] if out else None
        return out

    def _run_code(self, code: str, scope: ExpressionScope, options: dict[str, Any]) -> Any:
        deadline = time.monotonic() + self.code_time_limit
        try:
            self._ensure()
            try:
                fid = self._define("code\x00" + code, code_source(code))
            except _Fault as f:
                if f.kind != "js":
                    raise
                raise _syntax_error(f.detail, code) from None
            session, meta, items_json = self._activate(scope)
            provided = self._answers(session, session.prefetch(code))
            for _ in range(50):
                raw = self._run_once(fid, options, deadline, meta, items_json, provided)
                if self._answer(session, raw) is not None:
                    break
                # the code asked for data: it runs again from the start, on fresh items
                session.items_sent = False
                _, meta, items_json = self._activate(scope)
                provided = ""
                self._call("resetCaches", limit=self.time_limit)
            else:
                raise _code.CodeError("The code asked for too much data from other nodes")
        except _Fault as f:
            self._session = None
            if f.kind == "timeout":
                raise self._code_timeout() from None
            if f.kind == "memory":
                raise _code.CodeError(
                    f"Code exceeded the memory limit of {self.memory_limit // _MB} MB"
                ) from None
            if f.kind == "stack":
                raise _code.CodeError(
                    "Maximum call stack size exceeded", description="RangeError"
                ) from None
            raise _code.CodeError(f.detail) from None
        result = json.loads(raw)
        _shift_lines(result)
        if _out_of_memory(result, "throw" not in code):
            self.reset()
            raise _code.CodeError(
                f"Code exceeded the memory limit of {self.memory_limit // _MB} MB"
            )
        # the session stays: in n8n, too, the runs of one node execution share their items
        return result

    def _run_once(
        self,
        fid: int,
        options: dict[str, Any],
        deadline: float,
        meta: Meta,
        items: str,
        provided: str,
    ) -> str:
        self._call(
            "runCode",
            fid,
            json.dumps(options),
            *meta,
            items,
            provided,
            limit=self.code_time_limit,
        )
        raw = self._call("codeResult", limit=self.code_time_limit)
        while not raw:
            if time.monotonic() > deadline:
                self.reset()
                raise _Fault("timeout")
            if not self._pending_job(max(0.0, deadline - time.monotonic())):
                raw = self._call("codeResult", limit=self.code_time_limit)
                if not raw:
                    self.reset()
                    raise _code.CodeError("The code's promise never settled")
                break
            raw = self._call("codeResult", limit=self.code_time_limit)
        return str(raw)

    def _code_timeout(self) -> _code.CodeError:
        limit = self.code_time_limit
        seconds = int(limit) if limit >= 1 else limit
        unit = "second" if seconds == 1 else "seconds"
        return _code.CodeError(
            f"Task execution timed out after {seconds} {unit}",
            description="The code ran longer than the time limit and was stopped.",
        )

    def _code_output(
        self,
        result: dict[str, Any],
        each: bool,
        legacy: bool,
        start: int,
        items: list[dict[str, Any]],
        continue_on_fail: bool,
    ) -> list[dict[str, Any]]:
        if not each:
            if "error" in result:
                err = result["error"]
                if _interrupted(err):
                    raise self._code_timeout()
                if legacy and continue_on_fail:
                    return [{"json": {"error": str(err.get("message", ""))}}]
                raise _code.function_error(err, None) if legacy else _code.runtime_error(err, None)
            return _code.function_output(result) if legacy else _code.all_items_output(result)
        out: list[dict[str, Any]] = []
        for k, r in enumerate(result.get("each", [])):
            index = start + k
            if "error" in r:
                if _interrupted(r["error"]):
                    raise self._code_timeout()
                error = (
                    _code.function_error(r["error"], index)
                    if legacy
                    else _code.runtime_error(r["error"], index)
                )
                if not continue_on_fail:
                    raise error
                message = str(r["error"].get("message", "")) if legacy else error.message
                out.append({"json": {"error": message}, "pairedItem": {"item": index}})
                continue
            if legacy:
                if "ok" not in r:
                    raise _code.CodeError(
                        "No data got returned. Always an object has to be returned!",
                        item_index=index,
                    )
                item: dict[str, Any] = {"json": r["ok"], "pairedItem": {"item": index}}
                binary = items[index].get("binary") if index < len(items) else None
                if binary:
                    item["binary"] = binary
                out.append(item)
                continue
            produced = _code.each_item_output(r, index)
            if produced is not None:
                out.append(produced)
        return out


# ---------------------------------------------------------------------- helpers
@lru_cache(maxsize=4096)
def _expressions_of(values: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct expressions among ``values``, in order."""
    return tuple(dict.fromkeys(v for v in values if v.startswith("=")))


def _failed(message: str, expr: str, parameter: str, start: int, end: int) -> list[Any]:
    """The column of an expression that failed for every item."""
    return [
        ExpressionError(message, expression=expr, parameter=parameter, item_index=k)
        for k in range(start, end)
    ]


def _python_eval(
    c: Compiled, items: list[dict[str, Any]], start: int, end: int
) -> list[Any] | None:
    out: list[Any] = []
    if c.kind == "path":
        for i in range(start, end):
            item = items[i]
            root = (
                item.get("json", _values.UNDEFINED) if isinstance(item, dict) else _values.UNDEFINED
            )
            v = _values.walk_path(root, c.path)
            if v is _values.FALLBACK:
                return None
            out.append(None if v is _values.UNDEFINED else _values.copy_json(v))
        return out
    for i in range(start, end):
        item = items[i]
        root = item.get("json", _values.UNDEFINED) if isinstance(item, dict) else _values.UNDEFINED
        parts: list[str] = []
        for is_path, part in c.parts:
            if not is_path:
                parts.append(part)
                continue
            s = _values.template_str(_values.walk_path(root, part))
            if s is _values.FALLBACK:
                return None
            parts.append(s)
        out.append("".join(parts))
    return out


def _out_of_memory(result: dict[str, Any], null_is_oom: bool) -> bool:
    """Whether the code ran out of memory (QuickJS throws null when it cannot even allocate its
    out-of-memory error: without a ``throw`` of its own, code that threw null ran out)."""
    errors = [result.get("error")] + [r.get("error") for r in result.get("each", [])]
    for e in errors:
        if not isinstance(e, dict):
            continue
        if e.get("oom") or (null_is_oom and e.get("thrown") and e.get("message") == "null"):
            return True
    return False


_ABSENT: Any = object()
_JSON_OF = itemgetter("json")
_DICT = frozenset([dict])
_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _from_json(raw: str) -> Any:
    """``json.loads`` of the isolate's compact JSON, without its per-call set-up."""
    try:
        value, end = _SCAN(raw, 0)
    except StopIteration:
        return json.loads(raw)  # raises the decoder's error
    if end != len(raw):
        return json.loads(raw)
    return value


def _columns(items: list[dict[str, Any]], keys: frozenset[str]) -> str:
    """The input items as columns of the given ``$json`` keys: ``"#"`` and the JSON of
    ``[count, keys, columns, absent]``, where ``absent[k]`` lists the items without
    ``keys[k]`` (0 when all have it; their slots in the column hold null)."""
    names = list(keys)
    try:  # every item has a json object with every key: no loop in Python
        objects = list(map(_JSON_OF, items))
        if set(map(type, objects)) <= _DICT:
            cols = [list(map(itemgetter(k), objects)) for k in names]
            return "#" + to_json([len(items), names, cols, [0] * len(names)])
    except (KeyError, TypeError):
        pass
    cols = []
    absent: list[Any] = []
    jsons: list[Any] | None = None
    for key in names:
        try:
            if jsons is None:
                col = [it["json"].get(key, _ABSENT) for it in items]
            else:
                col = [j.get(key, _ABSENT) for j in jsons]
        except (KeyError, TypeError, AttributeError):  # an item without a json object
            if jsons is None:
                jsons = [it.get("json") if type(it) is dict else None for it in items]
            col = [j.get(key, _ABSENT) if type(j) is dict else _ABSENT for j in jsons]
        if _ABSENT in col:
            missing = [i for i, v in enumerate(col) if v is _ABSENT]
            for i in missing:
                col[i] = None
            absent.append(missing)
        else:
            absent.append(0)
        cols.append(col)
    return "#" + to_json([len(items), names, cols, absent])


# QuickJS's syntax error texts that V8 (n8n's engine) words differently
_V8_SYNTAX = (
    (re.compile(r"^unexpected token in expression: '(.*)'$"), r"Unexpected token '\1'"),
    (re.compile(r"^unexpected end of string$"), "Invalid or unexpected token"),
    (
        re.compile(r"^missing initializer for const variable$"),
        "Missing initializer in const declaration",
    ),
)


def _syntax_error(detail: str, code: str) -> _code.CodeError:
    first = detail.split("\n", 1)[0]
    name, _, message = first.partition(": ")
    line = None
    for token in detail.split():
        if token.startswith("(<input>:") or token.startswith("<input>:"):
            digits = "".join(ch for ch in token.split(":", 1)[1] if ch.isdigit())
            if digits:
                line = _user_line(int(digits))
                break
    text = message or first
    if line is not None and line > code.count("\n") + 1:
        # the parser reached the wrapper's closing brace: the code ended too early
        text, line = "Unexpected end of input", None
    for pattern, replacement in _V8_SYNTAX:
        if pattern.match(text):
            text = pattern.sub(replacement, text)
            break
    if line is not None:
        text = f"{text} [line {line}]"
    return _code.CodeError(text, description=name or "SyntaxError")


def _release_guard(box: list[Guard | None]) -> None:
    if box[0] is not None:
        box[0].release()
        box[0] = None


def _user_line(line: int | None) -> int | None:
    """The Code-node line of a line of :func:`code_source`."""
    if line is None or line <= CODE_LINE_OFFSET:
        return None
    return line - CODE_LINE_OFFSET


def _shift_lines(result: Any) -> None:
    if not isinstance(result, dict):
        return
    errors = [result.get("error")]
    errors += [r.get("error") for r in result.get("each", ()) if isinstance(r, dict)]
    for err in errors:
        if isinstance(err, dict) and isinstance(err.get("line"), int):
            err["line"] = _user_line(err["line"])


_local = threading.local()


def _interrupted(err: Any) -> bool:
    """User code saw the isolate's interrupt (time limit) as a caught InternalError."""
    return (
        isinstance(err, dict)
        and err.get("name") == "InternalError"
        and str(err.get("message", "")).startswith("interrupted")
    )


def get_engine() -> ExpressionEngine:
    """The engine of the current thread (created on first use)."""
    engine = getattr(_local, "engine", None)
    if engine is None:
        engine = ExpressionEngine()
        _local.engine = engine
    return engine
