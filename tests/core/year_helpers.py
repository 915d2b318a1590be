"""Reading the year's check cases (tests/core/year_cases/*.toml): a clean record and patches to it."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).parent / "year_cases"
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def load(name: str) -> dict[str, Any]:
    return tomllib.loads((CASES / name).read_text(encoding="utf-8"))


def params(name: str) -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in load(name)["case"]]


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Set "funds.annual[1].amount" in a record (indexes from 0); the parents must exist."""
    *parents, last = _steps(path)
    node: Any = record
    for step in parents:
        node = node[step]
    node[last] = value


def patched(base: dict[str, Any], case: dict[str, Any], items: str = "indicators") -> dict[str, Any]:
    """The clean record with a case's changes: set (paths), drop (item indexes) and add (items)."""
    record = copy.deepcopy(base)
    for path, value in case.get("set", {}).items():
        set_path(record, path, value)
    drop = set(case.get("drop", []))
    record[items] = [item for n, item in enumerate(record[items]) if n not in drop] + case.get("add", [])
    return record
