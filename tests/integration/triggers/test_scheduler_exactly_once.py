"""The scheduler on a real database (SQLite and PostgreSQL), without Ray: two schedulers at
once fire every slot exactly once over hundreds of slots, also when one of them is killed
abruptly and another starts; missed slots follow ``settings.missedSchedules``; activation,
deactivation and edits take effect within a second."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from n8nwork.store.repo.executions import load_run_state
from n8nwork.store.repo.schedules import record_schedule_fire
from n8nwork.store.repo.workflows import (
    activate_workflow,
    create_workflow,
    deactivate_workflow,
    save_workflow_version,
)
from n8nwork.store.tables.executions import Execution
from n8nwork.store.tables.triggers import ScheduleFire
from n8nwork.triggers.schedule_rules import SCHEDULE_TRIGGER, compile_schedule
from n8nwork.triggers.scheduler import FiredRun, Scheduler
from tests.integration.triggers.conftest import ScaledClock, SimpleStore, schedule_workflow

pytestmark = pytest.mark.integration

START = datetime(2025, 3, 30, 0, 59, 30, tzinfo=UTC)  # Europe/Berlin springs forward at 01:00


class Dispatched:
    """A dispatch callback that records what it was given."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.runs: list[FiredRun] = []

    async def __call__(self, runs: list[FiredRun]) -> None:
        self.runs += runs
        self.ids += [r.execution_id for r in runs]


def _save(
    sessions: sessionmaker[Session],
    project_id: str,
    document: dict[str, Any],
    *,
    activated_at: datetime | None = None,
) -> str:
    with sessions() as session, session.begin():
        row, _ = create_workflow(session=session, project_id=project_id, document=document)
        if activated_at is not None:
            activate_workflow(session=session, workflow_id=row.id, now=activated_at)
        return row.id


def _fires(sessions: sessionmaker[Session]) -> list[ScheduleFire]:
    with sessions() as session:
        rows = list(session.exec(select(ScheduleFire).order_by(col(ScheduleFire.fire_at))))
        session.expunge_all()
        return rows


async def _run(scheduler: Scheduler) -> asyncio.Task[None]:
    return asyncio.ensure_future(scheduler.run())


