"""The item the Webhook node emits for a request, built the way n8n builds it.

``webhook_item`` returns ``{"json": {"headers", "params", "query", "body", "webhookUrl",
"executionMode", "jwtPayload"?}, "binary"?: {...}}`` for Webhook typeVersions 1, 1.1, 2 and
2.1:

- headers as Node.js folds them (lower-case names; repeats joined with ``, ``, ``cookie``
  with ``; ``, ``set-cookie`` kept as a list, single-valued headers keep the first value);
- the query as Express's ``qs`` parser reads it (repeated keys become arrays, ``a[b]=1``
  nests, ``a[]=1`` is an array);
- the body: JSON (``application/json``), XML (``*/xml``, ``*+xml``; xml2js with n8n's
  options), ``application/x-www-form-urlencoded`` (Node's ``querystring``: repeated keys
  become arrays, no nesting), ``text/plain`` as a string, ``multipart/form-data`` fields in
  ``body`` and files as binary properties (n8n's names: the field name, ``name0``,
  ``name1``... for several files in one field, ``<binaryPropertyName><n>`` when that option is
  set). Other content types: typeVersion 1 gives ``body: {}``; typeVersion 2+ gives the whole
  body as binary property ``options.binaryPropertyName`` (default ``data``);
- ``options.binaryData`` (typeVersion 1): the whole body as binary, body ``{}``;
- ``options.rawBody``: the raw body also as binary ``data`` (``{data, mimeType}``, as n8n);
- gzip/deflate bodies are inflated first (at most ``MAX_INFLATED_BYTES``).

A body that cannot be parsed is answered 422 "Failed to parse request body" (n8n's status and
message; the parser's complaint is the ``hint``); malformed multipart is 400.
"""

from __future__ import annotations

import base64
import json
import math
import re
import uuid
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from n8nwork.binary import prepare_binary
from nodes.builtin._xml2js import XmlError
from nodes.builtin._xml2js import parse as parse_xml
from serve.webhooks.incoming import IncomingRequest, WebhookHttpError

MAX_INFLATED_BYTES = 64 * 1024 * 1024
MAX_KEYS = 1000  # Node's querystring maxKeys / qs parameterLimit
_QS_DEPTH = 5  # qs's default depth
_QS_ARRAY_LIMIT = 20  # qs's default arrayLimit

# Node.js keeps only the first value of these when a request repeats them.
_SINGLE_HEADERS = frozenset(
    {
        "age",
        "authorization",
        "content-length",
        "content-type",
        "etag",
        "expires",
        "from",
        "host",
        "if-modified-since",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "proxy-authorization",
        "referer",
        "retry-after",
        "server",
        "user-agent",
    }
)
_XML_OPTIONS = {"normalize": True, "normalizeTags": True, "explicitArray": False}
_UNSET: Any = object()


