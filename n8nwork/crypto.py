"""Secrets at rest: AES-256-GCM with a key ring, so keys can rotate without downtime.

A ``KeyRing`` holds named 256-bit keys and says which one is *primary*: ``seal`` always
encrypts under the primary key and returns the key id with the nonce and ciphertext; ``open``
decrypts with whichever key the stored key id names. Rotation = add a new primary key (old
keys stay to read), re-encrypt everything, then drop the old keys. Associated data binds a
ciphertext to its row (a secret copied into another row does not decrypt).

``FileKeyRing`` is the embedded default's ring: a JSON file in the data directory, mode 0600,
generated on first use and re-read when a key id it does not know appears (another process
rotated). Keys are never in ``repr`` or in error messages.

    CryptoError                 a secret could not be sealed or opened
    ├── UnknownKeyError         the stored key id is not in the ring
    └── DecryptionError         wrong key, tampered ciphertext or wrong associated data
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from n8nwork.errors import N8nworkError

KEY_BYTES = 32
NONCE_BYTES = 12


class CryptoError(N8nworkError):
    """Raised when a secret cannot be sealed or opened (root of the crypto errors)."""


class UnknownKeyError(CryptoError):
    """Raised when a secret names a key id that the key ring does not hold."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(f"encryption key {key_id!r} is not in the key ring")


class DecryptionError(CryptoError):
    """Raised when a ciphertext fails authentication (wrong key, tampered, wrong row)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """An encrypted secret as stored: which key, the nonce, the ciphertext (with GCM tag)."""

    key_id: str
    nonce: bytes
    ciphertext: bytes

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, {len(self.ciphertext)} bytes)"


def generate_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def new_key_id() -> str:
    """A key id that sorts by creation time: ``k<unix seconds>-<random>``."""
    return f"k{int(time.time())}-{secrets.token_hex(3)}"


class SecretBox(Protocol):
    """What credential storage needs: seal under the primary key, open by key id."""

    @property
    def primary_id(self) -> str: ...

    def seal(self, plaintext: bytes, *, aad: bytes) -> Sealed: ...

    def open(self, sealed: Sealed, *, aad: bytes) -> bytes: ...


@dataclass(frozen=True)
class KeyRing:
    """Named AES-256 keys, one of them primary. Immutable: rotation derives a new ring."""

    keys: Mapping[str, bytes] = field(repr=False)
    primary_id: str

    def __post_init__(self) -> None:
        if self.primary_id not in self.keys:
            raise CryptoError(f"primary key {self.primary_id!r} is not in the key ring")
        for kid, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise CryptoError(f"key {kid!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
            if not kid or ":" in kid or "," in kid:
                raise CryptoError(f"key id {kid!r} is empty or contains ':' or ','")
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))

    def __repr__(self) -> str:
        return f"KeyRing(primary={self.primary_id!r}, ids={sorted(self.keys)!r})"

    # ------------------------------------------------------------------ building
    @classmethod
    def generate(cls) -> KeyRing:
        kid = new_key_id()
        return cls({kid: generate_key()}, kid)

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """Parse ``"kid:base64key,kid2:base64key"``; the first key is primary."""
        keys: dict[str, bytes] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            kid, sep, b64 = part.partition(":")
            if not sep:
                raise CryptoError("encryption keys must look like 'id:base64key,id2:base64key'")
            try:
                keys[kid.strip()] = base64.b64decode(b64.strip(), validate=True)
            except ValueError as exc:
                raise CryptoError(f"key {kid.strip()!r} is not valid base64") from exc
        if not keys:
            raise CryptoError("no encryption keys given")
        return cls(keys, next(iter(keys)))

    def format(self) -> str:
        """The ``parse`` form, primary first (for an environment variable)."""
        order = [self.primary_id, *(k for k in self.keys if k != self.primary_id)]
        return ",".join(f"{k}:{base64.b64encode(self.keys[k]).decode()}" for k in order)

    def with_new_primary(self) -> KeyRing:
        """This ring plus a fresh key that becomes primary (old keys kept for reading)."""
        kid = new_key_id()
        while kid in self.keys:
            kid = new_key_id()
        return KeyRing({**self.keys, kid: generate_key()}, kid)

    def retain(self, key_ids: set[str]) -> KeyRing:
        """This ring without the keys not in ``key_ids`` (the primary is always kept)."""
        keep = {k: v for k, v in self.keys.items() if k in key_ids or k == self.primary_id}
        return KeyRing(keep, self.primary_id)

    # ------------------------------------------------------------------ use
    def seal(self, plaintext: bytes, *, aad: bytes) -> Sealed:
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = AESGCM(self.keys[self.primary_id]).encrypt(nonce, plaintext, aad)
        return Sealed(self.primary_id, nonce, ciphertext)

    def open(self, sealed: Sealed, *, aad: bytes) -> bytes:
        key = self.keys.get(sealed.key_id)
        if key is None:
            raise UnknownKeyError(sealed.key_id)
        try:
            return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, aad)
        except InvalidTag as exc:
            raise DecryptionError(
                f"secret under key {sealed.key_id!r} failed authentication"
            ) from exc


# ---------------------------------------------------------------------- the key file
def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600 (never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_key_ring(ring: KeyRing, path: Path) -> None:
    """Store ``ring`` as JSON at ``path`` with mode 0600, atomically."""
    body = {
        "primary": ring.primary_id,
        "keys": {k: base64.b64encode(v).decode() for k, v in ring.keys.items()},
    }
    write_private_file(path, json.dumps(body, indent=2) + "\n")


def load_key_ring(path: Path) -> KeyRing:
    """Read a key ring file written by ``save_key_ring``; refuse one others may read."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise CryptoError(f"{path}: key file is mode {mode:o}; it must be 600 (chmod 600 {path})")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        keys = {k: base64.b64decode(v, validate=True) for k, v in body["keys"].items()}
        return KeyRing(keys, body["primary"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CryptoError(f"{path}: not a key ring file ({exc})") from exc


class FileKeyRing:
    """The embedded default's key ring: a 0600 file, generated once, re-read on unknown ids."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            self._create()
        self._mtime = 0
        self._ring = self.reload()

    def _create(self) -> None:
        # Write a complete file beside it, then link it into place: two processes starting
        # at once never both generate a key, and nobody ever reads a half-written file.
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        save_key_ring(KeyRing.generate(), tmp)
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"FileKeyRing({str(self.path)!r}, primary={self.primary_id!r})"

    @property
    def ring(self) -> KeyRing:
        return self._ring

    @property
    def primary_id(self) -> str:
        return self._fresh().primary_id

    def reload(self) -> KeyRing:
        self._mtime = self.path.stat().st_mtime_ns
        self._ring = load_key_ring(self.path)
        return self._ring

    def _fresh(self) -> KeyRing:
        """The ring, re-read if another process rotated the file since we read it."""
        if self.path.stat().st_mtime_ns != self._mtime:
            return self.reload()
        return self._ring

    def replace(self, ring: KeyRing) -> None:
        """Store ``ring`` in the file (atomically) and use it from now on."""
        save_key_ring(ring, self.path)
        self.reload()

    def seal(self, plaintext: bytes, *, aad: bytes) -> Sealed:
        return self._fresh().seal(plaintext, aad=aad)

    def open(self, sealed: Sealed, *, aad: bytes) -> bytes:
        try:
            return self._ring.open(sealed, aad=aad)
        except UnknownKeyError:
            return self.reload().open(sealed, aad=aad)
