"""Text encodings and file building shared by Convert to File and Extract from File: iconv-lite
encoding names mapped to Python codecs, BOM handling, and n8n's ``createBinaryFromJson``."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from typing import Any

from n8nwork.binary import prepare_binary
from nodes.builtin._values import MISSING, get_path, js_json, js_string

_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "cesu8": "utf-8",
    "ucs2": "utf-16-le",
    "utf16le": "utf-16-le",
    "utf-16le": "utf-16-le",
    "utf16be": "utf-16-be",
    "utf16": "utf-16",
    "utf32": "utf-32",
    "utf32le": "utf-32-le",
    "utf32be": "utf-32-be",
    "utf7": "utf-7",
    "binary": "latin-1",
    "latin1": "latin-1",
    "iso88591": "latin-1",
    "ascii": "ascii",
    "base64": "base64",
    "hex": "hex",
}
_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}


class EncodingError(ValueError):
    """Raised when an encoding name is not known."""


def codec(name: str | None) -> str:
    """The Python codec for an iconv-lite encoding name (``utf8``, ``win1252``, ``ucs2`` ...)."""
    if not name:
        return "utf-8"
    key = re.sub(r"[^a-z0-9-]", "", name.lower())
    if key in _ALIASES:
        return _ALIASES[key]
    key = re.sub(r"^(win|windows)-?(\d+)$", r"cp\2", key)
    key = re.sub(r"^iso-?8859-?(\d+)$", r"iso8859-\1", key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise EncodingError(f"Encoding not recognized: '{name}'") from None


def encode_text(text: str, encoding: str | None, add_bom: bool = False) -> bytes:
    name = codec(encoding)
    if name == "base64":
        return base64.b64decode(text)
    if name == "hex":
        return bytes.fromhex(text)
    data = text.encode(name)
    if add_bom and name in _BOMS:
        data = _BOMS[name] + data
    return data


def decode_bytes(data: bytes, encoding: str | None, strip_bom: bool = True) -> str:
    name = codec(encoding)
    if name == "base64":
        return base64.b64encode(data).decode()
    if name == "hex":
        return data.hex()
    text = data.decode(name, errors="replace")
    if strip_bom and text.startswith("\ufeff"):
        text = text[1:]
    return text


class ValueNotSetError(ValueError):
    """Raised when the source field of a file is missing."""


def binary_from_json(
    data: Any,
    *,
    source_key: str | None = None,
    file_name: str | None = None,
    mime_type: str | None = None,
    encoding: str | None = None,
    add_bom: bool = False,
    data_is_base64: bool = False,
    format_json: bool = False,
) -> dict[str, Any]:
    """n8n's ``createBinaryFromJson``: a binary entry from a JSON value or one of its fields."""
    value = get_path(data, source_key) if source_key else data
    if value is MISSING:
        raise ValueNotSetError(f'The value in "{source_key}" is not set')
    if not data_is_base64:
        if isinstance(value, (dict, list)):
            mime_type = "application/json"
            text = js_json(value, 2 if format_json else None)
        else:
            text = js_string(value)
        payload = encode_text(text, encoding, add_bom)
    else:
        text = js_string(value).strip()
        uri = re.match(r"^data:(.*?);base64,(.*)$", text, re.S)
        if uri:
            media = uri.group(1).split(";")[0].strip()
            if not mime_type and media:
                mime_type = media
            text = uri.group(2)
        cleaned = re.sub(r"\s+", "", text)
        if cleaned and not re.fullmatch(r"[A-Za-z0-9+/=_-]+", cleaned):
            raise ValueError(
                "The provided string is not valid base64 data. If you are trying to write plain "
                'text to a file, use the "Convert to Text File" operation instead.'
            )
        try:
            payload = base64.b64decode(cleaned.replace("-", "+").replace("_", "/") + "===")
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"Invalid base64 data: {exc}") from None
    entry = prepare_binary(payload, file_name or None, mime_type or None)
    if not entry.get("fileName"):
        ext = entry.get("fileExtension")
        entry["fileName"] = f"file.{ext}" if ext else "file"
    return entry
