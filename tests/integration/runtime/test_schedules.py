"""Schedule triggers on the Ray runtime: two scheduler actors, one workflow firing every
second; each slot runs once, to the end, through the directory and a host."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import ray
from sqlmodel import select

from n8nwork.store.repo.projects import create_project
from n8nwork.store.repo.workflows import activate_workflow, create_workflow
from n8nwork.store.tables.executions import Execution
from n8nwork.store.tables.triggers import ScheduleFire
from tests.integration.runtime.conftest import Runtimes, wait_until
from tests.integration.triggers.conftest import schedule_workflow

pytestmark = pytest.mark.integration


def test_scheduler_actors_run_each_slot_once(runtimes: Runtimes) -> None:
    runtime = runtimes.open(scheduler_instances=2, scheduler_poll_s=0.2)
    sessions = runtime.store.sessions
    with sessions() as session, session.begin():
        project = create_project(session=session, name="Schedules")
        row, _ = create_workflow(
            session=session, project_id=project.id, document=schedule_workflow("tick")
        )
        activate_workflow(session=session, workflow_id=row.id, now=datetime.now(UTC))

    def finished() -> list[Execution]:
        with sessions() as session:
            rows = list(session.exec(select(Execution).where(Execution.status == "success")))
        return rows if len(rows) >= 3 else []

    done = wait_until(finished, timeout=60)
    with sessions() as session:
        fires = list(session.exec(select(ScheduleFire)))
    assert len({f.fire_at for f in fires}) == len(fires)
    assert {e.mode for e in done} == {"trigger"}
    result = runtime.get(done[0].id)
    assert result.last_node == "Next"
    assert "Readable date" in result.run_data["Schedule"][0]["data"]["main"][0][0]["json"]
    handles = [
        ray.get_actor(f"n8nwork-scheduler-{i}", namespace=runtime.config.namespace)
        for i in range(2)
    ]
    ray.get([h.start.remote() for h in handles])  # idempotent: both are up
    described = ray.get([h.describe.remote() for h in handles])
    assert sum(d["fired"] for d in described) >= len(fires)  # (it goes on firing)
