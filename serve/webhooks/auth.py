"""Who may call a webhook: n8n's IP allow-list (``options.ipWhitelist``), bot filter
(``options.ignoreBots``), authentication (``none`` / ``basicAuth`` / ``headerAuth`` /
``jwtAuth``) and CORS headers (``options.allowedOrigins``).

Failures raise ``WebhookHttpError`` with n8n's status and message:

- IP not in the list: 403 "IP is not allowed to access the webhook!";
- Basic: no or unreadable ``Authorization`` 401 "Authorization is required!", wrong user or
  password 403 "Authorization data is wrong!";
- Header: header missing or wrong 403 "Authorization data is wrong!";
- JWT: no bearer token 401 "No token provided", a token that does not verify 403 with
  jsonwebtoken's reason ("invalid signature", "jwt expired", ...);
- the node's credential is missing or incomplete: "No authentication data defined on node!"
  with status ``MISSING_CREDENTIAL_STATUS`` (401 here; n8n answers 500, which our API keeps
  for bugs).

Auth failures carry ``WWW-Authenticate: Basic realm="Webhook"``, as n8n sends for every
authorization error. Secrets are compared in constant time and never appear in a message.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jwt

from serve.webhooks.incoming import IncomingRequest, WebhookHttpError
from serve.webhooks.request_item import fold_headers

MISSING_CREDENTIAL_STATUS = 401
REALM_HEADER = {"WWW-Authenticate": 'Basic realm="Webhook"'}
_BASIC = re.compile(r"^ *[Bb][Aa][Ss][Ii][Cc] +([A-Za-z0-9._~+/-]+=*) *$")
_BOT = re.compile(
    r"bot\b|bot[/\-_ ;)]|crawl|spider|slurp|scrap|preview|facebookexternalhit|"
    r"embedly|quora link|whatsapp|telegram|discord|slack|vkshare|pinterest|"
    r"bitlybot|headlesschrome|lighthouse|pingdom|curl-image",
    re.IGNORECASE,
)
_JWT_ALGORITHMS = frozenset(
    {
        "HS256",
        "HS384",
        "HS512",
        "RS256",
        "RS384",
        "RS512",
        "ES256",
        "ES384",
        "ES512",
        "PS256",
        "PS384",
        "PS512",
    }
)


# ------------------------------------------------------------------------------- IP / bots
def ip_allowed(client_ip: str, allowlist: str) -> bool:
    """True when ``client_ip`` is in the comma-separated list of addresses and CIDR ranges
    (an empty list allows everyone). IPv4-mapped IPv6 addresses count as IPv4; entries that
    are neither an address nor a range match nothing."""
    entries = [e.strip() for e in (allowlist or "").split(",") if e.strip()]
    if not entries:
        return True
    address = _address(client_ip)
    if address is None:
        return False
    for entry in entries:
        network = _network(entry)
        if network is not None and network.version == address.version and address in network:
            return True
    return False


def check_ip(req: IncomingRequest, allowlist: str) -> None:
    """403 unless the caller's address is allowed by ``options.ipWhitelist``."""
    if not ip_allowed(req.client_ip, allowlist):
        raise WebhookHttpError(403, "IP is not allowed to access the webhook!")


def is_bot(user_agent: str | None) -> bool:
    """Whether a User-Agent looks like a bot, crawler or link previewer (like ``isbot``)."""
    return bool(user_agent) and bool(_BOT.search(user_agent or ""))


def check_bot(req: IncomingRequest, ignore_bots: Any) -> None:
    """``options.ignoreBots``: 403 for bots, as n8n answers them."""
    if ignore_bots and is_bot(req.header("user-agent")):
        raise WebhookHttpError(403, "Authorization data is wrong!", dict(REALM_HEADER))


