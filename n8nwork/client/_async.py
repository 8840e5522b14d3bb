"""``AsyncClient``: the asyncio (anyio) client, with ``Client``'s names, every call ``async``.
Its driver runs the shared operations (``_ops``) with ``httpx.AsyncClient``; lists are async
iterators over the API's pages; ``watch`` follows an execution's event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, TypeVar

import anyio
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


class AsyncClient:
    """``Client`` for asyncio: same arguments, same names, every call awaited, lists and
    ``watch`` are async iterators. ``transport``: an httpx async transport (tests:
    ``httpx.ASGITransport(app)``)."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
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
        self._http = httpx.AsyncClient(transport=transport, follow_redirects=False)
        self._progress = progress
        self.workflows = AsyncWorkflows(self)
        self.executions = AsyncExecutions(self)
        self.credentials = AsyncCredentials(self)
        self.users = AsyncUsers(self)
        self.keys = AsyncKeys(self)

    def __repr__(self) -> str:
        return f"AsyncClient({self._session.url!r})"

    @property
    def url(self) -> str:
        return self._session.url

    @property
    def tokens(self) -> dict[str, str | None]:
        """The login's current ``access_token`` and ``refresh_token`` (they rotate when the
        client refreshes them); ``None`` values with an API key."""
        return self._session.tokens()

    # ---- lifecycle
    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- the driver: does what the shared operations ask
    async def _run(self, op: Op[T]) -> T:
        try:
            action = next(op)
            while True:
                if not isinstance(action, Send):
                    await anyio.sleep(action.seconds)
                    action = op.send(None)
                    continue
                try:
                    response = await self._http.send(action.request, stream=action.stream)
                    if action.stream and response.status_code >= 400:
                        await response.aread()
                except httpx.TransportError as exc:
                    action = op.throw(exc)
                else:
                    action = op.send(response)
        except StopIteration as stop:
            return stop.value

    async def _pages(self, path: str, model: Any, params: Mapping[str, Any]) -> AsyncIterator[Any]:
        cursor: str | None = None
        while True:
            page = ops.page(self._session, path, model, {**params, "cursor": cursor})
            items, cursor = await self._run(page)
            for item in items:
                yield item
            if not cursor:
                return

    async def _watch(self, state: Watch) -> AsyncIterator[Event]:
        while not state.done:
            response = await self._run(state.open())
            broken: httpx.TransportError | None = None
            try:
                async for line in response.aiter_lines():
                    event = state.line(line)
                    if event is not None:
                        yield event
                        if state.done:
                            return
            except httpx.TransportError as exc:
                broken = exc
            finally:
                await response.aclose()
            await anyio.sleep(state.broken(broken))

    def _wait_progress(self, progress: bool | None) -> Any:
        return make_progress(self._progress if progress is None else progress)

    # ---- top-level calls
    async def login(self, email: str, password: str) -> dict[str, Any]:
        """Log in; returns the tokens; later calls use them and refresh them on a 401."""
        return await self._run(self._session.login(email, password))

    async def logout(self) -> None:
        """Revoke this client's login on the server and forget its tokens."""
        await self._run(self._session.logout())

    async def run(
        self,
        workflow_or_id: Any,
        items: list[dict[str, Any]] | None = None,
        wait: bool = True,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Execution:
        """``Client.run``, awaited."""
        shown = self._wait_progress(progress) if wait else NoProgress()
        return await self._run(ops.run(self._session, workflow_or_id, items, wait, timeout, shown))


class AsyncWorkflows:
    """``client.workflows`` (see ``Workflows``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    def list(self, **filters: Any) -> AsyncIterator[WorkflowSummary]:
        params = ops.workflows_params(filters)
        return self._c._pages("/workflows", WorkflowSummary, params)

    async def get(self, id: str) -> Workflow:
        return await self._c._run(ops.workflow_get(self._c._session, id))

    async def create(self, workflow: Any, project_id: str | None = None) -> Workflow:
        return await self._c._run(ops.workflow_create(self._c._session, workflow, project_id))

    async def update(self, id: str, workflow: Any, expected_version: int | None = None) -> Workflow:
        op = ops.workflow_update(self._c._session, id, workflow, expected_version)
        return await self._c._run(op)

    async def delete(self, id: str) -> None:
        await self._c._run(ops.workflow_delete(self._c._session, id))

    async def activate(self, id: str, version: int | None = None) -> Workflow:
        return await self._c._run(ops.workflow_activation(self._c._session, id, True, version))

    async def deactivate(self, id: str) -> Workflow:
        return await self._c._run(ops.workflow_activation(self._c._session, id, False))

    async def import_(self, n8n_json: dict[str, Any], project_id: str | None = None) -> Workflow:
        return await self._c._run(ops.workflow_import(self._c._session, n8n_json, project_id))

    async def import_many(
        self, documents: Sequence[dict[str, Any]], project_id: str | None = None
    ) -> Sequence[WorkflowSummary]:
        return await self._c._run(ops.workflow_import_many(self._c._session, documents, project_id))

    async def export(self, id: str) -> dict[str, Any]:
        return await self._c._run(ops.workflow_export(self._c._session, id))


class AsyncExecutions:
    """``client.executions`` (see ``Executions``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    def list(
        self,
        workflow_id: str | None = None,
        status: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> AsyncIterator[ExecutionSummary]:
        params = ops.executions_params(workflow_id, status, filters)
        return self._c._pages("/executions", ExecutionSummary, params)

    async def get(self, id: int, include_data: bool = True) -> Execution:
        return await self._c._run(ops.execution_get(self._c._session, id, include_data))

    async def retry(self, id: int, from_start: bool = False) -> Execution:
        return await self._c._run(ops.execution_retry(self._c._session, id, from_start))

    async def cancel(self, id: int) -> ExecutionSummary:
        return await self._c._run(ops.execution_cancel(self._c._session, id))

    async def delete(self, id: int) -> None:
        await self._c._run(ops.execution_delete(self._c._session, id))

    def watch(self, id: int) -> AsyncIterator[Event]:
        return self._c._watch(Watch(self._c._session, int(id)))

    async def wait(
        self, id: int, timeout: float | None = None, progress: bool | None = None
    ) -> Execution:
        shown = self._c._wait_progress(progress)
        return await self._c._run(ops.execution_wait(self._c._session, id, timeout, shown))


class AsyncCredentials:
    """``client.credentials`` (see ``Credentials``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def list(self) -> list[Credential]:
        return [c async for c in self._c._pages("/credentials", Credential, {})]

    async def create(
        self, name: str, type: str, data: dict[str, Any], project_id: str | None = None
    ) -> Credential:
        op = ops.credential_create(self._c._session, name, type, data, project_id)
        return await self._c._run(op)

    async def delete(self, id: str) -> None:
        await self._c._run(ops.credential_delete(self._c._session, id))


class AsyncUsers:
    """``client.users`` (see ``Users``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def list(self) -> list[User]:
        return [u async for u in self._c._pages("/users", User, {})]

    async def create(
        self,
        email: str,
        role: str = "member",
        password: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> User:
        op = ops.user_create(self._c._session, email, role, password, first_name, last_name)
        return await self._c._run(op)

    async def disable(self, id: str) -> User:
        return await self._c._run(ops.user_set(self._c._session, id, disabled=True))

    async def enable(self, id: str) -> User:
        return await self._c._run(ops.user_set(self._c._session, id, disabled=False))


class AsyncKeys:
    """``client.keys`` (see ``Keys``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def list(self) -> list[ApiKey]:
        return await self._c._run(ops.key_list(self._c._session))

    async def create(self, label: str, scopes: Sequence[str] | None = None) -> ApiKeyCreated:
        return await self._c._run(ops.key_create(self._c._session, label, scopes))

    async def revoke(self, id: str) -> None:
        await self._c._run(ops.key_revoke(self._c._session, id))
