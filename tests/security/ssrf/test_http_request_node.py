"""The HTTP Request node against local servers: non-public destinations are refused by default
however they are spelled or reached (IP, name, redirect), the refused server sees nothing,
and an allow-list entry opens them deliberately."""

from __future__ import annotations

import pytest

from n8nwork.net import NetworkPolicy, set_policy
from tests.security.ssrf.conftest import Server, failure, fetch

REFUSED = "refused"


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),  # a DNS name that resolves to loopback
        ("[::ffff:127.0.0.1]", "loopback"),  # IPv4-mapped IPv6
        ("[::ffff:7f00:1]", "loopback"),
        ("0x7f000001", "loopback"),  # hexadecimal
        ("2130706433", "loopback"),  # decimal
        ("127.1", "loopback"),  # short dotted form
    ],
)
def test_loopback_in_any_spelling_is_refused(target: Server, host: str, why: str) -> None:
    message = failure(fetch(target.url("/secret", host=host)))
    assert REFUSED in message and why in message
    assert "N8NWORK_SECURITY__ALLOWED_HOSTS" in message
    assert target.hits == []


def test_octal_spelling_is_refused(target: Server) -> None:
    message = failure(fetch(target.url("/secret", host="0177.0.0.1")))
    assert target.hits == [] and message


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),  # cloud metadata
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "unique-local"),
        ("http://10.0.0.1/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
    ],
)
def test_metadata_and_private_ranges_are_refused_before_connecting(url: str, why: str) -> None:
    message = failure(fetch(url, timeout=2000))
    assert REFUSED in message and why in message


def test_a_name_the_attacker_points_at_loopback_is_refused(
    target: Server, resolver_hook: dict[str, list[str]]
) -> None:
    resolver_hook["internal.test"] = ["127.0.0.1"]
    message = failure(fetch(target.url("/", host="internal.test")))
    assert "internal.test (127.0.0.1)" in message and "loopback" in message
    assert target.hits == []


def test_a_name_with_one_bad_address_among_good_ones_is_refused(
    target: Server, resolver_hook: dict[str, list[str]]
) -> None:
    resolver_hook["mixed.test"] = ["93.184.216.34", "127.0.0.1"]
    assert "loopback" in failure(fetch(target.url("/", host="mixed.test")))
    assert target.hits == []


def test_a_redirect_from_an_allowed_host_to_a_refused_one_is_refused(
    target: Server, redirector: Server
) -> None:
    # Given: only the redirector (127.0.0.2, its port) is allowed
    set_policy(NetworkPolicy.build(allowed=[f"127.0.0.2:{redirector.port}"]))
    assert fetch(redirector.url("/plain")).status == "success"

    # When: it redirects to the server on 127.0.0.1
    message = failure(fetch(redirector.url("/to?u=" + target.url("/secret"))))

    # Then: the hop is refused and the target never sees a request
    assert REFUSED in message and "127.0.0.1" in message
    assert redirector.hits[-1].startswith("/to?u=")
    assert target.hits == []


def test_a_redirect_to_cloud_metadata_is_refused(redirector: Server) -> None:
    set_policy(NetworkPolicy.build(allowed=[f"127.0.0.2:{redirector.port}"]))
    message = failure(fetch(redirector.url("/to?u=http://169.254.169.254/latest/meta-data/")))
    assert "link-local" in message


def test_dns_is_asked_once_and_the_checked_address_is_the_one_connected(
    redirector: Server, target: Server, resolver_hook: dict[str, list[str]]
) -> None:
    # A rebinding DNS answer would say 127.0.0.2 (allowed) first and 127.0.0.1 later: the
    # node resolves once per connection and connects to the address it checked.
    set_policy(NetworkPolicy.build(allowed=["127.0.0.2"]))
    resolver_hook["rebind.test"] = ["127.0.0.2"]
    state = fetch(f"http://rebind.test:{redirector.port}/pinned")
    resolver_hook["rebind.test"] = ["127.0.0.1"]
    assert state.status == "success"
    assert resolver_hook["calls"] == ["rebind.test"]
    assert redirector.hits == ["/pinned"] and target.hits == []


def test_the_cluster_s_own_services_stay_refused_when_loopback_is_allowed() -> None:
    set_policy(NetworkPolicy.build(allowed=["127.0.0.0/8"]))
    for port in (5432, 6379):  # PostgreSQL and Redis of this machine
        message = failure(fetch(f"http://127.0.0.1:{port}/", timeout=2000))
        assert "platform's services" in message


@pytest.mark.parametrize(
    "entry", ["127.0.0.1", "127.0.0.0/8", "localhost", "*.test", "PORT", "[::ffff:127.0.0.1]"]
)
def test_an_allow_list_entry_opens_the_destination(
    target: Server, resolver_hook: dict[str, list[str]], entry: str
) -> None:
    resolver_hook["svc.test"] = ["127.0.0.1"]
    if entry == "PORT":
        entry = f"127.0.0.1:{target.port}"
    set_policy(NetworkPolicy.build(allowed=[entry]))
    host = {"localhost": "localhost", "*.test": "svc.test"}.get(entry, "127.0.0.1")
    state = fetch(target.url("/open", host=host))
    assert state.status == "success", state.error
    assert state.run_data["HTTP"][0].output(0)[0]["json"] == {"reached": True}
    assert target.hits == ["/open"]


def test_the_allow_list_setting_reaches_the_node(
    target: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("N8NWORK_SECURITY__ALLOWED_HOSTS", "127.0.0.1")
    set_policy(None)  # this process's policy is built from the settings again
    assert fetch(target.url("/env")).status == "success"
    assert target.hits == ["/env"]


def test_continue_on_fail_turns_a_refusal_into_an_error_item(target: Server) -> None:
    from tests.security.ssrf.conftest import run_nodes

    node = {
        "name": "HTTP",
        "type": "n8n-nodes-base.httpRequest",
        "typeVersion": 4.2,
        "parameters": {"url": target.url("/x")},
        "onError": "continueRegularOutput",
    }
    state = run_nodes(node)
    assert state.status == "success"
    [item] = state.run_data["HTTP"][0].output(0)
    assert "loopback" in str(item["json"]["error"])
    assert target.hits == []
