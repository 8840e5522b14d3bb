"""The runtime's public surface: connect to (or start) a cluster, submit runs, follow them.

From a notebook::

    import n8nwork
    n8nwork.connect()                                   # local cluster, embedded store
    execution = n8nwork.run(workflow, items=[{"x": 1}]) # waits; an ExecutionResult
    handle = n8nwork.run(workflow, wait=False)          # an ExecutionHandle at once
    handle.result(timeout=30)

From async code (the API)::

    runtime = connect(settings=settings)
    handle = await runtime.submit_async(document, workflow_id=wid, workflow_version=3)
    result = await handle                     # or: await handle.wait_async(timeout=...)

Surface (stable; the API codes against exactly this):

- ``connect(address=None, *, settings=None, num_cpus=None, config=None, ...) -> Runtime``:
  no address starts a local cluster (127.0.0.1 only); an address joins one. Idempotent:
  a second call returns the connected runtime.
- ``Runtime.submit(workflow, *, items=None, mode="manual", pin_data=None, workflow_id=None,
  workflow_version=None, start_node=None, parent_execution_id=None, priority=0)
  -> ExecutionHandle``. The execution row is committed before it returns. ``workflow`` is a
  ``Workflow`` or n8n JSON; with ``workflow_id`` and ``workflow_version`` it must be that
  saved version (or ``None`` to load it); with ``workflow_id`` alone the document is stored
  with the execution as a snapshot; with neither, a hidden workflow is kept per document
  (project ``n8nwork-adhoc``). Raises ``RunRefusedError`` when admission refuses (queue
  full; the execution is then recorded as canceled with that message).
- ``Runtime.submit_many(requests)``: many ``RunRequest`` (or dicts of ``submit``'s keyword
  arguments plus ``workflow``) in one go: chunks of 500, each committed, admitted all or
  nothing and delivered with one call per host; ``RunRefusedError.refused_ids`` names the
  runs of refused chunks (the others run). ``Runtime.wait(ids, timeout=None)`` waits for many.
- ``Runtime.cancel(id) -> str``, ``Runtime.resume(id, outputs=None)``,
  ``Runtime.get(id) -> ExecutionResult`` (from the store), ``Runtime.events(id, ...)``
  (the run's live event stream, see ``actors.events``), ``Runtime.shutdown()``.
- Every call has an async twin with the suffix ``_async`` (``submit_async``,
  ``submit_many_async``, ``cancel_async``, ``resume_async``, ``get_async``, ``events_async``).
- ``ExecutionHandle``: ``.id``, ``.result(timeout=None) -> ExecutionResult`` (waits until
  the run finished: a run waiting for a webhook is not finished; poll ``.status()`` for
  ``"waiting"``), ``await handle`` / ``await handle.wait_async(timeout=None)``,
  ``.status()``. A handle reads the store, so it survives the death of the host that ran
  its run (the run continues elsewhere and the handle sees it finish).
- ``ExecutionResult``: ``id``, ``status``, ``mode``, ``workflow_id``, ``started_at``,
  ``stopped_at``, ``error``, ``last_node``, ``run_data`` (node -> list of n8n ``ITaskData``
  JSON), ``output`` (items of the last node executed), ``to_json()``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import threading
import time
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import ray
import ray.exceptions

from actors import cluster, persistence
from actors._futures import gather
from actors.config import RuntimeConfig
from actors.directory import DIRECTORY_NAME, Directory
from actors.errors import NotConnectedError, ResultTimeoutError, RunRefusedError
from actors.events import EVENT_LOG_NAME, stream_name
from actors.hosting import RunStart
from actors.persistence import DbThread
from actors.programs import WorkflowRef, document_digest, load_registry, max_concurrency
from n8nwork.cache import Cache, StreamEvent, connect_cache
from n8nwork.observability import tracing
from n8nwork.run.machine import RunMachine
from n8nwork.run.state import RunState
from n8nwork.settings import Settings
from n8nwork.store import NewExecution, Store, open_store
from n8nwork.store.repo.executions import get_execution, load_run_state
from n8nwork.store.tables.executions import FINISHED
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Workflow

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_S = 0.02
SUBMIT_CHUNK = 500
"""Runs per chunk of a bulk submission (one commit, one directory call, one call per host)."""
SUBMIT_PIPELINE = 4
"""Chunks of one bulk submission in flight at once."""
DISPATCH_PATIENCE_S = 30.0
"""How long a submission retries while the directory restarts (the runs are committed)."""


# ------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class RunRequest:
    """One run to submit (the keyword arguments of ``Runtime.submit``)."""

    workflow: Workflow | Mapping[str, Any] | None
    items: list[dict[str, Any]] | None = None
    mode: str = "manual"
    pin_data: Mapping[str, Any] | None = None
    workflow_id: str | None = None
    workflow_version: int | None = None
    start_node: str | None = None
    parent_execution_id: int | None = None
    priority: int = 0


@dataclass(frozen=True)
class ExecutionResult:
    """A finished (or current) execution as stored."""

    id: int
    status: str
    mode: str
    workflow_id: str
    started_at: datetime | None
    stopped_at: datetime | None
    error: dict[str, Any] | None
    last_node: str | None
    run_data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    output: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "mode": self.mode,
            "workflowId": self.workflow_id,
            "startedAt": self.started_at.isoformat() if self.started_at else None,
            "stoppedAt": self.stopped_at.isoformat() if self.stopped_at else None,
            "error": self.error,
            "lastNodeExecuted": self.last_node,
            "runData": self.run_data,
            "output": self.output,
        }


class ExecutionHandle:
    """A submitted run: wait for it, poll it, or await it (see the module docstring)."""

    __slots__ = ("_runtime", "id")

    def __init__(self, runtime: Runtime, execution_id: int) -> None:
        self._runtime = runtime
        self.id = execution_id

    def __repr__(self) -> str:
        return f"ExecutionHandle({self.id})"

    def result(self, timeout: float | None = None) -> ExecutionResult:
        """Wait until the run finished (``ResultTimeoutError`` after ``timeout`` s)."""
        self._runtime.wait([self.id], timeout=timeout)
        return self._runtime.get(self.id)

    async def wait_async(self, timeout: float | None = None) -> ExecutionResult:
        await self._runtime.wait_async([self.id], timeout=timeout)
        return await self._runtime.get_async(self.id)

    def __await__(self) -> Any:
        return self.wait_async().__await__()

    def status(self) -> str:
        """The execution's status now (new, running, waiting, success, error, canceled)."""
        return self._runtime._call(self._runtime._db(persistence.status_of, execution_id=self.id))


