"""Redirect targets that a webhook answer may send callers to (Respond to Webhook's
``redirect``).

What SSRF means here: nothing on the server follows this redirect. The ``Location`` header
goes back to the caller, whose browser or HTTP client decides whether to follow it from where
it stands, with its own network view. So the server-side address check of ``policy`` does not
apply (an internal URL in a redirect reaches only what the caller could reach anyway). What
does matter is what a browser would do with the header: ``javascript:``, ``data:``,
``vbscript:``, ``file:`` and similar targets run script or read local files in the caller's
origin, and control characters (CR/LF) would split the header. So a target must be an
``http``/``https`` URL with a host, or a relative reference, without control characters.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from n8nwork.errors import N8nworkError

SAFE_SCHEMES = frozenset({"http", "https"})


class UnsafeRedirect(N8nworkError):
    """Raised when a redirect target is not an http(s) URL or a relative reference."""


def check_redirect_target(url: str) -> str:
    """``url`` without surrounding spaces, if a browser may safely be sent there."""
    target = url.strip()
    if not target:
        raise UnsafeRedirect("The redirect URL is empty")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        raise UnsafeRedirect("The redirect URL contains control characters (e.g. a line break)")
    try:
        parts = urlsplit(target)
    except ValueError as exc:
        raise UnsafeRedirect(f"The redirect URL is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        raise UnsafeRedirect(
            f"The redirect URL uses the scheme '{scheme}:'; only http and https URLs "
            "(or relative paths) may be redirected to"
        )
    if scheme and not parts.netloc:
        raise UnsafeRedirect("The redirect URL has no host")
    return target
