"""The isolate's limits and hardening: time, memory, stack, no I/O, no leaks between runs,
one engine per thread, and batched evaluation in a single isolate call."""

from __future__ import annotations

import threading
import time

import pytest

from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.expressions import ExpressionEngine, get_engine
from tests.unit.expressions.conftest import as_items, simple_scope


def ev(engine: ExpressionEngine, expr: str, scope=None):
    return engine.evaluate(expr, scope or simple_scope(), 0, parameter="p")


def test_infinite_loop_times_out_and_engine_recovers() -> None:
    engine = ExpressionEngine(time_limit=0.3)
    start = time.monotonic()
    with pytest.raises(ExpressionError, match="Expression timed out"):
        ev(engine, "={{ (() => { while (true) {} })() }}")
    assert time.monotonic() - start < 5
    assert ev(engine, "={{ 6 * 7 }}") == 42
    assert ev(engine, "={{ $json.a + 1 }}") == 2


def test_code_infinite_loop_times_out() -> None:
    engine = ExpressionEngine(code_time_limit=0.3)
    with pytest.raises(NodeExecutionError, match="Task execution timed out after"):
        engine.run_code("while (true) {}", simple_scope())
    assert engine.run_code("return [{v: 1}]", simple_scope()) == [{"json": {"v": 1}}]


def test_async_code_that_never_ends_times_out() -> None:
    engine = ExpressionEngine(code_time_limit=0.3)
    with pytest.raises(NodeExecutionError):
        engine.run_code(
            "async function spin() { while (true) { await null } }\nawait spin();",
            simple_scope(),
        )
    assert engine.run_code("return [{v: 2}]", simple_scope()) == [{"json": {"v": 2}}]


def test_allocation_bomb_hits_the_memory_cap_and_engine_recovers() -> None:
    engine = ExpressionEngine(memory_limit=32 * 1024 * 1024)
    with pytest.raises(ExpressionError, match="memory limit"):
        ev(
            engine,
            "={{ (() => { const a = []; while (true) a.push('x'.repeat(1000) + a.length) })() }}",
        )
    assert ev(engine, "={{ [1, 2, 3].sum() }}") == 6
    with pytest.raises(NodeExecutionError, match="memory limit"):
        engine.run_code(
            "const a = []; while (true) a.push(new Array(10000).fill(1));", simple_scope()
        )
    assert engine.run_code("return [{ok: true}]", simple_scope()) == [{"json": {"ok": True}}]


# every shape of allocation bomb: small and large pieces, strings, arrays, objects, promises
_EXPRESSION_BOMBS = [
    "={{ (() => { const a = []; while (true) a.push('x'.repeat(1000) + a.length) })() }}",
    "={{ (() => { const a = []; while (true) a.push({a: a.length}) })() }}",
    "={{ (() => { let s = 'ab'; while (true) s = s + s })() }}",
    "={{ (() => { const a = []; for (let i = 0; ; i++) a.push(String(i)) })() }}",
    "={{ 'x'.repeat(2 ** 28).length }}",
]
_CODE_BOMBS = [
    "const a = []; while (true) a.push('z'.repeat(50000));",
    "const m = new Map(); for (let i = 0; ; i++) m.set(i, {i});",
    "const a = new Array(1e8).fill(0); return [{n: a.length}]",
    "async function f(a) { a.push('q'.repeat(1000)); await null; return f(a) }\nawait f([]);",
    "await new Promise((ok) => { const a = []; while (true) a.push([a.length]) }).catch(() => 0);",
]


def test_memory_cap_holds_for_every_kind_of_allocation_without_crashing() -> None:
    # QuickJS itself can crash on out-of-memory errors: the cap is a soft limit (see _guard)
    for megabytes in (16, 19):
        engine = ExpressionEngine(memory_limit=megabytes * 1024 * 1024)
        for expr in _EXPRESSION_BOMBS:
            with pytest.raises(ExpressionError, match="memory limit"):
                ev(engine, expr)
        for code in _CODE_BOMBS:
            with pytest.raises(NodeExecutionError, match=f"memory limit of {megabytes} MB"):
                engine.run_code(code, simple_scope())
        assert ev(engine, "={{ [1, 2, 3].sum() }}") == 6
        assert engine.run_code("return [{ok: true}]", simple_scope()) == [{"json": {"ok": True}}]
        assert engine._guard is not None and engine._guard.active


def test_limits_without_the_interrupt_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    from n8nwork.expressions import _guard

    monkeypatch.setattr(_guard, "_LIB", None)
    # The binding's own limit counts CPU time of the whole process; leave room for a busy
    # machine (a loaded CI box) so the boot of the isolate never hits it.
    engine = ExpressionEngine(time_limit=1.0, code_time_limit=1.0)
    with pytest.raises(ExpressionError, match="Expression timed out"):
        ev(engine, "={{ (() => { while (true) {} })() }}")
    assert engine._guard is None or not engine._guard.active
    with pytest.raises(NodeExecutionError, match="timed out"):
        engine.run_code("while (true) {}", simple_scope())
    assert ev(engine, "={{ 6 * 7 }}") == 42


def test_deep_recursion_is_a_stack_overflow_not_a_crash(engine: ExpressionEngine) -> None:
    with pytest.raises(NodeExecutionError, match="stack"):
        engine.run_code("function f(n) { return f(n + 1) + 1 }\nreturn [{v: f(0)}]", simple_scope())
    assert ev(engine, "={{ 1 }}") == 1


