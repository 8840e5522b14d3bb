"""Webhooks (method + path unique), schedule fire records (each slot once), waits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.errors import ConflictError, InvalidInputError
from n8nwork.store.repo.executions import create_execution
from n8nwork.store.repo.schedules import (
    attach_fire_execution,
    last_schedule_fire,
    record_schedule_fire,
)
from n8nwork.store.repo.waits import create_wait, due_waits, find_wait_by_token, resolve_wait
from n8nwork.store.repo.webhooks import (
    WebhookRoute,
    find_webhook,
    list_webhooks,
    match_webhook,
    register_webhooks,
    remove_webhooks,
)
from n8nwork.store.repo.workflows import create_workflow

from .conftest import workflow_document


def test_webhook_routes_are_unique_per_method_and_path(
    sessions: sessionmaker[Session], project_id: str, workflow_id: str
) -> None:
    with sessions() as session, session.begin():
        other = create_workflow(
            session=session, project_id=project_id, document=workflow_document("B")
        )[0].id
        register_webhooks(
            session=session,
            workflow_id=workflow_id,
            routes=[
                WebhookRoute("post", "/orders/", "Webhook"),
                WebhookRoute("GET", "orders", "Webhook"),
                WebhookRoute(
                    "GET", "abc123/users/:id/orders/:order", "Webhook2", webhook_id="abc123"
                ),
                WebhookRoute("GET", "abc123/users/me/orders/:order", "Webhook3"),
            ],
        )
    with sessions() as session, pytest.raises(ConflictError, match="POST /orders"):
        register_webhooks(
            session=session, workflow_id=other, routes=[WebhookRoute("POST", "orders", "W")]
        )
    with sessions() as session:
        hook = find_webhook(session=session, method="POST", path="orders")
        assert hook is not None and hook.workflow_id == workflow_id and hook.node == "Webhook"
        assert find_webhook(session=session, method="DELETE", path="orders") is None
        match = match_webhook(session=session, method="get", path="/abc123/users/42/orders/7")
        assert match is not None and match.webhook.node == "Webhook2"
        assert match.params == {"id": "42", "order": "7"}
        best = match_webhook(session=session, method="GET", path="abc123/users/me/orders/7")
        assert best is not None and best.webhook.node == "Webhook3"
        assert match_webhook(session=session, method="GET", path="abc123/users/42") is None
        assert match_webhook(session=session, method="GET", path="../etc/passwd") is None
        assert len(list_webhooks(session=session, workflow_id=workflow_id)) == 4
    with sessions() as session, session.begin():
        assert remove_webhooks(session=session, workflow_id=workflow_id) == 4
        register_webhooks(
            session=session, workflow_id=other, routes=[WebhookRoute("POST", "orders", "W")]
        )
    with sessions() as session:
        for bad in ("", "a//b", "a/../b", "x\x00"):
            with pytest.raises(InvalidInputError):
                register_webhooks(
                    session=session, workflow_id=other, routes=[WebhookRoute("GET", bad, "W")]
                )
        with pytest.raises(InvalidInputError):
            register_webhooks(
                session=session, workflow_id=other, routes=[WebhookRoute("BREW", "tea", "W")]
            )


def test_a_schedule_slot_fires_once_even_with_two_schedulers(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    slot = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    wins: list[bool] = []
    barrier = threading.Barrier(4)

    def scheduler(host: str) -> None:
        barrier.wait()
        with sessions() as session, session.begin():
            wins.append(
                record_schedule_fire(
                    session=session, workflow_id=workflow_id, node="Cron", fire_at=slot, host=host
                )
            )

    threads = [threading.Thread(target=scheduler, args=(f"h{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]
    with sessions() as session, session.begin():
        execution_id = create_execution(session=session, workflow_id=workflow_id, mode="trigger").id
        assert execution_id is not None
        attach_fire_execution(
            session=session,
            workflow_id=workflow_id,
            node="Cron",
            fire_at=slot,
            execution_id=execution_id,
        )
        assert record_schedule_fire(
            session=session, workflow_id=workflow_id, node="Cron", fire_at=slot + timedelta(hours=1)
        )
    with sessions() as session:
        last = last_schedule_fire(session=session, workflow_id=workflow_id, node="Cron")
        assert last is not None and last.fire_at == slot + timedelta(hours=1)


def test_waits_are_due_by_time_found_by_token_and_resolved_once(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    with sessions() as session, session.begin():
        ids = [
            create_execution(session=session, workflow_id=workflow_id, status="waiting").id
            for _ in range(3)
        ]
        assert all(i is not None for i in ids)
        create_wait(
            session=session, execution_id=ids[0], node="Wait", resume_at=now - timedelta(seconds=1)
        )  # type: ignore[arg-type]
        create_wait(
            session=session, execution_id=ids[1], node="Wait", resume_at=now + timedelta(hours=1)
        )  # type: ignore[arg-type]
        create_wait(
            session=session,
            execution_id=ids[2],
            node="Form",
            kind="form",
            resume_token="tok-secret",
        )  # type: ignore[arg-type]
    with sessions() as session, session.begin():
        assert [w.execution_id for w in due_waits(session=session, now=now)] == [ids[0]]
        found = find_wait_by_token(session=session, resume_token="tok-secret")
        assert found is not None and found.execution_id == ids[2]
        assert found.resume_token_hash != "tok-secret"
        assert resolve_wait(session=session, execution_id=ids[0])  # type: ignore[arg-type]
        assert not resolve_wait(session=session, execution_id=ids[0])  # type: ignore[arg-type]
    with sessions() as session:
        assert due_waits(session=session, now=now) == []
        with pytest.raises(InvalidInputError):
            create_wait(session=session, execution_id=ids[1], node="Wait", kind="forever")  # type: ignore[arg-type]
