"""The escape suite: attempts from Python Code nodes, JavaScript Code nodes and expressions to
read or write files, open sockets, start processes, load forbidden modules, read the
environment, reach other runs' data, or exhaust the host. Each attempt runs as a real
workflow and must fail with a clear node error and leave the world untouched.

Two escapes this suite found (both fixed): JavaScript could reach the isolate's host API
(``__n8n_api``) and switch its session to another run's facts or replace the compiled
expressions of later runs; Python could create files with ``os.mkfifo`` and probe them with
``os.stat`` (calls that raise no audit event) once it had recovered the real ``os``.
"""

from __future__ import annotations

import re

import pytest

from tests.security.sandbox.conftest import (
    Runner,
    World,
    chain,
    code_node,
    error_of,
    output_of,
    set_node,
)

# recovers the real builtins, ``__import__`` and ``os`` from nothing but ``object``
GADGET = (
    "g = [c for c in ().__class__.__base__.__subclasses__()"
    " if c.__name__ == '_wrap_close'][0].__init__.__globals__\n"
    "imp = g['__builtins__']['__import__']\n"
    "os = imp('os')\n"
)
FILES = "access to files is not allowed"
PROCESSES = "starting processes is not allowed"
LIMIT = r"(CPU time limit of 1 s|wall-clock timeout of 4 s) exceeded"

