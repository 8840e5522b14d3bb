"""Sessions and the audit log, on SQLite and PostgreSQL: a reused refresh token revokes its
whole login (and is audited); every login, failed login, API key and credential change is
in the audit log, with who and from where, and never with a secret."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.api.conftest import Seeded
from tests.unit.serve.conftest import PASSWORD

pytestmark = pytest.mark.integration


def audit(seeded: Seeded) -> list[dict[str, Any]]:
    client = seeded.world.client
    r = client.get("/api/v1/audit?limit=250", headers=seeded.world.headers("owner"))
    assert r.status_code == 200, r.text
    return list(reversed(r.json()["data"]))


def refresh(seeded: Seeded, token: str) -> Any:
    return seeded.world.client.post("/api/v1/auth/refresh", json={"refreshToken": token})


def test_a_reused_refresh_token_revokes_its_whole_login(seeded: Seeded) -> None:
    client = seeded.world.client
    first = client.post(
        "/api/v1/auth/login", json={"email": "member@example.com", "password": PASSWORD}
    ).json()["refreshToken"]
    # Given a rotation: the first token was exchanged for a second
    second = refresh(seeded, first)
    assert second.status_code == 200, second.text
    second_token = second.json()["refreshToken"]
    # When the first comes back (someone copied it)
    reused = refresh(seeded, first)
    # Then it is refused, and so is every token of that login, also the newest
    assert reused.status_code == 401 and "already used" in reused.json()["error"]["message"]
    assert refresh(seeded, second_token).status_code == 401
    # But another login of the same user lives on
    other = refresh(seeded, seeded.refresh["member"])
    assert other.status_code == 200, other.text
    seeded.refresh["member"] = other.json()["refreshToken"]
    (entry,) = [e for e in audit(seeded) if e["action"] == "auth.refreshReused"]
    assert entry["targetId"] == seeded.world.users["member"] and entry["ip"] == "127.0.0.1"
    assert first not in str(entry) and second_token not in str(entry)


def test_logins_keys_and_credentials_are_audited(seeded: Seeded) -> None:
    world = seeded.world
    client, member = world.client, world.headers("member")
    user = world.users["member"]
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "member@example.com", "password": "nope!"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "member@example.com", "password": PASSWORD}
        ).status_code
        == 200
    )
    key = client.post("/api/v1/api-keys", json={"name": "ci"}, headers=member).json()
    assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=member).status_code == 204
    secret = "credential-secret-value-42"
    cred = client.post(
        "/api/v1/credentials",
        json={"name": "c", "type": "httpHeaderAuth", "data": {"name": "X-Key", "value": secret}},
        headers=member,
    ).json()
    changed = client.patch(
        f"/api/v1/credentials/{cred['id']}",
        json={"data": {"value": secret + "-2"}},
        headers=member,
    )
    assert changed.status_code == 200
    assert client.delete(f"/api/v1/credentials/{cred['id']}", headers=member).status_code == 204

    entries = [e for e in audit(seeded) if e["actorId"] in (user, None)]
    by_action = {e["action"]: e for e in entries}
    assert by_action["auth.loginFailed"]["targetId"] == user
    assert by_action["auth.login"]["actorId"] == user
    assert by_action["apiKey.created"]["targetId"] == key["id"]
    assert by_action["apiKey.revoked"]["targetId"] == key["id"]
    for action in ("credential.created", "credential.updated", "credential.deleted"):
        assert by_action[action]["targetId"] == cred["id"], action
        assert by_action[action]["actorId"] == user
    assert by_action["credential.updated"]["details"]["fields"] == ["value"]
    assert all(e["ip"] == "127.0.0.1" for e in by_action.values())
    # No secret in the audit log: not the key, not the credential's values, not a password
    text = str(audit(seeded))
    for value in (key["key"], secret, PASSWORD, "nope!"):
        assert value not in text
    assert not seeded.leaks(text)
