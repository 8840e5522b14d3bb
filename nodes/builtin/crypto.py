"""Crypto (``n8n-nodes-base.crypto`` v1, v2): hashes (MD5, SHA-2, SHA-3) and HMACs of a text or a
binary property, signs a text with a private key (RSA PKCS#1 v1.5 or ECDSA, like Node's
``createSign``), or generates random strings (UUID, hex, base64, ascii).

v2 takes the HMAC secret and the private key from ``crypto`` credentials instead of parameters;
those come from the credentials store (``ctx.credentials``) once it exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import uuid
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

from n8nwork.binary import BinaryDataError, binary_bytes, binary_entry
from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._creds import get_credentials
from nodes.builtin._values import js_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

_HASH_TYPES = ("MD5", "SHA256", "SHA3-256", "SHA3-384", "SHA3-512", "SHA384", "SHA512")
_SIGN_HASHES: dict[str, Any] = {
    "md5": hashes.MD5,
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_224": hashes.SHA3_224,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
    "sha512_224": hashes.SHA512_224,
    "sha512_256": hashes.SHA512_256,
}


class CryptoError(ValueError):
    """Raised when a digest, key or algorithm cannot be used."""


def digest_name(name: str) -> str:
    """Node/OpenSSL digest names (``SHA256``, ``RSA-SHA256``, ``sha3-512``) -> hashlib names."""
    lowered = str(name).strip().lower()
    lowered = re.sub(r"^(rsa-|ecdsa-with-)", "", lowered)
    lowered = re.sub(r"withrsaencryption$", "", lowered)
    lowered = lowered.replace("sha3-", "sha3_").replace("sha512-", "sha512_")
    lowered = {"blake2b512": "blake2b", "blake2s256": "blake2s", "sha-1": "sha1"}.get(
        lowered, lowered
    )
    if re.fullmatch(r"sha-?(224|256|384|512)", lowered):
        lowered = lowered.replace("-", "")
    if lowered not in hashlib.algorithms_available or lowered.startswith("shake"):
        raise CryptoError("Digest method not supported")
    return lowered


def format_private_key(key: str) -> str:
    """n8n's ``formatPrivateKey``: restores the line breaks of a key pasted on one line."""
    if not key or "\n" in key:
        return key
    out = ""
    for part in [p for p in key.split("-----") if p]:
        if re.search(r"(PRIVATE KEY|CERTIFICATE)", part):
            out += f"-----{part}-----"
        else:
            if re.search(r"Proc-Type|DEK-Info", part):
                part = re.sub(r":\s+", ":", part)
            out += re.sub(r"\s+", "\n", part.replace("\\n", "\n"))
    return out


def sign(value: str, algorithm: str, private_key: str) -> bytes:
    """Node's ``createSign(algorithm).update(value).sign(privateKey)``."""
    try:
        key = serialization.load_pem_private_key(private_key.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CryptoError(f"Invalid private key: {exc}") from None
    data = value.encode()
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return key.sign(data)
    name = digest_name(algorithm)
    hash_cls = _SIGN_HASHES.get(name)
    if hash_cls is None:
        raise CryptoError(f"Digest method {algorithm} cannot be used for signing")
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hash_cls())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hash_cls()))
    raise CryptoError("Unsupported private key type")


def _encode(digest: bytes, encoding: str) -> str:
    return base64.b64encode(digest).decode() if encoding == "base64" else digest.hex()


def generate(kind: str, length: int) -> str:
    if kind == "uuid":
        return str(uuid.uuid4())
    raw = os.urandom(max(0, length))
    if kind == "base64":
        return re.sub(r"\W", "", base64.b64encode(raw).decode())[:length]
    if kind == "hex":
        return raw.hex()[:length]
    return "".join(chr(b & 0x7F) for b in raw)[:length]


