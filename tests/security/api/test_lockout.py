"""Repeated failed logins lock the account (and the address) with exponential backoff: 429
with ``Retry-After``, checked before the password, audited, shared through the cache (Redis
and the in-process cache), cleared for the account by a good login."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis

from n8nwork.cache import Cache, MemoryCache, RedisCache
from serve import ApiConfig
from serve.auth.lockout import LoginLockout
from serve.config import Lockout
from tests.integration.cache.conftest import REDIS_URL, require_redis
from tests.security.api.conftest import Seeded, seeded_world
from tests.unit.serve.conftest import PASSWORD

pytestmark = pytest.mark.integration

EMAIL = "member@example.com"


def _drop(prefix: str) -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def cache_kind(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """The backend and (for Redis) a key prefix of this test's own, dropped afterwards."""
    prefix = f"n8nwork-test:{uuid.uuid4().hex}:"
    if request.param == "redis":
        require_redis()
    yield request.param, prefix
    if request.param == "redis":
        _drop(prefix)


def open_cache(kind: tuple[str, str]) -> Cache:
    name, prefix = kind
    return MemoryCache() if name == "memory" else RedisCache(REDIS_URL, prefix=prefix)


@pytest.fixture
def world(cache_kind: tuple[str, str], tmp_path: Path) -> Iterator[Seeded]:
    config = ApiConfig(
        ip_limit=None,
        principal_limit=None,
        login_limit=None,
        login_lockout=Lockout(free_failures=3, address_free_failures=12, base_s=1.0, max_s=2.0),
    )
    with seeded_world(tmp_path, None, config, cache=open_cache(cache_kind)) as seeded:
        yield seeded


def login(world: Seeded, email: str = EMAIL, password: str = "wrong password") -> Any:
    return world.world.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )


def audit(world: Seeded) -> list[dict[str, Any]]:
    r = world.world.client.get("/api/v1/audit?limit=250", headers=world.world.headers("owner"))
    assert r.status_code == 200, r.text
    return list(reversed(r.json()["data"]))


def test_account_lockout_backs_off_exponentially(world: Seeded) -> None:
    # Given three failures (the free ones) of one account
    assert [login(world).status_code for _ in range(3)] == [401, 401, 401]
    assert login(world, password=PASSWORD).status_code == 200  # a good login clears them
    assert [login(world).status_code for _ in range(3)] == [401, 401, 401]
    # When the fourth fails, the account is locked for 1 s: even the right password gets 429
    assert login(world).status_code == 401
    locked = login(world, password=PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "1"
    assert "account" in locked.json()["error"]["message"]
    assert "accessToken" not in locked.text
    # Then after the lock, the next failure locks for 2 s (doubling), up to max_s
    time.sleep(1.1)
    assert login(world).status_code == 401
    assert login(world).headers["retry-after"] == "2"
    time.sleep(2.1)
    assert login(world).status_code == 401
    assert login(world).headers["retry-after"] == "2"  # capped at max_s
    time.sleep(2.1)
    # And a good login after the lock works and clears the count
    assert login(world, password=PASSWORD).status_code == 200
    assert login(world).status_code == 401  # counted from zero again
    assert login(world, password=PASSWORD).status_code == 200
    # Every attempt that reached the password check is audited; locks are audited too
    actions = [e["action"] for e in audit(world)]
    assert actions.count("auth.loginFailed") == 3 + 3 + 1 + 1 + 1 + 1
    locks = [e for e in audit(world) if e["action"] == "auth.lockedOut"]
    assert [e["details"]["seconds"] for e in locks if e["details"]["scope"] == "account"] == [
        1.0,
        2.0,
        2.0,
    ]
    member = world.world.users["member"]
    assert all(e["targetId"] == member for e in locks if e["details"]["scope"] == "account")
    failed = [e for e in audit(world) if e["action"] == "auth.loginFailed"]
    assert all(e["targetId"] == member and e["ip"] == "127.0.0.1" for e in failed)


def test_address_lockout_covers_every_account_from_it(world: Seeded) -> None:
    # Given failures spread over unknown accounts (none reaches its own limit of 3)
    for i in range(12):
        assert login(world, email=f"nobody-{i}@example.com").status_code == 401
    # When one more fails, the address is locked, also for a valid account's right password
    assert login(world, email="nobody-else@example.com").status_code == 401
    r = login(world, email="admin@example.com", password=PASSWORD)
    assert r.status_code == 429 and "address" in r.json()["error"]["message"]
    entries = audit(world)
    unknown = [e for e in entries if e["action"] == "auth.loginFailed"]
    assert len(unknown) == 13 and all(e["details"] == {"unknownAccount": True} for e in unknown)
    assert all("nobody" not in str(e) for e in entries)  # attempted e-mails are not kept
    assert any(
        e["action"] == "auth.lockedOut" and e["details"]["scope"] == "address" for e in entries
    )


def test_the_lock_is_shared_between_replicas(cache_kind: tuple[str, str]) -> None:
    """Two replicas = two cache handles on the same state (Redis); in-process, one handle
    is one replica's state."""
    config = Lockout(free_failures=2, address_free_failures=50, base_s=30.0)

    async def scenario() -> None:
        first = open_cache(cache_kind)
        second = first if cache_kind[0] == "memory" else open_cache(cache_kind)
        try:
            a, b = LoginLockout(first, config), LoginLockout(second, config)
            for _ in range(2):
                assert await a.failed("x@example.com", "10.0.0.1") == []
            await b.check("x@example.com", "10.0.0.1")  # not yet locked
            (lock,) = await b.failed("X@Example.com ", "10.0.0.2")  # same account, other replica
            assert (lock.scope, lock.failures, lock.seconds) == ("account", 3, 30.0)
            with pytest.raises(Exception, match="account") as refused:
                await a.check("x@example.com", "10.0.0.9")
            assert 29.0 < refused.value.retry_after <= 30.0  # type: ignore[attr-defined]
            await b.check("y@example.com", "10.0.0.1")  # other accounts are free
            await b.succeeded("x@example.com")
            await a.check("x@example.com", "10.0.0.1")
        finally:
            await first.aclose()
            if second is not first:
                await second.aclose()

    anyio.run(scenario)


def test_an_unreachable_cache_lets_logins_through() -> None:
    async def scenario() -> None:
        dead = RedisCache("redis://127.0.0.1:1/0", prefix="x:", socket_timeout=0.2)
        try:
            lockout = LoginLockout(dead, Lockout(free_failures=0))
            assert await lockout.failed("x@example.com", "10.0.0.1") == []
            await lockout.check("x@example.com", "10.0.0.1")
            await lockout.succeeded("x@example.com")
        finally:
            await dead.aclose()

    anyio.run(scenario)