PYTHON = [
    # --- reading files
    (
        "py-open-etc-passwd",
        "return [{'d': open('/etc/passwd').read()}]",
        "name 'open' is not defined",
    ),
    (
        "py-gadget-open-etc-passwd",
        GADGET + "return [{'d': g['__builtins__']['open']('/etc/passwd').read()}]",
        FILES,
    ),
    ("py-io-open-key-file", "import io\nreturn [{'d': io.open('{KEY}').read()}]", FILES),
    (
        "py-fileio-subclass-database",
        "todo, seen = [object], set()\n"
        "while todo:\n"
        "    c = todo.pop()\n"
        "    if c in seen: continue\n"
        "    seen.add(c)\n"
        "    todo.extend(c.__subclasses__() if c is not type else [])\n"
        "F = [c for c in seen if c.__name__ == 'FileIO'][0]\n"
        "return [{'d': F('{DB}').read().decode()}]",
        FILES,
    ),
    ("py-listdir-data-dir", GADGET + "return [{'d': os.listdir('{DATA}')}]", FILES),
    (
        "py-proc-self-environ",
        GADGET + "return [{'d': g['__builtins__']['open']('/proc/self/environ').read()}]",
        FILES,
    ),
    (
        "py-proc-parent-environ",
        GADGET + "return [{'d': os.open('/proc/{HOST_PID}/environ', 0)}]",
        FILES,
    ),
    ("py-stat-key-file", GADGET + "return [{'size': os.stat('{KEY}').st_size}]", FILES),
    # --- writing files
    ("py-write-file", GADGET + "g['__builtins__']['open']('{MARKER}', 'w').write('x')", FILES),
    ("py-os-open-create", GADGET + "os.open('{MARKER}', os.O_CREAT | os.O_WRONLY)", FILES),
    ("py-mkfifo", GADGET + "os.mkfifo('{MARKER}')", FILES),
    ("py-symlink", GADGET + "os.symlink('{KEY}', '{MARKER}')", FILES),
    # --- sockets
    (
        "py-socket-from-subclasses",
        "S = [c for c in object.__subclasses__() if c.__name__ == 'socket']\n"
        "s = S[0]()\ns.connect(('127.0.0.1', {PORT}))",
        "network access is not allowed",
    ),
    ("py-import-socket", GADGET + "imp('socket')", "import of 'socket' is not allowed"),
    # --- processes
    ("py-os-system", GADGET + "os.system('touch {MARKER}')", PROCESSES),
    (
        "py-posix-spawn",
        GADGET + "os.posix_spawn('/usr/bin/touch', ['touch', '{MARKER}'], {})",
        PROCESSES,
    ),
    ("py-fork-bomb", GADGET + "while True:\n    os.fork()", PROCESSES),
    ("py-kill-host", GADGET + "os.kill({HOST_PID}, 9)", "sending signals is not allowed"),
    (
        "py-traceback-frame-walk",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n"
        "    frame = e.__traceback__.tb_frame\n"
        "    while frame.f_back is not None:\n        frame = frame.f_back\n"
        "    tb = frame.f_globals.get('traceback') or next(\n"
        "        f.f_globals['traceback'] for f in [e.__traceback__.tb_frame.f_back] if f)\n"
        "    tb.linecache.os.system('touch {MARKER}')",
        PROCESSES,
    ),
    # --- forbidden modules
    ("py-import-os", "import os", "import of 'os' is not allowed"),
    ("py-dunder-import", "__import__('subprocess')", "import of 'subprocess' is not allowed"),
    (
        "py-importlib",
        "import importlib\nimportlib.import_module('os')",
        "import of 'importlib' is not allowed",
    ),
    ("py-builtins-walk", "__builtins__['__import__']('os')", "import of 'os' is not allowed"),
    (
        "py-builtin-importer",
        "B = [c for c in object.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]\n"
        "B.load_module('posix').system('touch {MARKER}')",
        "is not allowed",
    ),
    (
        "py-fresh-posix",
        GADGET + "B = [c for c in object.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]\n"
        "imp('_imp').create_builtin(B.find_spec('posix')).mkfifo('{MARKER}')",
        "'_imp.create_builtin' is not allowed",
    ),
    ("py-import-pickle", "import pickle", "import of 'pickle' is not allowed"),
    ("py-gadget-pickle", GADGET + "imp('pickle')", "import of 'pickle' is not allowed"),
    (
        "py-marshal-code",
        GADGET + "imp('marshal').loads(b'\\xe3')",
        "creating code objects is not allowed",
    ),
    (
        "py-swap-code",
        "def f(): pass\ndef h(): return 1\nf.__code__ = h.__code__",
        "replacing code objects",
    ),
    ("py-ctypes", GADGET + "imp('ctypes')", "import of 'ctypes' is not allowed"),
    ("py-gc-other-objects", GADGET + "imp('gc').get_objects()", "'gc.get_objects' is not allowed"),
    # --- environment
    ("py-environ-secret", GADGET + "return [{'v': os.environ['{SECRET_ENV}']}]", "KeyError"),
    ("py-putenv", GADGET + "os.putenv('PATH', '/tmp')", "changing the environment is not allowed"),
    # --- bombs
    ("py-memory-bomb", "x = bytearray(1 << 30)", "memory limit of 128 MB exceeded"),
    ("py-memory-bomb-growing", "x = []\nwhile True:\n    x.append('a' * 65536)", "memory"),
    ("py-cpu-spin", "while True:\n    pass", LIMIT),
    ("py-sleep-forever", "import time\ntime.sleep(3600)", "wall-clock timeout of 4 s exceeded"),
    (
        "py-huge-output",
        "return [{'x': 'a' * 1000} for _ in range(5000)]",
        "output of the Python code exceeds the limit of 1 MB",
    ),
    ("py-deep-recursion", "def f(n):\n    return f(n + 1)\nreturn f(0)", "RecursionError"),
    (
        "py-threads",
        GADGET + "imp('_thread').start_new_thread(lambda: None, ())",
        "is not allowed|can't start new thread",
    ),
]

