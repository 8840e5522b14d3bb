"""Builders shared by the webhook unit tests: requests and multipart bodies."""

from __future__ import annotations

from serve.webhooks.incoming import IncomingRequest

BOUNDARY = "----n8nworkBoundary7MA4YWxk"


def request(
    *,
    method: str = "POST",
    headers: list[tuple[str, str]] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
    client_ip: str = "127.0.0.1",
    path_params: dict[str, str] | None = None,
) -> IncomingRequest:
    all_headers = [("host", "example.com")]
    if content_type is not None:
        all_headers.append(("content-type", content_type))
    all_headers += headers or []
    return IncomingRequest(
        method=method,
        url="http://example.com/webhook/hook",
        path="hook",
        path_params=path_params or {},
        headers=all_headers,
        query=query or [],
        body=body,
        client_ip=client_ip,
    )


def multipart(
    fields: list[tuple[str, str]],
    files: list[tuple[str, str, str | None, bytes]] | None = None,
) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type; files are (field, file name, MIME
    type, bytes)."""
    out = b""
    for name, value in fields:
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for name, file_name, mime, data in files or []:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        head += f'filename="{file_name}"\r\n'
        if mime:
            head += f"Content-Type: {mime}\r\n"
        out += head.encode("utf-8") + b"\r\n" + data + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return out, f"multipart/form-data; boundary={BOUNDARY}"