class _Waiter:
    """One ``wait`` call: the ids still pending, the statuses seen, one future for all."""

    __slots__ = ("future", "pending", "statuses")

    def __init__(self, ids: Sequence[int]) -> None:
        self.pending = set(ids)
        self.statuses: dict[int, str] = {}
        self.future: concurrent.futures.Future[None] = concurrent.futures.Future()

    def finished(self, execution_id: int, status: str) -> None:
        self.statuses[execution_id] = status
        self.pending.discard(execution_id)
        if not self.pending and not self.future.done():
            self.future.set_result(None)


# ------------------------------------------------------------------------------ preparation
@dataclass
class _Prepared:
    """A request turned into what the store and a host need."""

    spec: NewExecution
    ref: WorkflowRef
    document: str
    state: dict[str, Any]
    priority: int
    limit: int | None
    dedicated: bool


@dataclass
class _Known:
    ref: WorkflowRef
    workflow: Workflow
    document: str
    machine: RunMachine


def _items(raw: Iterable[Any] | None) -> list[dict[str, Any]] | None:
    """n8n items from what a notebook passes: plain dicts become ``{"json": dict}``."""
    if raw is None:
        return None
    out = []
    for item in raw:
        if isinstance(item, Mapping) and isinstance(item.get("json"), Mapping):
            out.append(dict(item))
        elif isinstance(item, Mapping):
            out.append({"json": dict(item)})
        else:
            out.append({"json": {"data": item}})
    return out


