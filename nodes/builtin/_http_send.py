"""Sending one HTTP request of the HTTP Request node and turning the response into items:
n8n's response formats (autodetect, JSON, text, file), full responses, ``neverError``, and its
error shape (``NodeApiError``: a message per status class, a description ``"<code> - <body>"``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from n8nwork.binary import prepare_binary
from n8nwork.errors import NodeApiError
from n8nwork.net import DestinationRefused

STATUS_MESSAGES = {
    "4XX": "Your request is invalid or could not be processed by the service",
    "400": "Bad request - please check your parameters",
    "401": "Authorization failed - please check your credentials",
    "402": "Payment required - perhaps check your payment details?",
    "403": "Forbidden - perhaps check your credentials?",
    "404": "The resource you are requesting could not be found",
    "405": "Method not allowed - please check you are using the right HTTP method",
    "429": "The service is receiving too many requests from you",
    "5XX": "The service failed to process your request",
    "500": "The service was not able to process your request",
    "502": "Bad gateway - the service failed to handle your request",
    "503": "Service unavailable - try again later or consider setting this node to retry "
    "automatically (in the node settings)",
    "504": "Gateway timed out - perhaps try again later?",
}
BINARY_CONTENT_TYPES = (
    "image/",
    "audio/",
    "video/",
    "application/octet-stream",
    "application/gzip",
    "application/zip",
    "application/vnd.rar",
    "application/epub+zip",
    "application/x-bzip",
    "application/x-bzip2",
    "application/x-cdf",
    "application/vnd.amazon.ebook",
    "application/msword",
    "application/vnd.ms-fontobject",
    "application/vnd.oasis.opendocument",
    "application/pdf",
    "application/x-7z-compressed",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/x-tar",
    "font/",
)


@dataclass
class Request:
    """One request, with everything the node decided about it."""

    method: str
    url: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    has_json: bool = False
    form: dict[str, Any] | None = None
    files: list[tuple[str, tuple[str | None, bytes, str | None]]] | None = None
    content: bytes | None = None
    timeout_s: float = 300.0
    follow_redirects: bool = True
    max_redirects: int = 21
    verify: bool = True


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class HttpError(Exception):
    """Raised when the request could not be sent or got no response."""


def send(client: httpx.Client, req: Request) -> Response:
    kwargs: dict[str, Any] = {"params": req.query or None, "headers": req.headers}
    if req.has_json:
        kwargs["content"] = json.dumps(
            req.json_body, ensure_ascii=False, separators=(",", ":")
        ).encode()
        if not any(k.lower() == "content-type" for k in req.headers):
            kwargs["headers"] = {**req.headers, "content-type": "application/json"}
    elif req.files is not None:
        kwargs["files"] = req.files
        kwargs["data"] = req.form or None
    elif req.form is not None:
        kwargs["data"] = req.form
    elif req.content is not None:
        kwargs["content"] = req.content
    try:
        resp = client.request(
            req.method,
            req.url,
            timeout=req.timeout_s,
            follow_redirects=req.follow_redirects,
            **kwargs,
        )
    except DestinationRefused as exc:  # the SSRF guard, also for a redirect's target
        raise HttpError(str(exc)) from exc
    except httpx.TimeoutException as exc:
        raise HttpError(f"timeout of {int(req.timeout_s * 1000)}ms exceeded") from exc
    except httpx.TooManyRedirects as exc:
        raise HttpError("Maximum number of redirects exceeded") from exc
    except httpx.HTTPError as exc:
        raise HttpError(str(exc) or type(exc).__name__) from exc
    headers = {k.lower(): v for k, v in resp.headers.items()}
    return Response(resp.status_code, resp.reason_phrase, headers, resp.content, str(resp.url))


def body_text(resp: Response) -> str:
    charset = "utf-8"
    m = re.search(r"charset=([\w.-]+)", resp.content_type, re.I)
    if m:
        charset = m.group(1)
    try:
        return resp.body.decode(charset, errors="replace")
    except LookupError:
        return resp.body.decode("utf-8", errors="replace")


def parsed_body(resp: Response) -> Any:
    """The body as ``$response.body`` sees it: JSON when the type says so, else text."""
    text = body_text(resp)
    if "application/json" in resp.content_type:
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            return {}
    return text


def api_error(resp: Response, node: str, item_index: int) -> NodeApiError:
    """n8n's NodeApiError for a response outside 2xx."""
    code = str(resp.status)
    text = body_text(resp)
    try:
        body: Any = json.loads(text) if text else ""
    except ValueError:
        body = text
    description = f"{code} - {json.dumps(body, ensure_ascii=False, separators=(',', ':'))}"
    if resp.status == 429:
        description = "Try spacing your requests out using the batching settings under 'Options'"
    message = STATUS_MESSAGES.get(code) or STATUS_MESSAGES.get(code[0] + "XX")
    if message is None:
        message = f"Request failed with status code {code}"
    return NodeApiError(
        message,
        node=node,
        item_index=item_index,
        description=description,
        context={"httpCode": code},
    )


def _file_name(resp: Response) -> str | None:
    disposition = resp.headers.get("content-disposition")
    if disposition:
        msg = Message()
        msg["content-disposition"] = disposition
        name = msg.get_filename()
        if name:
            return unquote(name)
    path = urlsplit(resp.url).path
    last = [p for p in path.split("/") if p]
    return unquote(last[-1]) if last else None


def to_binary(resp: Response) -> dict[str, Any]:
    mime = resp.content_type.split(";")[0].strip() or None
    entry = prepare_binary(resp.body, None, mime)
    name = _file_name(resp)
    if name:
        entry["fileName"] = name
        if "." in name and not entry.get("fileExtension"):
            entry["fileExtension"] = name.rsplit(".", 1)[1]
    return entry


def detect_format(resp: Response, wanted: str) -> str:
    if wanted != "autodetect":
        return wanted
    ctype = resp.content_type
    if "application/json" in ctype:
        return "json"
    if any(t in ctype for t in BINARY_CONTENT_TYPES):
        return "file"
    return "text"


def full_response(resp: Response, body: Any) -> dict[str, Any]:
    return {
        "body": body,
        "headers": resp.headers,
        "statusCode": resp.status,
        "statusMessage": resp.reason,
    }


def encode_path(url: str) -> str:
    """Percent-encode characters a URL may not carry raw (spaces, non-ASCII)."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")
