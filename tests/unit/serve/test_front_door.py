"""The replica's front door (``serve.front_door``): webhook calls skip the framework's
middleware but keep the per-address rate limit, the method check and a clean answer for
errors; every other request goes to the app unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from n8nwork.cache import MemoryCache
from n8nwork.store.repo.users import create_user
from serve import ApiConfig, create_app
from serve.config import RateLimit
from serve.front_door import FrontDoor
from tests.unit.serve.conftest import PASSWORD, ApiClient, make_store
from tests.unit.serve.test_webhooks_api import webhook_workflow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiClient, str]]:
    settings, store = make_store(Path(tmp_path_factory.mktemp("front")))
    with store.sessions() as s, s.begin():
        create_user(session=s, email="o@example.com", password=PASSWORD, role="global:owner")
    config = ApiConfig(webhook_ip_limit=RateLimit(0.001, 30.0))
    client = ApiClient(FrontDoor(create_app(settings, store=store, cache=MemoryCache(),
                                            config=config)))  # fmt: skip
    try:
        r = client.post("/api/v1/auth/login", json={"email": "o@example.com", "password": PASSWORD})
        yield client, str(r.json()["accessToken"])
    finally:
        client.close()
        store.close()


def test_webhooks_answer_through_the_front_door_and_the_api_still_works(
    client: tuple[ApiClient, str],
) -> None:
    api, token = client
    headers = {"Authorization": f"Bearer {token}"}
    r = api.post("/api/v1/workflows", json=webhook_workflow("front"), headers=headers)
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    assert api.post(f"/api/v1/workflows/{wid}/activate", headers=headers).status_code == 200
    r = api.post("/webhook/front", json={"x": 4})
    assert r.status_code == 200 and r.json() == {"y": 8}
    assert api.get("/webhook/front").status_code == 405
    assert api.post("/webhook/nowhere", json={}).status_code == 404
    r = api.request("TRACE", "/webhook/front")
    assert r.status_code == 405 and "allow" in r.headers
    assert api.get("/healthz").json() == {"status": "ok"}


def test_the_webhook_rate_limit_holds_at_the_front_door(client: tuple[ApiClient, str]) -> None:
    api, _ = client
    statuses = [api.post("/webhook/nowhere", json={}).status_code for _ in range(40)]
    assert 429 in statuses
    refused = api.post("/webhook/nowhere", json={})
    assert refused.status_code == 429 and "retry-after" in refused.headers
