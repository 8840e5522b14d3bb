"""Respond to Webhook (``n8n-nodes-base.respondToWebhook``, v1-1.5): says what a webhook call
whose trigger uses ``responseMode: responseNode`` is answered with.

``respondWith``: ``allIncomingItems``, ``binary`` (``responseDataSource`` automatically | set,
``inputFieldName``), ``firstIncomingItem`` (default), ``json`` (``responseBody``), ``jwt``
(``payload`` signed with the node's ``jwtAuth`` credential), ``noData``, ``redirect``
(``redirectURL``, 307 unless ``options.responseCode``; only http(s) URLs and relative
paths, see ``n8nwork.net.redirects``) or ``text`` (``responseBody``);
options ``responseCode`` (default 200), ``responseHeaders.entries`` and ``responseKey``
(put the items under that field). Parameters are read for the first item, as in n8n.

The node passes its input through unchanged; from v1.3 (and v1.4+ with
``enableResponseOutput``) a second output carries ``{"response": {"body", "headers",
"statusCode"}}``. The response itself is recorded, JSON-safe, in the node context as
``webhookResponse``: ``{"status", "headers", "kind": "json"|"text"|"binary"|"redirect"|
"noData", "body": <JSON value | text | base64>, "mimeType"?, "binaryId"?}`` — the webhook
handler (``serve.webhooks.response.node_response``) sends it. From v1.1 the node fails when
no Webhook, Form Trigger, Chat Trigger or Wait node precedes it (n8n's check).
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from collections.abc import Mapping
from typing import Any

import jwt

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.net.redirects import UnsafeRedirect, check_redirect_target
from n8nwork.workflow.model import Node
from nodes.builtin._creds import get_credentials
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

RESPOND_WITH = (
    "allIncomingItems",
    "binary",
    "firstIncomingItem",
    "json",
    "jwt",
    "noData",
    "redirect",
    "text",
)
WEBHOOK_NODE_TYPES = frozenset(
    {
        "n8n-nodes-base.webhook",
        "n8n-nodes-base.formTrigger",
        "@n8n/n8n-nodes-langchain.chatTrigger",
        "n8n-nodes-base.wait",
    }
)
_DEFAULT_JSON = '{\n  "myField": "value"\n}'


class RespondToWebhook(NodeType):
    type_name = "n8n-nodes-base.respondToWebhook"
    versions = (1, 1.1, 1.2, 1.3, 1.4, 1.5)
    display_name = "Respond to Webhook"
    description = "Returns data for Webhook"
    params = (
        Param(
            "enableResponseOutput",
            "boolean",
            False,
            versions=(1.4, 1.5),
            description="Whether to provide an additional output branch with the response "
            "sent to the webhook",
        ),
        Param("respondWith", "options", "firstIncomingItem", RESPOND_WITH),
        Param("redirectURL", "string", "", description="The URL to redirect to"),
        Param(
            "responseBody",
            "any",
            None,
            description="The JSON body (respondWith json; default "
            '{"myField": "value"}) or the text (respondWith text; default empty)',
        ),
        Param("payload", "json", _DEFAULT_JSON, description="The payload of the JWT token"),
        Param("responseDataSource", "options", "automatically", ("automatically", "set")),
        Param("inputFieldName", "string", "data"),
        Param("options", "collection", {}),
    )

    def output_count(self, node: Node) -> int:
        version = float(node.type_version)
        if version == 1.3:
            return 2
        if version >= 1.4 and node.parameters.get("enableResponseOutput") is True:
            return 2
        return 1

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        if ctx.version >= 1.1 and not _has_webhook_ancestor(ctx):
            raise ctx.error(
                "No Webhook node found in the workflow",
                description="Insert a Webhook node to your workflow and set the “Respond” "
                "parameter to “Using Respond to Webhook Node” ",
            )
        respond_with = ctx.param("respondWith", 0)
        options = ctx.param("options", 0, {}) or {}
        if not isinstance(options, Mapping):
            options = {}
        headers = _headers(options.get("responseHeaders"))
        status = _status(ctx, options.get("responseCode"), 200)
        response: dict[str, Any] = {"status": status, "headers": headers}
        if respond_with == "json":
            response.update(kind="json", body=_json_body(ctx))
        elif respond_with == "jwt":
            response.update(kind="json", body={"token": _sign(ctx)})
        elif respond_with == "allIncomingItems":
            body: Any = [item.get("json", {}) for item in items]
            response.update(kind="json", body=_keyed(options.get("responseKey"), body))
        elif respond_with == "firstIncomingItem":
            if not items:
                raise ctx.error("No item to respond with: the node received no input items")
            body = items[0].get("json", {})
            response.update(kind="json", body=_keyed(options.get("responseKey"), body))
        elif respond_with == "text":
            text = ctx.param("responseBody", 0)
            response.update(kind="text", body="" if text is None else _as_text(text))
        elif respond_with == "binary":
            response.update(_binary(ctx, items, headers))
        elif respond_with == "redirect":
            headers["location"] = _redirect_target(ctx)
            response.update(
                status=_status(ctx, options.get("responseCode"), 307), kind="redirect", body=None
            )
        elif respond_with == "noData":
            response.update(kind="noData", body=None)
        else:
            raise ctx.error(f'The Response Data option "{respond_with}" is not supported!')
        ctx.node_context["webhookResponse"] = response
        outputs: list[Any] = [items]
        enabled = ctx.version >= 1.4 and ctx.param("enableResponseOutput", 0, False) is True
        if ctx.version == 1.3 or enabled:
            sent = {"body": response.get("body"), "headers": headers, "statusCode": status}
            outputs.append([{"json": {"response": sent}}])
        return outputs


def _has_webhook_ancestor(ctx: ExecutionContext) -> bool:
    workflow = ctx.workflow
    seen = {ctx.node.name}
    stack = [ctx.node.name]
    while stack:
        for conn in workflow.parents.get(stack.pop(), ()):
            if conn.source in seen:
                continue
            seen.add(conn.source)
            parent = workflow.by_name.get(conn.source)
            if parent is not None and parent.type in WEBHOOK_NODE_TYPES:
                return True
            stack.append(conn.source)
    return False


def _headers(holder: Any) -> dict[str, str]:
    entries = holder.get("entries") if isinstance(holder, Mapping) else None
    out: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or entry.get("name") in (None, ""):
            continue
        out[_as_text(entry.get("name")).lower()] = _as_text(entry.get("value", ""))
    return out


def _status(ctx: ExecutionContext, value: Any, default: int) -> int:
    if value is None or value == "" or value == 0:
        return default
    try:
        code = int(float(value))
    except (TypeError, ValueError):
        code = -1
    if not 100 <= code <= 599 or isinstance(value, bool):
        raise ctx.error(
            f"Invalid response code {value!r}",
            description="'Response Code' must be a number between 100 and 599",
        )
    return code


def _json_body(ctx: ExecutionContext) -> Any:
    value = ctx.param("responseBody", 0)
    if value is None:
        value = _DEFAULT_JSON
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise ctx.error(
            "Invalid JSON in 'Response Body' field",
            description="Check that the syntax of the JSON in the 'Response Body' parameter "
            f"is valid ({exc})",
        ) from None


def _sign(ctx: ExecutionContext) -> str:
    credential = get_credentials(ctx, "jwtAuth")
    payload = ctx.param("payload", 0, {})
    try:
        if isinstance(payload, str):
            payload = json.loads(payload) if payload.strip() else {}
        if not isinstance(payload, Mapping):
            raise ValueError("the payload must be a JSON object")
        algorithm = str(credential.get("algorithm") or "HS256")
        if credential.get("keyType", "passphrase") == "passphrase":
            key = str(credential.get("secret") or "")
        else:
            key = _pem(str(credential.get("privateKey") or ""))
        if not key:
            raise ValueError("secretOrPrivateKey must have a value")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            return jwt.encode(dict(payload), key, algorithm=algorithm)
    except (ValueError, TypeError, jwt.PyJWTError, NotImplementedError) as exc:
        raise ctx.error("Error signing JWT token", description=str(exc)[:300]) from None


def _pem(key: str) -> str:
    """n8n's ``formatPrivateKey``: a one-line PEM key back into lines of 64 characters."""
    text = key.strip().replace("\\n", "\n")
    match = re.match(r"^(-----BEGIN [A-Z ]+-----)\s*(.+?)\s*(-----END [A-Z ]+-----)$", text)
    if "\n" in text or match is None:
        return text
    body = re.sub(r"\s+", "", match.group(2))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([match.group(1), *lines, match.group(3)]) + "\n"


