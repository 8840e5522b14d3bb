"""``AsyncClient`` against the real API app over ``httpx.ASGITransport`` (SQLite and
PostgreSQL): the same operations as ``Client``, awaited, with async iterators."""

from __future__ import annotations

import httpx
import pytest

from n8nwork.client import (
    AsyncClient,
    Forbidden,
    NotFound,
    ServerUnavailable,
    Unauthorized,
    ValidationFailed,
)
from tests.unit.client.conftest import ClientWorld, CountingAsyncTransport
from tests.unit.client.test_client_sync import unique
from tests.unit.serve.conftest import PASSWORD, workflow_doc


def test_crud_pages_and_errors(world: ClientWorld) -> None:
    prefix = unique("Async paged")

    async def scenario(c: AsyncClient) -> None:
        made = {(await c.workflows.create(workflow_doc(f"{prefix} #{i}"))).id for i in range(3)}
        listed = {w.id async for w in c.workflows.list(name=prefix, limit=2)}
        assert listed == made
        wid = sorted(made)[0]
        got = await c.workflows.get(wid)
        doc = got.to_n8n()
        doc["name"] = prefix + " renamed"
        assert (await c.workflows.update(wid, doc)).version == 2
        assert (await c.workflows.activate(wid)).active
        assert not (await c.workflows.deactivate(wid)).active
        copy = await c.workflows.import_(await c.workflows.export(wid))
        assert copy.nodes == got.nodes
        await c.workflows.delete(copy.id)
        with pytest.raises(NotFound):
            await c.workflows.get(copy.id)
        with pytest.raises(ValidationFailed) as invalid:
            await c.workflows.create({**workflow_doc(), "evil": 1})
        assert invalid.value.fields[0]["loc"] == "evil"
        key = await c.keys.create("async", scopes=["workflow:read"])
        assert key.id in {k.id for k in await c.keys.list()}
        await c.keys.revoke(key.id)
        assert world.users["viewer"] in {u.id for u in await c.users.list()}
        cred = await c.credentials.create("c", "httpBasicAuth", {"user": "u", "password": "p"})
        assert cred.id in {x.id for x in await c.credentials.list()}
        await c.credentials.delete(cred.id)

    world.run_async(scenario)


def test_run_wait_watch_and_retry(world: ClientWorld) -> None:
    async def scenario(c: AsyncClient) -> None:
        wid = (await c.workflows.create(workflow_doc(unique("Async run")))).id
        done = await c.run(wid, items=[{"n": 5}])
        assert done.status == "success" and done.output() == [{"n": 5, "a": "5", "b": "done"}]
        started = await c.run(wid, items=[{"n": 6}], wait=False)
        kinds = [e.type async for e in c.executions.watch(started.id)]
        assert kinds[0] == "started"
        assert kinds[-1] == "finished"
        waited = await c.executions.wait(started.id, timeout=30)
        assert waited.output("A") == [{"n": 6, "a": "6"}]
        found = [e.id async for e in c.executions.list(workflow_id=wid, limit=1)]
        assert sorted(found) == sorted([done.id, started.id])
        await c.executions.delete(done.id)

    world.run_async(scenario)


def test_login_refresh_and_permissions(world: ClientWorld) -> None:
    transport = CountingAsyncTransport(world.client.app)

    async def scenario(c: AsyncClient) -> None:
        assert (await c.login("viewer@example.com", PASSWORD))["access_token"]
        wid = world.workflow(world.p)
        c._session.access_token = "stale"
        assert (await c.workflows.get(wid)).id == wid
        assert [p for _, p in transport.sent[-3:]] == [
            f"/api/v1/workflows/{wid}",
            "/api/v1/auth/refresh",
            f"/api/v1/workflows/{wid}",
        ]
        with pytest.raises(Forbidden):
            await c.workflows.delete(wid)

    world.run_async(scenario, email="viewer@example.com", password=PASSWORD, transport=transport)

    async def anonymous(c: AsyncClient) -> None:
        with pytest.raises(Unauthorized):
            await c.workflows.get("x")

    world.run_async(anonymous, api_key="n8nw_not_a_key")


@pytest.mark.anyio
async def test_async_retries_get_not_post() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return httpx.Response(503, headers={"Retry-After": "0"})

    async with AsyncClient(
        "http://api", token="t", retries=2, transport=httpx.MockTransport(handler)
    ) as c:
        with pytest.raises(ServerUnavailable) as unavailable:
            await c.keys.list()
        assert seen == ["GET"] * 3 and unavailable.value.retry_after == 0
        seen.clear()
        with pytest.raises(ServerUnavailable):
            await c.keys.create("k")
        assert seen == ["POST"]
