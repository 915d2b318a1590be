"""The functions the command line, the web app and the tests all call: read, evaluate, report.

file → grids → forms (formats) → scorecard and findings (core) → JSON / pages / files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jixiao.core.findings import Finding
from jixiao.core.model import Form
from jixiao.core.profiles import Profile
from jixiao.core.scoring import Scorecard


@dataclass(frozen=True)
class ReadProblem:
    file: str
    message: str  # Chinese: what, where, what to do


@dataclass(frozen=True)
class Batch:
    forms: tuple[Form, ...]  # form.source says file, sheet and position
    problems: tuple[ReadProblem, ...]
    files_read: int


@dataclass(frozen=True)
class Evaluation:
    index: int  # 1-based position in the batch
    form: Form
    profile: Profile
    scorecard: Scorecard
    findings: tuple[Finding, ...]


def read_paths(
    paths: Iterable[str | Path], *, jobs: int = 1, progress: Callable[[int, int], None] | None = None
) -> Batch:
    """Every form in files, folders (recursively) and zip archives; bad files become problems."""
    raise NotImplementedError


def read_upload(data: bytes, name: str) -> Batch:
    """Every form in one uploaded file (any readable format, or a zip)."""
    raise NotImplementedError


def evaluate(form: Form, profile: str | Profile = "auto", index: int = 1) -> Evaluation:
    """Score and check one form; profile is "auto", a built-in name, a TOML path or a Profile."""
    raise NotImplementedError


def evaluate_batch(forms: Sequence[Form], profile: str | Profile = "auto") -> list[Evaluation]:
    """Score and check every form, with the batch checks (P05) added to the forms they concern."""
    raise NotImplementedError


def check_report(evaluations: Sequence[Evaluation], problems: Sequence[ReadProblem] = ()) -> dict[str, Any]:
    """What `jixiao check --format json` prints: {"forms": [...], "summary": {...}, "problems": [...]}."""
    raise NotImplementedError
