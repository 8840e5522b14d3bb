"""The audit hook holds: every route to files, sockets, processes, signals, ctypes, code
objects and the environment is refused, also once user code has recovered the real
``__import__``, builtins and ``os`` through ``object.__subclasses__()`` gadgets."""

from __future__ import annotations

import os

import pytest

from n8nwork.sandbox import shutdown
from tests.unit.sandbox.conftest import OS_GLOBALS, REAL_IMPORT, fails, run


def test_import_of_os_is_refused() -> None:
    err = fails("import os")
    assert err.message == "import of 'os' is not allowed [line 1]"
    assert err.limit == "refused"


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("import subprocess", "subprocess"),
        ("import socket", "socket"),
        ("import importlib", "importlib"),
        ("import ctypes", "ctypes"),
        ("import sys", "sys"),
        ("import gc", "gc"),
        ("from os import path", "os"),
        ("__import__('os')", "os"),
        ("__builtins__['__import__']('os')", "os"),
        ("import urllib.request", "urllib.request"),
        ("from urllib import request", "urllib.request"),
    ],
)
def test_imports_outside_the_allow_list_are_refused(code: str, module: str) -> None:
    assert f"import of '{module}' is not allowed" in fails(code).message


def test_relative_import_is_refused() -> None:
    assert "relative imports are not allowed" in fails("from . import x").message


def test_open_is_not_a_builtin() -> None:
    assert "NameError: name 'open' is not defined" in fails("open('/etc/passwd')").message


def test_real_open_recovered_through_gadgets_is_refused() -> None:
    err = fails(OS_GLOBALS + "g['__builtins__']['open']('/etc/passwd').read()")
    assert err.message == "access to files is not allowed [line 2]"


def test_io_open_and_fileio_are_refused() -> None:
    assert "access to files" in fails("import io\nio.open('/etc/passwd')").message
    walk = (
        "seen, todo = set(), [object]\n"
        "while todo:\n"
        "    c = todo.pop()\n"
        "    if c in seen: continue\n"
        "    seen.add(c)\n"
        "    todo.extend(c.__subclasses__() if c is not type else [])\n"
        "F = [c for c in seen if c.__name__ == 'FileIO'][0]\n"
        "F('/etc/passwd')\n"
    )
    assert "access to files is not allowed" in fails(walk).message


@pytest.mark.parametrize(
    "action",
    [
        "os.open('/etc/passwd', os.O_RDONLY)",
        "os.listdir('/')",
        "os.scandir('/')",
        "os.mkdir('/tmp/n8nwork-sandbox-escape')",
        "os.remove('/tmp/whatever')",
        "os.chdir('/tmp')",
        "open('/proc/self/environ')",
    ],
)
def test_file_actions_of_the_real_os_are_refused(action: str) -> None:
    code = REAL_IMPORT + "os = imp('os')\nopen = g['__builtins__']['open']\n" + action
    assert "access to files is not allowed" in fails(code).message


@pytest.mark.parametrize(
    "action",
    [
        "os.system('id')",
        "os.fork()",
        "os.forkpty()",
        "os.execv('/bin/sh', ['sh'])",
        "os.posix_spawn('/bin/sh', ['sh'], {})",
        "os.spawnv(os.P_WAIT, '/bin/sh', ['sh'])",
        "os.popen('id')",
    ],
)
def test_process_creation_is_refused(action: str) -> None:
    err = fails(REAL_IMPORT + "os = imp('os')\n" + action)
    assert err.limit == "refused"
    assert any(
        text in err.message
        for text in ("starting processes is not allowed", "import of 'subprocess'")
    )


def test_signals_to_other_processes_are_refused() -> None:
    code = REAL_IMPORT + f"os = imp('os')\nos.kill({os.getpid()}, 9)"
    assert "sending signals is not allowed" in fails(code).message
    code = REAL_IMPORT + "os = imp('os')\nos.killpg(0, 9)"
    assert "sending signals is not allowed" in fails(code).message


def test_sockets_are_refused() -> None:
    walk = "S = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'socket']\n"
    assert "network access is not allowed" in fails(walk + "S[0]()").message
    assert "import of 'socket' is not allowed" in fails(REAL_IMPORT + "imp('socket')").message


