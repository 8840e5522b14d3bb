"""AES-256-GCM key ring: seal under the primary, open by key id, bound to associated data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from n8nwork.crypto import (
    CryptoError,
    DecryptionError,
    FileKeyRing,
    KeyRing,
    Sealed,
    UnknownKeyError,
    load_key_ring,
)


def test_seal_and_open_with_rotation() -> None:
    old = KeyRing.generate()
    sealed = old.seal(b"secret", aad=b"row-1")
    assert sealed.key_id == old.primary_id and b"secret" not in sealed.ciphertext
    new = old.with_new_primary()
    assert new.primary_id != old.primary_id
    assert new.open(sealed, aad=b"row-1") == b"secret"  # old keys still read
    assert new.seal(b"x", aad=b"a").key_id == new.primary_id
    with pytest.raises(DecryptionError):
        new.open(sealed, aad=b"row-2")
    tampered = Sealed(sealed.key_id, sealed.nonce, sealed.ciphertext[:-1] + b"\x00")
    with pytest.raises(DecryptionError):
        old.open(tampered, aad=b"row-1")
    with pytest.raises(UnknownKeyError):
        KeyRing.generate().open(sealed, aad=b"row-1")
    assert new.retain(set()).keys.keys() == {new.primary_id}


def test_parse_and_format_never_show_keys() -> None:
    ring = KeyRing.generate().with_new_primary()
    parsed = KeyRing.parse(ring.format())
    assert parsed.primary_id == ring.primary_id and dict(parsed.keys) == dict(ring.keys)
    assert all(k.hex() not in repr(ring) for k in ring.keys.values())
    for bad in ("", "nokey", "k1:abc", "k1:" + "A" * 44 + "!"):
        with pytest.raises(CryptoError):
            KeyRing.parse(bad)


def test_key_file_is_private_and_created_once(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ring.json"
    first = FileKeyRing(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert FileKeyRing(path).primary_id == first.primary_id
    os.chmod(path, 0o644)
    with pytest.raises(CryptoError, match="chmod 600"):
        load_key_ring(path)


def test_a_file_ring_follows_rotation_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    mine, theirs = FileKeyRing(path), FileKeyRing(path)
    theirs.replace(theirs.ring.with_new_primary())
    sealed = theirs.seal(b"new", aad=b"a")
    assert mine.open(sealed, aad=b"a") == b"new"  # unknown key id: re-read the file
    assert mine.seal(b"x", aad=b"a").key_id == theirs.primary_id
