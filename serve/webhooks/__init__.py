"""n8n-compatible webhooks: ``/webhook/<path>`` and ``/webhook-test/<path>``.

The pure building blocks (no Ray, no database, no framework) are here:

- ``incoming`` — ``IncomingRequest`` (a request as received) and ``WebhookHttpError`` (an
  answer instead of a run);
- ``request_item`` — ``webhook_item``: the item the Webhook node emits (headers, params,
  query, parsed body, binary files) for typeVersions 1, 1.1, 2 and 2.1;
- ``auth`` — ``check_ip`` (``options.ipWhitelist``, addresses and CIDR ranges),
  ``check_auth`` (none / basicAuth / headerAuth / jwtAuth), ``check_bot``, ``cors_headers``;
- ``response`` — ``WebhookResponse`` and the answers of each response mode
  (``received_response``, ``last_node_response``, ``node_response``, ``error_response``,
  ``empty_response``);
- ``form`` — the Wait node's form page (``render_form``) and its submission (``form_item``).

The HTTP route, route table and run handling (``handler``, ``routes_table``, ...) call them.
Submodules are imported lazily so that importing one of them does not load the others.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "IncomingRequest": "incoming",
    "WebhookHttpError": "incoming",
    "webhook_item": "request_item",
    "check_ip": "auth",
    "check_auth": "auth",
    "check_bot": "auth",
    "cors_headers": "auth",
    "ip_allowed": "auth",
    "WebhookResponse": "response",
    "received_response": "response",
    "last_node_response": "response",
    "node_response": "response",
    "error_response": "response",
    "empty_response": "response",
    "render_form": "form",
    "form_item": "form",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'serve.webhooks' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
