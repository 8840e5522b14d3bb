"""Forms for the Wait node's ``resume: form`` (n8n's form pages): ``render_form`` writes the
page, ``form_item`` reads a submission into n8n's item.

Parameters as n8n's: ``formTitle``, ``formDescription``, ``formFields.values[]`` (``fieldLabel``,
``fieldType`` text | number | password | email | textarea | date | dropdown | checkbox | file,
``requiredField``, ``placeholder``, ``fieldOptions.values[].option``, ``multiselect``,
``multipleFiles``, ``acceptFileTypes``) and ``options.buttonLabel``. Inputs are named
``field-<index>`` as n8n names them. The page is plain HTML with every parameter escaped; it
posts ``multipart/form-data`` to its own URL.

The item: each field's label -> its value (numbers as numbers, text and e-mail trimmed,
multi-select and checkbox fields as lists, files as ``{filename, mimetype, size}`` with the
file itself in binary property ``<label with non-word characters as _>`` (``_0``, ``_1``...
for several files), an absent field as null), then ``submittedAt`` (ISO time with offset,
like luxon's ``toISO``) and ``formMode`` (``test`` or ``production``). A required field left
empty is answered 400 naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from n8nwork.binary import prepare_binary
from serve.webhooks.incoming import IncomingRequest, WebhookHttpError
from serve.webhooks.request_item import (
    content_type_of,
    decode_text,
    inflate,
    parse_multipart,
    parse_urlencoded,
)

FIELD_TYPES = (
    "text",
    "number",
    "password",
    "email",
    "textarea",
    "date",
    "dropdown",
    "checkbox",
    "file",
)
_INPUT_TYPES = {"text", "number", "password", "email", "date"}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#fbfcfe;
color:#1f2937;margin:0;padding:32px 16px}
main{max-width:448px;margin:0 auto;background:#fff;border:1px solid #dbdfe7;border-radius:8px;
padding:24px}
h1{font-size:20px;margin:0 0 8px}p.description{color:#525356;margin:0 0 16px;
white-space:pre-line}
.field{margin:0 0 16px}label{display:block;font-weight:600;margin:0 0 6px}
.required{color:#ff6d5a}
input,select,textarea{box-sizing:border-box;width:100%;padding:8px;border:1px solid #dbdfe7;
border-radius:6px;font:inherit}
.choice{display:flex;gap:8px;align-items:center;font-weight:400}
.choice input{width:auto}
button{width:100%;padding:10px;border:0;border-radius:6px;background:#ff6d5a;color:#fff;
font:inherit;font-weight:600;cursor:pointer}
"""


# ------------------------------------------------------------------------------- rendering
def render_form(params: Mapping[str, Any], *, action: str | None = None) -> str:
    """The HTML page of the form; it posts to ``action`` (default: its own URL)."""
    title = _text(params.get("formTitle")) or "Form"
    description = _text(params.get("formDescription"))
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    button = _text((options or {}).get("buttonLabel")) or "Submit"
    target = f' action="{escape(action, quote=True)}"' if action else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex,nofollow">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>",
        "<body><main>",
        f"<h1>{escape(title)}</h1>",
    ]
    if description:
        parts.append(f'<p class="description">{escape(description)}</p>')
    parts.append(f'<form method="post" enctype="multipart/form-data"{target}>')
    for index, field in enumerate(form_fields(params)):
        parts.append(_render_field(index, field))
    parts.append(f'<button type="submit">{escape(button)}</button>')
    parts.append("</form></main></body></html>")
    return "\n".join(parts)


