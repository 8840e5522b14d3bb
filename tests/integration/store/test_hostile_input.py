"""Corrupt or hostile input: oversized JSON refused, invalid UTF-8 refused, NUL refused in
names, SQL metacharacters and odd Unicode stored and found back verbatim."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.run.data import NodeRun
from n8nwork.store.checkpoint import Checkpoint
from n8nwork.store.errors import InvalidInputError, PayloadTooLargeError
from n8nwork.store.jsonsafe import load_json_bytes
from n8nwork.store.limits import StoreLimits
from n8nwork.store.repo.executions import (
    create_execution,
    iter_node_runs,
    load_run_state,
    write_checkpoints,
)
from n8nwork.store.repo.projects import create_project
from n8nwork.store.repo.workflows import create_workflow, get_workflow_version, list_workflows

from .conftest import workflow_document

NASTY = [
    "Robert'); DROP TABLE executions; --",
    '" OR ""="',
    "back\\slash and 100% _wild_",
    "emoji 🚀 RTL \u202e and zero\u200bwidth",
    "$1 ? :name %(x)s {x}",
]


def test_oversized_json_is_refused_with_the_limit_named(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    limits = StoreLimits(max_document_bytes=10_000)
    huge = workflow_document(notes="x" * 20_000)
    with sessions() as session, pytest.raises(PayloadTooLargeError, match="MAX_DOCUMENT_BYTES"):
        create_workflow(session=session, project_id=project_id, document=huge, limits=limits)
    with pytest.raises(PayloadTooLargeError):
        load_json_bytes(b"[" + b"1," * 10_000 + b"1]", max_bytes=10_000)


def test_invalid_utf8_and_nul_are_refused(sessions: sessionmaker[Session], project_id: str) -> None:
    bad_bytes = b'{"name": "caf\\u00e9 \xff\xfe"}'
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_json_bytes(bad_bytes, max_bytes=1000)
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_json_bytes('{"a": "\\ud800"}', max_bytes=1000)  # lone surrogate escape
    with pytest.raises(InvalidInputError):
        load_json_bytes(b'{"a": NaN}', max_bytes=1000)
    with pytest.raises(InvalidInputError):
        load_json_bytes(b"[" * 100_000, max_bytes=1_000_000)
    surrogate = b"caf\xff".decode("utf-8", "surrogateescape")
    with sessions() as session:
        with pytest.raises(InvalidInputError, match="UTF-8"):
            create_workflow(
                session=session, project_id=project_id, document=workflow_document(surrogate)
            )
        with pytest.raises(InvalidInputError, match="NUL"):
            create_project(session=session, name="a\x00b")
        with pytest.raises(InvalidInputError):
            create_workflow(
                session=session, project_id=project_id, document=workflow_document(nan=float("nan"))
            )


def test_sql_metacharacters_and_unicode_round_trip(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    with sessions() as session, session.begin():
        ids = {
            name: create_workflow(
                session=session, project_id=project_id, document=workflow_document(name)
            )[0].id
            for name in NASTY
        }
    with sessions() as session:
        for name, workflow_id in ids.items():
            assert (
                get_workflow_version(session=session, workflow_id=workflow_id).document["name"]
                == name
            )
            assert [w.id for w in list_workflows(session=session, name_contains=name)] == [
                workflow_id
            ]
        assert len(list_workflows(session=session, name_contains="%")) == 2  # "100%", "%(x)s"
        assert len(list_workflows(session=session, name_contains="_")) == 1


def test_run_data_with_nul_and_odd_text_is_stored_safely(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    # NUL inside JSON strings is legal JSON; it must survive (PostgreSQL's json keeps escapes).
    items = [{"json": {"s": text, "nul": "a\x00b", "n": 1e308}} for text in NASTY]
    node = NASTY[0]
    with sessions() as session, session.begin():
        execution_id = create_execution(session=session, workflow_id=workflow_id).id
        assert execution_id is not None
        write_checkpoints(
            session=session,
            checkpoints=[
                Checkpoint(
                    execution_id,
                    node=node,
                    run=NodeRun(start_time=0.0, status="success", outputs=[items]),
                    state={
                        "status": "success",
                        "lastNodeExecuted": node,
                        "context": {node: {"k": "\x00"}},
                    },
                )
            ],
        )
    with sessions() as session:
        ((name, _, run),) = list(iter_node_runs(session=session, execution_id=execution_id))
        assert name == node and run.outputs == [items]
        state = load_run_state(session=session, execution_id=execution_id)
        assert state.context == {node: {"k": "\x00"}} and state.last_node_executed == node
