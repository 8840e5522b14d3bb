"""Credentials: the data (a JSON object of secrets) sealed with AES-256-GCM under the key
ring's primary key, bound to its row by associated data; lists never decrypt.

``reencrypt_credentials`` is the rotation step: rows under any key but the primary are
re-sealed in small batches, each row with a compare-and-set on its old key and nonce, so the
store stays readable and writable throughout (every row is always under a key in the ring).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlmodel import Session, col, func, select, update

from n8nwork.crypto import Sealed, SecretBox
from n8nwork.store.base import new_id
from n8nwork.store.errors import InvalidInputError, NotFoundError
from n8nwork.store.jsonsafe import check_text, dump_json
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.credentials import Credential
from n8nwork.store.types import utcnow

MAX_CREDENTIAL_BYTES = 1024 * 1024


def _aad(credential_id: str) -> bytes:
    return f"n8nwork:credential:{credential_id}".encode()


def _seal(box: SecretBox, credential_id: str, data: dict[str, Any]) -> Sealed:
    if not isinstance(data, dict):
        raise InvalidInputError("credential data must be a JSON object")
    raw = dump_json(data, max_bytes=MAX_CREDENTIAL_BYTES, what="credential data")
    return box.seal(raw.encode("utf-8"), aad=_aad(credential_id))


def create_credential(
    *,
    session: Session,
    key_ring: SecretBox,
    project_id: str,
    name: str,
    type: str,
    data: dict[str, Any],
    limits: StoreLimits = DEFAULT_LIMITS,
) -> Credential:
    """Store ``data`` encrypted; the row holds the key id, nonce and ciphertext only."""
    credential_id = new_id()
    sealed = _seal(key_ring, credential_id, data)
    row = Credential(
        id=credential_id,
        project_id=project_id,
        name=check_text(name, what="credential name", max_length=limits.max_name_length),
        type=check_text(type, what="credential type"),
        key_id=sealed.key_id,
        nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
    )
    session.add(row)
    with translated("create credential"):
        session.flush()
    return row


def get_credential(*, session: Session, credential_id: str) -> Credential:
    row = session.get(Credential, credential_id)
    if row is None:
        raise NotFoundError(f"credential {credential_id!r} not found")
    return row


def decrypt_credential(*, key_ring: SecretBox, credential: Credential) -> dict[str, Any]:
    """The clear data of a credential row (raises ``CryptoError`` if it does not decrypt)."""
    sealed = Sealed(credential.key_id, credential.nonce, credential.ciphertext)
    plaintext = key_ring.open(sealed, aad=_aad(credential.id))
    data: dict[str, Any] = json.loads(plaintext)
    return data


def get_credential_data(
    *, session: Session, key_ring: SecretBox, credential_id: str
) -> dict[str, Any]:
    return decrypt_credential(
        key_ring=key_ring, credential=get_credential(session=session, credential_id=credential_id)
    )


def update_credential(
    *,
    session: Session,
    key_ring: SecretBox,
    credential_id: str,
    data: dict[str, Any] | None = None,
    name: str | None = None,
    limits: StoreLimits = DEFAULT_LIMITS,
) -> Credential:
    """Replace the data (re-sealed under the primary key) and/or the name."""
    row = get_credential(session=session, credential_id=credential_id)
    if data is not None:
        sealed = _seal(key_ring, row.id, data)
        row.key_id, row.nonce, row.ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
    if name is not None:
        row.name = check_text(name, what="credential name", max_length=limits.max_name_length)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def list_credentials(
    *, session: Session, project_id: str | None = None, type: str | None = None
) -> list[Credential]:
    """Credential rows (still encrypted) ordered by name."""
    query = select(Credential).order_by(col(Credential.name), col(Credential.id))
    if project_id is not None:
        query = query.where(Credential.project_id == project_id)
    if type is not None:
        query = query.where(Credential.type == type)
    return list(session.exec(query))


def delete_credential(*, session: Session, credential_id: str) -> bool:
    row = session.get(Credential, credential_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def credential_key_ids(*, session: Session) -> Counter[str]:
    """How many credentials each key id encrypts."""
    query = select(Credential.key_id, func.count()).group_by(col(Credential.key_id))
    return Counter({kid: int(n) for kid, n in session.exec(query)})


def reencrypt_credentials(*, session: Session, key_ring: SecretBox, batch_size: int = 100) -> int:
    """Re-seal up to ``batch_size`` credentials that are not under the primary key; returns
    how many rows it looked at (0: none left). The caller commits after each call. A row
    changed meanwhile is skipped: its writer sealed it under the primary key already."""
    primary = key_ring.primary_id
    rows = session.exec(
        select(Credential)
        .where(col(Credential.key_id) != primary)
        .order_by(col(Credential.id))
        .limit(batch_size)
    ).all()
    for row in rows:
        data = decrypt_credential(key_ring=key_ring, credential=row)
        sealed = _seal(key_ring, row.id, data)
        session.execute(
            update(Credential)
            .where(
                col(Credential.id) == row.id,
                col(Credential.key_id) == row.key_id,
                col(Credential.nonce) == row.nonce,
            )
            .values(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
            .execution_options(synchronize_session=False)
        )
        session.expire(row)
    return len(rows)
