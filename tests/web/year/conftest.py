"""The year app's tests use the web tests' cast (tests/web/conftest.py, found by pytest) and a clean declaration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "core"))
from year_helpers import load


@pytest.fixture
def target_record() -> dict[str, Any]:
    """tests/core/year_cases/target_clean.toml: a declaration with no finding, for 2026."""
    return load("target_clean.toml")
