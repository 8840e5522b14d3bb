"""``StoredCredentials``: a node's credential from the store, for the workflow's project only,
decrypted, cached a few seconds, and masked in logs; every refusal names node and type."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.credentials_provider import StoredCredentials
from n8nwork.crypto import KeyRing
from n8nwork.errors import NodeExecutionError
from n8nwork.observability import redaction
from n8nwork.store import DEFAULT_LIMITS, Store
from n8nwork.store.repo.credentials import create_credential, delete_credential, update_credential
from n8nwork.store.repo.projects import create_project
from n8nwork.workflow.model import Node

SECRET = "hdr-5e4d3c2b1a0f9e8d7c6b"
FIELDS = {"name": "Authorization", "value": f"Bearer {SECRET}"}


@pytest.fixture
def store(engine: Engine, sessions: sessionmaker[Session]) -> Store:
    return Store(
        engine=engine, sessions=sessions, limits=DEFAULT_LIMITS, key_ring=KeyRing.generate()
    )


def credential(store: Store, project: str, type: str = "httpHeaderAuth",
               data: dict[str, Any] | None = None) -> str:  # fmt: skip
    with store.sessions() as session, session.begin():
        return create_credential(
            session=session,
            key_ring=store.key_ring,
            project_id=project,
            name="API key",
            type=type,
            data=data or FIELDS,
        ).id


def node(refs: dict[str, Any] | None) -> Node:
    raw: dict[str, Any] = {"name": "Call API", "type": "n8n-nodes-base.httpRequest"}
    if refs is not None:
        raw["credentials"] = refs
    return Node.from_json(raw, 0)


def uses(credential_id: str, type: str = "httpHeaderAuth") -> Node:
    return node({type: {"id": credential_id, "name": "API key"}})


def refused(provider: Any, target: Node, type: str = "httpHeaderAuth") -> NodeExecutionError:
    with pytest.raises(NodeExecutionError) as caught:
        provider.get(target, type)
    error = caught.value
    assert error.node == "Call API"
    assert "'Call API'" in error.message and f"'{type}'" in error.message
    assert SECRET not in str(error.to_dict())
    return error


def test_a_node_gets_the_decrypted_credential_of_its_workflows_project(
    store: Store, project_id: str, workflow_id: str
) -> None:
    cid = credential(store, project_id)
    provider = StoredCredentials(store).for_workflow(workflow_id)
    assert provider.get(uses(cid), "httpHeaderAuth") == FIELDS
    assert redaction.redact(f"sent Bearer {SECRET}") == "sent ***"  # masked in logs


def test_each_refusal_names_the_node_the_type_and_the_reason(
    store: Store, project_id: str, workflow_id: str
) -> None:
    provider = StoredCredentials(store).for_workflow(workflow_id)
    cid = credential(store, project_id)

    assert "none are assigned" in refused(provider, node(None)).message
    assert "none are assigned" in refused(provider, node({"httpBasicAuth": {"id": cid}})).message
    assert "does not exist" in refused(provider, uses("no-such-id")).message
    basic = credential(store, project_id, "httpBasicAuth", {"user": "u", "password": SECRET})
    mismatch = refused(provider, uses(basic))
    assert "is of type 'httpBasicAuth', not 'httpHeaderAuth'" in mismatch.message


def test_a_credential_of_another_project_is_refused(
    store: Store, workflow_id: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        other = create_project(session=session, name="Other team").id
    theirs = credential(store, other)
    provider = StoredCredentials(store).for_workflow(workflow_id)
    error = refused(provider, uses(theirs))
    assert "is not usable by this workflow" in error.message
    # a workflow that is not stored has no project: it may use no credential at all
    assert (
        "not usable" in refused(StoredCredentials(store).for_workflow("gone"), uses(theirs)).message
    )


def test_credentials_are_cached_for_a_few_seconds(
    store: Store, project_id: str, workflow_id: str
) -> None:
    cid = credential(store, project_id)
    source = StoredCredentials(store, ttl_s=60.0)
    first, second = source.for_workflow(workflow_id), source.for_workflow(workflow_id)
    for _ in range(5):
        assert first.get(uses(cid), "httpHeaderAuth") == FIELDS
        assert second.get(uses(cid), "httpHeaderAuth") == FIELDS
    assert source.loads == 1  # one read and decryption for ten calls of two workflows' runs
    with store.sessions() as session, session.begin():
        update_credential(
            session=session,
            key_ring=store.key_ring,
            credential_id=cid,
            data={**FIELDS, "value": "v2-value"},
        )
    assert first.get(uses(cid), "httpHeaderAuth") == FIELDS  # still cached
    source.clear()
    assert first.get(uses(cid), "httpHeaderAuth")["value"] == "v2-value"
    # with no time to live, every call reads: a deleted credential is gone at once
    fresh = StoredCredentials(store, ttl_s=0.0).for_workflow(workflow_id)
    with store.sessions() as session, session.begin():
        delete_credential(session=session, credential_id=cid)
    assert "does not exist" in refused(fresh, uses(cid)).message


def test_the_caller_gets_a_copy(store: Store, project_id: str, workflow_id: str) -> None:
    cid = credential(store, project_id)
    provider = StoredCredentials(store).for_workflow(workflow_id)
    provider.get(uses(cid), "httpHeaderAuth")["value"] = "changed"
    assert provider.get(uses(cid), "httpHeaderAuth") == FIELDS
