"""The runtime's SSRF policy comes from the settings it was given, and travels with a task to
the worker (``actors.network``, ``TaskSpec.network``): no Ray here."""

from __future__ import annotations

import ipaddress
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from actors.network import cluster_endpoints, install_policy
from n8nwork.net import DestinationRefused, get_policy, set_policy
from n8nwork.settings import SecuritySettings, Settings

LOOPBACK = ipaddress.ip_address("127.0.0.1")


@pytest.fixture(autouse=True)
def _restore_policy() -> Iterator[None]:
    yield
    set_policy(None)


def test_the_host_policy_follows_its_settings_not_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("N8NWORK_SECURITY__ALLOWED_HOSTS", raising=False)
    opened = Settings(data_dir=tmp_path, security=SecuritySettings(allowed_hosts=("127.0.0.1",)))
    policy = install_policy(opened)
    assert get_policy() is policy
    policy.check("127.0.0.1", 9000, LOOPBACK)  # allowed by the settings given
    closed = install_policy(Settings(data_dir=tmp_path))
    with pytest.raises(DestinationRefused, match=r"127\.0\.0\.1"):
        closed.check("127.0.0.1", 9000, LOOPBACK)


def test_the_cluster_endpoint_is_the_connected_gcs_and_asking_never_starts_ray() -> None:
    import ray

    connected = ray.is_initialized()  # another test of this session may have connected
    endpoints = cluster_endpoints()
    assert ray.is_initialized() == connected
    if connected:
        assert endpoints == (ray.get_runtime_context().gcs_address,)
    else:
        assert endpoints == ()


def test_a_policy_survives_the_trip_to_a_worker(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, security=SecuritySettings(allowed_hosts=("10.0.0.0/8",)))
    policy = install_policy(settings).with_services("127.0.0.1:6380")
    copy = pickle.loads(pickle.dumps(policy))
    assert copy == policy
    with pytest.raises(DestinationRefused):
        copy.check("127.0.0.1", 6380, LOOPBACK)
    copy.check("10.1.2.3", 80, ipaddress.ip_address("10.1.2.3"))