JAVASCRIPT = [
    (
        "js-require-fs",
        "const fs = require('fs');\nreturn [{d: fs.readFileSync('/etc/passwd', 'utf8')}];",
        "require",
    ),
    ("js-process-env", "return [{v: process.env.{SECRET_ENV}}];", "process"),
    ("js-env-secret", "return [{v: $env.{SECRET_ENV}}];", "access to env vars denied"),
    (
        "js-constructor-constructor",
        "const G = this.constructor.constructor('return globalThis')();\nreturn [{t: typeof G}];",
        "Function constructors are not available",
    ),
    (
        "js-async-constructor",
        "const F = (async function () {}).constructor;\nreturn [{x: await F('return 1')()}];",
        "Function constructors are not available",
    ),
    (
        "js-global-std",
        "const G = Function('return this')();\nreturn [{d: G.std.loadFile('/etc/passwd')}];",
        "loadFile|undefined",
    ),
    (
        "js-dynamic-import",
        "const os = await import('os');\nos.exec(['touch', '{MARKER}']);\nreturn [{}];",
        "could not load module",
    ),
    (
        "js-host-api-session",
        "__n8n_api.begin(1, 1, 0, null, 0, '');\nreturn [{v: JSON.stringify($vars)}];",
        "__n8n_api",
    ),
    (
        "js-host-api-compile",
        "__n8n_api.compile(1, '(function () { return 1 })');\nreturn [{}];",
        "__n8n_api",
    ),
    (
        "js-prototype-pollution",
        "'use strict';\nObject.prototype.polluted = 'yes';\nreturn [{}];",
        "not extensible|read.only",
    ),
    (
        "js-builtin-override",
        "'use strict';\nJSON.stringify = () => 'owned';\nreturn [{}];",
        "read.only",
    ),
    ("js-array-push-override", "Array.prototype.push = function () {};\nreturn [{}];", "read only"),
    (
        "js-define-on-prototype",
        "Object.defineProperty(Object.prototype, 'leak', {get() { return 1 }});\nreturn [{}];",
        "not extensible",
    ),
    ("js-endless-loop", "while (true) {}", "timed out"),
    ("js-endless-await", "while (true) { await null }", "timed out|never settled"),
    (
        "js-allocation-bomb",
        "const a = [];\nwhile (true) a.push(new Array(100000).fill(1));",
        "memory limit",
    ),
    (
        "js-string-doubling",
        "let s = 'x';\nwhile (true) s += s;\nreturn [{n: s.length}];",
        "memory limit|Invalid string length|out of memory",
    ),
    (
        "js-deep-recursion",
        "function f() { return f() + 1 }\nreturn [{v: f()}];",
        "Maximum call stack size exceeded|stack overflow",
    ),
]

EXPRESSIONS = [
    ("expr-endless-loop", "={{ (() => { while (true) {} })() }}", "Expression timed out"),
    (
        "expr-allocation-bomb",
        "={{ (() => { const a = []; while (true) a.push('x'.repeat(100000) + a.length) })() }}",
        "memory limit",
    ),
    ("expr-env-secret", "={{ $env.{SECRET_ENV} }}", "access to env vars denied"),
    (
        "expr-constructor-constructor",
        "={{ this.constructor.constructor('return process')().env }}",
        "invalid constructor function call",
    ),
    (
        "expr-prototype-pollution",
        "={{ (() => { 'use strict'; Object.prototype.polluted = 1 })() }}",
        'Cannot access "prototype" due to security concerns',
    ),
]


def _cases() -> list[object]:
    out: list[object] = []
    for case_id, code, expect in PYTHON:
        out.append(pytest.param("python", code, expect, id=case_id))
    for case_id, code, expect in JAVASCRIPT:
        out.append(pytest.param("javaScript", code, expect, id=case_id))
    for case_id, code, expect in EXPRESSIONS:
        out.append(pytest.param("expression", code, expect, id=case_id))
    return out


@pytest.mark.parametrize(("language", "code", "expect"), _cases())
def test_escape_attempt_fails_cleanly(
    runner: Runner, world: World, language: str, code: str, expect: str
) -> None:
    code = world.fill(code)
    node = set_node(code) if language == "expression" else code_node(language, code)

    state = runner.run(chain(node))

    error = error_of(state)
    assert error.get("node") == node["name"]
    message = str(error.get("message"))
    assert message and "Traceback" not in message
    assert re.search(expect, message), message
    world.assert_untouched(state)


# Inside {{ }} n8n turns every JavaScript error that is not its own into ``undefined``: these
# attempts fail inside the expression, the node goes on with an empty value, nothing happens.
SWALLOWED = [
    ("expr-deep-recursion", "={{ (function f() { return f() + 1 })() }}"),
    ("expr-function-std", "={{ Function('return this')().std.loadFile('/etc/passwd') }}"),
    ("expr-require", "={{ require('child_process').execSync('touch {MARKER}') }}"),
    ("expr-host-api", "={{ __n8n_api.compile(1, '(function () { return 1 })') }}"),
    ("expr-process-env", "={{ process.env.{SECRET_ENV} }}"),
]


@pytest.mark.parametrize(
    "expression", [pytest.param(code, id=case_id) for case_id, code in SWALLOWED]
)
def test_expression_attempt_has_no_effect(runner: Runner, world: World, expression: str) -> None:
    state = runner.run(chain(set_node(world.fill(expression))))

    assert output_of(state, "Set") == [{"v": None}]
    world.assert_untouched(state)
