"""Backoff after failed logins, per account and per client address, kept in the cache (Redis
shares it between replicas; the in-process cache holds it for one replica).

Past ``Lockout.free_failures`` failed logins of one account (``address_free_failures`` from
one address) within ``window_s`` of each other, each further failure locks that account (or
address) for ``base_s * 2**k`` seconds, at most ``max_s``. While locked, a login is refused
with 429 and ``Retry-After`` *before* the password is checked: no argon2 work is spent and
the answer is the same whether the password is right. A successful login clears its
account's count (not its address's: one good account must not reset an address that tries
many). Accounts are keyed by a hash of the e-mail (no addresses in the cache).

Counting is read-then-write: two failures of one subject at the same instant may count once;
the per-address login rate limit bounds how many can race. A cache that cannot be reached
lets logins through (logged), as the rate limits do.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from n8nwork.cache import Cache
from n8nwork.errors import CacheUnavailableError
from serve.config import Lockout
from serve.errors import RateLimitedError, log

NAMESPACE = "auth:lockout"


@dataclass(frozen=True, slots=True)
class Locked:
    """A lock that a failure just started (for the audit log)."""

    scope: str  # "account" | "address"
    failures: int
    seconds: float


def _subjects(email: str, ip: str) -> list[tuple[str, str]]:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()
    return [("account", f"account:{digest}"), ("address", f"address:{ip}")]


class LoginLockout:
    """The lockout state of logins in ``cache`` under ``config``."""

    def __init__(
        self, cache: Cache, config: Lockout, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.cache = cache
        self.config = config
        self.clock = clock

    def _now(self) -> float:
        return self.clock()

    def _free(self, scope: str) -> int:
        return (
            self.config.free_failures if scope == "account" else self.config.address_free_failures
        )

    async def check(self, email: str, ip: str) -> None:
        """Raise ``RateLimitedError`` (429) while the account or the address is locked."""
        now = self._now()
        for scope, key in _subjects(email, ip):
            try:
                state = await self.cache.get(NAMESPACE, key)
            except CacheUnavailableError as exc:
                log.warning("login lockout not applied, cache unavailable: %s", exc)
                return
            until = float(state.get("until", 0.0)) if isinstance(state, dict) else 0.0
            if until > now:
                raise RateLimitedError(
                    f"too many failed logins for this {scope}; try again later", until - now
                )

    async def failed(self, email: str, ip: str) -> list[Locked]:
        """Count a failed login; the locks it started."""
        now = self._now()
        started = []
        for scope, key in _subjects(email, ip):
            try:
                state = await self.cache.get(NAMESPACE, key)
                failures = int(state.get("failures", 0)) + 1 if isinstance(state, dict) else 1
                past = failures - self._free(scope)
                until = 0.0
                if past > 0:
                    seconds = min(self.config.max_s, self.config.base_s * 2.0 ** (past - 1))
                    until = now + seconds
                    started.append(Locked(scope, failures, seconds))
                ttl = max(self.config.window_s, until - now) + 1.0
                await self.cache.set(
                    NAMESPACE, key, {"failures": failures, "until": until}, ttl=ttl
                )
            except CacheUnavailableError as exc:
                log.warning("failed login not counted, cache unavailable: %s", exc)
        return started

    async def succeeded(self, email: str) -> None:
        """Clear the account's count after a successful login."""
        (_scope, key), _address = _subjects(email, "")
        try:
            await self.cache.delete(NAMESPACE, key)
        except CacheUnavailableError as exc:
            log.warning("login lockout not cleared, cache unavailable: %s", exc)