class Runtime:
    """A connection to the n8nwork runtime on a Ray cluster (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        config: RuntimeConfig,
        store: Store,
        directory: Any,
        *,
        owns_cluster: bool,
    ) -> None:
        self.settings = settings
        self.config = config
        self.store = store
        self.writer = store.writer()
        self.directory = directory
        self.owns_cluster = owns_cluster
        self.registry = load_registry(tuple(config.node_modules))
        self._db_thread = DbThread("n8nwork-client-db")
        self._known: dict[str, _Known] = {}
        self._adhoc: dict[str, str] = {}
        self._sent: dict[str, set[str]] = {}
        self._waiters: dict[int, list[_Waiter]] = {}
        self._waiters_lock = threading.Lock()
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="n8nwork-runtime", daemon=True
        )
        self._thread.start()
        self._poller: concurrent.futures.Future[None] | None = None
        self._caches: dict[int, Cache] = {}

    # ------------------------------------------------------------------ plumbing
    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        if self._closed:
            coro.close()
            raise NotConnectedError("the runtime was shut down; call n8nwork.connect() again")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _db(self, fn: Any, /, **kwargs: Any) -> Any:
        return await self._db_thread.run(fn, self.store, **kwargs)

    # ------------------------------------------------------------------ preparing runs
    def _known_workflow(self, ref: WorkflowRef, document: Mapping[str, Any] | str) -> _Known:
        known = self._known.get(ref.key)
        if known is None:
            raw = json.loads(document) if isinstance(document, str) else dict(document)
            text = document if isinstance(document, str) else json.dumps(raw, ensure_ascii=False)
            workflow = Workflow.from_json(raw)
            known = _Known(ref, workflow, text, RunMachine(workflow, self.registry))
            self._known[ref.key] = known
        return known

    async def _resolve(self, request: RunRequest) -> _Known:
        workflow = request.workflow
        document: Mapping[str, Any] | None
        if isinstance(workflow, Workflow):
            document = workflow.to_json()
        elif workflow is not None:
            document = workflow
        else:
            document = None
        if request.workflow_id is not None and request.workflow_version is not None:
            ref = WorkflowRef(request.workflow_id, request.workflow_version, "")
            if ref.key in self._known:
                return self._known[ref.key]
            if document is None:
                _, document = await self._db(
                    persistence.load_version,
                    workflow_id=request.workflow_id,
                    version=request.workflow_version,
                )
            return self._known_workflow(ref, document)
        if request.workflow_id is not None and document is None:
            version, document = await self._db(
                persistence.load_version, workflow_id=request.workflow_id, version=None
            )
            return self._known_workflow(WorkflowRef(request.workflow_id, version, ""), document)
        if document is None:
            raise ValueError("submit: give a workflow document or a workflow_id")
        text, digest = document_digest(document)
        if request.workflow_id is not None:  # a snapshot of an unsaved document
            return self._known_workflow(WorkflowRef(request.workflow_id, None, digest), text)
        workflow_id = self._adhoc.get(digest)
        if workflow_id is None:
            workflow_id = await self._db(
                persistence.ensure_adhoc_workflow, document=dict(document), digest=digest
            )
            self._adhoc[digest] = workflow_id
        return self._known_workflow(WorkflowRef(workflow_id, 1, ""), text)

    async def _prepare(
        self,
        request: RunRequest,
        memo: dict[tuple[int, str | None, int | None], _Known] | None = None,
    ) -> _Prepared:
        # Runs of one bulk submission mostly share one document object: resolve it once.
        key = (id(request.workflow), request.workflow_id, request.workflow_version)
        known = memo.get(key) if memo is not None else None
        if known is None:
            known = await self._resolve(request)
            if memo is not None:
                memo[key] = known
        machine = known.machine
        start = request.start_node or machine.start_node()
        if start is not None and start not in known.workflow.by_name:
            raise ValueError(f"submit: start node {start!r} is not in the workflow")
        pins = request.pin_data
        if pins is None and known.workflow.pin_data:
            pins = thaw(known.workflow.pin_data)
        state = RunState(
            execution_id="",
            mode=request.mode,
            pin_data=dict(pins) if pins is not None else None,
            stack=[{"node": start, "data": [_items(request.items)], "source": None}],
        )
        tracing.stamp(state)  # the caller's span (an API request's) is the run's parent
        raw = state.to_json()
        snapshot = json.loads(known.document) if known.ref.version is None else None
        spec = NewExecution(
            workflow_id=known.ref.workflow_id,
            workflow_version=known.ref.version,
            mode=request.mode,
            status="new",
            parent_execution_id=request.parent_execution_id,
            state=raw,
            workflow=snapshot,
        )
        return _Prepared(
            spec,
            known.ref,
            known.document,
            raw,
            request.priority,
            max_concurrency(known.workflow, self.config.workflow_max_concurrency),
            bool(known.workflow.settings.get("dedicatedActor")),
        )

    # ------------------------------------------------------------------ submitting
    async def submit_many_async(
        self, requests: Sequence[RunRequest | Mapping[str, Any]]
    ) -> list[ExecutionHandle]:
        """Submit many runs; see the module docstring. Large lists go in chunks of
        ``SUBMIT_CHUNK`` (up to ``SUBMIT_PIPELINE`` in flight), each all or nothing: if
        admission refuses a chunk, ``RunRefusedError`` lists the refused ids and the runs of
        the other chunks go on."""
        reqs = [r if isinstance(r, RunRequest) else RunRequest(**r) for r in requests]
        if not reqs:
            return []
        if len(reqs) <= SUBMIT_CHUNK:
            return await self._submit_chunk(reqs)
        chunks = [reqs[i : i + SUBMIT_CHUNK] for i in range(0, len(reqs), SUBMIT_CHUNK)]
        await self._resolve(chunks[0][0])  # the first use of a workflow is resolved once
        gate = asyncio.Semaphore(SUBMIT_PIPELINE)

        async def one(chunk: list[RunRequest]) -> list[ExecutionHandle]:
            async with gate:
                return await self._submit_chunk(chunk)

        results = await asyncio.gather(*(one(c) for c in chunks), return_exceptions=True)
        refused = [r for r in results if isinstance(r, RunRefusedError)]
        failed = [r for r in results if isinstance(r, BaseException) and r not in refused]
        if failed:
            raise failed[0]
        if refused:
            ids = [i for r in refused for i in r.refused_ids]
            raise RunRefusedError(f"{refused[0]} ({len(ids)} runs refused)", ids)
        return [h for r in results if isinstance(r, list) for h in r]

    async def _submit_chunk(self, reqs: list[RunRequest]) -> list[ExecutionHandle]:
        """Commit, admit (all or nothing) and deliver one chunk of runs."""
        memo: dict[tuple[int, str | None, int | None], _Known] = {}
        prepared = [await self._prepare(r, memo) for r in reqs]
        ids: list[int] = await gather([self.writer.submit_create(p.spec) for p in prepared])
        reply = await self._dispatch(
            [
                (i, p.ref.workflow_id, p.priority, p.limit, p.dedicated)
                for i, p in zip(ids, prepared, strict=True)
            ]
        )
        if reply is None:  # committed: a restarting directory finds and starts them itself
            return [ExecutionHandle(self, i) for i in ids]
        if "refused" in reply:
            await self._db(
                persistence.cancel_unstarted,
                execution_ids=ids,
                error={"message": reply["refused"], "name": "RunRefusedError"},
            )
            raise RunRefusedError(reply["refused"], ids)
        by_id = dict(zip(ids, prepared, strict=True))
        sends = []
        for host, host_ids in reply["assignments"].items():
            handle = reply["handles"][host]
            sent = self._sent.setdefault(host, set())
            documents: dict[str, str] = {}
            starts = []
            for execution_id, seq in host_ids:
                p = by_id[execution_id]
                if p.ref.key not in sent:
                    documents[p.ref.key] = p.document
                starts.append(RunStart(execution_id, p.ref, p.state, seq=seq))
            sends.append(self._send(host, handle, starts, documents))
        await asyncio.gather(*sends)
        return [ExecutionHandle(self, i) for i in ids]

    async def _dispatch(self, runs: list[tuple[Any, ...]]) -> dict[str, Any] | None:
        """Ask the directory to admit and place committed runs. While the directory is
        restarting (it is restarted by Ray), retry for up to ``DISPATCH_PATIENCE_S``; then
        give up quietly: the runs are in the store, and the directory queues never-started
        runs when it starts."""
        deadline = time.monotonic() + DISPATCH_PATIENCE_S
        delay = 0.1
        while True:
            try:
                reply: dict[str, Any] = await self.directory.dispatch.remote(runs)
                return reply
            except ray.exceptions.RayActorError as exc:
                if time.monotonic() > deadline:
                    log.error("runtime: the directory is away (%s); %d runs wait", exc, len(runs))
                    return None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _send(
        self, host: str, handle: Any, starts: list[RunStart], documents: dict[str, str]
    ) -> None:
        try:
            await handle.activate.remote(starts, documents)
            self._sent.setdefault(host, set()).update(documents)
        except Exception as exc:  # the host is gone: the directory places the runs again
            log.warning("runtime: could not deliver %d runs to %s: %s", len(starts), host, exc)
            self._sent.pop(host, None)
            await self.directory.redispatch.remote(host, [s.execution_id for s in starts])

    async def submit_async(
        self, workflow: Workflow | Mapping[str, Any] | None = None, **kwargs: Any
    ) -> ExecutionHandle:
        """Submit one run; see the module docstring for the arguments."""
        (handle,) = await self.submit_many_async([RunRequest(workflow, **kwargs)])
        return handle

    def submit(
        self, workflow: Workflow | Mapping[str, Any] | None = None, **kwargs: Any
    ) -> ExecutionHandle:
        """Submit one run; the execution is committed before this returns."""
        return self._call(self.submit_async(workflow, **kwargs))

    def submit_many(
        self, requests: Sequence[RunRequest | Mapping[str, Any]]
    ) -> list[ExecutionHandle]:
        return self._call(self.submit_many_async(requests))

    # ------------------------------------------------------------------ waiting
    async def _poll(self) -> None:
        """Tell waiters when their runs finished (one poller while anyone waits)."""
        while True:
            with self._waiters_lock:
                ids = list(self._waiters)
                if not ids:  # decided under the lock: a new waiter starts a new poller
                    self._poller = None
                    return
            try:
                statuses = await self._db(persistence.finished_statuses, execution_ids=ids)
            except Exception:
                log.exception("runtime: polling execution statuses failed")
                statuses = {}
            with self._waiters_lock:
                for execution_id, status in statuses.items():
                    for waiter in self._waiters.pop(execution_id, []):
                        waiter.finished(execution_id, status)
            # A few waiters are told within POLL_S; a bulk wait polls less often (one query
            # per 1,000 ids), so that waiting does not compete with the runs for the CPU.
            await asyncio.sleep(min(max(POLL_S, len(ids) / 50_000), 0.25))

    def _waiter(self, ids: Sequence[int]) -> _Waiter:
        waiter = _Waiter(ids)
        with self._waiters_lock:
            for execution_id in waiter.pending:
                self._waiters.setdefault(execution_id, []).append(waiter)
            if waiter.pending and self._poller is None:
                self._poller = asyncio.run_coroutine_threadsafe(self._poll(), self._loop)
        if not waiter.pending:
            waiter.future.set_result(None)
        return waiter

    def _drop(self, waiter: _Waiter) -> None:
        with self._waiters_lock:
            for execution_id in list(waiter.pending):
                waiting = self._waiters.get(execution_id)
                if waiting and waiter in waiting:
                    waiting.remove(waiter)
                    if not waiting:
                        del self._waiters[execution_id]

    def wait(self, ids: Sequence[int], *, timeout: float | None = None) -> list[str]:
        """Block until every execution of ``ids`` finished; their statuses, in order."""
        waiter = self._waiter(ids)
        try:
            waiter.future.result(timeout)
        except concurrent.futures.TimeoutError:
            self._drop(waiter)
            raise ResultTimeoutError(
                f"{len(waiter.pending)} of {len(ids)} executions did not finish within {timeout} s"
            ) from None
        return [waiter.statuses[i] for i in ids]

    async def wait_async(self, ids: Sequence[int], *, timeout: float | None = None) -> list[str]:
        waiter = self._waiter(ids)
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wrap_future(waiter.future)
        except TimeoutError:
            self._drop(waiter)
            raise ResultTimeoutError(
                f"{len(waiter.pending)} of {len(ids)} executions did not finish within {timeout} s"
            ) from None
        return [waiter.statuses[i] for i in ids]

    # ------------------------------------------------------------------ reading
    def _read(self, execution_id: int) -> ExecutionResult:
        with self.store.sessions() as session:
            row = get_execution(session=session, execution_id=execution_id)
            state = load_run_state(session=session, execution_id=execution_id)
        run_data = {name: [r.to_json() for r in runs] for name, runs in state.run_data.items()}
        output: list[dict[str, Any]] = []
        last = state.last_node_executed or row.last_node
        if last and state.run_data.get(last):
            output = state.run_data[last][-1].output(0)
        return ExecutionResult(
            id=execution_id,
            status=row.status,
            mode=row.mode,
            workflow_id=row.workflow_id,
            started_at=row.started_at,
            stopped_at=row.stopped_at,
            error=row.error,
            last_node=last,
            run_data=run_data,
            output=output,
        )

    async def get_async(self, execution_id: int) -> ExecutionResult:
        """The execution as stored now (``NotFoundError`` for an unknown id)."""
        return await self._db_thread.run(self._read, execution_id)

    def get(self, execution_id: int) -> ExecutionResult:
        return self._call(self.get_async(execution_id))

    # ------------------------------------------------------------------ control
    async def cancel_async(self, execution_id: int) -> str:
        """Cancel a run: ``"running"``, ``"queued"``, ``"waiting"`` (it was, and is now
        canceled), or ``"finished"``/``"unknown"`` (nothing to cancel)."""
        return str(await _unwrap(self.directory.cancel.remote(execution_id)))

    def cancel(self, execution_id: int) -> str:
        return self._call(self.cancel_async(execution_id))

    async def resume_async(
        self, execution_id: int, outputs: list[list[dict[str, Any]]] | None = None
    ) -> None:
        """Resume a waiting run; ``outputs`` replace the waiting node's output (one item list
        per output, as a webhook resume gives). ``NotWaitingError`` if it is not waiting."""
        await _unwrap(self.directory.resume.remote(execution_id, outputs))

    def resume(self, execution_id: int, outputs: list[list[dict[str, Any]]] | None = None) -> None:
        self._call(self.resume_async(execution_id, outputs))

    # ------------------------------------------------------------------ events
    async def events_async(
        self, execution_id: int, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        """Events of a run after ``after_id`` (see ``actors.events`` for their shapes)."""
        stream = stream_name(execution_id)
        if self.settings.redis.url is None:
            log_actor = ray.get_actor(EVENT_LOG_NAME, namespace=self.config.namespace)
            result: list[StreamEvent] = await log_actor.read.remote(
                stream, after_id, count, block_ms
            )
            return result
        loop_id = id(asyncio.get_running_loop())
        cache = self._caches.get(loop_id)
        if cache is None:
            url = self.settings.redis.url.get_secret_value()
            cache = connect_cache(url, prefix=self.config.cache_prefix)
            self._caches[loop_id] = cache
        return await cache.read(stream, after_id=after_id, count=count, block_ms=block_ms)

    def events(
        self, execution_id: int, *, after_id: str = "0", count: int = 100, block_ms: int = 0
    ) -> list[StreamEvent]:
        return self._call(
            self.events_async(execution_id, after_id=after_id, count=count, block_ms=block_ms)
        )

    # ------------------------------------------------------------------ introspection
    def describe(self) -> dict[str, Any]:
        """The directory's view: hosts (with pid, runs, memory), admission, timers."""
        result: dict[str, Any] = ray.get(self.directory.describe.remote())
        return result

    # ------------------------------------------------------------------ lifecycle
    def shutdown(self, *, stop_actors: bool | None = None) -> None:
        """Disconnect. ``stop_actors`` (default: only if ``connect`` started the cluster) also
        stops the directory and the hosts; a local cluster started by ``connect`` is stopped."""
        global _RUNTIME
        if self._closed:
            return
        if self.owns_cluster if stop_actors is None else stop_actors:
            try:
                from actors.scheduler import stop_schedulers

                stop_schedulers(self.config)
                ray.get(self.directory.shutdown.remote(), timeout=30)
                ray.kill(self.directory, no_restart=True)
            except Exception as exc:
                log.warning("runtime: directory shutdown failed: %s", exc)
        self._closed = True
        with self._waiters_lock:
            for waiters in self._waiters.values():
                for waiter in waiters:
                    waiter.future.cancel()
            self._waiters.clear()
            if self._poller is not None:
                self._poller.cancel()
        self.writer.close()
        self._db_thread.close()
        self.store.close()
        own_cache = self._caches.pop(id(self._loop), None)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_wind_down(own_cache), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        if self.owns_cluster:
            cluster.stop()
        if _RUNTIME is self:
            _RUNTIME = None


