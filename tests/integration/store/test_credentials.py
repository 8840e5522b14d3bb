"""Credentials: AES-256-GCM at rest with the key id beside, bound to the row, rotating."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from n8nwork.crypto import DecryptionError, FileKeyRing, KeyRing, UnknownKeyError
from n8nwork.store.repo.credentials import (
    create_credential,
    credential_key_ids,
    decrypt_credential,
    delete_credential,
    get_credential,
    get_credential_data,
    list_credentials,
    update_credential,
)
from n8nwork.store.rotation import rotate_keys
from n8nwork.store.tables.credentials import Credential

SECRET = {"user": "ada", "password": "s3cr3t-Päss'; DROP TABLE credentials;--"}


def test_secrets_are_encrypted_at_rest(sessions: sessionmaker[Session], project_id: str) -> None:
    ring = KeyRing.generate()
    with sessions() as session, session.begin():
        row = create_credential(
            session=session,
            key_ring=ring,
            project_id=project_id,
            name="DB",
            type="postgres",
            data=SECRET,
        )
        credential_id = row.id
    with sessions() as session:
        stored = get_credential(session=session, credential_id=credential_id)
        assert stored.key_id == ring.primary_id and len(stored.nonce) == 12
        assert b"s3cr3t" not in stored.ciphertext and b"ada" not in stored.ciphertext
        assert (
            get_credential_data(session=session, key_ring=ring, credential_id=credential_id)
            == SECRET
        )
        assert [c.name for c in list_credentials(session=session, project_id=project_id)] == ["DB"]
        with pytest.raises(UnknownKeyError):
            get_credential_data(
                session=session, key_ring=KeyRing.generate(), credential_id=credential_id
            )


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    ring = KeyRing.generate()
    with sessions() as session, session.begin():
        a = create_credential(
            session=session,
            key_ring=ring,
            project_id=project_id,
            name="a",
            type="t",
            data={"k": "A"},
        )
        b = create_credential(
            session=session,
            key_ring=ring,
            project_id=project_id,
            name="b",
            type="t",
            data={"k": "B"},
        )
        b.nonce, b.ciphertext = a.nonce, a.ciphertext
        session.add(b)
        b_id = b.id
    with sessions() as session, pytest.raises(DecryptionError):
        get_credential_data(session=session, key_ring=ring, credential_id=b_id)


def test_update_reseals_under_the_primary_key(
    sessions: sessionmaker[Session], project_id: str
) -> None:
    old = KeyRing.generate()
    with sessions() as session, session.begin():
        cid = create_credential(
            session=session, key_ring=old, project_id=project_id, name="x", type="t", data={"a": 1}
        ).id
    new = old.with_new_primary()
    with sessions() as session, session.begin():
        row = update_credential(
            session=session, key_ring=new, credential_id=cid, data={"a": 2}, name="y"
        )
        assert row.key_id == new.primary_id
    with sessions() as session, session.begin():
        assert get_credential_data(session=session, key_ring=new, credential_id=cid) == {"a": 2}
        assert delete_credential(session=session, credential_id=cid)


def test_rotation_reseals_everything_while_readers_keep_reading(
    sessions: sessionmaker[Session], project_id: str, tmp_path: Path
) -> None:
    # Given 120 credentials under the embedded key file's first key,
    ring = FileKeyRing(tmp_path / "keys.json")
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    first_key = ring.primary_id
    with sessions() as session, session.begin():
        for i in range(120):
            create_credential(
                session=session,
                key_ring=ring,
                project_id=project_id,
                name=f"c{i}",
                type="t",
                data={"i": i},
            )
    # when the keys rotate while another process (its own ring, same file) reads all the time,
    reader_ring = FileKeyRing(tmp_path / "keys.json")
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_all() -> None:
        while not stop.is_set():
            try:
                with sessions() as session:
                    for row in session.exec(select(Credential).order_by(col(Credential.name))):
                        decrypt_credential(key_ring=reader_ring, credential=row)
            except BaseException as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=read_all)
    reader.start()
    try:
        report = rotate_keys(sessions=sessions, key_ring=ring, retire=True, batch_size=25)
    finally:
        stop.set()
        reader.join()
    # then every credential is under the new key, the old key is gone, and no read failed.
    assert errors == []
    assert report.resealed == 120 and report.primary != first_key
    assert report.retired == (first_key,)
    with sessions() as session:
        assert credential_key_ids(session=session) == {report.primary: 120}
        assert set(FileKeyRing(tmp_path / "keys.json").ring.keys) == {report.primary}
        rows = session.exec(select(Credential)).all()
        assert sorted(
            decrypt_credential(key_ring=reader_ring, credential=r)["i"] for r in rows
        ) == list(range(120))
