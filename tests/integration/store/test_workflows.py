"""Workflows: immutable versions, the n8n JSON kept as given, activation, optimistic saves."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.errors import ConflictError, InvalidInputError, NotFoundError
from n8nwork.store.repo.workflows import (
    activate_workflow,
    active_version,
    create_workflow,
    deactivate_workflow,
    delete_workflow,
    get_workflow,
    get_workflow_version,
    list_active_workflows,
    list_workflow_versions,
    list_workflows,
    save_workflow_version,
)

from .conftest import workflow_document


def test_every_save_is_a_new_version_and_documents_are_kept_as_given(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    # Given a document with fields the model does not know and a particular key order,
    doc = workflow_document("Orders", pinData={}, meta={"instanceId": "abc"}, zzz=[1, {"b": 2}])
    with sessions() as session, session.begin():
        row, _v1 = create_workflow(session=session, project_id=project_id, document=doc)
        workflow_id = row.id
    # when it is saved twice more (once unchanged),
    doc2 = {**doc, "name": "Orders v2"}
    with sessions() as session, session.begin():
        save_workflow_version(session=session, workflow_id=workflow_id, document=doc2)
        save_workflow_version(session=session, workflow_id=workflow_id, document=doc2)
    # then there are three versions, each exactly as given, in the same key order.
    with sessions() as session:
        assert get_workflow(session=session, workflow_id=workflow_id).latest_version == 3
        assert get_workflow(session=session, workflow_id=workflow_id).name == "Orders v2"
        first = get_workflow_version(session=session, workflow_id=workflow_id, version=1)
        assert json.dumps(first.document) == json.dumps(doc)
        latest = get_workflow_version(session=session, workflow_id=workflow_id)
        assert latest.version == 3 and latest.document == doc2
        versions = list_workflow_versions(session=session, workflow_id=workflow_id)
        assert [v.version for v in versions] == [3, 2, 1]
        assert versions[0].checksum == versions[1].checksum != versions[2].checksum
        page = list_workflow_versions(session=session, workflow_id=workflow_id, limit=1, before=3)
        assert [v.version for v in page] == [2]


def test_a_stale_save_conflicts(sessions: sessionmaker[Session], workflow_id: str) -> None:
    with sessions() as session, session.begin():
        save_workflow_version(
            session=session,
            workflow_id=workflow_id,
            document=workflow_document(),
            expected_version=1,
        )
    with sessions() as session, pytest.raises(ConflictError, match="version 2, not 1"):
        save_workflow_version(
            session=session,
            workflow_id=workflow_id,
            document=workflow_document(),
            expected_version=1,
        )


def test_invalid_documents_are_refused(sessions: sessionmaker[Session], project_id: str) -> None:
    with sessions() as session:
        for bad in ([], {"nodes": "x"}, {"name": 5, "nodes": [], "connections": {}}):
            with pytest.raises(InvalidInputError):
                create_workflow(session=session, project_id=project_id, document=bad)  # type: ignore[arg-type]


def test_activation_points_at_one_version(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    with sessions() as session, session.begin():
        assert active_version(session=session, workflow_id=workflow_id) is None
        save_workflow_version(
            session=session, workflow_id=workflow_id, document=workflow_document("B")
        )
        activate_workflow(session=session, workflow_id=workflow_id, version=1)
    with sessions() as session, session.begin():
        active = active_version(session=session, workflow_id=workflow_id)
        assert active is not None and active.version == 1
        activate_workflow(session=session, workflow_id=workflow_id)
        assert [a.workflow_id for a in list_active_workflows(session=session)] == [workflow_id]
        with pytest.raises(NotFoundError):
            activate_workflow(session=session, workflow_id=workflow_id, version=9)
    with sessions() as session, session.begin():
        active = active_version(session=session, workflow_id=workflow_id)
        assert active is not None and active.version == 2
        assert deactivate_workflow(session=session, workflow_id=workflow_id)
    with sessions() as session:
        assert active_version(session=session, workflow_id=workflow_id) is None
        assert list_active_workflows(session=session) == []


def test_name_search_is_literal_and_delete_cascades(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    names = ["100% done", "100 percent", "a_b", "ab", "Robert'); DROP TABLE workflows;--"]
    with sessions() as session, session.begin():
        ids = [
            create_workflow(session=session, project_id=project_id, document=workflow_document(n))[
                0
            ].id
            for n in names
        ]
    with sessions() as session:
        found = lambda text: sorted(  # noqa: E731
            w.name for w in list_workflows(session=session, name_contains=text)
        )
        assert found("100%") == ["100% done"]
        assert found("a_b") == ["a_b"]
        assert found("DROP TABLE") == [names[-1]]
        assert len(list_workflows(session=session, project_id=project_id)) == 5
        first = list_workflows(session=session, limit=2)
        rest = list_workflows(session=session, after_id=first[-1].id)
        assert [w.id for w in first + rest] == sorted(ids)
    with sessions() as session, session.begin():
        activate_workflow(session=session, workflow_id=ids[0])
        assert delete_workflow(session=session, workflow_id=ids[0])
        assert not delete_workflow(session=session, workflow_id=ids[0])
    with sessions() as session:
        with pytest.raises(NotFoundError):
            get_workflow_version(session=session, workflow_id=ids[0], version=1)
        assert list_active_workflows(session=session) == []


def test_an_imported_workflow_keeps_its_id(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    with sessions() as session, session.begin():
        row, _ = create_workflow(
            session=session,
            project_id=project_id,
            document=workflow_document(),
            workflow_id="wfImported01",
        )
        assert row.id == "wfImported01"
    with sessions() as session, pytest.raises(ConflictError):
        create_workflow(
            session=session,
            project_id=project_id,
            document=workflow_document(),
            workflow_id="wfImported01",
        )