def _keyed(key: Any, value: Any) -> Any:
    """lodash ``set({}, key, value)`` for a dotted key; the value itself without a key."""
    if not key:
        return value
    parts = [p for p in str(key).split(".") if p != ""] or [str(key)]
    out: dict[str, Any] = {}
    cur = out
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value
    return out


def _binary(
    ctx: ExecutionContext, items: list[dict[str, Any]], headers: dict[str, str]
) -> dict[str, Any]:
    if not items or not items[0].get("binary"):
        raise ctx.error("No binary data exists on the first item!")
    item = items[0]
    if ctx.param("responseDataSource", 0) == "set":
        name = _as_text(ctx.param("inputFieldName", 0))
    else:
        name = next(iter(item["binary"]))
    try:
        entry = binary_entry(item, name, 0)
    except BinaryDataError as exc:
        raise ctx.error(str(exc), item_index=0) from None
    mime = str(entry.get("mimeType") or "application/octet-stream")
    headers.setdefault("content-type", mime)
    out: dict[str, Any] = {"kind": "binary", "mimeType": mime}
    if entry.get("id") and not entry.get("data"):
        out.update(body=None, binaryId=str(entry["id"]))
        return out
    try:
        data = binary_bytes(entry)
    except BinaryDataError as exc:
        raise ctx.error(str(exc), item_index=0) from None
    out["body"] = base64.b64encode(data).decode("ascii")
    return out


def _redirect_target(ctx: ExecutionContext) -> str:
    """The ``Location`` to send: an http(s) URL or a relative path (never ``javascript:``)."""
    try:
        return check_redirect_target(_as_text(ctx.param("redirectURL", 0) or ""))
    except UnsafeRedirect as exc:
        raise ctx.error(
            str(exc),
            description="Set 'Redirect URL' to an http:// or https:// address or to a path",
        ) from None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)