# ------------------------------------------------------------------------- authentication
def check_auth(
    req: IncomingRequest, authentication: str, credential: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """Checks the request against the node's ``authentication`` and its credential
    (``httpBasicAuth`` ``{user, password}``, ``httpHeaderAuth`` ``{name, value}``,
    ``jwtAuth`` ``{keyType, secret, publicKey, algorithm}``). Returns the verified JWT
    payload for ``jwtAuth`` (n8n adds it to the item as ``jwtPayload``), else None."""
    method = authentication or "none"
    if method == "none":
        return None
    if method == "basicAuth":
        _check_basic(req, credential)
        return None
    if method == "headerAuth":
        _check_header(req, credential)
        return None
    if method == "jwtAuth":
        return _check_jwt(req, credential)
    raise WebhookHttpError(
        MISSING_CREDENTIAL_STATUS,
        f'The authentication method "{method}" is not supported',
        dict(REALM_HEADER),
    )


def _missing() -> WebhookHttpError:
    return WebhookHttpError(
        MISSING_CREDENTIAL_STATUS, "No authentication data defined on node!", dict(REALM_HEADER)
    )


def _denied(status: int, message: str | None = None) -> WebhookHttpError:
    if message is None:
        message = "Authorization is required!" if status == 401 else "Authorization data is wrong!"
    return WebhookHttpError(status, message, dict(REALM_HEADER))


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _check_basic(req: IncomingRequest, credential: Mapping[str, Any] | None) -> None:
    user = credential.get("user") if credential else None
    password = credential.get("password") if credential else None
    if not user or not password:
        raise _missing()
    match = _BASIC.match(req.header("authorization") or "")
    if match is None:
        raise _denied(401)
    try:
        decoded = base64.b64decode(match.group(1), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        raise _denied(401) from None
    if ":" not in decoded:
        raise _denied(401)
    given_user, given_password = decoded.split(":", 1)
    user_ok = _same(given_user, str(user))
    password_ok = _same(given_password, str(password))
    if not (user_ok and password_ok):
        raise _denied(403)


def _check_header(req: IncomingRequest, credential: Mapping[str, Any] | None) -> None:
    name = credential.get("name") if credential else None
    value = credential.get("value") if credential else None
    if not name or not value:
        raise _missing()
    given = fold_headers(req.headers).get(str(name).strip().lower())
    if not isinstance(given, str) or not _same(given, str(value)):
        raise _denied(403)


def _check_jwt(req: IncomingRequest, credential: Mapping[str, Any] | None) -> dict[str, Any]:
    if not credential:
        raise _missing()
    header = req.header("authorization") or ""
    parts = header.split(" ")
    token = parts[1] if len(parts) > 1 else ""
    if not token:
        raise _denied(401, "No token provided")
    algorithm = str(credential.get("algorithm") or "HS256")
    if algorithm not in _JWT_ALGORITHMS:
        raise _denied(403, "invalid algorithm")
    if credential.get("keyType", "passphrase") == "passphrase":
        key: str = str(credential.get("secret") or "")
    else:
        key = format_pem(str(credential.get("publicKey") or ""), public=True)
    if not key:
        raise _denied(403, "secret or public key must be provided")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            payload = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                options={"verify_aud": False, "verify_iss": False, "verify_sub": False},
            )
    except jwt.PyJWTError as exc:
        raise _denied(403, _jwt_reason(exc)) from None
    except (ValueError, TypeError):  # an unusable key (e.g. not PEM for RS256)
        raise _denied(403, "secret or public key is not valid for the algorithm") from None
    return dict(payload) if isinstance(payload, Mapping) else {}


def _jwt_reason(exc: jwt.PyJWTError) -> str:
    """jsonwebtoken's message for the same failure."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "jwt expired"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "jwt not active"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "invalid signature"
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return "invalid algorithm"
    if isinstance(exc, jwt.DecodeError):
        return "jwt malformed"
    if isinstance(exc, jwt.InvalidKeyError):
        return "secret or public key is not valid for the algorithm"
    return "invalid token"


def format_pem(key: str, *, public: bool = False) -> str:
    """n8n's ``formatPrivateKey``: a PEM key pasted on one line (or with literal ``\\n``)
    back into PEM lines of 64 characters."""
    text = key.strip().replace("\\n", "\n")
    if not text or "\n" in text:
        return text
    match = re.match(r"^(-----BEGIN [A-Z ]+-----)\s*(.+?)\s*(-----END [A-Z ]+-----)$", text)
    if match is None:
        return text
    body = re.sub(r"\s+", "", match.group(2))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([match.group(1), *lines, match.group(3)]) + "\n"


# ------------------------------------------------------------------------------------ CORS
def cors_headers(
    req: IncomingRequest,
    allowed_origins: str | None,
    allowed_methods: Sequence[str] = (),
    *,
    preflight: bool = False,
) -> dict[str, str]:
    """n8n's CORS headers for a webhook answer (``options.allowedOrigins``: ``*`` or a
    comma-separated list; unset echoes the caller's origin). A caller whose origin is not in
    the list gets the first allowed origin, so its browser refuses the answer."""
    origin = req.header("origin")
    normalized = None if not origin or origin == "null" else origin
    headers: dict[str, str] = {}
    methods = [m.upper() for m in allowed_methods if m and m.upper() != "OPTIONS"]
    if methods:
        headers["Access-Control-Allow-Methods"] = ", ".join(["OPTIONS", *methods])
    policy = (allowed_origins or "").strip()
    if policy == "*":
        allow = normalized or "*"
    elif policy:
        listed = [o.strip() for o in policy.split(",") if o.strip()]
        allow = normalized if normalized in listed else (listed[0] if listed else "*")
    else:
        allow = origin or "*"
    headers["Access-Control-Allow-Origin"] = allow
    if allow != "*":
        headers["Vary"] = "Origin"
    if preflight:
        headers["Access-Control-Max-Age"] = "300"
        requested = req.header("access-control-request-headers")
        if requested and not re.search(r"[\r\n\x00]", requested):
            headers["Access-Control-Allow-Headers"] = requested
    return headers


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    raw = (text or "").strip().split("%", 1)[0]
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    base, _, prefix = entry.partition("/")
    address = _address(base)
    if address is None:
        return None
    try:
        if prefix:
            if not prefix.isdigit():
                return None
            return ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
        return ipaddress.ip_network(address)
    except ValueError:
        return None
