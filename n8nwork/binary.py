"""Binary data of items, n8n's shape: ``item["binary"][name] = {"data": <base64>, "mimeType",
"fileName", "fileExtension", "fileType", "fileSize", ...}``.

``prepare_binary`` builds an entry from bytes the way n8n's ``prepareBinaryData`` does (MIME
type from the file name, else from the bytes' signature, else ``text/plain``; human file size);
``binary_bytes`` reads an entry's bytes back. Entries stored by reference (an ``id`` and no
``data``) need the binary store, which this module does not reach.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Mapping
from typing import Any

from n8nwork.errors import N8nworkError


class BinaryDataError(N8nworkError):
    """Raised when an item has no such binary property or its data cannot be read."""


_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
    (b"PK\x03\x04", "application/zip", "zip"),
    (b"\x1f\x8b", "application/gzip", "gz"),
    (b"BM", "image/bmp", "bmp"),
    (b"ID3", "audio/mpeg", "mp3"),
    (b"OggS", "audio/ogg", "ogg"),
)
_EXTRA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".ics": "text/calendar",
    ".md": "text/markdown",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".xls": "application/vnd.ms-excel",
    ".rtf": "application/rtf",
}
_EXTENSIONS = {
    "text/plain": "txt",
    "application/json": "json",
    "text/html": "html",
    "text/csv": "csv",
    "text/calendar": "ics",
    "application/xml": "xml",
    "text/xml": "xml",
    "image/jpeg": "jpeg",
}


def lookup_mime(file_name: str) -> str | None:
    """The MIME type for a file name's extension (like the ``mime-types`` package)."""
    dot = file_name.rfind(".")
    ext = file_name[dot:].lower() if dot >= 0 else ""
    if ext in _EXTRA_TYPES:
        return _EXTRA_TYPES[ext]
    guessed, _ = mimetypes.guess_type("x" + ext) if ext else (None, None)
    return guessed


def mime_extension(mime_type: str) -> str | None:
    base = mime_type.split(";")[0].strip().lower()
    if base in _EXTENSIONS:
        return _EXTENSIONS[base]
    ext = mimetypes.guess_extension(base)
    return ext[1:] if ext else None


def file_type_of(mime_type: str) -> str | None:
    """n8n's ``fileTypeFromMimeType``."""
    if mime_type.startswith("application/json"):
        return "json"
    if mime_type.startswith("text/html"):
        return "html"
    for prefix in ("image", "audio", "video"):
        if mime_type.startswith(prefix + "/"):
            return prefix
    if mime_type.startswith(("text/", "application/javascript")):
        return "text"
    if mime_type.startswith("application/pdf"):
        return "pdf"
    return None


def pretty_bytes(size: int) -> str:
    """The ``pretty-bytes`` package: ``34 B``, ``1.23 kB``, ``10 MB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    if size < 1000:
        return f"{size} B"
    exponent = 0
    value = float(size)
    while value >= 1000 and exponent < len(units) - 1:
        value /= 1000
        exponent += 1
    text = f"{value:.3g}"
    if "e" in text:
        text = str(round(value))
    return f"{text} {units[exponent]}"


def prepare_binary(
    data: bytes, file_name: str | None = None, mime_type: str | None = None
) -> dict[str, Any]:
    """An item binary entry for ``data`` (n8n's ``prepareBinaryData``)."""
    extension: str | None = None
    if not mime_type:
        if file_name:
            mime_type = lookup_mime(file_name)
        if not mime_type:
            for signature, mime, ext in _SIGNATURES:
                if data.startswith(signature):
                    mime_type, extension = mime, ext
                    break
        if not mime_type:
            mime_type = "text/plain"
    else:
        extension = mime_extension(mime_type)
    if not extension and mime_type == "text/plain":
        extension = "txt"
    entry: dict[str, Any] = {"mimeType": mime_type}
    file_type = file_type_of(mime_type)
    if file_type:
        entry["fileType"] = file_type
    if extension:
        entry["fileExtension"] = extension
    if file_name:
        name = file_name.split("?")[0]
        if "/" in name:
            directory, name = name.rsplit("/", 1)
            if directory:
                entry["directory"] = directory
        entry["fileName"] = name
        dot = name.rfind(".")
        if dot > 0 and dot < len(name) - 1:
            entry["fileExtension"] = name[dot + 1 :]
    entry["data"] = base64.b64encode(data).decode("ascii")
    entry["fileSize"] = pretty_bytes(len(data))
    return entry


def binary_entry(item: Mapping[str, Any], name: str, item_index: int = 0) -> dict[str, Any]:
    """The item's binary property ``name``; raises BinaryDataError (n8n's messages) if absent."""
    binary = item.get("binary")
    if not binary:
        raise BinaryDataError("No binary data exists on item!")
    entry = binary.get(name)
    if entry is None:
        raise BinaryDataError(
            f"This operation expects the node's input data to contain a binary file '{name}', "
            f"but none was found [item {item_index}]"
        )
    return dict(entry)


def binary_bytes(entry: Mapping[str, Any]) -> bytes:
    """The bytes of a binary entry."""
    data = entry.get("data")
    if data is None or (data == "" and entry.get("id")):
        raise BinaryDataError(
            "Binary data stored by reference (id) cannot be read here; the item holds no data"
        )
    try:
        return base64.b64decode(str(data), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise BinaryDataError(f"Binary data is not valid base64: {exc}") from exc
