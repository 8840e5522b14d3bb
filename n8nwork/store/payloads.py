"""Large payloads: item lists above ``StoreLimits.inline_payload_bytes`` are stored once per
execution, compressed, under the sha256 of their JSON, and replaced by a reference::

    {"$payload": "<sha256 hex>", "bytes": 123456, "items": 1000}

The same list met again (the next node's input in the run state, a pass-through node's output)
has the same digest and is not stored again, so a checkpoint carries references, not copies.
Readers resolve references one payload at a time (``resolve_items``).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from n8nwork.store.errors import PayloadTooLargeError, StoreError
from n8nwork.store.jsonsafe import encode_json
from n8nwork.store.limits import StoreLimits

REF_KEY = "$payload"
CODEC = "zlib"
COMPRESS_LEVEL = 1


@dataclass(frozen=True, slots=True)
class PayloadBlob:
    """A compressed item list ready to store: digest of the JSON, its size, the bytes."""

    digest: str
    size: int
    data: bytes
    codec: str = CODEC


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get(REF_KEY), str)


def decode_blob(codec: str, data: bytes) -> Any:
    if codec != CODEC:
        raise StoreError(f"payload codec {codec!r} is not supported")
    return json.loads(zlib.decompress(data))


class Externalizer:
    """Replaces large item lists by references, collecting the blobs to store."""

    def __init__(self, limits: StoreLimits) -> None:
        self.limits = limits
        self.blobs: dict[str, PayloadBlob] = {}

    def items(self, items: Any, *, what: str) -> Any:
        if not isinstance(items, list) or not items:
            return items
        raw = encode_json(items, what=what)
        if len(raw) <= self.limits.inline_payload_bytes:
            return items
        if len(raw) > self.limits.max_payload_bytes:
            raise PayloadTooLargeError(
                f"{what}: {len(raw):,} bytes is over the payload limit of "
                f"{self.limits.max_payload_bytes:,} bytes (N8NWORK_DATABASE__MAX_PAYLOAD_BYTES)"
            )
        digest = hashlib.sha256(raw).hexdigest()
        if digest not in self.blobs:
            self.blobs[digest] = PayloadBlob(digest, len(raw), zlib.compress(raw, COMPRESS_LEVEL))
        return {REF_KEY: digest, "bytes": len(raw), "items": len(items)}

    def node_run(self, run: dict[str, Any], *, node: str) -> dict[str, Any]:
        """A node run's JSON (``NodeRun.to_json``) with large outputs referenced."""
        data = run.get("data")
        if not isinstance(data, Mapping) or not isinstance(data.get("main"), list):
            return run
        main = data["main"]
        what = f"output of node {node!r}"
        return {**run, "data": {**data, "main": [self.items(o, what=what) for o in main]}}

    def run_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """A run state's JSON with the large input lists of its stack and waiting referenced."""
        out = dict(state)
        stack = state.get("stack")
        if isinstance(stack, list):
            out["stack"] = [self._stack_entry(e) for e in stack]
        waiting = state.get("waiting")
        if isinstance(waiting, dict):
            out["waiting"] = {
                node: {
                    slot: self._waiting_slot(node, entry) if isinstance(entry, dict) else entry
                    for slot, entry in slots.items()
                }
                if isinstance(slots, dict)
                else slots
                for node, slots in waiting.items()
            }
        return out

    def _stack_entry(self, entry: Any) -> Any:
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), list):
            return entry
        what = f"input of node {entry.get('node')!r}"
        return {**entry, "data": [self.items(d, what=what) for d in entry["data"]]}

    def _waiting_slot(self, node: str, entry: dict[str, Any]) -> dict[str, Any]:
        main = entry.get("main")
        if not isinstance(main, list):
            return entry
        what = f"waiting input of node {node!r}"
        return {**entry, "main": [self.items(d, what=what) for d in main]}


Loader = Callable[[str], list[Any]]


def resolve_items(value: Any, load: Loader) -> Any:
    """``value`` itself, or the item list it references."""
    return load(value[REF_KEY]) if is_ref(value) else value


def resolve_node_run(run: Mapping[str, Any], load: Loader) -> Mapping[str, Any]:
    data = run.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("main"), list):
        return run
    main = data["main"]
    if not any(is_ref(o) for o in main):
        return run
    return {**run, "data": {**data, "main": [resolve_items(o, load) for o in main]}}


def resolve_run_state(state: dict[str, Any], load: Loader) -> dict[str, Any]:
    out = dict(state)
    stack = state.get("stack")
    if isinstance(stack, list):
        out["stack"] = [
            {**e, "data": [resolve_items(d, load) for d in e["data"]]}
            if isinstance(e, dict) and isinstance(e.get("data"), list)
            else e
            for e in stack
        ]
    waiting = state.get("waiting")
    if isinstance(waiting, dict):
        out["waiting"] = {
            node: {
                slot: {**e, "main": [resolve_items(d, load) for d in e["main"]]}
                if isinstance(e, dict) and isinstance(e.get("main"), list)
                else e
                for slot, e in slots.items()
            }
            if isinstance(slots, dict)
            else slots
            for node, slots in waiting.items()
        }
    return out