# ------------------------------------------------------------------------------- public API
def webhook_item(
    req: IncomingRequest,
    *,
    params: Mapping[str, Any],
    type_version: float,
    mode: str,
    webhook_url: str,
    jwt_payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The item n8n's Webhook node emits for ``req``.

    ``params`` are the Webhook node's parameters (expressions already resolved); ``mode`` is
    the execution mode (``manual``/``test`` give ``executionMode: "test"``, anything else
    ``"production"``); ``webhook_url`` is the node's production URL (``/webhook/`` becomes
    ``/webhook-test/`` in test mode, as n8n reports it); ``jwt_payload`` is what
    ``check_auth`` returned for ``jwtAuth`` (added as ``jwtPayload``).
    """
    options = params.get("options") or {}
    if not isinstance(options, Mapping):
        options = {}
    version = float(type_version)
    content_type, ct_params = content_type_of(req)
    raw = inflate(req)
    item: dict[str, Any] = {}
    json_out: dict[str, Any] = {
        "headers": fold_headers(req.headers),
        "params": dict(req.path_params),
        "query": parse_query(req.query),
    }
    binary_name = options.get("binaryPropertyName")
    if version < 2 and _truthy(options.get("binaryData")):
        json_out["body"] = {}
        binary = _whole_body_binary(req, raw, content_type, binary_name)
        if binary:
            item["binary"] = binary
    elif content_type == "multipart/form-data":
        fields, files = parse_multipart(req, raw)
        json_out["body"] = fields
        binary = _multipart_binary(files, binary_name)
        if binary:
            item["binary"] = binary
    else:
        parsed = parse_body(raw, content_type, ct_params.get("charset"))
        raw_body = _truthy(options.get("rawBody"))
        if version > 1 and not _js_truthy(parsed) and not raw_body:
            json_out["body"] = {}
            binary = _whole_body_binary(req, raw, content_type, binary_name)
            if binary:
                item["binary"] = binary
        else:
            json_out["body"] = {} if parsed is _UNSET else parsed
            if raw_body:
                item["binary"] = {
                    "data": {
                        "data": base64.b64encode(raw).decode("ascii"),
                        "mimeType": content_type or "application/json",
                    }
                }
    test = mode in ("manual", "test")
    url = webhook_url.replace("/webhook/", "/webhook-test/") if test else webhook_url
    json_out["webhookUrl"] = url
    json_out["executionMode"] = "test" if test else "production"
    if jwt_payload:
        json_out["jwtPayload"] = dict(jwt_payload)
    return {"json": json_out, **item}


def content_type_of(req: IncomingRequest) -> tuple[str | None, dict[str, str]]:
    """The request's media type (lower case, no parameters) and its parameters."""
    raw = req.header("content-type")
    if not raw:
        return None, {}
    media, params = _header_params(raw)
    return (media or None), params


def inflate(req: IncomingRequest) -> bytes:
    """The body with ``Content-Encoding: gzip`` or ``deflate`` undone (as n8n reads it)."""
    encoding = (req.header("content-encoding") or "").strip().lower()
    if encoding not in ("gzip", "deflate") or not req.body:
        return req.body
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(req.body, MAX_INFLATED_BYTES + 1)
    except zlib.error:
        if encoding == "deflate":  # raw deflate, as some clients send it
            try:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = inflater.decompress(req.body, MAX_INFLATED_BYTES + 1)
            except zlib.error:
                raise _bad_encoding(encoding) from None
        else:
            raise _bad_encoding(encoding) from None
    if len(out) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        raise WebhookHttpError(413, "The request body is too large once decompressed")
    return out


def fold_headers(headers: list[tuple[str, str]]) -> dict[str, Any]:
    """Request headers as Node.js's ``req.headers`` holds them."""
    out: dict[str, Any] = {}
    for raw_name, value in headers:
        name = raw_name.lower()
        if name not in out:
            out[name] = [value] if name == "set-cookie" else value
        elif name == "set-cookie":
            out[name].append(value)
        elif name == "cookie":
            out[name] = f"{out[name]}; {value}"
        elif name not in _SINGLE_HEADERS:
            out[name] = f"{out[name]}, {value}"
    return out


