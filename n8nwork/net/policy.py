"""The outbound network policy of nodes (the SSRF guard): which destinations a node's HTTP
request may reach, decided on the resolved addresses.

A destination is checked after its host name is resolved, and EVERY address it resolves to
must pass (one bad answer refuses the lot: a name cannot smuggle a private address in
between public ones). In order:

1. an allow-list entry naming the port (``10.0.0.5:8080``, ``api.internal:443``) opens it;
2. the deny list and the cluster's own services (database, Redis, the public URL, Ray's and
   the API's well-known ports on non-public addresses) are refused;
3. an allow-list entry without a port (``127.0.0.1``, ``10.0.0.0/8``, ``*.internal``) opens
   the host or network on every port but those of step 2;
4. loopback, private, link-local (cloud metadata), unique-local, shared, multicast,
   unspecified and reserved addresses are refused (``addresses.non_public_reason``);
5. anything else (the public internet) is allowed.

The policy of a process is ``get_policy()``: the one given to ``set_policy`` (the edges and
tests set it), else built once from ``Settings()`` (``N8NWORK_SECURITY__ALLOWED_HOSTS`` /
``N8NWORK_SECURITY__DENIED_HOSTS``); settings that cannot be read give the default policy
(deny non-public), never an open one.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from n8nwork.errors import N8nworkError
from n8nwork.net.addresses import HostPattern, IPAddress, non_public_reason, parse_ip

if TYPE_CHECKING:
    from n8nwork.settings import Settings

log = logging.getLogger(__name__)

Resolver = Callable[..., list[tuple[Any, ...]]]
"""``socket.getaddrinfo``'s signature: ``(host, port, family, type, ...)``."""

# Ports of this platform's own services that stay closed on non-public addresses even where
# the allow-list opens a host or network without naming a port: Ray GCS and Redis (6379),
# Ray client (10001), Ray dashboard (8265) and its agent (52365), the API (8000),
# PostgreSQL (5432).
CLUSTER_PORTS = frozenset({5432, 6379, 8000, 8265, 10001, 52365})

ALLOW_HINT = "N8NWORK_SECURITY__ALLOWED_HOSTS"


class DestinationRefused(N8nworkError):
    """Raised when a request would reach an address the network policy refuses."""

    def __init__(self, host: str, port: int, address: str | None, reason: str) -> None:
        self.host = host
        self.port = port
        self.address = address
        self.reason = reason
        where = host if address is None or address == host else f"{host} ({address})"
        super().__init__(
            f"Request to {where}, port {port}, refused: {reason}. Requests to this platform's "
            f"own services and to non-public networks are blocked; an administrator can allow "
            f"a host or network with {ALLOW_HINT}"
        )