async def _wind_down(cache: Cache | None) -> None:
    """Close the loop's cache and end its other tasks (the status poller) before it stops."""
    if cache is not None:
        await cache.aclose()
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _unwrap(ref: Any) -> Any:
    """Await an actor call; an error raised in the actor is raised here as itself."""
    try:
        return await ref
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause
        if isinstance(cause, Exception):
            raise cause from None
        raise


# ------------------------------------------------------------------------------ module API
_RUNTIME: Runtime | None = None
_LOCK = threading.Lock()


def connect(
    address: str | None = None,
    *,
    settings: Settings | None = None,
    num_cpus: int | None = None,
    config: RuntimeConfig | None = None,
    temp_dir: str | None = None,
    include_dashboard: bool = False,
) -> Runtime:
    """Start a local cluster (no ``address``) or join one, and return the runtime.

    Idempotent: while connected, returns the same runtime. ``settings`` default to
    ``Settings()`` (the environment); ``config`` to ``RuntimeConfig()`` (``N8NWORK_RUNTIME__``).
    """
    global _RUNTIME
    with _LOCK:
        if _RUNTIME is not None and not _RUNTIME._closed:
            return _RUNTIME
        settings = settings or Settings()
        config = config or RuntimeConfig()
        owns = False
        if not ray.is_initialized():
            if address is None:
                cluster.start_local(
                    num_cpus=num_cpus,
                    namespace=config.namespace,
                    temp_dir=temp_dir,
                    include_dashboard=include_dashboard,
                )
                owns = True
            else:
                cluster.join(address, namespace=config.namespace)
        _RUNTIME = open_runtime(settings=settings, config=config, owns_cluster=owns)
        return _RUNTIME


