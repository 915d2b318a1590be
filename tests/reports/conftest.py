"""Fixtures of the writer tests: the sample forms as the interchange records give them."""

from __future__ import annotations

from typing import Any

import pytest
from report_helpers import records

from jixiao.core.model import Form, from_record


@pytest.fixture(scope="session")
def seed_records() -> list[dict[str, Any]]:
    return records("seed")


@pytest.fixture(scope="session")
def seed_forms(seed_records: list[dict[str, Any]]) -> list[Form]:
    return [from_record(r) for r in seed_records]


@pytest.fixture(scope="session")
def mof_records() -> list[dict[str, Any]]:
    return records("mof2020-a") + records("mof2020-b")


@pytest.fixture(scope="session")
def mof_forms(mof_records: list[dict[str, Any]]) -> list[Form]:
    return [from_record(r) for r in mof_records]