def render_message(title: str, message: str = "") -> str:
    """A small page with a heading and a message (e.g. after a form was submitted)."""
    body = f"<p>{escape(message)}</p>" if message else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def form_fields(params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``formFields.values`` (also accepts a plain list)."""
    holder = params.get("formFields")
    values = holder.get("values") if isinstance(holder, Mapping) else holder
    if not isinstance(values, list):
        return []
    return [f for f in values if isinstance(f, Mapping)]


def _render_field(index: int, field: Mapping[str, Any]) -> str:
    name = f"field-{index}"
    label = _label(index, field)
    kind = _kind(field)
    required = _flag(field.get("requiredField"))
    req_attr = " required" if required else ""
    placeholder = _text(field.get("placeholder"))
    ph_attr = f' placeholder="{escape(placeholder, quote=True)}"' if placeholder else ""
    star = ' <span class="required" aria-hidden="true">*</span>' if required else ""
    head = f'<div class="field"><label for="{name}">{escape(label)}{star}</label>'
    choices = _choices(field)
    if kind == "textarea":
        control = f'<textarea id="{name}" name="{name}" rows="4"{req_attr}{ph_attr}></textarea>'
    elif kind == "dropdown":
        multiple = " multiple" if _flag(field.get("multiselect")) else ""
        opts = [] if multiple else ['<option value="">Select an option...</option>']
        opts += [f'<option value="{escape(c, quote=True)}">{escape(c)}</option>' for c in choices]
        control = f'<select id="{name}" name="{name}"{multiple}{req_attr}>{"".join(opts)}</select>'
    elif kind == "checkbox":
        boxes = [
            f'<label class="choice"><input type="checkbox" name="{name}" '
            f'value="{escape(c, quote=True)}"> {escape(c)}</label>'
            for c in choices or ["Yes"]
        ]
        control = f'<div id="{name}">{"".join(boxes)}</div>'
    elif kind == "file":
        multiple = " multiple" if _flag(field.get("multipleFiles", True)) else ""
        accept = _text(field.get("acceptFileTypes"))
        accept_attr = f' accept="{escape(accept, quote=True)}"' if accept else ""
        control = f'<input type="file" id="{name}" name="{name}"{multiple}{accept_attr}{req_attr}>'
    else:
        input_type = kind if kind in _INPUT_TYPES else "text"
        step = ' step="any"' if input_type == "number" else ""
        control = f'<input type="{input_type}" id="{name}" name="{name}"{step}{req_attr}{ph_attr}>'
    return f"{head}{control}</div>"


# --------------------------------------------------------------------------------- parsing
def form_item(
    req: IncomingRequest,
    params: Mapping[str, Any],
    *,
    mode: str = "production",
    timezone: str = "UTC",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The item of a submitted form (``multipart/form-data`` or urlencoded). ``mode``
    ``manual``/``test`` gives ``formMode: "test"``; ``timezone`` is the zone of
    ``submittedAt``."""
    content_type, ct_params = content_type_of(req)
    files: dict[str, list[tuple[str, str | None, bytes]]] = {}
    if content_type == "multipart/form-data":
        data, files = parse_multipart(req, inflate(req))
    elif content_type == "application/x-www-form-urlencoded":
        data = parse_urlencoded(decode_text(inflate(req), ct_params.get("charset")))
    else:
        raise WebhookHttpError(415, "Expected multipart/form-data")
    item: dict[str, Any] = {"json": {}}
    out = item["json"]
    binary: dict[str, Any] = {}
    for index, field in enumerate(form_fields(params)):
        key = f"field-{index}"
        label = _label(index, field)
        kind = _kind(field)
        required = _flag(field.get("requiredField"))
        if kind == "file":
            uploads = files.get(key, [])
            if not uploads:
                if required:
                    raise _required(label)
                out[label] = None
                continue
            base = re.sub(r"\W", "_", label, flags=re.ASCII)
            meta = []
            for n, (file_name, mime_type, content) in enumerate(uploads):
                prop = f"{base}_{n}" if len(uploads) > 1 else base
                binary[prop] = prepare_binary(content, file_name, mime_type)
                meta.append(
                    {
                        "filename": file_name,
                        "mimetype": mime_type or binary[prop]["mimeType"],
                        "size": len(content),
                    }
                )
            multiple = _flag(field.get("multipleFiles", True))
            out[label] = meta if len(meta) > 1 or multiple else meta[0]
            continue
        value = data.get(key)
        if _empty(value):
            if required:
                raise _required(label)
            out[label] = None if value is None else _convert(kind, field, value, label)
            continue
        out[label] = _convert(kind, field, value, label)
    out["submittedAt"] = _iso_now(timezone, now)
    out["formMode"] = "test" if mode in ("manual", "test") else "production"
    if binary:
        item["binary"] = binary
    return item


def _convert(kind: str, field: Mapping[str, Any], value: Any, label: str) -> Any:
    many = kind == "checkbox" or (kind == "dropdown" and _flag(field.get("multiselect")))
    if many:
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
            return [value] if value != "" else []
        return []
    text = value[-1] if isinstance(value, list) else value
    text = "" if text is None else str(text)
    if kind == "number":
        if text.strip() == "":
            return None
        try:
            number = float(text)
        except ValueError:
            raise WebhookHttpError(400, f'The field "{label}" must be a number') from None
        if number != number or number in (float("inf"), float("-inf")):
            raise WebhookHttpError(400, f'The field "{label}" must be a number')
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind in ("text", "email"):
        return text.strip()
    return text


def _iso_now(timezone: str, now: datetime | None) -> str:
    """luxon's ``DateTime.now().setZone(zone).toISO()``: milliseconds and the offset, ``Z``
    for UTC."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    name = timezone or "UTC"
    if name.upper() in ("UTC", "GMT", "ETC/UTC", "Z"):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{moment.microsecond // 1000:03d}Z"
        )
    try:
        local = moment.astimezone(ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        local = moment.astimezone(UTC)
    text = local.isoformat(timespec="milliseconds")
    return text


def _required(label: str) -> WebhookHttpError:
    return WebhookHttpError(400, f'The field "{label}" is required')


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    return isinstance(value, str) and value.strip() == ""


def _label(index: int, field: Mapping[str, Any]) -> str:
    return _text(field.get("fieldLabel")) or _text(field.get("fieldName")) or f"field-{index}"


def _kind(field: Mapping[str, Any]) -> str:
    kind = _text(field.get("fieldType")) or "text"
    return kind if kind in FIELD_TYPES else "text"


def _choices(field: Mapping[str, Any]) -> list[str]:
    holder = field.get("fieldOptions")
    values = holder.get("values") if isinstance(holder, Mapping) else holder
    out: list[str] = []
    for entry in values if isinstance(values, list) else []:
        option = entry.get("option") if isinstance(entry, Mapping) else entry
        if option is not None and str(option) != "":
            out.append(str(option))
    return out


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
