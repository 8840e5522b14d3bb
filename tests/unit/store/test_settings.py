"""Settings: N8NWORK_ prefix with nested groups, embedded defaults, and default secrets refused
outside development with a message naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from n8nwork.crypto import FileKeyRing, KeyRing
from n8nwork.settings import Settings, SettingsError

STRONG = "x" * 40


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("N8NWORK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("N8NWORK_DATA_DIR", str(tmp_path / "data"))


def test_embedded_defaults(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.env == "development" and settings.embedded
    assert settings.database_url() == f"sqlite:///{tmp_path / 'data' / 'n8nwork.db'}"
    assert settings.auto_migrate()
    assert settings.redis.url is None
    assert settings.executions.max_age_hours == 336 and settings.executions.max_count == 10_000


def test_environment_with_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N8NWORK_DATABASE__URL", "postgresql://u:p@db/n8n")
    monkeypatch.setenv("N8NWORK_DATABASE__INLINE_PAYLOAD_BYTES", "1024")
    monkeypatch.setenv("N8NWORK_REDIS__URL", "redis://cache:6379/0")
    monkeypatch.setenv("N8NWORK_EXECUTIONS__MAX_COUNT", "5")
    settings = Settings()
    assert not settings.embedded and not settings.auto_migrate()
    assert settings.database_url() == "postgresql://u:p@db/n8n"
    assert "p@db" not in repr(settings)  # secrets stay out of logs
    assert settings.database.limits().inline_payload_bytes == 1024
    assert settings.executions.max_count == 5
    monkeypatch.setenv("N8NWORK_DATABASE__NO_SUCH_FIELD", "1")
    with pytest.raises(ValidationError):
        Settings()


def test_development_generates_secrets_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings()
    ring = settings.key_ring
    assert isinstance(ring, FileKeyRing)
    key_file = tmp_path / "data" / "encryption-keys.json"
    assert key_file.stat().st_mode & 0o777 == 0o600
    secret = settings.jwt_secret()
    assert len(secret) >= 32
    assert (tmp_path / "data" / "jwt-secret").stat().st_mode & 0o777 == 0o600
    again = Settings()
    assert again.jwt_secret() == secret
    assert again.key_ring.primary_id == ring.primary_id


@pytest.mark.parametrize("env", ["production", "staging"])
def test_default_secrets_are_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("N8NWORK_ENV", env)
    with pytest.raises(SettingsError) as info:
        Settings()
    assert "N8NWORK_ENCRYPTION__KEYS" in str(info.value)
    assert "N8NWORK_AUTH__JWT_SECRET" in str(info.value)
    monkeypatch.setenv("N8NWORK_ENCRYPTION__KEYS", KeyRing.generate().format())
    monkeypatch.setenv("N8NWORK_AUTH__JWT_SECRET", "changethis")
    with pytest.raises(SettingsError, match="N8NWORK_AUTH__JWT_SECRET"):
        Settings()
    monkeypatch.setenv("N8NWORK_AUTH__JWT_SECRET", STRONG)
    monkeypatch.setenv("N8NWORK_ENCRYPTION__KEYS", "k1:not-base64!")
    with pytest.raises(SettingsError, match="N8NWORK_ENCRYPTION__KEYS is invalid"):
        Settings()
    ring = KeyRing.generate()
    monkeypatch.setenv("N8NWORK_ENCRYPTION__KEYS", ring.format())
    settings = Settings()
    assert (
        isinstance(settings.key_ring, KeyRing) and settings.key_ring.primary_id == ring.primary_id
    )
    assert settings.jwt_secret() == STRONG
