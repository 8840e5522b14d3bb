"""Known secret values, masked in every log line as a last line of defence.

A process tells this module the secrets it holds (``remember``): credential data decrypted
during a run or a webhook call, the encryption keys, the JWT secret, passwords in service
URLs. ``redact(text)`` replaces each of them with ``***``. Short strings (under
``MIN_LENGTH`` characters) are not remembered: masking ``"true"`` or ``"1234"`` everywhere
would garble logs and say which values are secret. The set is bounded (``MAX_SECRETS``; the
oldest go first).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

MASK = "***"
MIN_LENGTH = 6
MAX_SECRETS = 10_000

_lock = threading.Lock()
_secrets: dict[str, None] = {}  # insertion-ordered set
_pattern: re.Pattern[str] | None = None


def remember(*values: Any) -> None:
    """Add the strings in ``values`` (walking mappings, lists and tuples; ``SecretStr`` and
    other objects with ``get_secret_value`` are read) to the secrets to mask."""
    found: list[str] = []
    _collect(values, found, 0)
    new = [s for s in found if s not in _secrets]
    if not new:
        return
    global _pattern
    with _lock:
        for secret in new:
            _secrets[secret] = None
        while len(_secrets) > MAX_SECRETS:
            del _secrets[next(iter(_secrets))]
        _pattern = None


def _collect(value: Any, out: list[str], depth: int) -> None:
    if depth > 8:
        return
    if isinstance(value, str):
        if len(value) >= MIN_LENGTH:
            out.append(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect(item, out, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, out, depth + 1)
    elif hasattr(value, "get_secret_value"):
        _collect(value.get_secret_value(), out, depth + 1)


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    pattern = _pattern
    if pattern is None and _secrets:
        with _lock:
            ordered = sorted(_secrets, key=len, reverse=True)  # longest first: no partial mask
            pattern = _pattern = re.compile("|".join(re.escape(s) for s in ordered))
    return pattern


def active() -> bool:
    """Whether any secret is remembered."""
    return bool(_secrets)


def redact(text: str) -> str:
    """``text`` with every remembered secret replaced by ``***``."""
    if not _secrets:
        return text
    pattern = _compiled()
    return pattern.sub(MASK, text) if pattern is not None else text


def forget_all() -> None:
    """Drop every remembered secret (tests)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None
