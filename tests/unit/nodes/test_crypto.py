"""Crypto node: hashes, HMACs, signatures and random strings, v1 parameters and v2 credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from n8nwork.errors import NodeExecutionError
from nodes.builtin.crypto import format_private_key
from nodes.sdk.testing import execute_one, jsons

CRYPTO = "n8n-nodes-base.crypto"


def run(params: dict[str, Any], *data: dict[str, Any], version: float = 1, **kw: Any) -> list[Any]:
    wrapped = [d if "json" in d else {"json": d} for d in (data or ({},))]
    out = execute_one(CRYPTO, params, [wrapped], version=version, **kw)
    assert isinstance(out, list)
    return out[0]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("MD5", "md5"),
        ("SHA256", "sha256"),
        ("SHA384", "sha384"),
        ("SHA512", "sha512"),
        ("SHA3-256", "sha3_256"),
        ("SHA3-384", "sha3_384"),
        ("SHA3-512", "sha3_512"),
    ],
)
def test_hash_types(kind: str, name: str) -> None:
    out = jsons(run({"type": kind, "value": "héllo"}, {"keep": 1}))
    assert out == [{"keep": 1, "data": hashlib.new(name, "héllo".encode()).hexdigest()}]


def test_hash_defaults_per_version_base64_and_binary() -> None:
    assert jsons(run({"value": "x"}))[0]["data"] == hashlib.md5(b"x").hexdigest()
    assert jsons(run({"value": "x"}, version=2))[0]["data"] == hashlib.sha256(b"x").hexdigest()
    b64 = jsons(
        run({"type": "SHA256", "value": "x", "encoding": "base64", "dataPropertyName": "h.x"})
    )
    assert b64 == [{"h.x": base64.b64encode(hashlib.sha256(b"x").digest()).decode()}]
    item = {"json": {}, "binary": {"data": {"data": base64.b64encode(b"file").decode()}}}
    out = run({"binaryData": True, "type": "SHA256"}, item)
    assert out[0]["json"]["data"] == hashlib.sha256(b"file").hexdigest()
    assert "binary" not in out[0]


def test_hmac_v1_and_v2_credentials() -> None:
    expected = hmac.new(b"key", b"msg", "sha256").hexdigest()
    assert jsons(run({"action": "hmac", "type": "SHA256", "value": "msg", "secret": "key"})) == [
        {"data": expected}
    ]
    with pytest.raises(NodeExecutionError, match="credentials of type 'crypto'"):
        run({"action": "hmac", "value": "msg"}, version=2)


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_sign_rsa_and_ecdsa_verify() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    out = jsons(
        run(
            {
                "action": "sign",
                "value": "data",
                "algorithm": "RSA-SHA256",
                "privateKey": _pem(rsa_key),
                "encoding": "base64",
            }
        )
    )
    signature = base64.b64decode(out[0]["data"])
    rsa_key.public_key().verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())
    ec_key = ec.generate_private_key(ec.SECP256R1())
    out = jsons(
        run({"action": "sign", "value": "data", "algorithm": "sha256", "privateKey": _pem(ec_key)})
    )
    ec_key.public_key().verify(bytes.fromhex(out[0]["data"]), b"data", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(NodeExecutionError, match="Invalid private key"):
        run({"action": "sign", "value": "d", "algorithm": "sha256", "privateKey": "nope"})


def test_format_private_key_restores_lines() -> None:
    one_line = "-----BEGIN PRIVATE KEY----- AAAA BBBB -----END PRIVATE KEY-----"
    assert format_private_key(one_line) == (
        "-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----"
    )


@pytest.mark.parametrize(
    ("kind", "length", "pattern"),
    [
        ("uuid", 32, r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
        ("hex", 10, r"[0-9a-f]{10}"),
        ("base64", 16, r"\w{1,16}"),
        ("ascii", 8, r"[\x00-\x7f]{8}"),
    ],
)
def test_generate(kind: str, length: int, pattern: str) -> None:
    value = jsons(run({"action": "generate", "encodingType": kind, "stringLength": length}))[0]
    assert re.fullmatch(pattern, value["data"])


def test_unknown_digest_and_continue_on_fail() -> None:
    with pytest.raises(NodeExecutionError, match="Digest method not supported"):
        run({"type": "nope", "value": "x"})
    out = jsons(
        run(
            {"type": "nope", "value": "x"},
            version=2,
            node_fields={"onError": "continueRegularOutput"},
        )
    )
    assert out == [{"error": {"message": "Digest method not supported"}}]
