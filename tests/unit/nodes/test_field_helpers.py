"""The field helpers nodes share: deep copies with ``copy.deepcopy``'s results, lodash-style
writes of single keys."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from nodes.builtin._fields import FieldAccess, deep_copy, set_path


def test_deep_copy_copies_every_container() -> None:
    value = {"a": [1, {"b": None, "c": [2.5, "x"]}], "d": {"e": True}}
    copied = deep_copy(value)
    assert copied == value
    assert copied is not value and copied["a"] is not value["a"]
    assert copied["a"][1] is not value["a"][1] and copied["d"] is not value["d"]
    assert deep_copy("text") == "text" and deep_copy(None) is None


def test_deep_copy_keeps_shared_parts_shared_and_cycles_whole() -> None:
    shared = [1]
    value: dict[str, Any] = {"p": shared, "q": shared}
    copied = deep_copy(value)
    assert copied["p"] is copied["q"] and copied["p"] is not shared
    cyclic: dict[str, Any] = {"a": 1}
    cyclic["self"] = cyclic
    again = deep_copy(cyclic)
    assert again["self"] is again and again is not cyclic


def test_deep_copy_of_other_values_is_copy_deepcopy() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    value = {"t": when, "l": [{"a": (1, [2])}]}
    copied = deep_copy(value)
    assert copied == copy.deepcopy(value)
    assert copied["l"][0]["a"][1] is not value["l"][0]["a"][1]


def test_single_keys_are_written_as_lodash_does() -> None:
    fields = FieldAccess(dot_notation=True)
    for key in ("plain", "with space", "x-y", "", "a.b", "a[0]", "__proto__", "constructor"):
        fast: dict[str, Any] = {"a": {"b": 1}}
        slow: dict[str, Any] = {"a": {"b": 1}}
        fields.set(fast, key, 5)
        set_path(slow, key, 5)
        assert fast == slow, key