def test_no_io_in_code(engine: ExpressionEngine) -> None:
    code = """
    const out = {};
    const names = ['require', 'fetch', 'XMLHttpRequest', 'std', 'os', 'process', 'Buffer'];
    for (const name of [...names, 'setTimeout']) {
      out[name] = typeof globalThis[name];
    }
    let imported = 'none';
    try { await import('/etc/passwd'); imported = 'loaded'; } catch (e) { imported = e.name; }
    out.import = imported;
    return [out];
    """
    [item] = as_items(engine.run_code(code, simple_scope()))
    assert item["json"]["import"] != "loaded"
    for name in (
        "require",
        "fetch",
        "XMLHttpRequest",
        "std",
        "os",
        "process",
        "Buffer",
        "setTimeout",
    ):
        assert item["json"][name] == "undefined", name


def test_prototype_pollution_does_not_leak(engine: ExpressionEngine) -> None:
    scope = simple_scope()
    engine.run_code(
        "try { Object.prototype.polluted = 1 } catch (e) {}\n"
        "try { Array.prototype.map = () => 'evil' } catch (e) {}\n"
        "try { JSON.stringify = () => 'evil' } catch (e) {}\n"
        "try { String.prototype.toUpperCase = () => 'evil' } catch (e) {}\n"
        "return []",
        scope,
    )
    assert ev(engine, "={{ ({}).polluted }}") is None
    assert ev(engine, "={{ [1].map(x => x + 1) }}") == [2]
    assert ev(engine, "={{ JSON.stringify({a: 1}) }}") == '{"a":1}'
    assert ev(engine, "={{ 'a'.toUpperCase() }}") == "A"
    with pytest.raises(ExpressionError, match='Cannot access "prototype"'):
        ev(engine, "={{ Object.prototype.x = 1 }}")
    sneaky = "={{ (() => { Object['getProto' + 'typeOf']({}).x = 1; return 1 })() }}"
    assert ev(engine, sneaky) is None  # the frozen prototype refuses; the error is swallowed
    assert ev(engine, "={{ ({}).x }}") is None


def test_globals_created_by_code_are_removed(engine: ExpressionEngine) -> None:
    engine.run_code("leaked = 42; for (i = 0; i < 2; i++) {} return [{i}]", simple_scope())
    [item] = as_items(engine.run_code("return [{t: typeof leaked, i: typeof i}]", simple_scope()))
    assert item["json"] == {"t": "undefined", "i": "undefined"}
    assert ev(engine, "={{ typeof leaked }}") == "undefined"


def test_builtins_cannot_be_replaced_between_runs(engine: ExpressionEngine) -> None:
    engine.run_code(
        "try { Math = {} } catch (e) {}\ntry { DateTime = null } catch (e) {}\nreturn []",
        simple_scope(),
    )
    assert ev(engine, "={{ Math.max(1, 2) }}") == 2
    assert ev(engine, "={{ DateTime.fromMillis(0).year }}") == 1970


def test_user_classes_can_still_set_name_and_message(engine: ExpressionEngine) -> None:
    code = """
    class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }
    const e = new MyError('boom');
    const o = {}; o.toString = () => 'custom';
    return [{name: e.name, message: e.message, s: String(o)}];
    """
    [item] = as_items(engine.run_code(code, simple_scope()))
    assert item["json"] == {"name": "MyError", "message": "boom", "s": "custom"}


def test_function_constructor_is_not_reachable_from_expressions(engine: ExpressionEngine) -> None:
    assert ev(engine, "={{ (() => 1)['constr' + 'uctor']('return 1') }}") is None
    assert ev(engine, "={{ typeof Function }}") == "object"


def test_batch_is_one_isolate_call(engine: ExpressionEngine) -> None:
    items = [{"json": {"v": i}} for i in range(1000)]
    scope = simple_scope(items)
    calls: list[str] = []
    original = engine._call

    def counting(name, *args, limit):
        calls.append(name)
        return original(name, *args, limit=limit)

    engine._call = counting  # type: ignore[method-assign]
    engine.evaluate_all("={{ $json.v * 2 }}", scope)  # compiles, then one batch
    calls.clear()
    out = engine.evaluate_all("={{ $json.v * 2 }}", scope)
    assert out == [i * 2 for i in range(1000)]
    assert calls == ["evalBatch"]


def test_failing_items_get_their_error_in_their_slot(engine: ExpressionEngine) -> None:
    items = [{"json": {"s": "12"}}, {"json": {"s": "nope"}}, {"json": {"s": "3"}}]
    out = engine.evaluate_all("={{ $json.s.toNumber() }}", simple_scope(items), parameter="n")
    assert out[0] == 12 and out[2] == 3
    err = out[1]
    assert isinstance(err, ExpressionError)
    assert (err.message, err.item_index, err.parameter) == ("cannot convert to number", 1, "n")
    assert err.expression == "={{ $json.s.toNumber() }}"


def test_one_engine_per_thread() -> None:
    engines: list[ExpressionEngine] = []

    def work() -> None:
        eng = get_engine()
        assert eng.evaluate("={{ 2 + 2 }}", simple_scope(), 0) == 4
        engines.append(eng)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(engines) == 2 and engines[0] is not engines[1]
    assert get_engine() is get_engine()
    with pytest.raises(RuntimeError, match="thread"):
        fresh = engines[0]
        fresh.reset()
        fresh.evaluate("={{ 1 + 1 }}", simple_scope(), 0)
