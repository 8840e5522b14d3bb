"""Size limits the store enforces on what it is given; one frozen value, passed in by callers.

Settings (``N8NWORK_DATABASE__*``) fill it at the edges; repository functions take it as the
keyword ``limits`` and default to ``DEFAULT_LIMITS``.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """What the store refuses: documents, payloads and names above these sizes."""

    max_document_bytes: int = 16 * MIB
    """Largest JSON document stored inline (workflow, run state, node run, credential data)."""
    inline_payload_bytes: int = 64 * 1024
    """Item lists above this size are stored once, compressed, and referenced."""
    max_payload_bytes: int = 256 * MIB
    """Largest single item list stored as a payload (uncompressed size)."""
    max_name_length: int = 255
    """Longest name (workflow, node, credential, project) in characters."""


DEFAULT_LIMITS = StoreLimits()
