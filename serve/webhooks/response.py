"""What a webhook call is answered with, the way n8n answers it.

- ``received_response`` — ``responseMode: onReceived``: ``{"message": "Workflow was started"}``,
  or ``options.responseData`` as text, or no body with ``options.noResponseBody``.
- ``last_node_response`` — ``responseMode: lastNode``: ``responseData`` ``firstEntryJson``
  (``options.responsePropertyName``, ``options.responseContentType``), ``firstEntryBinary``
  (``responseBinaryPropertyName``), ``allEntries`` or ``noData``.
- ``node_response`` — ``responseMode: responseNode``: the response a Respond to Webhook node
  recorded (``nodes.builtin.respond_to_webhook``).
- ``error_response`` — the run failed before answering: 500 ``{"message": "Error in
  workflow"}`` (n8n's answer; nothing of the error is sent).
- ``empty_response`` — ``responseNode`` run that finished without reaching a Respond to
  Webhook node: the response code and no body (n8n).

The status comes from ``responseCode`` (typeVersion 1, 1.1) or ``options.responseCode``
(``{"values": {"responseCode", "customCode"}}``, typeVersion 2+); ``options.responseHeaders``
entries are added in every mode. Strings are sent as Express's ``res.send`` sends them
(``text/html; charset=utf-8`` unless a Content-Type header says otherwise), anything else as
JSON. ``WebhookResponse.headers`` never holds ``content-type`` (that is ``media_type``) nor
``content-length``/``transfer-encoding`` (the server sets them); header names or values that
are not valid HTTP are dropped. HTML answers of Respond to Webhook nodes get n8n's sandbox
Content-Security-Policy unless the node set one.

``params`` are the trigger node's parameters with expressions already resolved.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from n8nwork.jsvalues import finite
from serve.webhooks.incoming import WebhookHttpError

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
SANDBOX_CSP = (
    "sandbox allow-downloads allow-forms allow-modals allow-orientation-lock "
    "allow-pointer-lock allow-popups allow-presentation allow-scripts "
    "allow-top-navigation-by-user-activation allow-top-navigation-to-custom-protocols"
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
_SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_MISSING: Any = object()


@dataclass
class WebhookResponse:
    """An HTTP answer: ``media_type`` is the whole Content-Type value (None: no header)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    media_type: str | None = None


# ------------------------------------------------------------------------------- public API
def response_code(params: Mapping[str, Any], type_version: float) -> int:
    """n8n's ``getResponseCode`` for the Webhook node (and the Wait node's webhook resume)."""
    if float(type_version) < 2:
        code = params.get("responseCode")
        return _status(code if code else 200)
    options = _options(params)
    holder = options.get("responseCode")
    values = holder.get("values") if isinstance(holder, Mapping) else None
    if isinstance(values, Mapping):
        custom = values.get("customCode")
        if custom:
            return _status(custom)
        chosen = values.get("responseCode", 200)
        return _status(200 if chosen == "customCode" else chosen)
    code = params.get("responseCode")  # e.g. the Wait node, which keeps it top-level
    return _status(code if code else 200)


def response_headers(params: Mapping[str, Any]) -> dict[str, str]:
    """``options.responseHeaders.entries`` as valid HTTP headers (lower-case names)."""
    holder = _options(params).get("responseHeaders")
    entries = holder.get("entries") if isinstance(holder, Mapping) else None
    pairs: list[tuple[Any, Any]] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping):
            pairs.append((entry.get("name"), entry.get("value")))
    return clean_headers(pairs)


def received_response(params: Mapping[str, Any], type_version: float) -> WebhookResponse:
    """The answer of ``responseMode: onReceived`` (sent as soon as the run is started)."""
    options = _options(params)
    headers = response_headers(params)
    status = response_code(params, type_version)
    data = options.get("responseData")
    if data:
        return _build(status, headers, data)
    if _truthy(options.get("noResponseBody")):
        return _build(status, headers, _MISSING)
    return _build(status, headers, {"message": "Workflow was started"})


def last_node_response(
    params: Mapping[str, Any], type_version: float, items: list[dict[str, Any]] | None
) -> WebhookResponse:
    """The answer of ``responseMode: lastNode``: ``items`` are the first output of the node
    that ran last (None when it returned no data at all)."""
    headers = response_headers(params)
    status = response_code(params, type_version)
    if items is None:
        message = "Workflow executed successfully but the last node did not return any data"
        return _build(status, headers, {"message": message})
    mode = str(params.get("responseData") or "firstEntryJson")
    options = _options(params)
    if mode == "noData":
        return _build(status, headers, _MISSING)
    if mode == "firstEntryJson":
        if not items:
            raise WebhookHttpError(500, "No item to return was found")
        body: Any = _json_of(items[0])
        prop = options.get("responsePropertyName")
        if prop is not None and prop != "":
            body = lodash_get(body, str(prop))
        content_type = options.get("responseContentType")
        if content_type:
            headers["content-type"] = str(content_type)
        return _build(status, headers, body)
    if mode == "firstEntryBinary":
        if not items:
            raise WebhookHttpError(500, "No item was found to return")
        binary = items[0].get("binary")
        if not isinstance(binary, Mapping):
            raise WebhookHttpError(500, "No binary data was found to return")
        name = params.get("responseBinaryPropertyName", "data")
        if not isinstance(name, str):
            raise WebhookHttpError(500, "'responseBinaryPropertyName' is not a string")
        entry = binary.get(name)
        if not isinstance(entry, Mapping):
            raise WebhookHttpError(
                500, f"The binary property '{name}' which should be returned does not exist"
            )
        headers.pop("content-type", None)
        mime = str(entry.get("mimeType") or "application/octet-stream")
        return WebhookResponse(status, headers, _entry_bytes(entry), mime)
    # allEntries (n8n's default for any other value)
    return _build(status, headers, [_json_of(item) for item in items])


