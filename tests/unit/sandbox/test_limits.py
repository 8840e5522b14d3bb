"""Resource limits are really enforced, the child's death becomes a clear error, and the
parent stays healthy (no leaked descriptors, zygote replaced when it dies)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from n8nwork.sandbox import SandboxError, SandboxLimits, pool, run_python, shutdown
from tests.unit.sandbox.conftest import REAL_IMPORT, TIGHT, fails, run


def test_cpu_spin_hits_the_cpu_limit() -> None:
    started = time.monotonic()
    err = fails("while True:\n    pass")
    assert err.message == "CPU time limit of 1 s exceeded"
    assert err.limit == "cpu"
    assert time.monotonic() - started < TIGHT.wall_seconds


def test_ignoring_sigxcpu_does_not_help() -> None:
    code = REAL_IMPORT + "s = imp('signal')\ns.signal(s.SIGXCPU, s.SIG_IGN)\nwhile True: pass"
    err = fails(code, limits=SandboxLimits(cpu_seconds=1, wall_seconds=10))
    assert err.limit in ("cpu", "refused")  # killed at the hard limit, or signal unreachable


@pytest.mark.parametrize(
    "bomb",
    [
        "x = bytearray(10 ** 9)",
        "x = []\nwhile True:\n    x.append('a' * 10 ** 6)",
        "s = 'ab'\nwhile True:\n    s = s + s",
    ],
)
def test_memory_bombs_hit_the_memory_limit(bomb: str) -> None:
    err = fails(bomb)
    assert err.message == "memory limit of 128 MB exceeded"
    assert err.limit == "memory"


def test_sleeping_hits_the_wall_clock_timeout() -> None:
    limits = SandboxLimits(wall_seconds=1)
    started = time.monotonic()
    err = fails("import time\ntime.sleep(30)", limits=limits)
    elapsed = time.monotonic() - started
    assert err.message == "wall-clock timeout of 1 s exceeded"
    assert err.limit == "wall"
    assert 0.9 < elapsed < 4


def test_fork_bomb_attempt_is_stopped() -> None:
    err = fails(REAL_IMPORT + "os = imp('os')\nwhile True:\n    os.fork()")
    assert "starting processes is not allowed" in err.message


def test_threads_cannot_be_started() -> None:
    code = REAL_IMPORT + "t = imp('_thread')\nt.start_new_thread(lambda: None, ())"
    assert "can't start new thread" in fails(code).message


def test_open_files_are_limited() -> None:
    code = (
        REAL_IMPORT
        + "os = imp('os')\nn = 0\n"
        + "try:\n    while True:\n        os.pipe()\n        n += 2\n"
        + "except OSError as e:\n    return [{'n': n, 'err': e.errno}]"
    )
    out = run(code).items[0]["json"]
    assert out["n"] <= 16
    assert out["err"] == 24  # EMFILE


def test_huge_output_is_refused_with_a_clear_error() -> None:
    limits = SandboxLimits(memory_mb=512, max_output_mb=1)
    err = fails("return [{'x': 'a' * (3 * 2 ** 20)}]", limits=limits)
    assert err.message == "output of the Python code exceeds the limit of 1 MB"
    assert err.limit == "output"


def test_huge_print_output_is_truncated_not_fatal() -> None:
    limits = SandboxLimits(max_stdout_lines=10)
    result = run("for i in range(10000):\n    print(i)\nreturn []", limits=limits)
    assert result.stdout[:3] == ["0", "1", "2"]
    assert len(result.stdout) == 11
    assert result.stdout[-1].startswith("[output truncated")


def test_system_exit_is_a_node_error() -> None:
    err = fails("raise SystemExit(3)")
    assert err.message == "Process exited with code 3 [line 1]"


def test_the_child_exiting_on_its_own_is_a_node_error() -> None:
    err = fails(REAL_IMPORT + "imp('os')._exit(0)")
    assert err.message == "the Python sandbox process exited unexpectedly with code 0"
    assert err.limit == "crash"
    err = fails(REAL_IMPORT + "imp('os').abort()")
    assert "killed by SIGABRT" in err.message


def test_a_child_that_closes_its_pipe_and_hangs_is_killed_at_the_deadline() -> None:
    code = REAL_IMPORT + "os = imp('os')\nfor fd in range(3, 20):\n    try: os.close(fd)\n"
    code += "    except OSError: pass\nimport time\ntime.sleep(60)"
    err = fails(code, limits=SandboxLimits(wall_seconds=1))
    assert err.limit == "wall"


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_parent_is_healthy_after_all_of_it() -> None:
    run("return []")
    before = _open_fds()
    for code in ("while True: pass", "x = bytearray(10**9)", "import os", "raise SystemExit"):
        fails(code)
    fails(REAL_IMPORT + "imp('os')._exit(1)")
    fails("import time\ntime.sleep(5)", limits=SandboxLimits(wall_seconds=0.5))
    assert run("return [{'ok': 1}]").items == [{"json": {"ok": 1}}]
    assert _open_fds() == before


def test_a_dead_zygote_is_replaced() -> None:
    run("return []")
    zygote = pool.get_zygote()
    zygote.proc.kill()
    zygote.proc.wait()
    assert run("return [{'again': True}]").items == [{"json": {"again": True}}]
    assert pool.get_zygote() is not zygote


def test_concurrent_executions_do_not_mix() -> None:
    def one(n: int) -> list[object]:
        result = run_python("return [{'n': _items[0]['json']['n'] * 2}]", [{"json": {"n": n}}])
        return [i["json"]["n"] for i in result.items]

    with ThreadPoolExecutor(8) as ex:
        assert list(ex.map(one, range(40))) == [[n * 2] for n in range(40)]


def test_each_execution_starts_fresh() -> None:
    run("import json\njson.leaked = 1\nreturn []")
    assert run("import json\nreturn [{'x': hasattr(json, 'leaked')}]").items[0]["json"] == {
        "x": False
    }


def test_cold_path_works_too() -> None:
    limits = SandboxLimits(use_zygote=False, wall_seconds=20)
    assert run("return [{'cold': 1}]", limits=limits).items == [{"json": {"cold": 1}}]
    assert "import of 'os' is not allowed" in fails("import os", limits=limits).message


def test_warm_executions_cost_a_few_milliseconds() -> None:
    run_python("return []", [])
    started = time.perf_counter()
    count = 50
    for _ in range(count):
        run_python("return []", [])
    per_run_ms = (time.perf_counter() - started) / count * 1000
    print(f"sandbox: {per_run_ms:.1f} ms per trivial execution")
    assert per_run_ms < 50


def test_shutdown_and_restart() -> None:
    shutdown()
    assert run("return [{'x': 1}]").items == [{"json": {"x": 1}}]


def _sandbox_processes() -> set[int]:
    """Pids of processes started from the sandbox entry point (zygotes and their children)."""
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if pool.CHILD_SCRIPT.encode() in f.read():
                        found.add(int(name))
            except OSError:
                continue
    return found


def test_an_orphaned_child_ends_itself_after_its_wall_clock() -> None:
    # The zygote dies while its child sleeps: nobody can kill the child, its own alarm does.
    zygote = pool.get_zygote()
    with ThreadPoolExecutor(1) as ex:
        sleeper = ex.submit(
            run_python, "import time\ntime.sleep(60)", [], limits=SandboxLimits(wall_seconds=1)
        )
        time.sleep(0.5)
        orphans = _sandbox_processes() - {zygote.proc.pid}
        assert orphans
        zygote.proc.kill()
        zygote.proc.wait()
        err = sleeper.exception(timeout=15)
    assert isinstance(err, SandboxError)
    deadline = time.monotonic() + 10
    while orphans & _sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not orphans & _sandbox_processes()
    assert run("return [{'next': 1}]").items == [{"json": {"next": 1}}]


def test_the_child_alarm_is_reported_as_the_wall_clock_limit() -> None:
    code = REAL_IMPORT + "s = imp('signal')\ns.alarm(1)\nimport time\ntime.sleep(10)"
    err = fails(code, limits=SandboxLimits(wall_seconds=8))
    assert err.limit in ("wall", "refused")
