"""HTTP clients that obey the network policy: every TCP connection, including each redirect
hop and each new origin, is made by ``GuardedBackend``, which resolves the host once, checks
every resolved address with the policy and connects to a checked address (the IP, not the
name: a second DNS answer cannot rebind the connection elsewhere). TLS still verifies and
sends SNI for the name in the URL, and the ``Host`` header is the URL's, because httpcore
keeps the origin and only asks the backend for the TCP stream.

Redirects are followed by httpx, each hop on a connection from this backend, so a redirect
to a refused address fails exactly like a direct request. Environment proxies are ignored
(``trust_env=False``): a proxy would resolve the name itself, past the guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from n8nwork.net.policy import NetworkPolicy, Resolver, get_policy


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's synchronous network backend, with the policy's check before connecting."""

    def __init__(self, policy: NetworkPolicy, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.policy.resolve(host, port, self.resolver)  # DestinationRefused
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not reachable from nodes")


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connection pool connects through ``GuardedBackend``."""

    def __init__(
        self, policy: NetworkPolicy, *, resolver: Resolver | None = None, verify: bool = True
    ) -> None:
        super().__init__(verify=verify)
        pool = self._pool
        if not hasattr(pool, "_network_backend"):  # fail closed on an httpcore we do not know
            raise RuntimeError("this httpcore version cannot take the network guard")
        pool._network_backend = GuardedBackend(policy, resolver)


def guarded_client(
    *,
    policy: NetworkPolicy | None = None,
    resolver: Resolver | None = None,
    verify: bool = True,
    max_redirects: int = 20,
) -> httpx.Client:
    """An ``httpx.Client`` whose every connection obeys ``policy`` (default: the process's)."""
    transport = GuardedTransport(policy or get_policy(), resolver=resolver, verify=verify)
    return httpx.Client(transport=transport, trust_env=False, max_redirects=max_redirects)
