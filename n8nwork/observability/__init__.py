"""Metrics, traces and logs of every n8nwork process (issue 8).

- ``metrics``: every metric, defined once (prometheus-client); ``actors.telemetry`` copies
  them into Ray's per-node metrics export from every Ray process (only ``actors/`` talks to
  Ray); API replicas also answer ``GET /metrics`` with their own.
- ``tracing``: OpenTelemetry API only (no-op without the ``otel`` extra); one trace per
  execution across the API replica, the run host and the task workers. ``tracing_setup``
  installs the SDK and an exporter when asked.
- ``logging``: JSON (or text) lines with execution, workflow, node, trace and span ids;
  ``redaction`` masks known secrets in every line.
- ``runs``, ``asgi``, ``context``: what the runtime and the API call.

``configure(settings_or_config, process=...)`` sets logs, traces and secrets up in a process
(idempotent); ``TelemetryConfig`` is what travels to task workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from n8nwork.observability import redaction, tracing_setup
from n8nwork.observability.logging import configure_logging

__all__ = ["TelemetryConfig", "configure", "configure_logging"]


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    """The telemetry settings a process needs (picklable: sent along with node tasks)."""

    log_level: str = "INFO"
    log_format: str = "json"
    traces: str = "none"
    traces_endpoint: str = ""
    traces_dir: str = ""
    sample_ratio: float = 1.0
    metrics_export_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Any) -> TelemetryConfig:
        telemetry = settings.telemetry
        fmt = settings.log_format or ("text" if settings.development else "json")
        return cls(
            log_level=settings.log_level,
            log_format=fmt,
            traces=telemetry.traces,
            traces_endpoint=telemetry.traces_endpoint,
            traces_dir=telemetry.traces_dir,
            sample_ratio=telemetry.sample_ratio,
            metrics_export_s=telemetry.metrics_export_s,
        )


_configured: dict[str, TelemetryConfig] = {}


def configure(
    source: Any, *, process: str, logs: bool = False, secrets: tuple[Any, ...] = ()
) -> TelemetryConfig:
    """Set up this process: logs (when ``logs``: the root logger's handler; processes whose
    logging is set up by someone else, a test runner or the CLI, leave it), traces, and the
    secrets to mask (from ``Settings``: encryption keys, JWT secret, passwords of service
    URLs; plus ``secrets``). ``source`` is ``Settings`` or a ``TelemetryConfig``."""
    config = (
        source if isinstance(source, TelemetryConfig) else TelemetryConfig.from_settings(source)
    )
    if not isinstance(source, TelemetryConfig):
        redaction.remember(*_settings_secrets(source))
    redaction.remember(*secrets)
    if logs and _configured.get("logs") != config:
        configure_logging(config.log_level, config.log_format)
        _configured["logs"] = config
    tracing_setup.install(
        config.traces,
        process=process,
        endpoint=config.traces_endpoint,
        directory=config.traces_dir,
        sample_ratio=config.sample_ratio,
    )
    return config


def _settings_secrets(settings: Any) -> list[Any]:
    from sqlalchemy.engine import make_url

    found: list[Any] = [settings.encryption.keys, settings.auth.jwt_secret]
    for url in (settings.database.url, settings.redis.url):
        if url is not None:
            try:
                found.append(make_url(url.get_secret_value()).password)
            except Exception:  # not a URL SQLAlchemy reads: mask all of it
                found.append(url)
    if settings.encryption.keys is not None:
        for part in settings.encryption.keys.get_secret_value().split(","):
            found.append(part.partition(":")[2])
    return [f for f in found if f]
