"""Authentication: logins, access tokens (JWT), refresh-token rotation, logout, password
change, API keys (n8n's header and Bearer), scopes, disabled users, rate limits."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from serve import ApiConfig, RateLimit
from tests.unit.serve.conftest import PASSWORD, World, build_world


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def me(world: World, token: str) -> int:
    return world.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def test_login_and_wrong_credentials(world: World) -> None:
    good = world.client.post(
        "/api/v1/auth/login", json={"email": "EDITOR@example.com", "password": PASSWORD}
    )
    assert good.status_code == 200
    body = good.json()
    assert body["user"]["email"] == "editor@example.com" and body["tokenType"] == "bearer"
    assert "passwordHash" not in body["user"]
    wrong = world.client.post(
        "/api/v1/auth/login", json={"email": "editor@example.com", "password": "nope"}
    )
    unknown = world.client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.com", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # no hint which part was wrong
    assert me(world, body["accessToken"]) == 200


@pytest.mark.parametrize(
    "forge",
    [
        "wrong-signature",
        "alg-none",
        "alg-none-unsigned",
        "hs512",
        "expired",
        "no-exp",
        "garbage",
        "refresh-as-access",
    ],
)
def test_bad_access_tokens_are_refused(world: World, forge: str) -> None:
    token = world.tokens["viewer"]
    claims = claims_of(token)
    secret = world.client.app.state.ctx.settings.jwt_secret()
    forged = {
        "wrong-signature": lambda: jwt.encode(claims, "x" * 64, algorithm="HS256"),
        "alg-none": lambda: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.",
        "alg-none-unsigned": lambda: f"{b64({'alg': 'none'})}.{b64(claims)}",
        "hs512": lambda: jwt.encode(claims, secret, algorithm="HS512"),
        "expired": lambda: jwt.encode(
            {**claims, "exp": int(time.time()) - 1}, secret, algorithm="HS256"
        ),
        "no-exp": lambda: jwt.encode(
            {k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256"
        ),
        "garbage": lambda: "a.b.c",
        "refresh-as-access": lambda: world.client.post(
            "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
        ).json()["refreshToken"],
    }[forge]()
    response = world.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_refresh_rotates_and_reuse_revokes_the_login(world: World) -> None:
    login = world.client.post(
        "/api/v1/auth/login", json={"email": "padmin@example.com", "password": PASSWORD}
    ).json()
    first = world.client.post("/api/v1/auth/refresh", json={"refreshToken": login["refreshToken"]})
    assert first.status_code == 200
    second_refresh = first.json()["refreshToken"]
    assert second_refresh != login["refreshToken"]
    assert me(world, first.json()["accessToken"]) == 200
    # Replaying the rotated token: refused, and the whole family is revoked.
    replay = world.client.post("/api/v1/auth/refresh", json={"refreshToken": login["refreshToken"]})
    assert replay.status_code == 401
    after = world.client.post("/api/v1/auth/refresh", json={"refreshToken": second_refresh})
    assert after.status_code == 401


def test_logout_revokes_access_and_refresh(world: World) -> None:
    login = world.client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {login['accessToken']}"}
    assert world.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert me(world, login["accessToken"]) == 401
    refreshed = world.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": login["refreshToken"]}
    )
    assert refreshed.status_code == 401
    assert world.client.post("/api/v1/auth/logout").status_code == 401
    assert me(world, world.tokens["admin"]) == 200  # other logins are untouched


def test_change_password(tmp_path: Path) -> None:
    for world in build_world(tmp_path):
        token = world.tokens["editor"]
        headers = {"Authorization": f"Bearer {token}"}
        wrong = world.client.post(
            "/api/v1/auth/change-password",
            json={"currentPassword": "nope", "newPassword": "another long one"},
            headers=headers,
        )
        assert wrong.status_code == 422
        assert wrong.json()["error"]["fields"][0]["field"] == "currentPassword"
        short = world.client.post(
            "/api/v1/auth/change-password",
            json={"currentPassword": PASSWORD, "newPassword": "short"},
            headers=headers,
        )
        assert short.status_code == 422
        ok = world.client.post(
            "/api/v1/auth/change-password",
            json={"currentPassword": PASSWORD, "newPassword": "another long one"},
            headers=headers,
        )
        assert ok.status_code == 204
        assert me(world, token) == 401  # tokens issued before the change are dead
        world.login("editor@example.com", "another long one")
        old = world.client.post(
            "/api/v1/auth/login", json={"email": "editor@example.com", "password": PASSWORD}
        )
        assert old.status_code == 401


def test_disabled_user_is_refused_at_once(world: World) -> None:
    uid = world.user()
    world.client.post(
        "/api/v1/users",
        json={"email": "dis@example.com", "password": PASSWORD},
        headers=world.headers("owner"),
    )
    token = world.login("dis@example.com")
    key = world.client.post(
        "/api/v1/api-keys", json={"name": "k"}, headers={"Authorization": f"Bearer {token}"}
    ).json()["key"]
    target = world.client.get("/api/v1/users", headers=world.headers("owner")).json()["data"]
    dis_id = next(u["id"] for u in target if u["email"] == "dis@example.com")
    r = world.client.patch(
        f"/api/v1/users/{dis_id}", json={"disabled": True}, headers=world.headers("admin")
    )
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert me(world, token) == 401
    assert world.client.get("/api/v1/auth/me", headers={"X-N8N-API-KEY": key}).status_code == 401
    again = world.client.post(
        "/api/v1/auth/login", json={"email": "dis@example.com", "password": PASSWORD}
    )
    assert again.status_code == 401
    assert uid


def test_owner_and_admin_limits(world: World) -> None:
    owner = world.users["owner"]
    assert (
        world.client.patch(
            f"/api/v1/users/{owner}", json={"disabled": True}, headers=world.headers("admin")
        ).status_code
        == 403
    )
    made = world.client.post(
        "/api/v1/users",
        json={"email": "adm2@example.com", "role": "global:admin"},
        headers=world.headers("admin"),
    )
    assert made.status_code == 403  # only the owner makes admins
    made = world.client.post(
        "/api/v1/users",
        json={"email": "adm2@example.com", "role": "global:admin"},
        headers=world.headers("owner"),
    )
    assert made.status_code == 201
    assert (
        world.client.patch(
            f"/api/v1/users/{made.json()['id']}",
            json={"role": "global:member"},
            headers=world.headers("admin"),
        ).status_code
        == 403
    )
    bad_role = world.client.post(
        "/api/v1/users",
        json={"email": "x@example.com", "role": "global:owner"},
        headers=world.headers("owner"),
    )
    assert bad_role.status_code == 422


def test_api_keys(world: World) -> None:
    created = world.client.post(
        "/api/v1/api-keys", json={"name": "ci"}, headers=world.headers("editor")
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(created.json()["prefix"])
    listed = world.client.get("/api/v1/api-keys", headers=world.headers("editor")).json()
    entry = next(k for k in listed if k["id"] == created.json()["id"])
    assert "key" not in entry and entry["prefix"] == created.json()["prefix"]
    assert key not in json.dumps(listed)
    for headers in ({"X-N8N-API-KEY": key}, {"Authorization": f"Bearer {key}"}):
        r = world.client.get("/api/v1/auth/me", headers=headers)
        assert r.status_code == 200 and r.json()["email"] == "editor@example.com"
    listed = world.client.get("/api/v1/api-keys", headers=world.headers("editor")).json()
    assert next(k for k in listed if k["id"] == created.json()["id"])["lastUsedAt"] is not None
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert world.client.get("/api/v1/auth/me", headers={"X-N8N-API-KEY": wrong}).status_code == 401
    revoked = world.client.delete(
        f"/api/v1/api-keys/{created.json()['id']}", headers=world.headers("editor")
    )
    assert revoked.status_code == 204
    assert world.client.get("/api/v1/auth/me", headers={"X-N8N-API-KEY": key}).status_code == 401
    # someone else's key is not yours to revoke (and does not exist for you)
    other = world.client.post(
        "/api/v1/api-keys", json={"name": "o"}, headers=world.headers("viewer")
    )
    assert (
        world.client.delete(
            f"/api/v1/api-keys/{other.json()['id']}", headers=world.headers("editor")
        ).status_code
        == 404
    )


def test_api_key_scopes(world: World) -> None:
    bad = world.client.post(
        "/api/v1/api-keys",
        json={"name": "x", "scopes": ["workflow:read", "root:all"]},
        headers=world.headers("editor"),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == [
        {"field": "scopes.1", "problem": "unknown scope 'root:all'"}
    ]
    scoped = world.client.post(
        "/api/v1/api-keys",
        json={"name": "read", "scopes": ["workflow:read", "apiKey:manage"]},
        headers=world.headers("editor"),
    ).json()["key"]
    headers = {"X-N8N-API-KEY": scoped}
    wid = world.workflow(world.p)
    assert world.client.get(f"/api/v1/workflows/{wid}", headers=headers).status_code == 200
    assert world.client.delete(f"/api/v1/workflows/{wid}", headers=headers).status_code == 403
    assert world.client.get("/api/v1/executions", headers=headers).status_code == 403
    broader = world.client.post(
        "/api/v1/api-keys", json={"name": "more", "scopes": ["workflow:delete"]}, headers=headers
    )
    assert broader.status_code == 403
    everything = world.client.post("/api/v1/api-keys", json={"name": "all"}, headers=headers)
    assert everything.status_code == 403
    # a key cannot lift its user's role: a viewer's key cannot delete in P
    viewer_key = world.client.post(
        "/api/v1/api-keys", json={"name": "v"}, headers=world.headers("viewer")
    ).json()["key"]
    assert (
        world.client.delete(
            f"/api/v1/workflows/{wid}", headers={"X-N8N-API-KEY": viewer_key}
        ).status_code
        == 403
    )


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[World]:
    config = ApiConfig(
        ip_limit=RateLimit(1.0, 30.0),
        principal_limit=RateLimit(1.0, 5.0),
        login_limit=RateLimit(0.1, 6.0),
    )
    yield from build_world(tmp_path, config)


def test_rate_limits(limited: World) -> None:
    world = limited
    # the fixture logged in five users: one login attempt is left for this address
    assert (
        world.client.post(
            "/api/v1/auth/login", json={"email": "viewer@example.com", "password": "x"}
        ).status_code
        == 401
    )
    locked = world.client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    statuses = [me(world, world.tokens["viewer"]) for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    assert me(world, world.tokens["editor"]) == 200  # per user
    codes = [world.client.get("/healthz").status_code for _ in range(40)]
    assert set(codes) == {200}  # health is never limited
    codes = [world.client.get("/api/v1/auth/me").status_code for _ in range(40)]
    assert codes[-1] == 429 and 401 in codes  # per address, before authentication


def test_role_changes_apply_at_once(world: World) -> None:
    # Given a member who used the API (their status is cached), when the owner makes them an
    # admin, then their next request already has the admin's rights (and back).
    world.client.post(
        "/api/v1/users",
        json={"email": "promoted@example.com", "password": PASSWORD},
        headers=world.headers("owner"),
    )
    token = world.login("promoted@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/users", headers=headers).status_code == 403
    uid = world.client.get("/api/v1/auth/me", headers=headers).json()["id"]
    for role, status in (("global:admin", 200), ("global:member", 403)):
        r = world.client.patch(
            f"/api/v1/users/{uid}", json={"role": role}, headers=world.headers("owner")
        )
        assert r.status_code == 200
        assert world.client.get("/api/v1/users", headers=headers).status_code == status
