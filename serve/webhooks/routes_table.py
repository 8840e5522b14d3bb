"""The production webhook routes of this replica, in memory: ``method path`` → the active
workflow version and node that answers it.

The ``webhooks`` table is the truth (activation writes it, in the activation's transaction).
This module keeps a snapshot so that a request costs no database query: static paths in a
dict, dynamic ones (``<webhookId>/user/:id``) by segment count. The snapshot is reloaded

- at once in the replica that changed the routes (``invalidate``);
- within ``check_s`` in every other replica: the routes' *generation* (a value in the cache,
  changed by every activation, deactivation or deletion) is compared at most that often —
  with Redis that is every replica of the cluster;
- at least every ``max_age_s`` whatever the cache says (replicas without a shared cache);
- before a 404 when the snapshot is older than ``miss_recheck_s`` (a route activated a
  moment ago in another replica), at most that often, so unknown paths cannot flood the
  database.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from n8nwork.cache import Cache
from n8nwork.errors import CacheUnavailableError

log = logging.getLogger(__name__)

NAMESPACE = "webhooks"
GENERATION_KEY = "generation"
GENERATION_TTL_S = 30 * 86400.0


@dataclass(frozen=True, slots=True)
class Route:
    """A registered production route and what answers it."""

    method: str
    path: str
    workflow_id: str
    version: int
    node: str
    workflow_name: str = ""

    @property
    def dynamic(self) -> bool:
        return any(s.startswith(":") for s in self.path.split("/"))


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route
    params: dict[str, str]


def split_path(path: str) -> list[str] | None:
    """The path's segments, or ``None`` for a path no route can have (empty/dot segments)."""
    parts = path.strip("/").split("/")
    if not parts or any(p in ("", ".", "..") for p in parts):
        return None
    return parts


class Snapshot:
    """Routes indexed for matching."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.static: dict[tuple[str, str], Route] = {}
        self.dynamic: dict[int, list[tuple[list[str], Route]]] = {}
        self.paths: dict[str, set[str]] = {}
        for route in routes:
            if route.dynamic:
                parts = route.path.split("/")
                self.dynamic.setdefault(len(parts), []).append((parts, route))
            else:
                self.static[(route.method, route.path)] = route
            self.paths.setdefault(route.path, set()).add(route.method)

    def match(self, method: str, parts: list[str]) -> RouteMatch | None:
        route = self.static.get((method, "/".join(parts)))
        if route is not None:
            return RouteMatch(route, {})
        best: tuple[int, RouteMatch] | None = None
        for pattern, candidate in self.dynamic.get(len(parts), ()):
            if candidate.method != method:
                continue
            params: dict[str, str] = {}
            literal = 0
            for want, got in zip(pattern, parts, strict=True):
                if want.startswith(":"):
                    params[want[1:]] = got
                elif want == got:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, RouteMatch(candidate, params))
        return best[1] if best else None

    def methods(self, parts: list[str]) -> list[str]:
        """Methods registered for this path (any method): for a 405's ``Allow``."""
        found = set(self.paths.get("/".join(parts), ()))
        for pattern_routes in self.dynamic.get(len(parts), ()):
            pattern, route = pattern_routes
            if all(w.startswith(":") or w == g for w, g in zip(pattern, parts, strict=True)):
                found.add(route.method)
        return sorted(found)


Loader = Callable[[], Awaitable[Sequence[Route]]]


class RouteTable:
    """The snapshot and its refresh rules (see the module docstring)."""

    def __init__(
        self,
        load: Loader,
        cache: Cache,
        *,
        check_s: float = 0.25,
        max_age_s: float = 5.0,
        miss_recheck_s: float = 0.5,
    ) -> None:
        self._load = load
        self._cache = cache
        self.check_s = check_s
        self.max_age_s = max_age_s
        self.miss_recheck_s = miss_recheck_s
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._checked_at = 0.0
        self._generation: object = None
        self._lock = asyncio.Lock()

    async def _reload(self) -> Snapshot:
        wanted_at = time.monotonic()
        async with self._lock:
            if self._snapshot is not None and self._loaded_at >= wanted_at:
                return self._snapshot  # reloaded by another request while this one waited
            generation = await self._read_generation()
            routes = await self._load()
            self._snapshot = Snapshot(routes)
            self._loaded_at = self._checked_at = time.monotonic()
            self._generation = generation
            return self._snapshot

    async def _read_generation(self) -> object:
        try:
            return await self._cache.get(NAMESPACE, GENERATION_KEY)
        except CacheUnavailableError as exc:
            log.warning("webhook routes: cache unavailable (%s); reloading by age only", exc)
            return self._generation

    async def snapshot(self) -> Snapshot:
        """The current snapshot, reloaded when stale."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is None:
            return await self._reload()
        if now - self._loaded_at > self.max_age_s:
            if self._lock.locked():  # being reloaded: the current routes serve meanwhile
                return snap
            return await self._reload()
        if now - self._checked_at > self.check_s:
            self._checked_at = now
            if await self._read_generation() != self._generation:
                return await self._reload()
        return snap

    async def match(self, method: str, path: str) -> RouteMatch | None:
        parts = split_path(path)
        if parts is None:
            return None
        snap = await self.snapshot()
        found = snap.match(method, parts)
        if (
            found is None
            and time.monotonic() - self._loaded_at > self.miss_recheck_s
            and not self._lock.locked()
        ):
            found = (await self._reload()).match(method, parts)
        return found

    async def methods(self, path: str) -> list[str]:
        parts = split_path(path)
        if parts is None:
            return []
        return (await self.snapshot()).methods(parts)

    def invalidate(self) -> None:
        """Drop the snapshot (this replica changed the routes)."""
        self._snapshot = None


async def announce_change(cache: Cache) -> None:
    """Tell every replica's table that the routes changed (a new generation)."""
    try:
        await cache.set(NAMESPACE, GENERATION_KEY, uuid.uuid4().hex, ttl=GENERATION_TTL_S)
    except CacheUnavailableError as exc:
        log.warning("webhook routes: change not announced, cache unavailable: %s", exc)
