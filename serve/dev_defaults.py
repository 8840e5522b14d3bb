"""What ``n8nwork up`` warns about: settings that are fine on a laptop and unsafe elsewhere.

``development_defaults`` names each one (generated encryption keys or JWT secret, a weak
JWT secret, a weak owner password from ``N8NWORK_OWNER_PASSWORD``, the embedded SQLite file
or no Redis when serving beyond this machine, plain http on a public address, and
``N8NWORK_ENV=development`` itself when listening beyond loopback); ``warn`` prints one
``n8nwork: warning: ...`` line per problem to stderr. Values are never printed, only the
names of the settings to change.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Mapping
from typing import TextIO

from n8nwork.settings import MIN_SECRET_LENGTH, WEAK_SECRETS, Settings

MIN_OWNER_PASSWORD = 12
WEAK_PASSWORDS = WEAK_SECRETS | {"admin", "owner", "12345678", "password1", "n8n", "letmein"}


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def development_defaults(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    address: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """One sentence per development default in effect (empty: none)."""
    env = environ if environ is not None else {}
    beyond = not _loopback(host) or address is not None  # reachable from, or part of, more
    found = []
    if settings.encryption.keys is None:
        found.append(
            "credentials are encrypted with a key generated into the data directory "
            "(development default); set N8NWORK_ENCRYPTION__KEYS and keep it safe"
        )
    jwt = settings.auth.jwt_secret.get_secret_value() if settings.auth.jwt_secret else None
    if jwt is None:
        found.append(
            "tokens are signed with a secret generated into the data directory "
            "(development default); set N8NWORK_AUTH__JWT_SECRET"
        )
    elif jwt.strip().lower() in WEAK_SECRETS or len(jwt) < MIN_SECRET_LENGTH:
        found.append(
            f"N8NWORK_AUTH__JWT_SECRET is weak; use {MIN_SECRET_LENGTH}+ random characters"
        )
    password = env.get("N8NWORK_OWNER_PASSWORD")
    if password is not None and (
        password.strip().lower() in WEAK_PASSWORDS or len(password) < MIN_OWNER_PASSWORD
    ):
        found.append(
            "N8NWORK_OWNER_PASSWORD is a default or weak password; use "
            f"{MIN_OWNER_PASSWORD}+ characters and change it after the first login"
        )
    if beyond and settings.embedded:
        found.append(
            "the embedded SQLite file is the database of an instance served beyond this "
            "machine; use PostgreSQL (--database-url or N8NWORK_DATABASE__URL)"
        )
    if address is not None and settings.redis.url is None:
        found.append(
            "no Redis on a cluster: each API replica keeps its own rate limits, login "
            "lockouts and logouts; set --redis-url or N8NWORK_REDIS__URL"
        )
    if not _loopback(host) and not settings.public_url.lower().startswith("https://"):
        found.append(
            f"listening on {host} without an https public URL: tokens and credentials cross "
            "the network in clear unless a TLS proxy is in front (set N8NWORK_PUBLIC_URL)"
        )
    if found and settings.development and beyond:
        found.insert(
            0, "N8NWORK_ENV is 'development' (the default) on an instance others can reach"
        )
    return found


def warn(problems: list[str], err: TextIO | None = None) -> None:
    """Print each problem as one ``n8nwork: warning:`` line (stderr by default)."""
    stream = err if err is not None else sys.stderr
    for problem in problems:
        stream.write(f"n8nwork: warning: {problem}\n")
    stream.flush()
