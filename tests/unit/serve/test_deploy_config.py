"""The choice of HTTP front end (no Ray started): HAProxy when a binary is found, Serve's
proxy otherwise or when asked; the environment each needs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from serve import deploy


def test_default_mode_turns_haproxy_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert deploy.resolve_proxy("default") == ("default", None)
    assert deploy.proxy_env("default", None) == {}
    monkeypatch.setenv("RAY_SERVE_ENABLE_HA_PROXY", "1")
    assert deploy.apply_proxy_env("default") == "default"
    assert os.environ["RAY_SERVE_ENABLE_HA_PROXY"] == "0"


def test_configured_binary_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "haproxy"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("RAY_SERVE_HAPROXY_BINARY_PATH", str(binary))
    mode, found = deploy.resolve_proxy("auto")
    assert (mode, found) == ("haproxy", str(binary))
    assert deploy.proxy_env(mode, found) == {
        "RAY_SERVE_ENABLE_HA_PROXY": "1",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
        "RAY_SERVE_HAPROXY_BINARY_PATH": str(binary),
    }


def test_no_binary_falls_back_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "haproxy_binary", lambda: None)
    assert deploy.resolve_proxy("auto") == ("default", None)
    with pytest.raises(RuntimeError, match="no HAProxy binary"):
        deploy.resolve_proxy("haproxy")
    with pytest.raises(ValueError, match="proxy must be one of"):
        deploy.resolve_proxy("nginx")


def test_apply_keeps_variables_already_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "haproxy_binary", lambda: "/usr/sbin/haproxy")
    monkeypatch.setenv("RAY_SERVE_THROUGHPUT_OPTIMIZED", "0")
    for name in ("RAY_SERVE_ENABLE_HA_PROXY", "RAY_SERVE_HAPROXY_BINARY_PATH"):
        monkeypatch.setenv(name, "")  # recorded, so the test's changes are undone after it
        monkeypatch.delenv(name)
    assert deploy.apply_proxy_env("auto") == "haproxy"
    assert os.environ["RAY_SERVE_ENABLE_HA_PROXY"] == "1"
    assert os.environ["RAY_SERVE_THROUGHPUT_OPTIMIZED"] == "0"
