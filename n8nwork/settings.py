"""n8nwork's settings: one pydantic-settings ``Settings`` with nested groups, read from the
environment with the ``N8NWORK_`` prefix and ``__`` between group and field::

    N8NWORK_ENV=production                      development (default) | staging | production
    N8NWORK_DATA_DIR=~/.n8nwork                 the embedded default's files
    N8NWORK_DATABASE__URL=postgresql+psycopg://user:pw@host/db   (default: SQLite in DATA_DIR)
    N8NWORK_REDIS__URL=redis://host:6379/0      (default: none = in-process cache)
    N8NWORK_ENCRYPTION__KEYS=kid:base64key,...  (first = primary; default: generated file)
    N8NWORK_AUTH__JWT_SECRET=...                (default: generated file, development only)
    N8NWORK_EXECUTIONS__MAX_AGE_HOURS=336       pruning, as n8n's EXECUTIONS_DATA_MAX_AGE
    N8NWORK_LOG_LEVEL=INFO  N8NWORK_LOG_FORMAT=json|text   logs (n8nwork.observability)
    N8NWORK_TELEMETRY__TRACES=otlp              spans; N8NWORK_TELEMETRY__METRICS_TOKEN=...
    N8NWORK_SECURITY__ALLOWED_HOSTS=10.0.0.0/8,api.internal:8080   open non-public hosts to nodes
    N8NWORK_SECURITY__CORS_ORIGINS=https://app.example.com   browser origins (default: CORS off)

In development the secrets that are not given are generated once and kept in the data
directory with mode 0600. Outside development they must be given: building ``Settings``
fails with a message naming each setting to set. Read settings at the edges (CLI, app start)
and pass values in; library code does not read the environment.
"""

from __future__ import annotations

import json
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from n8nwork.crypto import CryptoError, FileKeyRing, KeyRing, SecretBox, write_private_file
from n8nwork.errors import N8nworkError
from n8nwork.store.limits import MIB, StoreLimits

DATABASE_FILE = "n8nwork.db"
KEY_FILE = "encryption-keys.json"
JWT_SECRET_FILE = "jwt-secret"
WEAK_SECRETS = frozenset(
    {"", "changethis", "changeme", "secret", "password", "dev", "development", "n8nwork", "test"}
)
MIN_SECRET_LENGTH = 32


class SettingsError(N8nworkError):
    """Raised when settings are missing or unsafe for the environment (names the setting)."""


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Group):
    """``N8NWORK_DATABASE__*``: the system of record."""

    url: SecretStr | None = None
    pool_size: int = Field(default=10, ge=1)
    echo: bool = False
    auto_migrate: bool | None = None
    """Apply migrations at start-up; default: yes for the embedded SQLite file only."""
    max_document_bytes: int = Field(default=16 * MIB, ge=1024)
    inline_payload_bytes: int = Field(default=64 * 1024, ge=256)
    max_payload_bytes: int = Field(default=256 * MIB, ge=1024)
    checkpoint_batch: int = Field(default=512, ge=1)
    checkpoint_delay_ms: float = Field(default=1.0, ge=0)

    def limits(self) -> StoreLimits:
        return StoreLimits(
            max_document_bytes=self.max_document_bytes,
            inline_payload_bytes=self.inline_payload_bytes,
            max_payload_bytes=self.max_payload_bytes,
        )


class RedisSettings(_Group):
    """``N8NWORK_REDIS__*``: shared short-lived state; no URL means the in-process cache."""

    url: SecretStr | None = None


class EncryptionSettings(_Group):
    """``N8NWORK_ENCRYPTION__KEYS``: ``kid:base64key[,kid2:base64key...]``, first is primary."""

    keys: SecretStr | None = None


class AuthSettings(_Group):
    """``N8NWORK_AUTH__*``: token signing and lifetimes."""

    jwt_secret: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=30, ge=1)


class ExecutionsSettings(_Group):
    """``N8NWORK_EXECUTIONS__*``: history pruning (n8n's EXECUTIONS_DATA_* / PRUNE_*)."""

    prune: bool = True
    max_age_hours: float = Field(default=336.0, gt=0)
    max_count: int = Field(default=10_000, ge=0)
    """Keep at most this many executions (0 = no limit), as n8n's PRUNE_MAX_COUNT."""
    prune_batch: int = Field(default=1000, ge=1)


