"""``Client``: the blocking client. Its driver runs the shared operations (``_ops``) with
``httpx.Client``; lists are lazy iterators over the API's pages; ``watch`` follows an
execution's event stream."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from n8nwork.client import _ops as ops
from n8nwork.client._progress import NoProgress, make_progress
from n8nwork.client._protocol import Op, Send, Session
from n8nwork.client._sse import Watch
from n8nwork.client.models import (
    ApiKey,
    ApiKeyCreated,
    Credential,
    Event,
    Execution,
    ExecutionSummary,
    User,
    Workflow,
    WorkflowSummary,
)

T = TypeVar("T")


class Client:
    """A client of n8nwork's HTTP API (blocking; see ``AsyncClient`` for asyncio).

    Credentials: ``api_key`` (sent as ``X-N8N-API-KEY``), or ``email`` + ``password``
    (logged in on first use; the login is refreshed when the access token expires), or an
    access ``token``. ``retries``: how often an idempotent call (GET, PUT, DELETE) is
    repeated when the server is unreachable, unavailable or rate-limits it; other calls are
    sent once; the first retry waits about ``backoff`` seconds, each next one twice as long
    (with jitter), or what the server's ``Retry-After`` asks. ``progress``: default of the
    waits' progress display (``None``: only in a terminal or notebook). ``transport``: an
    httpx transport (tests)."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        transport: httpx.BaseTransport | None = None,
        *,
        progress: bool | None = None,
        backoff: float = 0.5,
        refresh_token: str | None = None,
    ) -> None:
        self._session = Session(
            url,
            api_key=api_key,
            email=email,
            password=password,
            token=token,
            refresh_token=refresh_token,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )
        self._http = httpx.Client(transport=transport, follow_redirects=False)
        self._progress = progress
        self.workflows = Workflows(self)
        self.executions = Executions(self)
        self.credentials = Credentials(self)
        self.users = Users(self)
        self.keys = Keys(self)

    def __repr__(self) -> str:
        return f"Client({self._session.url!r})"

    @property
    def url(self) -> str:
        return self._session.url

    @property
    def tokens(self) -> dict[str, str | None]:
        """The login's current ``access_token`` and ``refresh_token`` (they rotate when the
        client refreshes them); ``None`` values with an API key."""
        return self._session.tokens()

    # ---- lifecycle
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the driver: does what the shared operations ask
    def _run(self, op: Op[T]) -> T:
        try:
            action = next(op)
            while True:
                if not isinstance(action, Send):
                    time.sleep(action.seconds)
                    action = op.send(None)
                    continue
                try:
                    response = self._http.send(action.request, stream=action.stream)
                    if action.stream and response.status_code >= 400:
                        response.read()
                except httpx.TransportError as exc:
                    action = op.throw(exc)
                else:
                    action = op.send(response)
        except StopIteration as stop:
            return stop.value

    def _pages(self, path: str, model: Any, params: Mapping[str, Any]) -> Iterator[Any]:
        cursor: str | None = None
        while True:
            page = ops.page(self._session, path, model, {**params, "cursor": cursor})
            items, cursor = self._run(page)
            yield from items
            if not cursor:
                return

    def _watch(self, state: Watch) -> Iterator[Event]:
        while not state.done:
            response = self._run(state.open())
            broken: httpx.TransportError | None = None
            try:
                for line in response.iter_lines():
                    event = state.line(line)
                    if event is not None:
                        yield event
                        if state.done:
                            return
            except httpx.TransportError as exc:
                broken = exc
            finally:
                response.close()
            time.sleep(state.broken(broken))

    def _wait_progress(self, progress: bool | None) -> Any:
        return make_progress(self._progress if progress is None else progress)

    # ---- top-level calls
    def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in; returns the tokens (``access_token``, ``refresh_token``, ``expires_in``,
        ``user``). Later calls use them and refresh them on a 401."""
        return self._run(self._session.login(email, password))

    def logout(self) -> None:
        """Revoke this client's login on the server and forget its tokens."""
        self._run(self._session.logout())

    def run(
        self,
        workflow_or_id: Any,
        items: list[dict[str, Any]] | None = None,
        wait: bool = True,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Execution:
        """Run a workflow: its id, or a document (n8n JSON, builder ``Flow``, ``Workflow``),
        which is saved first as a new workflow. ``items``: the start node's input. With
        ``wait`` (default) returns the finished execution with its outputs (``WaitTimeout``
        after ``timeout`` seconds); without, the execution as just started."""
        shown = self._wait_progress(progress) if wait else NoProgress()
        return self._run(ops.run(self._session, workflow_or_id, items, wait, timeout, shown))


class Workflows:
    """``client.workflows``: stored workflows (every save is a new version)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self, **filters: Any) -> Iterator[WorkflowSummary]:
        """Workflows you can see, page by page as you iterate (filters: ``project_id``,
        ``name`` (contains), ``limit`` (page size))."""
        params = ops.workflows_params(filters)
        return self._c._pages("/workflows", WorkflowSummary, params)

    def get(self, id: str) -> Workflow:
        return self._c._run(ops.workflow_get(self._c._session, id))

    def create(self, workflow: Any, project_id: str | None = None) -> Workflow:
        """Store a workflow (n8n JSON dict, builder ``Flow`` or ``Workflow``) as version 1."""
        return self._c._run(ops.workflow_create(self._c._session, workflow, project_id))

    def update(self, id: str, workflow: Any, expected_version: int | None = None) -> Workflow:
        """Save a new version (``Conflict`` if ``expected_version`` is not the latest)."""
        return self._c._run(ops.workflow_update(self._c._session, id, workflow, expected_version))

    def delete(self, id: str) -> None:
        self._c._run(ops.workflow_delete(self._c._session, id))

    def activate(self, id: str, version: int | None = None) -> Workflow:
        return self._c._run(ops.workflow_activation(self._c._session, id, True, version))

    def deactivate(self, id: str) -> Workflow:
        return self._c._run(ops.workflow_activation(self._c._session, id, False))

    def import_(self, n8n_json: dict[str, Any], project_id: str | None = None) -> Workflow:
        """Import an n8n export as a new workflow (its ``id``, ``active``, ... are ignored)."""
        return self._c._run(ops.workflow_import(self._c._session, n8n_json, project_id))

    def import_many(
        self, documents: Sequence[dict[str, Any]], project_id: str | None = None
    ) -> Sequence[WorkflowSummary]:
        """Import several n8n exports in one request: all of them, or none."""
        return self._c._run(ops.workflow_import_many(self._c._session, documents, project_id))

    def export(self, id: str) -> dict[str, Any]:
        """n8n JSON of the latest version, ready for ``import_`` here or in n8n."""
        return self._c._run(ops.workflow_export(self._c._session, id))


class Executions:
    """``client.executions``: runs, their data, and their live events."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(
        self,
        workflow_id: str | None = None,
        status: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> Iterator[ExecutionSummary]:
        """Executions you can see, newest first, page by page as you iterate (filters:
        ``mode``, ``started_after``, ``started_before``, ``limit`` (page size))."""
        params = ops.executions_params(workflow_id, status, filters)
        return self._c._pages("/executions", ExecutionSummary, params)

    def get(self, id: int, include_data: bool = True) -> Execution:
        return self._c._run(ops.execution_get(self._c._session, id, include_data))

    def retry(self, id: int, from_start: bool = False) -> Execution:
        """Run a failed or canceled execution again (from the failed node, or the start)."""
        return self._c._run(ops.execution_retry(self._c._session, id, from_start))

    def cancel(self, id: int) -> ExecutionSummary:
        return self._c._run(ops.execution_cancel(self._c._session, id))

    def delete(self, id: int) -> None:
        self._c._run(ops.execution_delete(self._c._session, id))

    def watch(self, id: int) -> Iterator[Event]:
        """The execution's live events, as they happen; ends after the last one."""
        return self._c._watch(Watch(self._c._session, int(id)))

    def wait(
        self, id: int, timeout: float | None = None, progress: bool | None = None
    ) -> Execution:
        """Block until the execution finished; return it with its data."""
        shown = self._c._wait_progress(progress)
        return self._c._run(ops.execution_wait(self._c._session, id, timeout, shown))


class Credentials:
    """``client.credentials``: their data is write-only (never returned)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> list[Credential]:
        return list(self._c._pages("/credentials", Credential, {}))

    def create(
        self, name: str, type: str, data: dict[str, Any], project_id: str | None = None
    ) -> Credential:
        return self._c._run(ops.credential_create(self._c._session, name, type, data, project_id))

    def delete(self, id: str) -> None:
        self._c._run(ops.credential_delete(self._c._session, id))


class Users:
    """``client.users`` (instance owners and admins)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> list[User]:
        return list(self._c._pages("/users", User, {}))

    def create(
        self,
        email: str,
        role: str = "member",
        password: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> User:
        op = ops.user_create(self._c._session, email, role, password, first_name, last_name)
        return self._c._run(op)

    def disable(self, id: str) -> User:
        return self._c._run(ops.user_set(self._c._session, id, disabled=True))

    def enable(self, id: str) -> User:
        return self._c._run(ops.user_set(self._c._session, id, disabled=False))


class Keys:
    """``client.keys``: your API keys."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> list[ApiKey]:
        return self._c._run(ops.key_list(self._c._session))

    def create(self, label: str, scopes: Sequence[str] | None = None) -> ApiKeyCreated:
        """A new key; ``.key`` holds the key itself, shown this once."""
        return self._c._run(ops.key_create(self._c._session, label, scopes))

    def revoke(self, id: str) -> None:
        self._c._run(ops.key_revoke(self._c._session, id))
