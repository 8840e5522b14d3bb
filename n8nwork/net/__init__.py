"""Outbound network access of nodes: the SSRF guard.

``NetworkPolicy`` decides which resolved addresses a node may reach (non-public networks and
this platform's own services are refused unless allow-listed with
``N8NWORK_SECURITY__ALLOWED_HOSTS``); ``guarded_client()`` is an ``httpx.Client`` that
checks every connection it makes, redirects included, and connects to the checked address.
``get_policy()`` / ``set_policy()`` hold the policy of this process.

Layout: ``addresses`` (what is public, list entries), ``policy`` (decisions, the process's
policy), ``transport`` (the httpx client and its guarded network backend).
"""

from __future__ import annotations

from n8nwork.net.addresses import HostPattern, PatternError, non_public_reason
from n8nwork.net.policy import DestinationRefused, NetworkPolicy, get_policy, set_policy
from n8nwork.net.transport import GuardedTransport, guarded_client

__all__ = [
    "DestinationRefused",
    "GuardedTransport",
    "HostPattern",
    "NetworkPolicy",
    "PatternError",
    "get_policy",
    "guarded_client",
    "non_public_reason",
    "set_policy",
]
