"""``n8nwork up`` warns (one stderr line each) about development defaults: generated keys and
JWT secret, weak secrets and owner password, SQLite or no Redis beyond this machine, plain
http on a public address. Secret values are never printed."""

from __future__ import annotations

import base64
import io
import secrets
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from n8nwork.settings import (
    AuthSettings,
    DatabaseSettings,
    EncryptionSettings,
    RedisSettings,
    Settings,
)
from serve.dev_defaults import development_defaults, warn
from serve.up import PortInUseError, UpOptions, up

KEY = "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()
JWT = secrets.token_hex(32)


def production_like(tmp: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp,
        "encryption": EncryptionSettings(keys=SecretStr(KEY)),
        "auth": AuthSettings(jwt_secret=SecretStr(JWT)),
        "database": DatabaseSettings(url=SecretStr("postgresql+psycopg://u:pw@db/n8nwork")),
        "redis": RedisSettings(url=SecretStr("redis://cache:6379/0")),
        "public_url": "https://flows.example.com",
    }
    return Settings(**(values | extra))  # type: ignore[arg-type]


def test_a_laptop_start_warns_about_generated_secrets_only(tmp_path: Path) -> None:
    found = development_defaults(Settings(data_dir=tmp_path), environ={})
    assert len(found) == 2
    assert "N8NWORK_ENCRYPTION__KEYS" in found[0] and "N8NWORK_AUTH__JWT_SECRET" in found[1]


def test_nothing_to_say_when_everything_is_set(tmp_path: Path) -> None:
    settings = production_like(tmp_path)
    assert development_defaults(settings, host="0.0.0.0", address="ray://head:10001") == []


def test_each_default_beyond_this_machine_is_named(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr("changeme")))
    found = development_defaults(
        settings,
        host="0.0.0.0",
        address="ray://head:10001",
        environ={"N8NWORK_OWNER_PASSWORD": "password"},
    )
    text = "\n".join(found)
    assert found[0].startswith("N8NWORK_ENV is 'development'")
    for needle in (
        "N8NWORK_ENCRYPTION__KEYS",
        "N8NWORK_AUTH__JWT_SECRET is weak",
        "N8NWORK_OWNER_PASSWORD is a default or weak password",
        "SQLite",
        "no Redis on a cluster",
        "without an https public URL",
    ):
        assert needle in text, needle
    assert "changeme" not in text and "password'" not in text  # values are not printed


def test_warnings_are_single_stderr_lines(tmp_path: Path) -> None:
    err = io.StringIO()
    warn(development_defaults(Settings(data_dir=tmp_path), environ={}), err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and all(line.startswith("n8nwork: warning: ") for line in lines)


def test_up_prints_them_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``up`` warns first, then fails fast here on a taken port (nothing else starts)."""
    mp = monkeypatch
    mp.setenv("N8NWORK_DATA_DIR", str(tmp_path))
    mp.delenv("N8NWORK_ENCRYPTION__KEYS", raising=False)
    mp.delenv("N8NWORK_AUTH__JWT_SECRET", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err, out = io.StringIO(), io.StringIO()
        with pytest.raises(PortInUseError):
            up(UpOptions(port=port), out=out, err=err)
    assert "n8nwork: warning: credentials are encrypted with a key generated" in err.getvalue()
    assert out.getvalue() == ""
