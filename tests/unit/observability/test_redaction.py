"""The secrets registry behind log redaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from n8nwork.observability import redaction


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    redaction.forget_all()
    yield
    redaction.forget_all()


def test_nothing_remembered_leaves_text_alone() -> None:
    assert redaction.redact("nothing to hide") == "nothing to hide"


def test_values_are_found_in_nested_data_and_secret_strings() -> None:
    redaction.remember({"a": {"b": ["deep-secret-1"]}}, SecretStr("wrapped-secret"), None, 12)
    text = redaction.redact("deep-secret-1 / wrapped-secret / 12")
    assert text == "*** / *** / 12"


def test_longest_first_so_no_part_of_a_secret_remains() -> None:
    redaction.remember("secret-abc", "secret-abc-def")
    assert redaction.redact("x secret-abc-def y") == "x *** y"


def test_regex_characters_are_literal_and_the_set_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redaction.remember("a.b*c(d)")
    assert redaction.redact("a.b*c(d) axbbc") == "*** axbbc"
    monkeypatch.setattr(redaction, "MAX_SECRETS", 3)
    redaction.remember("first-1", "second-2", "third-3", "fourth-4")
    assert redaction.redact("a.b*c(d) first-1 fourth-4") == "a.b*c(d) first-1 ***"
