"""The policy's decisions on addresses and names, without a network: what is non-public,
how allow and deny entries are read, which wins, and how settings build a policy."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import SecretStr

from n8nwork.net import DestinationRefused, HostPattern, NetworkPolicy, PatternError
from n8nwork.net.addresses import non_public_reason
from n8nwork.net.policy import get_policy, set_policy
from n8nwork.settings import DatabaseSettings, RedisSettings, SecuritySettings, Settings


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("fd00::1", "unique-local"),
        ("100.64.0.1", "shared"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "private"),  # documentation range
        ("2001::1", "Teredo"),
    ],
)
def test_non_public_addresses_are_named(address: str, reason: str) -> None:
    found = non_public_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) is None
    NetworkPolicy().check("example.com", 443, ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("entry", "network", "name", "port"),
    [
        ("127.0.0.1", "127.0.0.1/32", None, None),
        ("10.0.0.0/8", "10.0.0.0/8", None, None),
        ("10.0.0.0/8:8080", "10.0.0.0/8", None, 8080),
        ("::1", "::1/128", None, None),
        ("[::1]:80", "::1/128", None, 80),
        ("Api.Internal", None, "api.internal", None),
        ("api.internal:443", None, "api.internal", 443),
        ("*.internal", None, ".internal", None),
    ],
)
def test_list_entries(entry: str, network: str | None, name: str | None, port: int | None) -> None:
    pattern = HostPattern.parse(entry)
    assert str(pattern.network) == str(network) if network else pattern.network is None
    assert (pattern.name, pattern.port) == (name, port)


@pytest.mark.parametrize("entry", ["", "bad host", "[::1", "host:0", "host:99999", "a..b"])
def test_bad_list_entries_are_refused(entry: str) -> None:
    with pytest.raises(PatternError):
        HostPattern.parse(entry)


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def test_allow_list_opens_hosts_networks_and_names() -> None:
    policy = NetworkPolicy.build(allowed=["10.0.0.0/8", "localhost", "*.corp", "[::1]:8080"])
    policy.check("10.2.3.4", 80, ip("10.2.3.4"))
    policy.check("localhost", 80, ip("127.0.0.1"))
    policy.check("db.corp", 80, ip("192.168.0.9"))
    policy.check("::1", 8080, ip("::1"))
    with pytest.raises(DestinationRefused, match="loopback"):
        policy.check("::1", 8081, ip("::1"))
    with pytest.raises(DestinationRefused, match="private"):
        policy.check("192.168.0.9", 80, ip("192.168.0.9"))


def test_the_cluster_s_ports_stay_closed_unless_named_with_their_port() -> None:
    policy = NetworkPolicy.build(allowed=["127.0.0.1"])
    for port in (5432, 6379, 8000, 8265, 10001):
        with pytest.raises(DestinationRefused, match="platform's services"):
            policy.check("127.0.0.1", port, ip("127.0.0.1"))
    NetworkPolicy.build(allowed=["127.0.0.1:8265"]).check("127.0.0.1", 8265, ip("127.0.0.1"))
    NetworkPolicy().check("example.com", 8000, ip("93.184.216.34"))  # public: not ours


def test_deny_list_wins_over_a_broad_allow_entry() -> None:
    policy = NetworkPolicy.build(allowed=["10.0.0.0/8"], denied=["10.0.0.5", "*.secret"])
    with pytest.raises(DestinationRefused, match="deny list"):
        policy.check("10.0.0.5", 80, ip("10.0.0.5"))
    with pytest.raises(DestinationRefused, match="deny list"):
        policy.check("x.secret", 443, ip("93.184.216.34"))  # public, but denied by name


def test_settings_services_are_refused_even_when_allow_listed() -> None:
    settings = Settings(
        database=DatabaseSettings(url=SecretStr("postgresql+psycopg://u:pw@10.0.0.7:6543/db")),
        redis=RedisSettings(url=SecretStr("redis://cache.internal/0")),
        public_url="https://flows.example.com",
        security=SecuritySettings(allowed_hosts=("10.0.0.0/8", "cache.internal")),
    )
    policy = NetworkPolicy.from_settings(settings)
    with pytest.raises(DestinationRefused, match="platform's services"):
        policy.check("10.0.0.7", 6543, ip("10.0.0.7"))
    with pytest.raises(DestinationRefused, match="platform's services"):
        policy.check("cache.internal", 6379, ip("10.9.9.9"))
    with pytest.raises(DestinationRefused, match="platform's services"):
        policy.check("flows.example.com", 443, ip("93.184.216.34"))
    policy.check("10.0.0.7", 80, ip("10.0.0.7"))


def test_the_runtime_can_add_its_own_endpoints() -> None:
    policy = NetworkPolicy.build(allowed=["127.0.0.1"]).with_services("127.0.0.1:46123")
    with pytest.raises(DestinationRefused, match="platform's services"):
        policy.check("127.0.0.1", 46123, ip("127.0.0.1"))
    policy.check("127.0.0.1", 46124, ip("127.0.0.1"))


def test_settings_read_the_allow_list_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("N8NWORK_SECURITY__ALLOWED_HOSTS", "127.0.0.1, [::1]:8080,*.corp")
    monkeypatch.setenv("N8NWORK_SECURITY__DENIED_HOSTS", '["1.2.3.4"]')
    security = Settings().security
    assert security.allowed_hosts == ("127.0.0.1", "[::1]:8080", "*.corp")
    assert security.denied_hosts == ("1.2.3.4",)
    set_policy(None)  # rebuilt from the settings on next use
    get_policy().check("127.0.0.1", 80, ip("127.0.0.1"))


def test_a_bad_allow_list_entry_is_a_settings_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("N8NWORK_SECURITY__ALLOWED_HOSTS", "127.0.0.1,not a host")
    with pytest.raises(ValueError, match="'not a host' is not a host name"):
        Settings()
    set_policy(None)  # unreadable settings: the default policy, never an open one
    with pytest.raises(DestinationRefused):
        get_policy().check("127.0.0.1", 80, ip("127.0.0.1"))


def test_every_resolved_address_must_pass() -> None:
    def two_answers(*_: object) -> list[tuple[object, ...]]:
        return [(2, 1, 6, "", ("93.184.216.34", 80)), (2, 1, 6, "", ("127.0.0.1", 80))]

    with pytest.raises(DestinationRefused, match=r"mixed\.test \(127\.0\.0\.1\).*loopback"):
        NetworkPolicy().resolve("mixed.test", 80, two_answers)