def parse_query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Decoded query pairs as Express's default (``qs``) query parser reads them."""
    combined: dict[str, Any] = {}
    for key, value in pairs[:MAX_KEYS]:
        if key in combined:
            existing = combined[key]
            combined[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            combined[key] = value
    result: _Obj = _Obj()
    for key, value in combined.items():
        built = _qs_build(key, value)
        if built is not None:
            _qs_merge(result, built)
    finished = _qs_finish(result)
    return finished if isinstance(finished, dict) else {}


def parse_urlencoded(text: str) -> dict[str, Any]:
    """Node's ``querystring.parse``: repeated keys become arrays, brackets stay in keys."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True)[:MAX_KEYS]:
        if key in out:
            existing = out[key]
            out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[key] = value
    return out


def parse_body(raw: bytes, content_type: str | None, charset: str | None) -> Any:
    """The parsed body for the types n8n parses; ``_UNSET`` (module sentinel) otherwise."""
    if not raw or not content_type:
        return _UNSET
    text_types = ("application/json", "application/x-www-form-urlencoded", "text/plain")
    is_xml = content_type.endswith("/xml") or content_type.endswith("+xml")
    if content_type not in text_types and not is_xml:
        return _UNSET
    text = decode_text(raw, charset)
    try:
        if content_type == "application/json":
            return json.loads(text, parse_constant=_reject_constant)
        if is_xml:
            return parse_xml(text, _XML_OPTIONS)
        if content_type == "application/x-www-form-urlencoded":
            return parse_urlencoded(text)
        return text
    except (ValueError, XmlError, RecursionError) as exc:
        raise WebhookHttpError(422, "Failed to parse request body", hint=_parse_hint(exc)) from None


def parse_multipart(
    req: IncomingRequest, raw: bytes | None = None
) -> tuple[dict[str, Any], dict[str, list[tuple[str, str | None, bytes]]]]:
    """``multipart/form-data`` as n8n's formidable setup reads it: the fields (a field sent
    more than once becomes an array) and the files by field name, each ``(file name, MIME type
    or None, bytes)``. Parts with an empty file name (a browser's empty file input) are
    skipped; part headers are read as UTF-8, as browsers send them."""
    body = req.body if raw is None else raw
    _, ct_params = content_type_of(req)
    boundary = ct_params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise _bad_form()
    if not body.strip():
        return {}, {}
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1", "replace"))
    if len(chunks) < 2:
        raise _bad_form()
    default_charset = ct_params.get("charset")
    fields: dict[str, list[Any]] = {}
    files: dict[str, list[tuple[str, str | None, bytes]]] = {}
    closed = False
    for chunk in chunks[1 : MAX_KEYS + 2]:
        if chunk.startswith(b"--"):
            closed = True
            break
        newline = chunk.find(b"\r\n")
        if newline < 0 or chunk[:newline].strip(b" \t"):
            raise _bad_form()
        head, sep, content = chunk[newline + 2 :].partition(b"\r\n\r\n")
        if not sep:
            if chunk[newline + 2 :].startswith(b"\r\n"):  # a part without headers
                continue
            raise _bad_form()
        headers = _part_headers(head)
        disposition, dparams = _header_params(headers.get("content-disposition", ""))
        name = dparams.get("name")
        if disposition != "form-data" or name is None:
            continue
        mime_raw = headers.get("content-type")
        mime_type, mparams = _header_params(mime_raw) if mime_raw else (None, {})
        if "filename" in dparams:
            filename = dparams["filename"]
            if not filename:
                continue
            files.setdefault(name, []).append((filename, mime_type or None, content))
        else:
            charset = mparams.get("charset") or default_charset
            fields.setdefault(name, []).append(decode_text(content, charset))
    if not closed:
        raise _bad_form()
    flat = {key: values[0] if len(values) == 1 else values for key, values in fields.items()}
    return flat, files


def _part_headers(head: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            out.setdefault(name.strip().lower(), value.strip())
    return out


_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="a"; filename*=UTF-8''%C3%A9`` -> (``form-data``, params)."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        key = match.group(1).lower()
        raw = match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):
            charset, _, encoded = raw.partition("'")
            _, _, encoded = encoded.partition("'")
            try:
                params[key[:-1]] = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            except LookupError:
                params[key[:-1]] = unquote(encoded, errors="replace")
        elif key not in params:
            params[key] = raw
    return main.strip().lower(), params


def decode_text(raw: bytes, charset: str | None) -> str:
    """Bytes as text in ``charset`` (UTF-8 when absent or unknown), bad bytes replaced."""
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------------ internals
def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    return bool(value)


def _js_truthy(value: Any) -> bool:
    if value is _UNSET or value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return not (isinstance(value, str) and value == "")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name[:1]} in JSON (NaN and Infinity are not JSON)")


def _parse_hint(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "The body is nested too deeply"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _bad_encoding(encoding: str) -> WebhookHttpError:
    return WebhookHttpError(400, f"The request body is not valid {encoding} data")


def _bad_form() -> WebhookHttpError:
    return WebhookHttpError(400, "The submitted form data could not be parsed.")


def _whole_body_binary(
    req: IncomingRequest, raw: bytes, content_type: str | None, binary_name: Any
) -> dict[str, Any]:
    """n8n's ``handleBinaryData``: the whole body as one binary property (none if empty)."""
    if not raw:
        return {}
    disposition = req.header("content-disposition")
    file_name = _header_params(disposition)[1].get("filename") if disposition else None
    name = str(binary_name) if binary_name else "data"
    entry = prepare_binary(
        raw, file_name or str(uuid.uuid4()), content_type or "application/octet-stream"
    )
    return {name: entry}


def _multipart_binary(
    files: dict[str, list[tuple[str, str | None, bytes]]], binary_name: Any
) -> dict[str, Any]:
    binary: dict[str, Any] = {}
    count = 0
    for key, entries in files.items():
        multi = len(entries) > 1
        for index, (file_name, mime_type, content) in enumerate(entries):
            name = key[:-2] if key.endswith("[]") else key
            if multi:
                name += str(index)
            if binary_name:
                name = f"{binary_name}{count}"
            binary[name] = prepare_binary(content, file_name, mime_type)
            count += 1
    return binary


# ----------------------------------------------------------------------- qs (query strings)
class _Obj(dict[str, Any]):
    """An object under construction (qs's plain object)."""


class _Arr(dict[int, Any]):
    """An array under construction: index -> value; holes are dropped at the end (qs
    compacts sparse arrays)."""

    def push(self, value: Any) -> None:
        self[max(self) + 1 if self else 0] = value


_BRACKET = re.compile(r"\[([^\[\]]*)\]")


def _qs_segments(key: str) -> list[str] | None:
    """``a[b][]`` -> ``["a", "[b]", "[]"]`` (qs's ``parseKeys``), depth-limited."""
    first = key.find("[")
    if first < 0 or not _BRACKET.search(key, first):
        return [key]
    parent = key[:first]
    segments = [parent] if parent else []
    rest = key[first:]
    depth = 0
    while depth < _QS_DEPTH:
        match = _BRACKET.match(rest)
        if not match:
            break
        segments.append(match.group(0))
        rest = rest[match.end() :]
        depth += 1
    if rest:
        segments.append("[" + rest + "]")
    return segments


def _qs_build(key: str, value: Any) -> Any:
    segments = _qs_segments(key)
    if not segments:
        return None
    leaf: Any = _Arr(enumerate(value)) if isinstance(value, list) else value
    for segment in reversed(segments):
        if segment == "[]":
            arr = _Arr()  # qs: [].concat(leaf), which flattens an array leaf once
            for item in leaf.values() if isinstance(leaf, _Arr) else [leaf]:
                arr.push(item)
            leaf = arr
            continue
        clean = segment[1:-1] if segment.startswith("[") and segment.endswith("]") else segment
        if clean.isdigit() and segment != clean and int(clean) <= _QS_ARRAY_LIMIT:
            arr = _Arr()
            arr[int(clean)] = leaf
            leaf = arr
        else:
            obj = _Obj()
            obj[clean] = leaf
            leaf = obj
    return leaf


def _qs_merge(target: Any, source: Any) -> Any:
    """qs's ``utils.merge``; returns the merged value (mutating ``target`` when it can)."""
    if not isinstance(source, (_Obj, _Arr)):
        if isinstance(target, _Arr):
            target.push(source)
            return target
        if isinstance(target, _Obj):
            target[str(source)] = True
            return target
        arr = _Arr()
        arr.push(target)
        arr.push(source)
        return arr
    if not isinstance(target, (_Obj, _Arr)):
        arr = _Arr()
        arr.push(target)
        for item in source.values() if isinstance(source, _Arr) else [source]:
            arr.push(item)
        return arr
    if isinstance(target, _Arr) and isinstance(source, _Arr):
        for index, item in source.items():
            if index in target:
                current = target[index]
                if isinstance(current, (_Obj, _Arr)) and isinstance(item, (_Obj, _Arr)):
                    target[index] = _qs_merge(current, item)
                else:
                    target.push(item)
            else:
                target[index] = item
        return target
    if isinstance(target, _Arr):  # array + object: the array becomes an object
        obj = _Obj({str(k): v for k, v in sorted(target.items())})
        return _qs_merge(obj, source)
    pairs = (
        ((str(k), v) for k, v in sorted(source.items()))
        if isinstance(source, _Arr)
        else source.items()
    )
    for key, item in pairs:
        target[key] = _qs_merge(target[key], item) if key in target else item
    return target


def _qs_finish(value: Any) -> Any:
    if isinstance(value, _Arr):
        return [_qs_finish(v) for _, v in sorted(value.items())]
    if isinstance(value, _Obj):
        return {k: _qs_finish(v) for k, v in value.items()}
    return value
