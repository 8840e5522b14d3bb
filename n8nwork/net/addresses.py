"""Which IP addresses are outside the public internet, and the host patterns of the network
policy's allow and deny lists.

``non_public_reason(ip)`` names why an address must not be reached by default (loopback,
private, link-local, ...) or returns None for a globally routable unicast address. IPv6
addresses that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``) are judged
by the IPv4 address inside; Teredo is refused outright (its client address is obfuscated).

``HostPattern.parse`` reads one list entry: an IP (``127.0.0.1``, ``::1``), a network
(``10.0.0.0/8``, ``fd00::/8``), a host name (``api.internal``) or every name under a domain
(``*.internal``), each optionally with a port (``127.0.0.1:8080``, ``[::1]:8080``,
``db.internal:5432``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_TEREDO = ipaddress.ip_network("2001::/32")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class PatternError(ValueError):
    """Raised when an allow- or deny-list entry is not a host, IP, network or ``*.domain``."""


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_COMPATIBLE and int(ip) > 0xFFFF:  # ::a.b.c.d (not ::, ::1)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def effective(ip: IPAddress) -> IPAddress:
    """The address that is really reached: the embedded IPv4 address, if any."""
    return embedded_ipv4(ip) or ip


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address (None when it is one)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip in _TEREDO:
        return "a Teredo tunnel address"
    ip = effective(ip)
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives here)"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def parse_ip(text: str) -> IPAddress | None:
    """``text`` as an IP address in standard notation (None when it is not one)."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True)
class HostPattern:
    """One entry of an allow or deny list; see the module docstring."""

    text: str
    network: IPNetwork | None = None
    name: str | None = None  # a lower-case host name, or ".domain" for "*.domain"
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> HostPattern:
        text = entry.strip()
        if not text:
            raise PatternError("an empty entry")
        host, port = _split_port(text)
        try:
            network = ipaddress.ip_network(host.strip("[]"), strict=False)
        except ValueError:
            network = None
        if network is not None:
            return cls(text, network=_unmapped(network), port=port)
        name = host.lower().rstrip(".")
        if name.startswith("*."):
            name = name[1:]
        body = name.lstrip(".")
        labels = body.split(".")
        if not body or not all(label and _is_label(label) for label in labels):
            raise PatternError(f"{entry!r} is not a host name, IP address or network")
        return cls(text, name=name, port=port)

    def matches_name(self, host: str, port: int) -> bool:
        if self.name is None or (self.port is not None and self.port != port):
            return False
        host = host.lower().rstrip(".")
        if self.name.startswith("."):
            return host.endswith(self.name)
        return host == self.name

    def matches_ip(self, ip: IPAddress, port: int) -> bool:
        if self.network is None or (self.port is not None and self.port != port):
            return False
        candidates = {ip, effective(ip)}
        return any(c.version == self.network.version and c in self.network for c in candidates)


def _unmapped(network: IPNetwork) -> IPNetwork:
    """``::ffff:a.b.c.d/n`` as the IPv4 network it stands for (addresses are compared so)."""
    mapped = ipaddress.IPv6Network("::ffff:0:0/96")
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(mapped):
        start = ipaddress.IPv4Address(int(network.network_address) & 0xFFFFFFFF)
        return ipaddress.ip_network(f"{start}/{network.prefixlen - 96}")
    return network


def _is_label(label: str) -> bool:
    return len(label) <= 63 and all(ch.isalnum() or ch in "-_" for ch in label)


def _split_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):  # [v6]:port or [v6]
        end = text.find("]")
        if end < 0:
            raise PatternError(f"{text!r}: missing ']'")
        rest = text[end + 1 :]
        if not rest:
            return text[1:end], None
        if not rest.startswith(":"):
            raise PatternError(f"{text!r}: expected ':port' after ']'")
        return text[1:end], _port(text, rest[1:])
    if text.count(":") == 1:  # host:port or v4:port (a bare v6 has more colons)
        host, port = text.split(":")
        return host, _port(text, port)
    return text, None


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise PatternError(f"{entry!r}: the port must be a number from 1 to 65535")
    return int(text)
