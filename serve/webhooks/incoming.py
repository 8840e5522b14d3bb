"""What the webhook building blocks take and raise: an HTTP request as received
(``IncomingRequest``, framework-free) and ``WebhookHttpError``, an answer to send instead of
running the workflow (the handler turns it into ``{"code": status, "message": ...}``, like
n8n's webhook error responses, plus ``hint`` when there is one)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IncomingRequest:
    """One HTTP request to a webhook, as received.

    ``headers`` keeps every header line in order with lower-case names (repeated headers
    appear more than once); ``query`` keeps every decoded ``key=value`` pair in order;
    ``body`` is the raw body (still compressed when the client sent ``Content-Encoding``);
    ``path_params`` are the values of the ``:name`` segments of the webhook path.
    """

    method: str
    url: str
    path: str
    path_params: dict[str, str]
    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    body: bytes
    client_ip: str

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (any case), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]


@dataclass(eq=False)
class WebhookHttpError(Exception):
    """Answer the webhook call with ``status`` and ``message`` instead of running the workflow.

    ``headers`` go on the error response (e.g. ``WWW-Authenticate``); ``hint`` is extra detail
    n8n sends next to the message (e.g. why a body could not be parsed). Neither ever holds a
    secret or echoes request data.
    """

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"

    def body(self) -> dict[str, object]:
        """The JSON error body n8n answers with: ``{"code", "message", "hint"?}``."""
        out: dict[str, object] = {"code": self.status, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out
