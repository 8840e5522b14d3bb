"""check_ip / check_auth / check_bot / cors_headers: n8n's statuses and messages."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from serve.webhooks.auth import (
    check_auth,
    check_bot,
    check_ip,
    cors_headers,
    format_pem,
    ip_allowed,
    is_bot,
)
from serve.webhooks.incoming import WebhookHttpError
from tests.unit.webhooks._helpers import request

REALM = {"WWW-Authenticate": 'Basic realm="Webhook"'}
SECRET = "a-shared-secret-long-enough-for-every-hmac-algorithm-0123456789abcdef"


def denied(call: Any) -> WebhookHttpError:
    with pytest.raises(WebhookHttpError) as err:
        call()
    return err.value


def basic(user: str, password: str) -> list[tuple[str, str]]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return [("authorization", f"Basic {token}")]


# ------------------------------------------------------------------------------------- IP
@pytest.mark.parametrize(
    ("client", "allowlist", "allowed"),
    [
        ("10.0.0.5", "", True),
        ("10.0.0.5", "  ", True),
        ("10.0.0.5", "10.0.0.5", True),
        ("10.0.0.5", "192.168.1.1, 10.0.0.5", True),
        ("10.0.0.5", "10.0.0.0/24", True),
        ("10.0.1.5", "10.0.0.0/24", False),
        ("11.2.3.45", "1.2.3.4", False),  # no substring matching
        ("::ffff:10.0.0.5", "10.0.0.0/8", True),
        ("2001:db8::1", "2001:db8::/32", True),
        ("2001:db9::1", "2001:db8::/32", False),
        ("10.0.0.5", "not-an-ip, 10.0.0.0/33", False),
        ("", "10.0.0.1", False),
        ("garbage", "10.0.0.1", False),
        ("10.0.0.5", "10.0.0.7/24", True),  # host bits set: still the /24
    ],
)
def test_ip_allowlist(client: str, allowlist: str, allowed: bool) -> None:
    assert ip_allowed(client, allowlist) is allowed


def test_check_ip_message() -> None:
    err = denied(lambda: check_ip(request(client_ip="8.8.8.8"), "10.0.0.0/8"))
    assert (err.status, err.message) == (403, "IP is not allowed to access the webhook!")
    check_ip(request(client_ip="10.1.2.3"), "10.0.0.0/8")


# ------------------------------------------------------------------------------------ none
def test_none_needs_nothing() -> None:
    assert check_auth(request(), "none", None) is None
    assert check_auth(request(), "", None) is None


def test_unknown_method_is_refused() -> None:
    err = denied(lambda: check_auth(request(), "n8nOAuth2", {}))
    assert err.status == 401
    assert "not supported" in err.message


# ----------------------------------------------------------------------------------- basic
CRED = {"user": "ada", "password": "s3cret:with:colons"}


def test_basic_success() -> None:
    req = request(headers=basic("ada", "s3cret:with:colons"))
    assert check_auth(req, "basicAuth", CRED) is None


def test_basic_lowercase_scheme_is_accepted() -> None:
    token = base64.b64encode(b"ada:s3cret:with:colons").decode()
    check_auth(request(headers=[("authorization", f"basic {token}")]), "basicAuth", CRED)


@pytest.mark.parametrize(
    "headers",
    [[], [("authorization", "Bearer abc")], [("authorization", "Basic !!!")]],
)
def test_basic_missing_is_401(headers: list[tuple[str, str]]) -> None:
    err = denied(lambda: check_auth(request(headers=headers), "basicAuth", CRED))
    assert (err.status, err.message, err.headers) == (401, "Authorization is required!", REALM)


def test_basic_without_colon_is_401() -> None:
    token = base64.b64encode(b"adaonly").decode()
    req = request(headers=[("authorization", f"Basic {token}")])
    assert denied(lambda: check_auth(req, "basicAuth", CRED)).status == 401


@pytest.mark.parametrize(("user", "password"), [("ada", "wrong"), ("bob", "s3cret:with:colons")])
def test_basic_wrong_is_403(user: str, password: str) -> None:
    err = denied(lambda: check_auth(request(headers=basic(user, password)), "basicAuth", CRED))
    assert (err.status, err.message, err.headers) == (403, "Authorization data is wrong!", REALM)
    assert "s3cret" not in err.message


@pytest.mark.parametrize("cred", [None, {}, {"user": "ada"}, {"user": "", "password": "x"}])
def test_basic_missing_credential(cred: Any) -> None:
    err = denied(lambda: check_auth(request(headers=basic("a", "b")), "basicAuth", cred))
    assert (err.status, err.message) == (401, "No authentication data defined on node!")


# ---------------------------------------------------------------------------------- header
HEADER = {"name": "X-Api-Key", "value": "k-123"}


def test_header_success_any_case() -> None:
    check_auth(request(headers=[("x-api-key", "k-123")]), "headerAuth", HEADER)


@pytest.mark.parametrize("headers", [[], [("x-api-key", "nope")], [("x-api-key", "k-1234")]])
def test_header_missing_or_wrong_is_403(headers: list[tuple[str, str]]) -> None:
    err = denied(lambda: check_auth(request(headers=headers), "headerAuth", HEADER))
    assert (err.status, err.message) == (403, "Authorization data is wrong!")
    assert "k-123" not in err.message


def test_header_repeated_values_are_joined_like_node() -> None:
    req = request(headers=[("x-api-key", "k-123"), ("x-api-key", "k-123")])
    assert denied(lambda: check_auth(req, "headerAuth", HEADER)).status == 403


@pytest.mark.parametrize("cred", [None, {"name": "X"}, {"value": "v"}])
def test_header_missing_credential(cred: Any) -> None:
    err = denied(lambda: check_auth(request(), "headerAuth", cred))
    assert err.message == "No authentication data defined on node!"


# ------------------------------------------------------------------------------------- JWT
def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


JWT_CRED = {"keyType": "passphrase", "secret": SECRET, "algorithm": "HS256"}


def test_jwt_success_returns_the_payload() -> None:
    token = jwt.encode({"sub": "u1", "aud": "anyone"}, SECRET, algorithm="HS256")
    assert check_auth(request(headers=bearer(token)), "jwtAuth", JWT_CRED) == {
        "sub": "u1",
        "aud": "anyone",
    }


def test_jwt_short_secret_works_without_warnings() -> None:
    cred = {"keyType": "passphrase", "secret": "short", "algorithm": "HS256"}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = jwt.encode({"a": 1}, "short", algorithm="HS256")
    assert check_auth(request(headers=bearer(token)), "jwtAuth", cred) == {"a": 1}


@pytest.mark.parametrize("headers", [[], [("authorization", "Bearer")]])
def test_jwt_without_token_is_401(headers: list[tuple[str, str]]) -> None:
    err = denied(lambda: check_auth(request(headers=headers), "jwtAuth", JWT_CRED))
    assert (err.status, err.message) == (401, "No token provided")


@pytest.mark.parametrize(
    ("claims", "key", "algorithm", "reason"),
    [
        ({"a": 1}, "x" * 64, "HS256", "invalid signature"),
        ({"exp": -60}, SECRET, "HS256", "jwt expired"),
        ({"nbf": 600}, SECRET, "HS256", "jwt not active"),
        (None, SECRET, "HS256", "jwt malformed"),
        ({"a": 1}, SECRET, "HS512", "invalid algorithm"),
    ],
)
def test_jwt_rejections_use_jsonwebtoken_reasons(
    claims: dict[str, int] | None, key: str, algorithm: str, reason: str
) -> None:
    # Times are made relative to now here, not at collection (the suite can take a while).
    if claims is None:
        token = "not.a.jwt"
    else:
        now = int(time.time())
        dated = {k: now + v if k in ("exp", "nbf") else v for k, v in claims.items()}
        token = jwt.encode(dated, key, algorithm)
    err = denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", JWT_CRED))
    assert (err.status, err.message) == (403, reason)


def test_jwt_alg_none_is_refused() -> None:
    token = jwt.encode({"a": 1}, "", algorithm="none")
    cred = {**JWT_CRED, "algorithm": "none"}
    assert denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", cred)).status == 403
    assert denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", JWT_CRED))


def test_jwt_missing_credential_and_empty_secret() -> None:
    token = jwt.encode({"a": 1}, SECRET, algorithm="HS256")
    err = denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", None))
    assert err.message == "No authentication data defined on node!"
    cred = {"keyType": "passphrase", "secret": "", "algorithm": "HS256"}
    assert denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", cred)).status == 403


def test_jwt_pem_public_key_on_one_line() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    one_line = public.decode().replace("\n", " ").strip()
    cred = {"keyType": "pemKey", "publicKey": one_line, "algorithm": "RS256"}
    token = jwt.encode({"sub": "rs"}, private, algorithm="RS256")
    assert check_auth(request(headers=bearer(token)), "jwtAuth", cred) == {"sub": "rs"}
    assert format_pem(one_line, public=True) == public.decode()
    bad = {"keyType": "pemKey", "publicKey": "nonsense", "algorithm": "RS256"}
    assert denied(lambda: check_auth(request(headers=bearer(token)), "jwtAuth", bad)).status == 403


# ------------------------------------------------------------------------------------ bots
def test_bots() -> None:
    assert is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert is_bot("Slackbot-LinkExpanding 1.0")
    assert is_bot("facebookexternalhit/1.1")
    assert not is_bot("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")
    assert not is_bot(None)
    req = request(headers=[("user-agent", "Twitterbot/1.0")])
    err = denied(lambda: check_bot(req, True))
    assert (err.status, err.message) == (403, "Authorization data is wrong!")
    check_bot(req, False)


# ------------------------------------------------------------------------------------ CORS
def test_cors_wildcard_echoes_origin() -> None:
    req = request(headers=[("origin", "https://app.example")])
    headers = cors_headers(req, "*", ["POST"])
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert headers["Access-Control-Allow-Methods"] == "OPTIONS, POST"
    assert headers["Vary"] == "Origin"


def test_cors_null_origin_with_wildcard() -> None:
    req = request(headers=[("origin", "null")])
    assert cors_headers(req, "*")["Access-Control-Allow-Origin"] == "*"


def test_cors_list_allows_listed_and_falls_back_to_first() -> None:
    policy = "https://a.example, https://b.example"
    ok = cors_headers(request(headers=[("origin", "https://b.example")]), policy)
    assert ok["Access-Control-Allow-Origin"] == "https://b.example"
    other = cors_headers(request(headers=[("origin", "https://evil.example")]), policy)
    assert other["Access-Control-Allow-Origin"] == "https://a.example"


def test_cors_preflight() -> None:
    req = request(
        method="OPTIONS",
        headers=[("origin", "https://a.example"), ("access-control-request-headers", "x-a")],
    )
    headers = cors_headers(req, None, ["GET"], preflight=True)
    assert headers["Access-Control-Max-Age"] == "300"
    assert headers["Access-Control-Allow-Headers"] == "x-a"
    assert headers["Access-Control-Allow-Origin"] == "https://a.example"