def node_response(
    description: Mapping[str, Any], *, read_binary: Callable[[str], bytes] | None = None
) -> WebhookResponse:
    """The answer a Respond to Webhook node recorded (``webhookResponse`` in its node
    context). ``read_binary`` reads binary data stored by reference (``binaryId``)."""
    try:
        status = _status(description.get("status", 200))
    except WebhookHttpError:
        raise WebhookHttpError(
            500, "The Respond to Webhook node gave an invalid response code"
        ) from None
    raw_headers = description.get("headers")
    headers = clean_headers(list(raw_headers.items()) if isinstance(raw_headers, Mapping) else [])
    kind = description.get("kind")
    body = description.get("body")
    if kind == "binary":
        binary_id = description.get("binaryId")
        if body is None and isinstance(binary_id, str) and read_binary is not None:
            content = read_binary(binary_id)
        else:
            content = _b64(body)
        mime = headers.pop("content-type", None) or description.get("mimeType")
        answer = WebhookResponse(status, headers, content, str(mime) if mime else None)
    elif kind == "redirect":
        headers.pop("content-type", None)
        answer = WebhookResponse(status, headers, b"", None)
    elif kind == "noData" or (kind == "json" and body is None and "body" not in description):
        answer = _build(status, headers, _MISSING)
    elif kind == "text":
        answer = _build(status, headers, "" if body is None else str(body))
    else:  # json
        answer = _build(status, headers, body)
    media = (answer.media_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml") and "content-security-policy" not in {
        k.lower() for k in answer.headers
    }:
        answer.headers["content-security-policy"] = SANDBOX_CSP
    return answer


def error_response(error: Mapping[str, Any] | None = None) -> WebhookResponse:
    """The answer when the run failed before answering: n8n's 500 ``{"message": "Error in
    workflow"}``. ``error`` (the run's error) is accepted but never sent: it may hold data
    or internals the caller must not see."""
    return _build(500, {}, {"message": "Error in workflow"})


def empty_response(params: Mapping[str, Any], type_version: float) -> WebhookResponse:
    """A ``responseNode`` run that ended without reaching a Respond to Webhook node: n8n
    answers the response code with no body."""
    return _build(response_code(params, type_version), response_headers(params), _MISSING)


def clean_headers(pairs: list[tuple[Any, Any]]) -> dict[str, str]:
    """Valid HTTP headers only: lower-case token names, values without CR/LF/NUL; the ones
    the server sets itself are dropped."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = "" if name is None else str(name).strip().lower()
        text = "" if value is None else _header_value(value)
        if not _TOKEN.match(key) or _BAD_VALUE.search(text) or key in _SERVER_HEADERS:
            continue
        out[key] = text
    return out


def lodash_get(value: Any, path: str) -> Any:
    """lodash ``get(value, path)`` for dotted / bracketed paths; ``_MISSING`` if absent."""
    parts = [p for p in re.split(r"\.|\[(?:[\"']?)(.*?)(?:[\"']?)\]", path) if p]
    current = value
    for part in parts:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


# ------------------------------------------------------------------------------ internals
def _options(params: Mapping[str, Any]) -> Mapping[str, Any]:
    options = params.get("options")
    return options if isinstance(options, Mapping) else {}


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    return bool(value)


def _status(value: Any) -> int:
    try:
        code = int(float(value))
    except (TypeError, ValueError):
        raise WebhookHttpError(500, "The webhook's response code is not a number") from None
    if not 100 <= code <= 599:
        raise WebhookHttpError(500, "The webhook's response code is not between 100 and 599")
    return code


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _json_of(item: Any) -> Any:
    return item.get("json", {}) if isinstance(item, Mapping) else item


def _with_charset(content_type: str) -> str:
    if "charset=" in content_type.lower():
        return content_type
    return f"{content_type}; charset=utf-8"


def _build(status: int, headers: dict[str, str], body: Any) -> WebhookResponse:
    """Express's ``res.send(string)`` / ``res.json(value)``; ``_MISSING`` = no body."""
    content_type = headers.pop("content-type", None)
    if body is _MISSING:
        return WebhookResponse(status, headers, b"", content_type)
    if isinstance(body, str):
        media = _with_charset(content_type) if content_type else HTML
        return WebhookResponse(status, headers, body.encode("utf-8"), media)
    media = _with_charset(content_type) if content_type else JSON
    return WebhookResponse(status, headers, dump_json(body), media)


def dump_json(value: Any) -> bytes:
    """``JSON.stringify``: compact, NaN/Infinity as ``null``."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(finite(value), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def _entry_bytes(entry: Mapping[str, Any]) -> bytes:
    data = entry.get("data")
    if data is None or (data == "" and entry.get("id")):
        raise WebhookHttpError(500, "The binary data to return is stored by reference")
    return _b64(data)


def _b64(data: Any) -> bytes:
    if data is None:
        return b""
    try:
        return base64.b64decode(str(data), validate=False)
    except (binascii.Error, ValueError):
        raise WebhookHttpError(500, "The binary data to return is not valid base64") from None
