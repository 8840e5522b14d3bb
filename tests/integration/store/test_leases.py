"""Bulk leases (``repo/leases.py``) and checkpoints carrying several node runs, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.run.data import NodeRun
from n8nwork.store import Checkpoint, LeaseLostError, NewExecution
from n8nwork.store.engine import create_engine
from n8nwork.store.repo.executions import get_execution, load_run_state
from n8nwork.store.repo.leases import (
    claim_executions,
    list_unfinished,
    release_leases,
    renew_leases,
)
from n8nwork.store.types import utcnow
from n8nwork.store.writer import ExecutionWriter

pytestmark = pytest.mark.integration


@pytest.fixture
def writer(database_url: str) -> ExecutionWriter:
    engine = create_engine(database_url)
    with ExecutionWriter(engine) as w:
        yield w
    engine.dispose()


def new_ids(writer: ExecutionWriter, workflow_id: str, n: int) -> list[int]:
    return [writer.create(NewExecution(workflow_id=workflow_id)) for _ in range(n)]


def test_claim_increments_epochs_and_skips_live_leases_of_others(
    sessions: sessionmaker[Session], writer: ExecutionWriter, workflow_id: str
) -> None:
    ids = new_ids(writer, workflow_id, 3)
    ttl = timedelta(seconds=30)
    with sessions() as session, session.begin():
        assert claim_executions(session=session, execution_ids=ids[:2], host="a", ttl=ttl) == {
            ids[0]: 1,
            ids[1]: 1,
        }
    with sessions() as session, session.begin():
        # b may take only the free one; a claims its own again (new epoch)
        assert claim_executions(session=session, execution_ids=ids, host="b", ttl=ttl) == {
            ids[2]: 1
        }
        assert claim_executions(session=session, execution_ids=ids[:1], host="a", ttl=ttl) == {
            ids[0]: 2
        }
    with sessions() as session, session.begin():
        taken = claim_executions(
            session=session, execution_ids=ids[:2], host="c", ttl=ttl, take_over_from=["a"]
        )
        assert taken == {ids[0]: 3, ids[1]: 2}
        assert get_execution(session=session, execution_id=ids[0]).host == "c"


def test_expired_leases_are_claimable_and_finished_executions_are_not(
    sessions: sessionmaker[Session], writer: ExecutionWriter, workflow_id: str
) -> None:
    ids = new_ids(writer, workflow_id, 2)
    past = utcnow() - timedelta(minutes=5)
    with sessions() as session, session.begin():
        claim_executions(
            session=session, execution_ids=ids, host="a", ttl=timedelta(seconds=1), now=past
        )
    writer.checkpoint(Checkpoint(ids[1], state={"status": "success"}))
    with sessions() as session, session.begin():
        claimed = claim_executions(
            session=session, execution_ids=ids, host="b", ttl=timedelta(seconds=30)
        )
    assert claimed == {ids[0]: 2}


def test_renew_and_release_touch_only_the_holder_s_leases(
    sessions: sessionmaker[Session], writer: ExecutionWriter, workflow_id: str
) -> None:
    ids = new_ids(writer, workflow_id, 3)
    ttl = timedelta(seconds=30)
    with sessions() as session, session.begin():
        claim_executions(session=session, execution_ids=ids[:2], host="a", ttl=ttl)
        claim_executions(session=session, execution_ids=ids[2:], host="b", ttl=ttl)
    with sessions() as session, session.begin():
        assert renew_leases(session=session, execution_ids=ids, host="a", ttl=ttl) == 2
        assert release_leases(session=session, execution_ids=ids, host="a") == 2
    with sessions() as session:
        assert get_execution(session=session, execution_id=ids[0]).host is None
        assert get_execution(session=session, execution_id=ids[2]).host == "b"
        rows = list_unfinished(session=session, after_id=ids[0], limit=10)
    assert [r.id for r in rows] == ids[1:]
    assert rows[1].host == "b"


def test_a_checkpoint_writes_several_node_runs_at_once_and_is_fenced(
    sessions: sessionmaker[Session], writer: ExecutionWriter, workflow_id: str
) -> None:
    (execution_id,) = new_ids(writer, workflow_id, 1)
    with sessions() as session, session.begin():
        (epoch,) = claim_executions(
            session=session,
            execution_ids=[execution_id],
            host="a",
            ttl=timedelta(seconds=30),
        ).values()
    runs = [
        ("A", 0, NodeRun(start_time=1.0, outputs=[[{"json": {"a": 1}}]], status="success")),
        ("B", 0, NodeRun(start_time=2.0, outputs=[[{"json": {"b": 2}}]], status="success")),
        ("C", 0, NodeRun(start_time=3.0, outputs=[[{"json": {"c": 3}}]], status="success")),
    ]
    first, *more = runs
    writer.checkpoint(
        Checkpoint(
            execution_id,
            node=first[0],
            run_index=first[1],
            run=first[2],
            state={"status": "running"},
            lease_epoch=epoch,
            more_runs=more,
        )
    )
    with sessions() as session:
        state = load_run_state(session=session, execution_id=execution_id)
    assert list(state.run_data) == ["A", "B", "C"]
    assert state.run_data["C"][0].output(0) == [{"json": {"c": 3}}]
    with pytest.raises(LeaseLostError):
        writer.checkpoint(Checkpoint(execution_id, more_runs=more, lease_epoch=epoch + 1))
