"""Security headers on every answer (API, errors, health, docs, webhooks, through the Serve
front door too), HSTS only behind https, and CORS off unless origins are configured."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest

from n8nwork.cache import MemoryCache
from n8nwork.settings import SecuritySettings, Settings
from n8nwork.store import open_store
from n8nwork.store.repo.users import create_user
from serve import create_app
from serve.front_door import FrontDoor
from tests.unit.serve.conftest import PASSWORD, UNLIMITED, ApiClient
from tests.unit.serve.test_webhooks_api import webhook_workflow

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiClient, dict[str, str]]]:
    yield from _client(Path(tmp_path_factory.mktemp("headers")), Settings)


def _client(
    tmp: Path, make: type[Settings], **settings: object
) -> Iterator[tuple[ApiClient, dict[str, str]]]:
    the_settings = make(data_dir=tmp, **settings)  # type: ignore[arg-type]
    store = open_store(the_settings)
    with store.sessions() as s, s.begin():
        create_user(session=s, email="o@example.com", password=PASSWORD, role="global:owner")
    app = create_app(the_settings, store=store, cache=MemoryCache(), config=UNLIMITED)
    client = ApiClient(cast(Any, FrontDoor(app)))
    try:
        r = client.post("/api/v1/auth/login", json={"email": "o@example.com", "password": PASSWORD})
        yield client, {"Authorization": f"Bearer {r.json()['accessToken']}"}
    finally:
        client.close()
        store.close()


def has_base_headers(headers: object) -> None:
    for name, value in EVERYWHERE.items():
        assert headers[name] == value, name  # type: ignore[index]


def test_api_answers_and_errors_carry_the_headers(api: tuple[ApiClient, dict[str, str]]) -> None:
    client, auth = api
    answers = [
        client.get("/api/v1/auth/me", headers=auth),  # 200
        client.get("/api/v1/auth/me"),  # 401
        client.get("/api/v1/workflows/nope", headers=auth),  # 404
        client.post(
            "/api/v1/workflows", content=b"x", headers={**auth, "content-type": "text/plain"}
        ),  # 415 (guard)
        client.get("/api/v1/nowhere"),  # 404 without a route
    ]
    assert [r.status_code for r in answers] == [200, 401, 404, 415, 404]
    for r in answers:
        has_base_headers(r.headers)
        assert r.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "strict-transport-security" not in r.headers  # plain http public URL
    health = client.get("/healthz")
    has_base_headers(health.headers)
    assert "default-src 'none'" in health.headers["content-security-policy"]


def test_docs_csp_allows_exactly_the_swagger_ui(api: tuple[ApiClient, dict[str, str]]) -> None:
    client, _ = api
    r = client.get("/docs")
    assert r.status_code == 200
    has_base_headers(r.headers)
    csp = r.headers["content-security-policy"]
    # Swagger UI's bundle and styles come from its CDN; its one inline script is allowed by
    # hash (nothing else inline may run); it fetches the document from this origin.
    assert "script-src https://cdn.jsdelivr.net 'sha256-" in csp
    inline = re.findall(rb"<script>(.*?)</script>", r.content, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "connect-src 'self'" in csp
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist" in r.text
    assert client.get("/openapi.json").status_code == 200


def test_webhook_answers_through_the_front_door_carry_the_headers(
    api: tuple[ApiClient, dict[str, str]],
) -> None:
    client, auth = api
    r = client.post("/api/v1/workflows", json=webhook_workflow("hdr"), headers=auth)
    wid = r.json()["id"]
    assert client.post(f"/api/v1/workflows/{wid}/activate", headers=auth).status_code == 200
    for r in (
        client.post("/webhook/hdr", json={"x": 1}),  # the workflow's answer
        client.post("/webhook/nowhere", json={}),  # 404
        client.request("TRACE", "/webhook/hdr"),  # 405 at the door
    ):
        has_base_headers(r.headers)
        assert "content-security-policy" not in r.headers  # the workflow's content
    assert client.post("/webhook/hdr", json={"x": 1}).status_code == 200


def test_hsts_when_the_public_url_is_https(tmp_path: Path) -> None:
    for client, auth in _client(tmp_path, Settings, public_url="https://flows.example.com"):
        for r in (client.get("/api/v1/auth/me", headers=auth), client.get("/healthz")):
            assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_cors_is_off_by_default(api: tuple[ApiClient, dict[str, str]]) -> None:
    client, _ = api
    origin = {"Origin": "https://evil.example.com"}
    preflight = client.request(
        "OPTIONS", "/api/v1/auth/me", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers


def test_cors_for_configured_origins_only(tmp_path: Path) -> None:
    allowed = "https://app.example.com"
    for client, auth in _client(
        tmp_path, Settings, security=SecuritySettings(cors_origins=(allowed,))
    ):
        ask = {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        }
        ok = client.request("OPTIONS", "/api/v1/auth/me", headers={"Origin": allowed, **ask})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == allowed
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        has_base_headers(ok.headers)
        r = client.get("/api/v1/auth/me", headers={"Origin": allowed, **auth})
        assert r.headers["access-control-allow-origin"] == allowed
        bad = client.request(
            "OPTIONS", "/api/v1/auth/me", headers={"Origin": "https://evil.example.com", **ask}
        )
        assert bad.status_code == 400
        assert "access-control-allow-origin" not in bad.headers
        r = client.get("/api/v1/auth/me", headers={"Origin": "https://evil.example.com", **auth})
        assert "access-control-allow-origin" not in r.headers


def test_an_unexpected_error_answer_carries_them_too(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    app = create_app(settings, store=store, cache=MemoryCache(), config=UNLIMITED)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/boom")

    try:
        r = anyio.run(call)
    finally:
        store.close()
    assert r.status_code == 500 and "a bug" not in r.text
    has_base_headers(r.headers)
