"""Building the HTTP Request node's request for one item from its parameters: v3+ (``sendQuery``,
``sendHeaders``, ``sendBody`` with key/value pairs or JSON; JSON, form-urlencoded, multipart,
binary or raw bodies) and the legacy v1/v2 layout (``requestMethod``, ``*ParametersUi``,
``jsonParameters``). Query values that are arrays or objects are written like the ``qs`` package
(``brackets`` by default, or ``indices`` / ``repeat``).
"""

from __future__ import annotations

import json
from typing import Any

from n8nwork.binary import binary_bytes, binary_entry
from n8nwork.errors import ExpressionError
from nodes.builtin._creds import get_credentials
from nodes.builtin._http_send import Request, encode_path
from nodes.builtin._values import js_string
from nodes.sdk import ExecutionContext


class BuildError(ValueError):
    """Raised when the parameters do not describe a valid request (message for the user)."""


def qs_pairs(data: dict[str, Any], array_format: str = "brackets") -> list[tuple[str, str]]:
    """The ``qs`` package's ``stringify`` as key/value pairs."""
    out: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if value is None:
            out.append((prefix, ""))
        elif isinstance(value, dict):
            for k, v in value.items():
                add(f"{prefix}[{k}]", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if array_format == "repeat":
                    key = prefix
                elif array_format == "indices" or isinstance(v, (dict, list)):
                    key = f"{prefix}[{i}]"
                else:
                    key = f"{prefix}[]"
                add(key, v)
        else:
            out.append((prefix, js_string(value)))

    for key, value in data.items():
        add(str(key), value)
    return out


def _json_param(value: Any, what: str) -> Any:
    if isinstance(value, (dict, list)):
        return value
    text = js_string(value) if value is not None else ""
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise BuildError(f"JSON parameter needs to be valid JSON ({what})") from None


def _pairs(collection: Any) -> list[dict[str, Any]]:
    if not isinstance(collection, dict):
        return []
    values = collection.get("parameters", collection.get("parameter"))
    return [v for v in values or [] if isinstance(v, dict)]


def _key_values(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name = js_string(pair.get("name", ""))
        if name == "" and pair.get("value", "") in ("", None):
            continue
        out[name] = pair.get("value", "")
    return out


def _file_part(item: dict[str, Any], field: str, i: int) -> tuple[str | None, bytes, str | None]:
    entry = binary_entry(item, field, i)
    return entry.get("fileName"), binary_bytes(entry), entry.get("mimeType")


def options_of(ctx: ExecutionContext, i: int) -> dict[str, Any]:
    """The ``options`` collection for item ``i``, pagination left out: its expressions are
    evaluated per page (with ``$response``), never here."""
    raw = dict(ctx.raw_param("options", {}) or {})
    raw.pop("pagination", None)
    value = ctx.evaluate(raw, i, parameter="options")
    if isinstance(value, ExpressionError):
        raise value
    return value if isinstance(value, dict) else {}


def build_v3(ctx: ExecutionContext, item: dict[str, Any], i: int) -> tuple[Request, dict[str, Any]]:
    """The request of v3 and later; also returns the ``options`` collection."""
    url = js_string(ctx.param("url", i, "")).strip()
    if not url.startswith(("http://", "https://")):
        raise BuildError(f'Invalid URL: {url}. URL must start with "http" or "https".')
    options = options_of(ctx, i)
    req = Request(method=str(ctx.param("method", i, "GET")).upper(), url=encode_path(url))
    array_format = str(options.get("queryParameterArrays") or "brackets")
    if ctx.param("sendQuery", i, False):
        if ctx.param("specifyQuery", i, "keypair") == "json":
            query = _json_param(ctx.param("jsonQuery", i, ""), "query")
        else:
            query = _key_values(_pairs(ctx.param("queryParameters", i, {})))
        if isinstance(query, dict):
            req.query = qs_pairs(query, array_format)
    if ctx.param("sendHeaders", i, False):
        if ctx.param("specifyHeaders", i, "keypair") == "json":
            headers = _json_param(ctx.param("jsonHeaders", i, ""), "headers")
        else:
            headers = _key_values(_pairs(ctx.param("headerParameters", i, {})))
        lower = options.get("lowercaseHeaders", True) is not False and ctx.version >= 4
        for name, value in (headers or {}).items():
            req.headers[name.lower() if lower else name] = js_string(value)
    if ctx.param("sendBody", i, False):
        _body_v3(ctx, item, i, req)
    _transport(req, options, ctx.version)
    _auth_v3(ctx, i, req)
    return req, options


def _body_v3(ctx: ExecutionContext, item: dict[str, Any], i: int, req: Request) -> None:
    content_type = ctx.param("contentType", i, "json")
    specify = ctx.param("specifyBody", i, "keypair")
    if content_type == "json":
        if specify == "json":
            req.json_body = _json_param(ctx.param("jsonBody", i, ""), "body")
        else:
            req.json_body = _key_values(_pairs(ctx.param("bodyParameters", i, {})))
        req.has_json = True
    elif content_type == "form-urlencoded":
        if specify == "string":
            req.content = js_string(ctx.param("body", i, "")).encode()
            req.headers.setdefault("content-type", "application/x-www-form-urlencoded")
        else:
            form = _key_values(_pairs(ctx.param("bodyParameters", i, {})))
            req.form = {k: js_string(v) for k, v in form.items()}
    elif content_type == "multipart-form-data":
        req.form, req.files = {}, []
        for pair in _pairs(ctx.param("bodyParameters", i, {})):
            name = js_string(pair.get("name", ""))
            if pair.get("parameterType") == "formBinaryData":
                field = js_string(pair.get("inputDataFieldName", ""))
                req.files.append((name, _file_part(item, field, i)))
            else:
                req.form[name] = js_string(pair.get("value", ""))
    elif content_type == "binaryData":
        field = js_string(ctx.param("inputDataFieldName", i, ""))
        _name, data, mime = _file_part(item, field, i)
        req.content = data
        if mime:
            req.headers.setdefault("content-type", mime)
    elif content_type == "raw":
        req.content = js_string(ctx.param("body", i, "")).encode()
        raw_type = js_string(ctx.param("rawContentType", i, ""))
        if raw_type:
            req.headers["content-type"] = raw_type
    else:
        raise BuildError(f'The body content type "{content_type}" is not known')


def _transport(req: Request, options: dict[str, Any], version: float) -> None:
    if options.get("proxy"):
        raise BuildError("The proxy option is not supported by n8nwork")
    if options.get("timeout"):
        req.timeout_s = float(options["timeout"]) / 1000.0
    redirect = (options.get("redirect") or {}).get("redirect")
    follow_default = version >= 4
    if isinstance(redirect, dict):
        req.follow_redirects = bool(redirect.get("followRedirects", follow_default))
        req.max_redirects = int(redirect.get("maxRedirects", 21) or 21)
    else:
        req.follow_redirects = follow_default
    req.verify = not options.get("allowUnauthorizedCerts")


def _auth_v3(ctx: ExecutionContext, i: int, req: Request) -> None:
    auth = ctx.param("authentication", i, "none")
    if auth in ("none", None, ""):
        return
    if auth == "genericCredentialType":
        apply_credentials(ctx, str(ctx.param("genericAuthType", i, "")), req, i)
        return
    if auth == "predefinedCredentialType":
        apply_credentials(ctx, str(ctx.param("nodeCredentialType", i, "")), req, i)
        return
    raise BuildError(f'The authentication "{auth}" is not known')


def apply_credentials(ctx: ExecutionContext, cred_type: str, req: Request, i: int) -> None:
    """Add the credential of ``cred_type`` to the request (basic, digest, header, query, custom)."""
    creds = get_credentials(ctx, cred_type, i)
    if cred_type == "httpBasicAuth":
        import base64

        token = base64.b64encode(f"{creds.get('user', '')}:{creds.get('password', '')}".encode())
        req.headers["authorization"] = "Basic " + token.decode()
    elif cred_type == "httpHeaderAuth":
        req.headers[str(creds.get("name", ""))] = js_string(creds.get("value", ""))
    elif cred_type == "httpQueryAuth":
        req.query.append((str(creds.get("name", "")), js_string(creds.get("value", ""))))
    elif cred_type == "httpBearerAuth":
        req.headers["authorization"] = f"Bearer {creds.get('token', '')}"
    elif cred_type == "httpCustomAuth":
        custom = _json_param(creds.get("json", "{}"), "custom auth")
        for name, value in (custom.get("headers") or {}).items():
            req.headers[name] = js_string(value)
        req.query.extend(qs_pairs(custom.get("qs") or {}))
        if custom.get("body") and req.has_json and isinstance(req.json_body, dict):
            req.json_body.update(custom["body"])
    else:
        raise BuildError(f"Credentials of type '{cred_type}' are not supported by n8nwork yet")


_V1_AUTH = {
    "basicAuth": "httpBasicAuth",
    "headerAuth": "httpHeaderAuth",
    "queryAuth": "httpQueryAuth",
    "digestAuth": "httpDigestAuth",
    "oAuth1": "oAuth1Api",
    "oAuth2": "oAuth2Api",
}


def build_legacy(
    ctx: ExecutionContext, item: dict[str, Any], i: int
) -> tuple[Request, dict[str, Any]]:
    """The request of v1 and v2."""
    url = js_string(ctx.param("url", i, "")).strip()
    if not url.startswith(("http://", "https://")):
        raise BuildError(f'Invalid URL: {url}. URL must start with "http" or "https".')
    options = ctx.param("options", i, {}) or {}
    req = Request(method=str(ctx.param("requestMethod", i, "GET")).upper(), url=encode_path(url))
    json_params = bool(ctx.param("jsonParameters", i, False))
    if json_params:
        query = _json_param(ctx.param("queryParametersJson", i, ""), "query")
        headers = _json_param(ctx.param("headerParametersJson", i, ""), "headers")
        body: Any = _json_param(ctx.param("bodyParametersJson", i, ""), "body")
    else:
        query = _key_values(_pairs(ctx.param("queryParametersUi", i, {})))
        headers = _key_values(_pairs(ctx.param("headerParametersUi", i, {})))
        body = _key_values(_pairs(ctx.param("bodyParametersUi", i, {})))
    req.query = qs_pairs(query, "repeat" if options.get("useQueryString") else "indices")
    for name, value in (headers or {}).items():
        req.headers[name.lower() if options.get("lowercaseHeaders") else name] = js_string(value)
    content_type = options.get("bodyContentType") or "json"
    if ctx.param("sendBinaryData", i, False) and req.method != "GET":
        field = js_string(ctx.param("binaryPropertyName", i, "data"))
        _name, data, mime = _file_part(item, field, i)
        req.content = data
        if mime:
            req.headers.setdefault("content-type", mime)
    elif body and req.method not in ("GET", "HEAD"):
        if content_type == "form-urlencoded":
            req.form = (
                {k: js_string(v) for k, v in body.items()} if isinstance(body, dict) else None
            )
        elif content_type == "multipart-form-data":
            req.form = {k: js_string(v) for k, v in body.items()} if isinstance(body, dict) else {}
            req.files = []
        elif content_type == "raw":
            req.content = (body if isinstance(body, str) else json.dumps(body)).encode()
            if options.get("bodyContentCustomMimeType"):
                req.headers["content-type"] = str(options["bodyContentCustomMimeType"])
        else:
            req.json_body, req.has_json = body, True
    if options.get("proxy"):
        raise BuildError("The proxy option is not supported by n8nwork")
    if options.get("timeout"):
        req.timeout_s = float(options["timeout"]) / 1000.0
    req.follow_redirects = options.get("followRedirect", True) is not False or bool(
        options.get("followAllRedirects")
    )
    req.verify = not options.get("allowUnauthorizedCerts")
    auth = ctx.param("authentication", i, "none")
    if ctx.version < 2 and auth in _V1_AUTH:
        apply_credentials(ctx, _V1_AUTH[auth], req, i)
    elif auth not in ("none", None, ""):
        _auth_v3(ctx, i, req)
    return req, options