async def _kill(task: asyncio.Task[None]) -> None:
    """Stop a scheduler abruptly: its loop is cancelled wherever it is."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def test_two_schedulers_fire_every_slot_exactly_once(
    engine: Engine, sessions: sessionmaker[Session], project_id: str
) -> None:
    workflows = 10
    clock = ScaledClock(START, speed=5.0)  # 36 virtual seconds take 7 s
    ids = [
        _save(sessions, project_id, schedule_workflow(f"wf{i}"), activated_at=START)
        for i in range(workflows)
    ]
    store = SimpleStore(engine, sessions)
    seen = Dispatched()

    def scheduler(host: str) -> Scheduler:
        return Scheduler(
            store, seen, clock=clock, host=host, poll_s=0.5, rescan_s=3.0, rescan_after_s=1.0
        )

    async def scenario() -> datetime:
        a, b = scheduler("a"), scheduler("b")
        task_a, task_b = await _run(a), await _run(b)
        await clock.until(START + timedelta(seconds=10))
        await _kill(task_a)  # abrupt: a claim in flight commits without being dispatched
        await clock.until(START + timedelta(seconds=13))
        a2 = scheduler("a2")
        task_a2 = await _run(a2)
        await clock.until(START + timedelta(seconds=20))
        await _kill(task_b)
        b2 = scheduler("b2")
        task_b2 = await _run(b2)
        await clock.until(START + timedelta(seconds=36))
        a2.stop()
        b2.stop()
        await asyncio.gather(task_a2, task_b2)
        end = clock.now()
        await a2.tick()  # a last pass: every slot up to ``end`` is claimed, however slow
        for s in (a, b, a2, b2):
            s.close()
        assert a2.stats.fired and b2.stats.fired and a2.stats.lost + b2.stats.lost
        return end

    end = asyncio.run(scenario())
    fires = _fires(sessions)
    schedule = compile_schedule(
        SCHEDULE_TRIGGER,
        1.2,
        {"rule": {"interval": [{"field": "seconds", "secondsInterval": 1}]}},
        node="Schedule",
        timezone="Europe/Berlin",
    )
    expected = list(schedule.slots(START, end))
    by_workflow: dict[str, list[datetime]] = {w: [] for w in ids}
    for fire in fires:
        by_workflow[fire.workflow_id].append(fire.fire_at)
    assert sum(len(v) for v in by_workflow.values()) >= 200
    for workflow_id, slots in by_workflow.items():
        assert slots[: len(expected)] == expected, workflow_id  # none missing, none twice
    # Every slot has exactly one execution, every execution one slot, all dispatched.
    with sessions() as session:
        executions = list(session.exec(select(Execution)))
        state = load_run_state(session=session, execution_id=fires[0].execution_id or 0)
    assert all(f.execution_id is not None for f in fires)
    assert Counter(f.execution_id for f in fires).most_common(1)[0][1] == 1
    assert {e.id for e in executions} == {f.execution_id for f in fires}
    assert {(e.mode, e.status, e.trigger) for e in executions} == {("trigger", "new", "Schedule")}
    assert set(seen.ids) == {e.id for e in executions}  # including the killed one's last runs
    start = state.stack[0]
    assert start["node"] == "Schedule"
    item = start["data"][0][0]["json"]
    local = fires[0].fire_at.astimezone(schedule.zone)
    assert item["timestamp"].startswith(local.strftime("%Y-%m-%dT%H:%M:%S.000"))
    assert item["Timezone"].startswith("Europe/Berlin (UTC+0")


@pytest.mark.parametrize("policy", ["skip", "fireOnce"])
def test_missed_slots_follow_the_workflow_setting(
    engine: Engine, sessions: sessionmaker[Session], project_id: str, policy: str
) -> None:
    down_since = START
    back_at = START + timedelta(seconds=100)  # everything was down for 100 s
    workflow_id = _save(
        sessions,
        project_id,
        schedule_workflow("missed", settings={"missedSchedules": policy}),
        activated_at=down_since - timedelta(seconds=30),
    )
    with sessions() as session, session.begin():
        record_schedule_fire(
            session=session, workflow_id=workflow_id, node="Schedule", fire_at=down_since
        )
    clock = ScaledClock(back_at, speed=5.0)
    seen = Dispatched()
    scheduler = Scheduler(SimpleStore(engine, sessions), seen, clock=clock, late_grace_s=5.0)

    async def scenario() -> None:
        task = await _run(scheduler)
        await clock.until(back_at + timedelta(seconds=3))
        scheduler.stop()
        await task
        scheduler.close()

    asyncio.run(scenario())
    slots = [f.fire_at for f in _fires(sessions) if f.fire_at > down_since]
    # Nothing older than the grace (as of the restart) fires, except the one catch-up slot,
    # which is the latest missed one: the fires are one unbroken run of seconds.
    assert slots[0] >= back_at - timedelta(seconds=5)
    assert all(b - a == timedelta(seconds=1) for a, b in itertools.pairwise(slots))
    assert slots[-1] >= back_at + timedelta(seconds=2)
    if policy == "skip":
        assert (scheduler.stats.skipped, scheduler.stats.caught_up) == (1, 0)
    else:
        assert (scheduler.stats.skipped, scheduler.stats.caught_up) == (0, 1)
    assert len(seen.ids) == len(slots)


def test_activation_deactivation_and_edits_take_effect_within_a_second(
    engine: Engine, sessions: sessionmaker[Session], project_id: str
) -> None:
    clock = ScaledClock(datetime.now(UTC), speed=1.0)
    seen = Dispatched()
    workflow_id = _save(sessions, project_id, schedule_workflow("live", node="Every second"))

    def fires_of(node: str) -> list[datetime]:
        return [f.fire_at for f in _fires(sessions) if f.node == node]

    async def within(condition: Any, seconds: float) -> float:
        started = clock.now()
        while not condition():
            assert (clock.now() - started).total_seconds() < seconds, "not within the limit"
            await asyncio.sleep(0.02)
        return (clock.now() - started).total_seconds()

    async def scenario() -> None:
        scheduler = Scheduler(SimpleStore(engine, sessions), seen, clock=clock, poll_s=0.5)
        task = await _run(scheduler)
        await asyncio.sleep(0.6)
        assert fires_of("Every second") == []  # inactive: nothing fires
        # Activation: the first slot after it fires (at most 1 s slot wait + 0.5 s poll).
        with sessions() as session, session.begin():
            activated = activate_workflow(
                session=session, workflow_id=workflow_id, now=clock.now()
            ).activated_at
        await within(lambda: fires_of("Every second"), 1.6)
        first = fires_of("Every second")[0]
        assert activated < first <= activated + timedelta(seconds=1)
        # Edit: a new active version with another schedule node replaces the old one.
        with sessions() as session, session.begin():
            save_workflow_version(
                session=session,
                workflow_id=workflow_id,
                document=schedule_workflow(
                    "live",
                    node="Every 2 s",
                    interval={"field": "cronExpression", "expression": "*/2 * * * * *"},
                ),
            )
            edited = activate_workflow(
                session=session, workflow_id=workflow_id, now=clock.now()
            ).activated_at
        await within(lambda: fires_of("Every 2 s"), 2.6)
        assert all(t.second % 2 == 0 for t in fires_of("Every 2 s"))
        assert all(t <= edited for t in fires_of("Every second"))
        # Deactivation: no slot after it fires.
        with sessions() as session, session.begin():
            deactivate_workflow(session=session, workflow_id=workflow_id)
        deactivated = clock.now()
        await asyncio.sleep(1.5)
        scheduler.stop()
        await task
        scheduler.close()
        assert all(t <= deactivated for t in fires_of("Every 2 s"))

    asyncio.run(scenario())
    assert len(seen.ids) == len(_fires(sessions))


def test_failed_dispatch_is_retried_and_a_restart_redispatches_unstarted_runs(
    engine: Engine, sessions: sessionmaker[Session], project_id: str
) -> None:
    _save(sessions, project_id, schedule_workflow("retry"), activated_at=START)
    clock = ScaledClock(START, speed=10.0)
    calls: list[list[int]] = []

    async def flaky(runs: list[FiredRun]) -> None:
        calls.append([r.execution_id for r in runs])
        if len(calls) == 1:
            raise RuntimeError("the directory is away")

    async def scenario() -> list[FiredRun]:
        scheduler = Scheduler(SimpleStore(engine, sessions), flaky, clock=clock)
        task = await _run(scheduler)
        await clock.until(START + timedelta(seconds=5))
        for _ in range(500):  # however slow the machine: until a later pass delivered
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.02)
        scheduler.stop()
        await task
        scheduler.close()
        restarted = Scheduler(SimpleStore(engine, sessions), Dispatched(), clock=clock)
        again = await restarted.redispatch_unstarted()
        restarted.close()
        return again

    again = asyncio.run(scenario())
    delivered = {i for call in calls[1:] for i in call}
    assert set(calls[0]) <= delivered  # the failed batch went out with a later one
    fired = {f.execution_id for f in _fires(sessions)}
    assert delivered == fired
    assert {r.execution_id for r in again} == fired  # none started: all dispatched again