def open_runtime(
    *, settings: Settings, config: RuntimeConfig, owns_cluster: bool = False
) -> Runtime:
    """A runtime on the Ray session this process is connected to: opens the store (the
    embedded SQLite file migrates itself), starts the directory of ``config.namespace`` if
    it is not running (it starts the hosts) and waits until it is ready. Not a singleton:
    ``connect`` is the usual entry; tests open several runtimes in separate namespaces."""
    if not config.resume_base_url:  # $execution.resumeUrl, served by the API's front door
        config = config.with_changes(
            resume_base_url=f"{settings.public_url.rstrip('/')}/webhook-waiting"
        )
    store = open_store(settings)
    try:
        directory = Directory.options(  # type: ignore[attr-defined]
            name=DIRECTORY_NAME,
            namespace=config.namespace,
            lifetime="detached",
            get_if_exists=True,
            max_concurrency=10_000,
            max_restarts=-1,  # a crashed directory comes back under the same handle
        ).remote(settings, config)
        started = time.monotonic()
        ray.get(directory.start.remote())
        from actors.scheduler import start_schedulers

        start_schedulers(settings, config)  # schedule triggers; not waited for
    except Exception:
        store.close()
        raise
    log.info("n8nwork runtime ready in %.1f s", time.monotonic() - started)
    return Runtime(settings, config, store, directory, owns_cluster=owns_cluster)


def current() -> Runtime:
    """The connected runtime (``NotConnectedError`` if none)."""
    if _RUNTIME is None or _RUNTIME._closed:
        raise NotConnectedError("not connected: call n8nwork.connect() first")
    return _RUNTIME


def run(
    workflow: Workflow | Mapping[str, Any] | None = None,
    *,
    wait: bool = True,
    timeout: float | None = None,
    **kwargs: Any,
) -> ExecutionResult | ExecutionHandle:
    """Run a workflow on the connected runtime (connecting with defaults if needed).
    ``wait=True`` returns the ``ExecutionResult``; ``wait=False`` the ``ExecutionHandle``."""
    runtime = _RUNTIME if _RUNTIME is not None and not _RUNTIME._closed else connect()
    handle = runtime.submit(workflow, **kwargs)
    return handle.result(timeout=timeout) if wait else handle