class Crypto(NodeType):
    type_name = "n8n-nodes-base.crypto"
    versions = (1, 2)
    display_name = "Crypto"
    description = "Provide cryptographic utilities"
    params = (
        Param("action", "options", "hash", ("generate", "hash", "hmac", "sign")),
        Param("binaryData", "boolean", False),
        Param("binaryPropertyName", "string", "data"),
        Param("type", "string", "MD5", versions=(1.0, 1.0), description=", ".join(_HASH_TYPES)),
        Param("type", "string", "SHA256", versions=(2.0, 2.0), description=", ".join(_HASH_TYPES)),
        Param("value", "string", ""),
        Param("dataPropertyName", "string", "data"),
        Param("encoding", "options", "hex", ("base64", "hex")),
        Param("secret", "string", "", versions=(1.0, 1.0)),
        Param("algorithm", "string", ""),
        Param("privateKey", "string", "", versions=(1.0, 1.0)),
        Param("encodingType", "options", "uuid", ("ascii", "base64", "hex", "uuid")),
        Param("stringLength", "number", 32),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        action = ctx.param("action", 0, "hash")
        secret = private_key = ""
        if ctx.version >= 2 and action in ("hmac", "sign"):
            creds = get_credentials(ctx, "crypto")
            if action == "hmac":
                secret = str(creds.get("hmacSecret") or "")
                if not secret:
                    raise ctx.error(
                        "No HMAC secret set in credentials. Please add an HMAC secret "
                        "to your Crypto credentials."
                    )
            else:
                private_key = format_private_key(str(creds.get("signPrivateKey") or ""))
                if not private_key:
                    raise ctx.error(
                        "No private key set in credentials. Please add a private key "
                        "to your Crypto credentials."
                    )
        out: list[dict[str, Any]] = []
        for i, item in enumerate(ctx.input(0)):
            try:
                value, binary_done = self._one(ctx, action, item, i, secret, private_key)
            except (CryptoError, BinaryDataError, NodeExecutionError, ExpressionError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                if ctx.continue_on_fail:
                    error: Any = message if ctx.version < 2 else {"message": message}
                    out.append({"json": {"error": error}, "pairedItem": {"item": i}})
                    continue
                if isinstance(exc, (NodeExecutionError, ExpressionError)):
                    raise
                raise ctx.error(message, item_index=i) from None
            new: dict[str, Any] = {"json": dict(item.get("json", {})), "pairedItem": {"item": i}}
            if item.get("binary") is not None and not binary_done:
                new["binary"] = item["binary"]
            new["json"][str(ctx.param("dataPropertyName", i, "data"))] = value
            out.append(new)
        return [out]

    def _one(
        self,
        ctx: ExecutionContext,
        action: str,
        item: dict[str, Any],
        i: int,
        secret: str,
        private_key: str,
    ) -> tuple[Any, bool]:
        if action == "generate":
            kind = ctx.param("encodingType", i, "uuid")
            length = 0 if kind == "uuid" else int(ctx.param("stringLength", i, 32) or 0)
            return generate(str(kind), length), False
        value = js_string(ctx.param("value", i, ""))
        encoding = str(ctx.param("encoding", i, "hex"))
        if action in ("hash", "hmac"):
            name = digest_name(str(ctx.param("type", i)))
            if action == "hmac" and ctx.version < 2:
                secret = js_string(ctx.param("secret", i, ""))
            data = value.encode()
            from_binary = bool(ctx.param("binaryData", i, False))
            if from_binary:
                prop = str(ctx.param("binaryPropertyName", i, "data"))
                data = binary_bytes(binary_entry(item, prop, i))
            if action == "hash":
                digest = hashlib.new(name, data).digest()
            else:
                digest = hmac.new(secret.encode(), data, name).digest()
            return _encode(digest, encoding), from_binary
        if action == "sign":
            if ctx.version < 2:
                private_key = js_string(ctx.param("privateKey", i, ""))
            signature = sign(value, str(ctx.param("algorithm", i, "")), private_key)
            return _encode(signature, encoding), False
        raise ctx.error(f'The action "{action}" is not known!', item_index=i)
