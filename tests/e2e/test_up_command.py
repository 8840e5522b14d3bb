"""The README's first command: ``n8nwork up`` on the embedded default brings the platform up
(migrations, owner account, Ray, the Serve app), prints how to reach it, serves requests,
and stops cleanly on Ctrl-C (SIGINT) or SIGTERM (a service manager's stop), exit code 0,
leaving nothing on its port (Serve's HAProxy child included)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from serve import deploy
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("proxy", "stop_signal"), [("auto", signal.SIGTERM), ("default", signal.SIGINT)]
)
def test_up_serves_and_stops_on_a_signal(
    tmp_path: Path, proxy: str, stop_signal: signal.Signals
) -> None:
    # Given a clean environment (no Ray Serve variables of this test session), when
    # ``n8nwork up`` starts with either front end, then it serves and stops on the signal.
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAY_SERVE_")}
    env = {
        **inherited,
        "N8NWORK_DATA_DIR": str(tmp_path / "data"),
        "RAY_SERVE_HAPROXY_STATS_PORT": str(free_port()),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(free_port()),
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("N8NWORK_OWNER_PASSWORD", None)
    command = [
        sys.executable,
        "-c",
        "from n8nwork.cli import main; main()",
        "up",
        "--port",
        str(port),
        "--num-cpus",
        "1",
        "--no-dashboard",
        "--proxy",
        proxy,
    ]
    log = tmp_path / "up.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        try:
            deadline = time.monotonic() + 240
            while "n8nwork is up" not in log.read_text() and time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
            text = log.read_text()
            assert f"http://127.0.0.1:{port}/docs" in text, text[-3000:]
            front = "Serve's proxy" if proxy == "default" else "HAProxy"
            if proxy == "default" or deploy.haproxy_binary() is not None:
                assert f"HTTP front end: {front}" in text
            password = re.search(r"Owner password:\s+(\S+)", text)
            assert password is not None, text[-3000:]
            url = f"http://127.0.0.1:{port}"
            login = httpx.post(
                f"{url}/api/v1/auth/login",
                json={"email": "owner@n8nwork.local", "password": password.group(1)},
            )
            assert login.status_code == 200
            me = httpx.get(
                f"{url}/api/v1/auth/me",
                headers={"Authorization": f"Bearer {login.json()['accessToken']}"},
            )
            assert me.json()["role"] == "global:owner"
            process.send_signal(stop_signal)
            assert process.wait(timeout=120) == 0, log.read_text()[-3000:]
            assert "n8nwork: stopped" in log.read_text()
            with pytest.raises(httpx.HTTPError):
                httpx.get(f"{url}/healthz", timeout=2)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
