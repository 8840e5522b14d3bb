"""History: keyset pagination with filters; pruning by age and count, in bounded batches,
never deleting unfinished executions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, func, select

from n8nwork.run.data import NodeRun
from n8nwork.store.checkpoint import Checkpoint
from n8nwork.store.errors import InvalidInputError
from n8nwork.store.limits import StoreLimits
from n8nwork.store.repo.executions import create_execution, write_checkpoints
from n8nwork.store.repo.history import ExecutionFilter, list_executions
from n8nwork.store.repo.pruning import PrunePolicy, prune_batch, prune_executions
from n8nwork.store.repo.waits import create_wait
from n8nwork.store.repo.workflows import create_workflow
from n8nwork.store.tables.executions import Execution, NodeRunRow, Payload

from .conftest import workflow_document

T0 = datetime(2025, 1, 1, tzinfo=UTC)
STATUSES = ["success", "error", "success", "waiting", "running", "canceled", "new", "crashed"]


def _seed(sessions: sessionmaker[Session], project_id: str, n: int = 40) -> tuple[str, str]:
    """``n`` executions alternating between two workflows, one a minute from T0."""
    with sessions() as session, session.begin():
        wf_a = create_workflow(
            session=session, project_id=project_id, document=workflow_document("A")
        )[0].id
        wf_b = create_workflow(
            session=session, project_id=project_id, document=workflow_document("B")
        )[0].id
        for i in range(n):
            when = T0 + timedelta(minutes=i)
            status = STATUSES[i % len(STATUSES)]
            row = create_execution(
                session=session,
                workflow_id=wf_a if i % 2 == 0 else wf_b,
                mode="webhook" if i % 3 == 0 else "trigger",
                status=status,
                now=when,
            )
            if status in ("success", "error", "canceled", "crashed"):
                row.stopped_at = when + timedelta(seconds=5)
            session.add(row)
    return wf_a, wf_b


def _all_pages(session: Session, flt: ExecutionFilter | None, limit: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = list_executions(session=session, filter=flt, limit=limit, cursor=cursor)
        ids += [e.id for e in page.items if e.id is not None]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_keyset_pages_cover_everything_once_newest_first(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    _seed(sessions, project_id)
    with sessions() as session:
        everything = [e.id for e in session.exec(select(Execution)).all()]
        for limit in (1, 7, 40, 100):
            assert _all_pages(session, None, limit) == sorted(everything, reverse=True)  # type: ignore[type-var]


def test_filters(sessions: sessionmaker[Session], project_id: str) -> None:
    wf_a, _ = _seed(sessions, project_id)
    with sessions() as session:
        rows = session.exec(select(Execution)).all()

        def expect(pred: object) -> list[int]:
            return sorted((r.id for r in rows if pred(r)), reverse=True)  # type: ignore[operator, misc]

        cases = [
            (ExecutionFilter(workflow_ids=[wf_a]), lambda r: r.workflow_id == wf_a),
            (
                ExecutionFilter(statuses=["error", "crashed"]),
                lambda r: r.status in ("error", "crashed"),
            ),
            (ExecutionFilter(modes=["webhook"]), lambda r: r.mode == "webhook"),
            (
                ExecutionFilter(
                    started_after=T0 + timedelta(minutes=10),
                    started_before=T0 + timedelta(minutes=20),
                ),
                lambda r: (
                    r.started_at is not None
                    and T0 + timedelta(minutes=10) <= r.started_at < T0 + timedelta(minutes=20)
                ),
            ),
            (
                ExecutionFilter(workflow_ids=[wf_a], statuses=["success"], modes=["trigger"]),
                lambda r: r.workflow_id == wf_a and r.status == "success" and r.mode == "trigger",
            ),
        ]
        for flt, pred in cases:
            expected = expect(pred)
            assert expected, flt
            assert _all_pages(session, flt, 3) == expected, flt


def test_hostile_filters_are_values_not_sql(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    _seed(sessions, project_id, n=4)
    with sessions() as session:
        for evil in ("' OR '1'='1", "wf'; DROP TABLE executions; --", "%", "_"):
            page = list_executions(session=session, filter=ExecutionFilter(workflow_ids=[evil]))
            assert page.items == []
        with pytest.raises(InvalidInputError):
            list_executions(
                session=session, filter=ExecutionFilter(statuses=["success' OR 1=1 --"])
            )
        with pytest.raises(InvalidInputError):
            list_executions(session=session, filter=ExecutionFilter(workflow_ids=["a\x00b"]))
        with pytest.raises(InvalidInputError):
            list_executions(session=session, limit=0)
        with pytest.raises(InvalidInputError):
            list_executions(
                session=session, filter=ExecutionFilter(started_after=datetime(2025, 1, 1))
            )
        assert session.exec(select(func.count()).select_from(Execution)).one() == 4


def test_prune_by_age_never_deletes_unfinished(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    _seed(sessions, project_id)
    now = T0 + timedelta(minutes=40)
    policy = PrunePolicy(max_age=timedelta(minutes=20), batch_size=3)
    with sessions() as session:
        before = session.exec(select(Execution)).all()
        old_finished = {
            r.id for r in before if r.finished and r.stopped_at < now - timedelta(minutes=20)
        }  # type: ignore[operator]
    # One bounded batch deletes at most batch_size rows,
    with sessions() as session, session.begin():
        assert prune_batch(session=session, policy=policy, now=now) == 3
    # and the loop deletes exactly the old finished ones, and nothing unfinished.
    deleted = 3 + prune_executions(sessions=sessions, policy=policy, now=now)
    assert deleted == len(old_finished)
    with sessions() as session:
        left = session.exec(select(Execution)).all()
        assert not {r.id for r in left} & old_finished
        unfinished_before = {r.id for r in before if not r.finished}
        assert unfinished_before <= {r.id for r in left}
        assert all(r.started_at >= now - timedelta(minutes=21) for r in left if r.finished)  # type: ignore[operator]


def test_prune_by_count_keeps_the_newest_and_all_unfinished(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    _seed(sessions, project_id)
    with sessions() as session:
        newest = sorted((r.id for r in session.exec(select(Execution))), reverse=True)[:10]  # type: ignore[type-var]
        unfinished = {r.id for r in session.exec(select(Execution)) if not r.finished}
    prune_executions(sessions=sessions, policy=PrunePolicy(max_count=10, batch_size=4))
    with sessions() as session:
        left = {r.id for r in session.exec(select(Execution))}
        assert set(newest) <= left
        assert unfinished <= left
        assert left == set(newest) | unfinished


def test_pruning_takes_run_data_and_payloads_along(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    big = [{"json": {"i": i, "pad": "x" * 100}} for i in range(100)]
    with sessions() as session, session.begin():
        old = create_execution(
            session=session, workflow_id=workflow_id, status="success", now=T0
        ).id
        assert old is not None
        write_checkpoints(
            session=session,
            checkpoints=[
                Checkpoint(
                    old, node="A", run=NodeRun(start_time=0.0, status="success", outputs=[big])
                )
            ],
            limits=StoreLimits(inline_payload_bytes=1024),
        )
        waiting = create_execution(
            session=session, workflow_id=workflow_id, status="waiting", now=T0
        ).id
        assert waiting is not None
        create_wait(session=session, execution_id=waiting, node="Wait", resume_at=T0)
    pruned = prune_executions(sessions=sessions, policy=PrunePolicy(max_age=timedelta(days=1)))
    assert pruned == 1
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(NodeRunRow)).one() == 0
        assert session.exec(select(func.count()).select_from(Payload)).one() == 0
        assert [r.id for r in session.exec(select(Execution))] == [waiting]
