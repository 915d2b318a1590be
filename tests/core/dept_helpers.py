"""The demo department's form for tests (filled from the seed's project forms), and planted cases on it."""

from __future__ import annotations

import copy
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from jixiao.core.dept import DeptForm, ProjectFigures
from jixiao.dept_services import demo_dept_form, figures_of, seed_evaluations

CASES = Path(__file__).parent / "dept_cases"
SEED = Path(__file__).parents[2] / "src" / "jixiao" / "data" / "seed.txt"
_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


@cache
def seed_figures() -> ProjectFigures:
    """What the seed's eleven project forms say (the demo department's projects)."""
    return figures_of(seed_evaluations())


def demo_form() -> DeptForm:
    return demo_dept_form(seed_figures())


def patched(record: dict[str, Any], changes: dict[str, str]) -> dict[str, Any]:
    """The record with the cells at record paths ("indicators[9].score") set."""
    record = copy.deepcopy(record)
    for path, value in changes.items():
        *steps, last = path.split(".")
        node: Any = record
        for step in steps:
            m = _STEP.fullmatch(step)
            assert m, path
            node = node[m[1]] if m[2] is None else node[m[1]][int(m[2])]
        node[last] = value
    return record


def cases(name: str) -> list[dict[str, Any]]:
    return list(tomllib.loads((CASES / name).read_text(encoding="utf-8"))["cases"])
