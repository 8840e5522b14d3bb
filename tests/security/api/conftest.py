"""The API app in this process on SQLite and on PostgreSQL, seeded with a user of every role,
their tokens and API keys, and credentials whose values are known: ``Seeded.secrets`` lists
every value no response, log line or stored execution may ever contain.

PostgreSQL is the store tests' session database (``tests.integration.store.conftest``),
emptied before each world is built; unreachable, it is skipped locally and fails in CI.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import select

from n8nwork.cache import Cache, MemoryCache
from n8nwork.settings import AuthSettings, DatabaseSettings, EncryptionSettings, Settings
from n8nwork.store import open_store
from n8nwork.store.engine import create_engine
from n8nwork.store.repo.api_keys import create_api_key
from n8nwork.store.repo.credentials import create_credential
from n8nwork.store.repo.users import create_user
from n8nwork.store.tables.identity import User
from serve import ApiConfig, create_app
from tests.integration.store.conftest import _empty_postgres, postgres_url  # noqa: F401
from tests.unit.serve.conftest import PASSWORD, UNLIMITED, ApiClient, World

ROLES = {
    "owner": ("owner@example.com", "global:owner"),
    "admin": ("admin@example.com", "global:admin"),
    "member": ("member@example.com", "global:member"),
    "victim": ("victim@example.com", "global:member"),
}
"""``victim`` never acts: the fuzzer may change or disable it through the others."""


@dataclass
class Seeded:
    """A world plus everything secret that was put into it."""

    world: World
    backend: str
    settings: Settings
    secrets: dict[str, str] = field(default_factory=dict)  # what -> value
    keys: dict[str, str] = field(default_factory=dict)  # actor -> API key plaintext
    refresh: dict[str, str] = field(default_factory=dict)  # actor -> refresh token
    credentials: dict[str, str] = field(default_factory=dict)  # actor -> credential id

    def leaks(self, text: str) -> list[str]:
        """Names of the secrets that occur in ``text``."""
        return [what for what, value in self.secrets.items() if value in text]


def secret_settings(tmp: Path, database_url: str | None) -> Settings:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return Settings(
        data_dir=tmp,
        database=DatabaseSettings(url=SecretStr(database_url))
        if database_url
        else DatabaseSettings(),
        encryption=EncryptionSettings(keys=SecretStr(f"k1:{key}")),
        auth=AuthSettings(jwt_secret=SecretStr(secrets.token_hex(32))),
    )


@contextlib.contextmanager
def seeded_world(
    tmp: Path,
    database_url: str | None,
    config: ApiConfig = UNLIMITED,
    cache: Cache | None = None,
) -> Iterator[Seeded]:
    """Build the app, seed users/keys/credentials, log everyone in; close it all after."""
    if database_url is not None:
        engine = create_engine(database_url)
        _empty_postgres(engine)
        engine.dispose()
    tmp.mkdir(parents=True, exist_ok=True)
    settings = secret_settings(tmp, database_url)
    store = open_store(settings)
    users: dict[str, str] = {}
    found: dict[str, str] = {}
    keys: dict[str, str] = {}
    creds: dict[str, str] = {}
    with store.sessions() as s, s.begin():
        for actor, (email, role) in ROLES.items():
            users[actor] = create_user(session=s, email=email, password=PASSWORD, role=role).id
        for actor in ROLES:
            _row, plaintext = create_api_key(session=s, user_id=users[actor], name=f"{actor} key")
            keys[actor] = plaintext
            found[f"api key of {actor}"] = plaintext
    with store.sessions() as s, s.begin():
        for row in s.exec(select(User)):
            found[f"password hash of {row.email}"] = str(row.password_hash)
    from n8nwork.store.repo.projects import personal_project

    with store.sessions() as s, s.begin():
        for actor in ROLES:
            value = f"credval{secrets.token_hex(12)}"
            found[f"credential value of {actor}"] = value
            creds[actor] = create_credential(
                session=s,
                key_ring=store.key_ring,
                project_id=personal_project(session=s, user_id=users[actor]).id,
                name=f"{actor} basic",
                type="httpBasicAuth",
                data={"user": f"user-{actor}", "password": value},
            ).id
    found["encryption key"] = settings.encryption.keys.get_secret_value().partition(":")[2]  # type: ignore[union-attr]
    found["JWT secret"] = settings.jwt_secret()
    app = create_app(settings, store=store, cache=cache or MemoryCache(), config=config)
    client = ApiClient(app)
    try:
        world = World(client=client, store=store, users=users)
        backend = "sqlite" if database_url is None else "postgresql"
        seeded = Seeded(world, backend, settings, found, keys, credentials=creds)
        for actor, (email, _role) in ROLES.items():
            r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert r.status_code == 200, r.text
            world.tokens[actor] = r.json()["accessToken"]
            seeded.refresh[actor] = r.json()["refreshToken"]
            found[f"access token of {actor}"] = world.tokens[actor]
            found[f"refresh token of {actor}"] = seeded.refresh[actor]
        found["password"] = PASSWORD
        yield seeded
    finally:
        client.close()
        store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` for the embedded SQLite file, else a PostgreSQL URL."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def seeded(backend_url: str | None, tmp_path: Path) -> Iterator[Seeded]:
    with seeded_world(tmp_path, backend_url) as world:
        yield world
