"""Scheduler fixtures: the store fixtures of ``tests/integration/store`` (every test runs on
SQLite and on PostgreSQL; PostgreSQL unreachable fails in CI), plus a scaled clock and
helpers to save and activate schedule workflows."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from tests.integration.store.conftest import (  # noqa: F401  (fixtures)
    backend,
    database_url,
    engine,
    postgres_url,
    project_id,
    sessions,
    sqlite_template,
)


@dataclass
class SimpleStore:
    """What the scheduler needs of a store."""

    engine: Engine
    sessions: sessionmaker[Session]
    limits: StoreLimits = field(default=DEFAULT_LIMITS)


class ScaledClock:
    """Virtual time running ``speed`` times faster than real time, from ``start``; every
    scheduler of a test shares one, so they race for the same slots."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.start = start
        self.speed = speed
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    async def until(self, moment: datetime) -> None:
        while self.now() < moment:
            await asyncio.sleep(0.01)


def schedule_workflow(
    name: str,
    *,
    interval: dict[str, Any] | None = None,
    node: str = "Schedule",
    settings: dict[str, Any] | None = None,
    node_type: str = "n8n-nodes-base.scheduleTrigger",
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A workflow: a schedule node (every second by default) followed by a NoOp."""
    params = parameters or {
        "rule": {"interval": [interval or {"field": "seconds", "secondsInterval": 1}]}
    }
    return {
        "name": name,
        "nodes": [
            {
                "id": f"{name}-{node}",
                "name": node,
                "type": node_type,
                "typeVersion": 1.2 if node_type.endswith("scheduleTrigger") else 1,
                "parameters": params,
                "position": [0, 0],
            },
            {
                "name": "Next",
                "type": "n8n-nodes-base.noOp",
                "typeVersion": 1,
                "parameters": {},
                "position": [200, 0],
            },
        ],
        "connections": {node: {"main": [[{"node": "Next", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1", "timezone": "Europe/Berlin", **(settings or {})},
    }
