"""Key rotation without downtime: every credential is re-sealed under the primary key in
small committed batches while the service keeps running.

With keys from N8NWORK_ENCRYPTION__KEYS the operator first deploys the new key as the first
(primary) entry with the old ones after it, then runs ``n8nwork rotate-key``, then removes the
old keys from the setting. With the embedded key file, ``rotate-key`` adds the new primary key
to the file itself (running processes re-read it), re-seals, and with ``retire=True`` drops
keys that no credential uses any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.crypto import FileKeyRing, SecretBox
from n8nwork.store.repo.credentials import credential_key_ids, reencrypt_credentials


@dataclass(frozen=True, slots=True)
class RotationReport:
    primary: str
    resealed: int
    retired: tuple[str, ...]
    remaining: dict[str, int]


def rotate_keys(
    *,
    sessions: sessionmaker[Session],
    key_ring: SecretBox,
    new_key: bool = True,
    retire: bool = False,
    batch_size: int = 100,
) -> RotationReport:
    """Re-seal every credential under the primary key (a new one first, for a key file)."""
    if new_key and isinstance(key_ring, FileKeyRing):
        key_ring.replace(key_ring.ring.with_new_primary())
    resealed = 0
    while True:
        with sessions() as session, session.begin():
            looked = reencrypt_credentials(
                session=session, key_ring=key_ring, batch_size=batch_size
            )
        if looked == 0:
            break
        resealed += looked
    with sessions() as session:
        remaining = dict(credential_key_ids(session=session))
    retired: tuple[str, ...] = ()
    if retire and isinstance(key_ring, FileKeyRing):
        ring = key_ring.ring
        keep = set(remaining) | {ring.primary_id}
        retired = tuple(sorted(set(ring.keys) - keep))
        if retired:
            key_ring.replace(ring.retain(keep))
    return RotationReport(key_ring.primary_id, resealed, retired, remaining)
