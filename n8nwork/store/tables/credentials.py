"""The credentials table: each secret encrypted with AES-256-GCM, the key id beside it so keys
can rotate, the nonce with it; the clear text never reaches the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlmodel import Field

from n8nwork.store.base import StoreModel
from n8nwork.store.types import UTCDateTime, utcnow


class Credential(StoreModel, table=True):
    """A credential of an n8n credential ``type`` (``httpBasicAuth``, ...), encrypted."""

    __tablename__ = "credentials"

    id: str = Field(primary_key=True, sa_type=String(36))
    project_id: str = Field(
        foreign_key="projects.id", ondelete="CASCADE", sa_type=String(36), index=True
    )
    name: str = Field(sa_type=String(255))
    type: str = Field(sa_type=String(255))
    key_id: str = Field(sa_type=String(64), index=True)
    nonce: bytes = Field(sa_type=LargeBinary)
    ciphertext: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
