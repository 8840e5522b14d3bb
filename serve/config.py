"""The HTTP API's own knobs (limits, rate limits, login lockout), one frozen value passed
to ``create_app``.

Everything else (database, cache, secrets, token lifetimes) comes from ``n8nwork.settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: ``rate`` requests per second on average, bursts up to ``burst``."""

    rate: float
    burst: float


@dataclass(frozen=True, slots=True)
class Lockout:
    """Backoff after failed logins (``serve.auth.lockout``): past ``free_failures`` failures
    of one account (``address_free_failures`` from one address) within ``window_s``, each
    further failure locks it for ``base_s * 2**k`` seconds (k = failures past the free ones
    minus one), at most ``max_s``."""

    free_failures: int = 5
    address_free_failures: int = 30
    base_s: float = 15.0
    max_s: float = 900.0
    window_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """Limits of the HTTP API. ``None`` for a rate limit turns it off."""

    max_body_bytes: int = 16 * MIB + 64 * 1024
    """Largest request body; larger ones are refused with 413 before they are read whole."""
    ip_limit: RateLimit | None = field(default_factory=lambda: RateLimit(300.0, 600.0))
    """Every request, per client address."""
    webhook_ip_limit: RateLimit | None = field(default_factory=lambda: RateLimit(2000.0, 4000.0))
    """Webhook calls (``/webhook*``), per client address, instead of ``ip_limit``: webhooks
    are machine-to-machine traffic, often from a few addresses at high rates."""
    principal_limit: RateLimit | None = field(default_factory=lambda: RateLimit(150.0, 300.0))
    """Authenticated requests, per API key or per user (access tokens)."""
    login_limit: RateLimit | None = field(default_factory=lambda: RateLimit(0.5, 10.0))
    """Login and refresh attempts, per client address."""
    login_lockout: Lockout | None = field(default_factory=Lockout)
    """Exponential backoff after repeated failed logins, per account and per address."""
    max_wait_s: float = 300.0
    """Longest a ``?wait=true`` run may hold its request."""
    sse_keepalive_s: float = 15.0
    """A comment line is sent on an idle event stream this often (proxies close idle ones)."""
    min_password_chars: int = 8
    worker_threads: int = 16
    """Threads that run database work of requests at once (per replica). More only adds
    contention for the interpreter lock; fewer queues requests."""