def test_modules_not_loaded_cannot_be_loaded_even_with_the_real_import() -> None:
    for name in ("ctypes", "subprocess", "mmap", "_posixsubprocess", "pickle"):
        err = fails(REAL_IMPORT + f"imp({name!r})")
        assert f"import of '{name}' is not allowed" in err.message


def test_code_objects_cannot_be_built_or_swapped() -> None:
    assert (
        "creating code objects" in fails("def f(): pass\nf.__code__.replace(co_code=b'')").message
    )
    swap = "def f(): pass\ndef h(): return 1\nf.__code__ = h.__code__"
    assert "replacing code objects" in fails(swap).message
    assert "creating code objects" in fails(REAL_IMPORT + "imp('marshal').loads(b'')").message


def test_introspection_hooks_are_refused() -> None:
    assert (
        "'gc.get_objects' is not allowed" in fails(REAL_IMPORT + "imp('gc').get_objects()").message
    )
    # CPython swallows a refusal of sys.addaudithook: the new hook is just not added.
    code = REAL_IMPORT + "seen = []\nimp('sys').addaudithook(lambda *a: seen.append(a))\n"
    code += "exec('1')\nreturn [{'seen': len(seen)}]"
    assert run(code).items[0]["json"] == {"seen": 0}
    err = fails(REAL_IMPORT + "imp('sys').settrace(lambda *a: None)")
    assert "'sys.settrace' is not allowed" in err.message


def test_environment_is_empty_and_secrets_stay_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N8NWORK_TEST_SECRET", "hunter2")
    shutdown()  # the next zygote is started while the secret is in our environment
    code = REAL_IMPORT + "os = imp('os')\nreturn [{'env': dict(os.environ)}]"
    assert run(code).items[0]["json"] == {"env": {}}
    code = REAL_IMPORT + "return [{'v': imp('os').getenv('N8NWORK_TEST_SECRET')}]"
    assert run(code).items[0]["json"] == {"v": None}


@pytest.mark.skipif(os.geteuid() != 0, reason="the empty root needs root")
def test_children_see_no_file_system_at_all() -> None:
    # chroot into a directory deleted at once: even calls without audit events find nothing
    code = REAL_IMPORT + "os = imp('os')\ntry:\n    os.getcwd()\nexcept OSError as e:\n"
    code += "    return [{'cwd': type(e).__name__}]"
    assert run(code).items[0]["json"] == {"cwd": "FileNotFoundError"}


def test_file_calls_without_audit_events_are_refused() -> None:
    for call in ("os.mkfifo('/tmp/n8nwork-fifo')", "os.stat('/etc/passwd')", "os.readlink('/')"):
        err = fails(REAL_IMPORT + "os = imp('os')\n" + call)
        assert "access to files is not allowed" in err.message, call
    fresh = "B = [c for c in object.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]\n"
    fresh += "imp('_imp').create_builtin(B.find_spec('posix'))"
    assert "'_imp.create_builtin' is not allowed" in fails(REAL_IMPORT + fresh).message


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when run as root")
def test_children_run_as_nobody() -> None:
    code = REAL_IMPORT + "os = imp('os')\nreturn [{'uid': os.getuid(), 'gid': os.getgid()}]"
    assert run(code).items[0]["json"] == {"uid": 65534, "gid": 65534}


def test_a_caught_refusal_does_not_open_the_door() -> None:
    code = (
        REAL_IMPORT
        + "os = imp('os')\n"
        + "for _ in range(3):\n"
        + "    try:\n"
        + "        os.system('id')\n"
        + "    except Exception as e:\n"
        + "        last = str(e)\n"
        + "return [{'last': last}]"
    )
    assert run(code).items[0]["json"] == {"last": "starting processes is not allowed"}


def test_the_hook_cannot_be_fooled_by_patching_modules() -> None:
    # Patching module functions the hook might use changes nothing: it uses none.
    code = (
        REAL_IMPORT
        + "os = imp('os')\n"
        + "os.path.realpath = lambda p: '/usr/share/zoneinfo/UTC'\n"
        + "str_ = g['__builtins__']\n"
        + "os.system('id')"
    )
    assert "starting processes is not allowed" in fails(code).message
