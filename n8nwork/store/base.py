"""The declarative base of every table: its own metadata (not SQLModel's global one), with a
naming convention so constraint and index names are the same on PostgreSQL, SQLite and in the
migrations. ``new_id`` makes the string ids of workflows, credentials, users and projects."""

from __future__ import annotations

import secrets
import string
from typing import Any, cast

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

_ALPHABET = string.ascii_letters + string.digits


class StoreModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of the store's tables."""


def table_of(model: type[Any]) -> Table:
    """The ``Table`` of a table model (typed, for Core statements)."""
    return cast(Table, model.__table__)


def new_id(length: int = 16) -> str:
    """A random id like n8n's (16 letters and digits, about 95 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
