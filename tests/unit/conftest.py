"""Unit tests run without Ray: any attempt to start or join a cluster fails the test."""

from __future__ import annotations

import sys
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = sys.modules.get("ray")
    if ray is not None:

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("unit tests must not start Ray")

        monkeypatch.setattr(ray, "init", refuse)