@dataclass(frozen=True)
class NetworkPolicy:
    """Which destinations nodes may reach; see the module docstring. A value: derive, don't
    mutate (``NetworkPolicy.build(...)``)."""

    allowed: tuple[HostPattern, ...] = ()
    denied: tuple[HostPattern, ...] = ()
    services: tuple[HostPattern, ...] = ()
    cluster_ports: frozenset[int] = CLUSTER_PORTS

    @classmethod
    def build(
        cls,
        *,
        allowed: Iterable[str] = (),
        denied: Iterable[str] = (),
        services: Iterable[str] = (),
        cluster_ports: Iterable[int] = CLUSTER_PORTS,
    ) -> NetworkPolicy:
        """From list entries (``HostPattern.parse``; raises ``PatternError``)."""
        return cls(
            allowed=tuple(HostPattern.parse(e) for e in allowed),
            denied=tuple(HostPattern.parse(e) for e in denied),
            services=tuple(HostPattern.parse(e) for e in services),
            cluster_ports=frozenset(cluster_ports),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkPolicy:
        """The policy of ``settings``: its security lists, plus the database, Redis and public
        URL as services."""
        services = [
            endpoint
            for url in (settings.database_url(), _secret(settings.redis.url), settings.public_url)
            if (endpoint := _endpoint(url)) is not None
        ]
        return cls.build(
            allowed=settings.security.allowed_hosts,
            denied=settings.security.denied_hosts,
            services=services,
        )

    def with_services(self, *entries: str) -> NetworkPolicy:
        """This policy with more of the platform's own endpoints (``host:port``) refused, e.g.
        the Ray GCS and dashboard addresses, which only the runtime knows."""
        added = tuple(HostPattern.parse(e) for e in entries)
        return dataclasses.replace(self, services=self.services + added)

    # ------------------------------------------------------------------ decisions
    def check(self, host: str, port: int, address: IPAddress) -> None:
        """Raise ``DestinationRefused`` unless ``host`` (as asked for) at ``address`` (as
        resolved) on ``port`` may be reached."""
        shown = str(address)
        if any(p.port is not None and _matches(p, host, port, address) for p in self.allowed):
            return
        for pattern in self.denied:
            if _matches(pattern, host, port, address):
                raise DestinationRefused(
                    host, port, shown, f"it is on the deny list ({pattern.text})"
                )
        for pattern in self.services:
            if _matches(pattern, host, port, address):
                raise DestinationRefused(host, port, shown, "it is one of this platform's services")
        reason = non_public_reason(address)
        if reason is not None and port in self.cluster_ports:
            raise DestinationRefused(
                host, port, shown, f"it is {reason} on a port of this platform's services"
            )
        if any(p.port is None and _matches(p, host, port, address) for p in self.allowed):
            return
        if reason is not None:
            raise DestinationRefused(host, port, shown, f"it is {reason}")

    def resolve(self, host: str, port: int, resolver: Resolver | None = None) -> list[IPAddress]:
        """Resolve ``host`` once and check every address; the checked addresses, in the
        resolver's order (connect to these, not to the name: no second lookup to rebind)."""
        literal = parse_ip(host)
        if literal is not None:
            self.check(host, port, literal)
            return [literal]
        try:
            infos = (resolver or socket.getaddrinfo)(host, port, 0, socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise DestinationRefused(
                host, port, None, f"the name does not resolve ({exc})"
            ) from exc
        found: list[IPAddress] = []
        for info in infos:
            address = parse_ip(str(info[4][0]))
            if address is None:
                raise DestinationRefused(host, port, None, "the name resolves to a non-IP address")
            if address not in found:
                found.append(address)
        if not found:
            raise DestinationRefused(host, port, None, "the name resolves to no address")
        for address in found:
            self.check(host, port, address)
        return found


def _matches(pattern: HostPattern, host: str, port: int, address: IPAddress) -> bool:
    return pattern.matches_name(host, port) or pattern.matches_ip(address, port)


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value())


def _endpoint(url: str) -> str | None:
    """``host:port`` of a service URL (None for files, sockets and empty URLs)."""
    if not url or "://" not in url:
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    defaults = {"postgresql": 5432, "postgres": 5432, "redis": 6379, "rediss": 6379}
    scheme = parts.scheme.split("+", 1)[0]
    port = port or defaults.get(scheme) or (443 if scheme == "https" else 80)
    if scheme.startswith("sqlite") or scheme == "unix":
        return None
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# ---------------------------------------------------------------------- process policy
_lock = threading.Lock()
_current: NetworkPolicy | None = None


def set_policy(policy: NetworkPolicy | None) -> None:
    """Make ``policy`` this process's policy (None: rebuild from the settings on next use)."""
    global _current
    with _lock:
        _current = policy


def get_policy() -> NetworkPolicy:
    """This process's policy; see the module docstring."""
    global _current
    with _lock:
        if _current is None:
            _current = _from_settings()
        return _current


def _from_settings() -> NetworkPolicy:
    from n8nwork.settings import Settings

    try:
        return NetworkPolicy.from_settings(Settings())
    except Exception as exc:  # fail closed: unreadable settings never open the network
        # the type only: a validation error's text may quote a secret setting's value
        log.warning(
            "network policy: settings unreadable (%s); non-public addresses refused",
            type(exc).__name__,
        )
        return NetworkPolicy()
