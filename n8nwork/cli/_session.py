"""The API client of one command: the server URL, and credentials from ``--api-key`` /
``N8NWORK_API_KEY``, else the login saved by ``n8nwork login`` for that URL.

A saved login's tokens rotate when the client refreshes them (on a 401); the new ones are
saved back when the command ends, so the next command starts from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from n8nwork.cli import _tokens
from n8nwork.cli._app import Options, options
from n8nwork.cli._errors import CliError

if TYPE_CHECKING:
    from n8nwork.client import Client


def check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise CliError(f"--url must be an http:// or https:// URL, got {url!r}")
    return url


@contextmanager
def connect(opts: Options | None = None, *, authenticated: bool = True) -> Iterator[Client]:
    """A ``Client`` for the command's server and credentials (closed afterwards)."""
    from n8nwork.client import Client

    opts = opts or options()
    url = check_url(opts.url)
    saved = None
    kwargs: dict[str, Any] = {}
    if authenticated and opts.api_key:
        kwargs["api_key"] = opts.api_key
    elif authenticated:
        saved = _tokens.load(url)
        if saved is not None:
            kwargs["token"] = saved.access_token
            kwargs["refresh_token"] = saved.refresh_token
    client = Client(url, **kwargs)
    try:
        yield client
    finally:
        try:
            if saved is not None:
                tokens = client.tokens
                access, refresh = tokens["access_token"], tokens["refresh_token"]
                if access and (access, refresh) != (saved.access_token, saved.refresh_token):
                    _tokens.save(url, _tokens.SavedLogin(access, refresh, saved.email))
        finally:
            client.close()
