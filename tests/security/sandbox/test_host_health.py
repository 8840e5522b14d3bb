"""Bombs against the limits while a bystander thread keeps running ordinary workflows: every
bomb fails with its limit named, every bystander run succeeds with the right output, this
process's memory stays put, and a normal run afterwards still works."""

from __future__ import annotations

import resource
import threading
import time

from tests.security.sandbox.conftest import (
    Runner,
    World,
    chain,
    code_node,
    error_of,
    output_of,
    set_node,
)

BOMBS = [
    ("python", "x = bytearray(1 << 30)", "memory"),
    ("python", "x = []\nwhile True:\n    x.append('a' * 65536)", "memory"),
    ("python", "while True:\n    pass", "CPU time limit|wall-clock timeout"),
    (
        "python",
        "g = [c for c in ().__class__.__base__.__subclasses__()"
        " if c.__name__ == '_wrap_close'][0].__init__.__globals__\n"
        "os = g['__builtins__']['__import__']('os')\nwhile True:\n    os.fork()",
        "starting processes is not allowed",
    ),
    ("python", "return [{'x': 'a' * 1000} for _ in range(5000)]", "exceeds the limit of 1 MB"),
    ("javaScript", "while (true) {}", "timed out"),
    (
        "javaScript",
        "const a = [];\nwhile (true) a.push(new Array(100000).fill(1));",
        "memory limit",
    ),
    ("javaScript", "let s = 'x';\nwhile (true) s += s;", "memory limit|Invalid string length"),
    ("expression", "={{ (() => { while (true) {} })() }}", "Expression timed out"),
    (
        "expression",
        "={{ (() => { const a = []; while (true) a.push('x'.repeat(100000) + a.length) })() }}",
        "memory limit",
    ),
]

NORMAL = chain(
    code_node("python", "return [{'double': i['json']['n'] * 2} for i in _items]", name="Py"),
    code_node(
        "javaScript",
        "return $input.all().map(i => ({json: {triple: i.json.double * 3}}))",
        name="Js",
    ),
    set_node("={{ $json.triple + 1 }}"),
    name="bystander",
)


def normal_run_works(runner: Runner, n: int) -> bool:
    state = runner.run(NORMAL, items=[{"json": {"n": n}}])
    return output_of(state, "Set") == [{"v": str(n * 6 + 1)}]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_bombs_leave_the_host_and_a_parallel_run_healthy(
    runner: Runner, bystander: Runner, world: World
) -> None:
    import re

    assert normal_run_works(runner, 1)
    peak_before = _rss_mb()
    results: list[bool] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_running() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                results.append(normal_run_works(bystander, n))
            except BaseException as exc:  # reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=keep_running, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        for language, code, expect in BOMBS:
            node = set_node(code) if language == "expression" else code_node(language, code)
            error = error_of(runner.run(chain(node)))
            assert re.search(expect, str(error["message"])), (code, error["message"])
    finally:
        stop.set()
        thread.join(120)
    elapsed = time.monotonic() - started

    assert errors == []
    assert results and all(results), results
    assert normal_run_works(runner, 2) and normal_run_works(bystander, 3)
    # the isolates' bombs were stopped at 32 MB (+ the hard margin); the Python ones ran in
    # children: this process grew by far less than any bomb asked for
    assert _rss_mb() - peak_before < 400, (_rss_mb(), peak_before)
    world.assert_untouched()
    print(f"\n{len(BOMBS)} bombs in {elapsed:.1f} s; {len(results)} bystander runs, all fine")