class SecuritySettings(_Group):
    """``N8NWORK_SECURITY__*``: where nodes may send requests (``n8nwork.net``, the SSRF
    guard). Non-public addresses (loopback, private, link-local, ...) and this platform's own
    services are refused unless allowed here. Comma-separated (or JSON lists) of hosts,
    ``*.domains``, IPs or CIDR networks, each optionally with ``:port``."""

    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    denied_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    """Browser origins (``https://app.example.com``) that may call the API cross-origin;
    empty (the default): CORS is off."""

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"CORS origin {origin!r}: give scheme://host[:port], no path")
        return value

    @field_validator("allowed_hosts", "denied_hosts", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            try:  # a JSON list; "[::1]:80" is an entry, not JSON
                listed = json.loads(value)
            except ValueError:
                listed = None
            if isinstance(listed, list):
                return listed
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("allowed_hosts", "denied_hosts")
    @classmethod
    def _valid_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from n8nwork.net.addresses import HostPattern, PatternError

        for entry in value:
            try:
                HostPattern.parse(entry)
            except PatternError as exc:
                raise ValueError(str(exc)) from exc
        return value


class TelemetrySettings(_Group):
    """``N8NWORK_TELEMETRY__*``: metrics and traces (``n8nwork.observability``)."""

    metrics_token: SecretStr | None = None
    """Bearer token ``GET /metrics`` asks for (metrics name workflow ids); none: open."""
    metrics_export_s: float = Field(default=5.0, gt=0)
    """How often a Ray process copies its metrics into Ray's metrics export."""
    traces: Literal["none", "otlp", "console", "files"] = "none"
    """Span exporter (needs the ``otel`` extra): OTLP, stderr, or JSON lines in traces_dir."""
    traces_endpoint: str = ""
    """OTLP/HTTP endpoint; empty: ``OTEL_EXPORTER_OTLP_ENDPOINT`` or the SDK's default."""
    traces_dir: str = ""
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)


class Settings(BaseSettings):
    """Everything configurable, from ``N8NWORK_*`` environment variables (and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="N8NWORK_",
        env_nested_delimiter="__",
        env_file=None,
        extra="forbid",
        frozen=True,
    )

    env: Literal["development", "staging", "production"] = "development"
    data_dir: Path = Path("~/.n8nwork")
    # The default time zone of workflows that set none (n8n's GENERIC_TIMEZONE, whose default
    # is America/New_York: imported workflows compute the same dates as they did in n8n).
    timezone: str = "America/New_York"
    public_url: str = ""
    """This instance's base URL as its callers see it (n8n's ``WEBHOOK_URL``), e.g.
    ``https://flows.example.com``: webhook URLs, ``$execution.resumeUrl`` and the execution
    links of error workflows are built on it. Empty: the base URL of the request at hand
    (webhooks), else relative links."""
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    encryption: EncryptionSettings = EncryptionSettings()
    auth: AuthSettings = AuthSettings()
    executions: ExecutionsSettings = ExecutionsSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "text"] | None = None
    """``json``: one JSON object per line; default: text in development, else json."""
    telemetry: TelemetrySettings = TelemetrySettings()
    security: SecuritySettings = SecuritySettings()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.development:
            return self
        problems = []
        keys = self.encryption.keys.get_secret_value() if self.encryption.keys else ""
        if not keys:
            problems.append(
                "set N8NWORK_ENCRYPTION__KEYS to 'id:<base64 of 32 random bytes>' "
                "(e.g. k1:$(openssl rand -base64 32)); generated keys are for development only"
            )
        else:
            try:
                KeyRing.parse(keys)
            except CryptoError as exc:
                problems.append(f"N8NWORK_ENCRYPTION__KEYS is invalid: {exc}")
        jwt = self.auth.jwt_secret.get_secret_value() if self.auth.jwt_secret else ""
        if jwt.strip().lower() in WEAK_SECRETS or len(jwt) < MIN_SECRET_LENGTH:
            problems.append(
                f"set N8NWORK_AUTH__JWT_SECRET to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters (e.g. $(openssl rand -hex 32)); "
                "a missing or default secret is for development only"
            )
        if problems:
            raise SettingsError(f"N8NWORK_ENV={self.env}: " + "; ".join(problems))
        return self

    # ------------------------------------------------------------------ derived values
    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def embedded(self) -> bool:
        """True when no database URL is given: the SQLite file in the data directory."""
        return self.database.url is None

    def database_url(self) -> str:
        if self.database.url is not None:
            return self.database.url.get_secret_value()
        return f"sqlite:///{self.data_dir / DATABASE_FILE}"

    def auto_migrate(self) -> bool:
        if self.database.auto_migrate is not None:
            return self.database.auto_migrate
        return self.embedded

    @cached_property
    def key_ring(self) -> SecretBox:
        """The encryption keys: from N8NWORK_ENCRYPTION__KEYS, else (development only) the key
        file in the data directory, generated on first use with mode 0600."""
        if self.encryption.keys is not None:
            return KeyRing.parse(self.encryption.keys.get_secret_value())
        return FileKeyRing(self.data_dir / KEY_FILE)

    def jwt_secret(self) -> str:
        """The token-signing secret: the setting, else (development only) a generated file."""
        if self.auth.jwt_secret is not None:
            return self.auth.jwt_secret.get_secret_value()
        path = self.data_dir / JWT_SECRET_FILE
        if not path.exists():
            write_private_file(path, secrets.token_hex(32))
        return path.read_text(encoding="utf-8").strip()
