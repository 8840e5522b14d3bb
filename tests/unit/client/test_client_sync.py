"""The blocking ``Client`` against the real API app (SQLite and PostgreSQL): credentials
(API key, e-mail/password with refresh), workflows, runs with their outputs, live events,
pagination, and the typed errors of real answers."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import n8nwork
from n8nwork.builder import Flow, assign, expr
from n8nwork.builder import nodes as n
from n8nwork.client import (
    ApiKeyCreated,
    Client,
    Conflict,
    Execution,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    WaitTimeout,
    Workflow,
)
from tests.unit.client.conftest import ClientWorld
from tests.unit.serve.conftest import PASSWORD, workflow_doc

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {next(_seq)}"


def test_top_package_exports_the_clients_lazily() -> None:
    assert n8nwork.Client is Client
    assert "Client" in n8nwork.__all__ and "AsyncClient" in n8nwork.__all__
    with pytest.raises(AttributeError):
        _ = n8nwork.NoSuchThing


def test_api_key_authenticates_and_revoked_key_is_refused(world: ClientWorld) -> None:
    with world.sync("editor") as editor:
        made = editor.keys.create("notebook", scopes=["workflow:read"])
        assert isinstance(made, ApiKeyCreated) and made.key.startswith("n8nw_")
        assert made.key not in repr(made) and made.key not in str(made)
        assert made.id in {k.id for k in editor.keys.list()}
    with world.sync(None, api_key=made.key) as by_key:
        list(by_key.workflows.list())  # the key's scope allows reading
        with pytest.raises(Forbidden) as denied:
            by_key.workflows.create(workflow_doc())
        assert denied.value.status == 403 and denied.value.code == "forbidden"
    with world.sync("editor") as editor:
        editor.keys.revoke(made.id)
    with world.sync(None, api_key=made.key) as by_key, pytest.raises(Unauthorized) as refused:
        list(by_key.workflows.list())
    assert refused.value.status == 401


def test_email_password_logs_in_and_refreshes_an_expired_access_token(
    world: ClientWorld,
) -> None:
    transport = world.transport()
    with world.sync(None, email="editor@example.com", password=PASSWORD, transport=transport) as c:
        list(c.workflows.list(limit=1))
        assert transport.sent[0] == ("POST", "/api/v1/auth/login")
        session = c._session
        first_refresh = session.refresh_token
        # Given an access token the server no longer accepts
        session.access_token = "expired.or.revoked"
        # When a call is made, the client refreshes once and sends the call again
        sent_before = len(transport.sent)
        list(c.workflows.list(limit=1))
        assert transport.sent[sent_before:] == [
            ("GET", "/api/v1/workflows"),
            ("POST", "/api/v1/auth/refresh"),
            ("GET", "/api/v1/workflows"),
        ]
        assert session.refresh_token != first_refresh  # refresh tokens rotate
        tokens = c.login("viewer@example.com", PASSWORD)
        assert set(tokens) >= {"access_token", "refresh_token"}
        assert tokens["user"]["email"] == "viewer@example.com"
    wrong = world.sync(None, email="editor@example.com", password="wrong password")
    with wrong as c, pytest.raises(Unauthorized):
        list(c.workflows.list())


def test_refresh_that_fails_asks_to_log_in_again(world: ClientWorld) -> None:
    with world.sync(None, email="editor@example.com", password=PASSWORD) as c:
        c.login("editor@example.com", PASSWORD)
        c._session.access_token = "bad"
        c._session.refresh_token = "not-a-refresh-token"
        with pytest.raises(Unauthorized, match="log in again"):
            c.workflows.get("whatever")


def test_workflow_crud_versions_activation_and_export_round_trip(world: ClientWorld) -> None:
    with world.sync("editor") as c:
        made = c.workflows.create(workflow_doc(unique("CRUD")), project_id=world.p)
        assert isinstance(made, Workflow) and made.version == 1 and not made.active
        assert [node["name"] for node in made.nodes] == ["Start", "A", "B"]
        doc = made.to_n8n()
        doc["name"] = made.name + " v2"
        updated = c.workflows.update(made.id, doc, expected_version=1)
        assert updated.version == 2 and updated.name.endswith(" v2")
        with pytest.raises(Conflict) as stale:
            c.workflows.update(made.id, doc, expected_version=1)
        assert stale.value.status == 409
        assert c.workflows.activate(made.id).active
        assert not c.workflows.deactivate(made.id).active
        exported = c.workflows.export(made.id)
        assert exported["id"] == made.id and exported["versionId"] == "2"
        copy = c.workflows.import_(exported, project_id=world.p)
        assert copy.id != made.id and copy.to_n8n() == updated.to_n8n()
        again = c.workflows.create(exported, project_id=world.p)  # export fields dropped
        assert again.nodes == made.nodes
        for wid in (made.id, copy.id, again.id):
            c.workflows.delete(wid)
        with pytest.raises(NotFound) as gone:
            c.workflows.get(made.id)
        assert gone.value.status == 404 and gone.value.code == "not_found"
        assert made.id in gone.value.message


def test_builder_flows_and_parsed_workflows_are_accepted(world: ClientWorld) -> None:
    trigger = n.ManualTrigger()
    trigger >> n.Set(assignments=[assign("y", expr("$json.x * 2"), "number")])
    flow = Flow(unique("Built"), trigger)
    with world.sync("owner") as c:
        from_flow = c.workflows.create(flow)
        assert from_flow.to_n8n()["connections"] == flow.to_json()["connections"]
        parsed = n8nwork.Workflow.from_json(workflow_doc(unique("Parsed")))
        assert c.workflows.create(parsed).nodes == parsed.to_json()["nodes"]
        done = c.run(flow, items=[{"x": 21}])
        assert done.output() == [{"y": 42}]
        with pytest.raises(TypeError, match="n8n JSON"):
            c.workflows.create(42)


def test_lists_follow_pages_lazily(world: ClientWorld) -> None:
    prefix = unique("Paged")
    transport = world.transport()
    with world.sync("owner", transport=transport) as c:
        made = {c.workflows.create(workflow_doc(f"{prefix} #{i}")).id for i in range(5)}
        sent = len(transport.sent)
        pages = c.workflows.list(name=prefix, limit=2)
        assert len(transport.sent) == sent  # nothing fetched before iterating
        first = next(pages)
        assert len(transport.sent) == sent + 1
        listed = {first.id} | {w.id for w in pages}
        assert listed == made
        assert [m for m, _ in transport.sent[sent:]] == ["GET"] * 3  # 2 + 2 + 1
        wid = sorted(made)[0]
        runs = [c.run(wid, wait=False).id for _ in range(3)]
        for eid in runs:
            c.executions.wait(eid, timeout=30)
        found = [e.id for e in c.executions.list(workflow_id=wid, limit=2)]
        assert sorted(found) == sorted(runs)
        assert [e.id for e in c.executions.list(workflow_id=wid, status="success")] == found
        with pytest.raises(TypeError, match="unknown filter"):
            c.workflows.list(colour="red")


def test_run_waits_and_returns_outputs_per_node(world: ClientWorld) -> None:
    with world.sync("editor") as c:
        wid = c.workflows.create(workflow_doc(unique("Run")), project_id=world.p).id
        done = c.run(wid, items=[{"n": 3}, {"n": 4}])
        assert isinstance(done, Execution)
        assert done.status == "success" and done.finished and done.workflow_id == wid
        assert done.output() == [
            {"n": 3, "a": "3", "b": "done"},
            {"n": 4, "a": "4", "b": "done"},
        ]
        assert done.output("A") == [{"n": 3, "a": "3"}, {"n": 4, "a": "4"}]
        assert done.items("B")[0]["json"]["b"] == "done"
        nodes = {node.name: node for node in done.nodes}
        assert list(nodes) == ["Start", "A", "B"]
        assert all(node.status == "success" and node.items == 2 for node in nodes.values())
        assert all(node.duration_ms >= 0 and node.error is None for node in nodes.values())
        with pytest.raises(KeyError, match="did not run"):
            done.output("Nope")
        # Without waiting: the execution as started; then wait for it
        started = c.run(wid, items=[{"n": 1}], wait=False)
        finished = c.executions.wait(started.id, timeout=30)
        assert finished.status == "success" and finished.output() == [
            {"n": 1, "a": "1", "b": "done"}
        ]
        brief = c.executions.get(started.id, include_data=False)
        with pytest.raises(ValueError, match="without its data"):
            brief.output()
        # A document runs too: it is saved first as a new workflow
        adhoc = c.run(workflow_doc(unique("Ad hoc")), items=[{"n": 9}])
        assert adhoc.output()[0]["a"] == "9" and adhoc.workflow_id != wid


def test_watch_yields_events_until_the_run_finished(world: ClientWorld) -> None:
    with world.sync("owner") as c:
        wid = c.workflows.create(workflow_doc(unique("Watched"))).id
        started = c.run(wid, items=[{"n": 2}], wait=False)
        events = list(c.executions.watch(started.id))
        kinds = [e.type for e in events]
        assert kinds[0] == "started"
        assert kinds[-1] == "finished" and events[-1].terminal
        assert events[-1].data["status"] == "success"
        after = [e.data["node"] for e in events if e.type == "nodeFinished"]
        assert after == ["Start", "A", "B"]
        assert all(e.id for e in events[:-1])
        # Watching a finished run replays what is left and ends
        assert list(c.executions.watch(started.id))[-1].terminal


def failing_doc(name: str, message: str = "boom") -> dict[str, Any]:
    """Start → A (Set) → Fail (Stop and Error with ``message``)."""
    doc = workflow_doc(name)
    doc["nodes"][2] = {
        "id": "f",
        "name": "Fail",
        "type": "n8n-nodes-base.stopAndError",
        "typeVersion": 1,
        "position": [400, 0],
        "parameters": {"errorMessage": message},
    }
    doc["connections"]["A"]["main"][0][0]["node"] = "Fail"
    return doc


def test_failed_run_cancel_retry_and_delete(world: ClientWorld) -> None:
    with world.sync("owner") as c:
        failed = c.run(failing_doc(unique("Fails")), items=[{"n": 1}])
        assert failed.status == "error"
        assert failed.error is not None
        errored = [node for node in failed.nodes if node.status == "error"]
        assert [node.name for node in errored] == ["Fail"] and errored[0].error == "boom"
        retried = c.executions.retry(failed.id)
        assert retried.retry_of == failed.id and retried.mode == "retry"
        c.executions.wait(retried.id, timeout=30)
        c.executions.delete(retried.id)
        with pytest.raises(NotFound):
            c.executions.get(retried.id)
        with pytest.raises(Conflict):
            c.executions.cancel(failed.id)  # it already finished


def test_typed_errors_of_real_answers(world: ClientWorld) -> None:
    with world.sync("viewer") as viewer:
        wid = world.workflow(world.p)
        assert viewer.workflows.get(wid).id == wid
        with pytest.raises(Forbidden) as forbidden:
            viewer.workflows.update(wid, workflow_doc())
        assert forbidden.value.status == 403
        with pytest.raises(NotFound):
            viewer.workflows.get(world.workflow(world.q))  # no role in Q: as if missing
    with world.sync("owner") as c:
        with pytest.raises(ValidationFailed) as invalid:
            c.workflows.create({**workflow_doc(), "evil": True})
        assert invalid.value.status == 422 and invalid.value.code == "validation_error"
        assert {"loc": "evil", "msg": "Extra inputs are not permitted"} in invalid.value.fields
        assert "evil" in str(invalid.value)
        bad_node = workflow_doc()
        bad_node["nodes"][1]["type"] = "n8n-nodes-base.doesNotExist"
        with pytest.raises(ValidationFailed) as unknown:
            c.workflows.create(bad_node)
        assert unknown.value.fields[0]["loc"] == "nodes"
        assert "doesNotExist" in unknown.value.fields[0]["msg"]
        assert unknown.value.details["error"]["status"] == 422
        assert unknown.value.request_id
    with world.sync(None) as anonymous, pytest.raises(Unauthorized):
        anonymous.workflows.get("x")


def test_credentials_and_users(world: ClientWorld) -> None:
    secret = "client-test-secret-value"
    with world.sync("owner") as c:
        made = c.credentials.create("basic", "httpBasicAuth", {"user": "u", "password": secret})
        assert made.type == "httpBasicAuth" and secret not in made.model_dump_json()
        assert made.id in {x.id for x in c.credentials.list()}
        c.credentials.delete(made.id)
        assert made.id not in {x.id for x in c.credentials.list()}
        email = f"{unique('user').replace(' ', '')}@example.com"
        user = c.users.create(email, role="member", password="long enough pw", first_name="Ann")
        assert user.role == "global:member" and user.first_name == "Ann"
        assert email in {u.email for u in c.users.list()}
        assert c.users.disable(user.id).disabled
        assert not c.users.enable(user.id).disabled
        with pytest.raises(ValidationFailed) as short:
            c.users.create(f"x{email}", password="short")
        assert short.value.fields == [{"loc": "password", "msg": "at least 8 characters"}]


def test_bad_arguments_fail_before_any_request(world: ClientWorld) -> None:
    transport = world.transport()
    with world.sync("owner", transport=transport) as c:
        with pytest.raises(ValueError, match="workflow id"):
            c.workflows.get("")
        with pytest.raises(ValueError, match="timeout"):
            c.run("x", timeout=0)
        with pytest.raises(TypeError, match="items"):
            c.run("x", items=[1, 2])  # type: ignore[list-item]
    assert transport.sent == []
    with pytest.raises(ValueError, match="http"):
        Client("127.0.0.1:8000")
    with pytest.raises(ValueError, match="email and password"):
        Client("http://x", email="a@b.c")


def test_wait_timeout_leaves_the_run_going_until_canceled(world: ClientWorld) -> None:
    doc = workflow_doc(unique("Slow"))
    doc["nodes"].append(
        {
            "id": "w",
            "name": "Wait",
            "type": "n8n-nodes-base.wait",
            "typeVersion": 1.1,
            "position": [600, 0],
            "parameters": {"resume": "timeInterval", "amount": 60, "unit": "seconds"},
        }
    )
    doc["connections"]["B"] = {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}
    with world.sync("owner") as c:
        with pytest.raises(WaitTimeout) as late:
            c.run(doc, timeout=0.5)
        assert "within 0.5 s" in str(late.value)
        eid = late.value.execution_id
        assert not c.executions.get(eid, include_data=False).finished
        c.executions.cancel(eid)
        assert c.executions.wait(eid, timeout=30).status == "canceled"
