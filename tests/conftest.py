"""Test-wide configuration: where the shared n8n fixtures are, and CI's rule that a missing
service fails instead of skipping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("N8NWORK_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "n8n-conformance" / "fixtures"
IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        if IN_CI:
            pytest.fail(f"n8n conformance fixtures missing at {FIXTURES}")
        pytest.skip(f"n8n conformance fixtures missing at {FIXTURES}")
    return FIXTURES
