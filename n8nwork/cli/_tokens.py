"""The tokens ``n8nwork login`` saves: one login per server URL, in the user's config folder.

The file is ``<config dir>/credentials.json`` where the config dir is
``$XDG_CONFIG_HOME/n8nwork`` (else ``~/.config/n8nwork``) on Linux and the platform's
equivalent elsewhere (``typer.get_app_dir``; ``N8NWORK_CONFIG_DIR`` overrides it). The folder
is made with mode 0700, the file is written atomically (a 0600 temporary file in the same
folder, fsync, rename), so no other user can read a token, not even while it is written,
and a crash never leaves half a file. Contents::

    {"servers": {"http://127.0.0.1:8000": {"accessToken": "...", "refreshToken": "...",
                                            "email": "...", "savedAt": "..."}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from n8nwork.cli._errors import CliError

FILE_NAME = "credentials.json"


@dataclass(frozen=True)
class SavedLogin:
    """A login kept for one server."""

    access_token: str
    refresh_token: str | None = None
    email: str | None = None


def config_dir() -> Path:
    """The folder of the CLI's files for this user."""
    override = os.environ.get("N8NWORK_CONFIG_DIR")
    return Path(override) if override else Path(typer.get_app_dir("n8nwork"))


def credentials_path() -> Path:
    return config_dir() / FILE_NAME


def _server_key(url: str) -> str:
    return url.strip().rstrip("/")


def _read() -> dict[str, Any]:
    path = credentials_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"servers": {}}
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read saved logins ({exc})") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: not valid JSON (line {exc.lineno}); delete it and log in again"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
        raise CliError(f"{path}: unexpected contents; delete it and log in again")
    return data


def _write(data: dict[str, Any]) -> Path:
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    path = folder / FILE_NAME
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".credentials.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path


def load(url: str) -> SavedLogin | None:
    """The login saved for the server at ``url``, if any."""
    entry = _read()["servers"].get(_server_key(url))
    if not isinstance(entry, dict) or not isinstance(entry.get("accessToken"), str):
        return None
    refresh = entry.get("refreshToken")
    email = entry.get("email")
    return SavedLogin(
        access_token=entry["accessToken"],
        refresh_token=refresh if isinstance(refresh, str) else None,
        email=email if isinstance(email, str) else None,
    )


def save(url: str, login: SavedLogin) -> Path:
    """Keep ``login`` for the server at ``url`` (replacing an older one); returns the file."""
    data = _read()
    data["servers"][_server_key(url)] = {
        "accessToken": login.access_token,
        "refreshToken": login.refresh_token,
        "email": login.email,
        "savedAt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return _write(data)


def forget(url: str) -> bool:
    """Drop the login saved for ``url``; False if there was none."""
    data = _read()
    if data["servers"].pop(_server_key(url), None) is None:
        return False
    _write(data)
    return True
