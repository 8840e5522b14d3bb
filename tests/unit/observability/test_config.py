"""Telemetry settings: ``N8NWORK_LOG_LEVEL``, ``N8NWORK_LOG_FORMAT``, ``N8NWORK_TELEMETRY__*``,
and what a process masks from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from n8nwork.observability import TelemetryConfig, configure, redaction
from n8nwork.settings import DatabaseSettings, Settings


def test_levels_and_formats_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("N8NWORK_LOG_LEVEL", "debug")
    monkeypatch.setenv("N8NWORK_TELEMETRY__TRACES", "otlp")
    monkeypatch.setenv("N8NWORK_TELEMETRY__METRICS_TOKEN", "tok")
    settings = Settings(data_dir=tmp_path)
    config = TelemetryConfig.from_settings(settings)
    assert config.log_level == "DEBUG" and config.traces == "otlp"
    assert config.log_format == "text"  # development default
    assert settings.telemetry.metrics_token is not None
    assert (
        TelemetryConfig.from_settings(Settings(data_dir=tmp_path, log_format="json")).log_format
        == "json"
    )
    with pytest.raises(ValidationError, match="log_level"):
        Settings(data_dir=tmp_path, log_level="loud")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="traces"):
        Settings(data_dir=tmp_path, telemetry={"traces": "zipkin"})  # type: ignore[arg-type]


def test_configure_masks_the_secrets_of_the_settings(tmp_path: Path) -> None:
    redaction.forget_all()
    try:
        settings = Settings(
            data_dir=tmp_path,
            database=DatabaseSettings(url=SecretStr("postgresql://u:db-password-1@h/db")),
        )
        configure(settings, process="api", secrets=("jwt-secret-value-1",))
        text = redaction.redact("postgresql://u:db-password-1@h/db jwt-secret-value-1")
        assert text == "postgresql://u:***@h/db ***"
    finally:
        redaction.forget_all()
