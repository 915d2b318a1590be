"""Issue 10, friction 16: `make run` installs what the app needs, `make test` the test tools too
(read from make's dry run, which builds nothing)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str, tmp_path: Path) -> str:
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    done = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout


def test_make_run_installs_the_app_without_the_test_tools(tmp_path: Path) -> None:
    steps = _dry_run("run", tmp_path)
    assert "pip install -q -e .\n" in steps and "[test]" not in steps


def test_make_test_installs_the_test_tools(tmp_path: Path) -> None:
    assert "pip install -q -e '.[test,ocr]'" in _dry_run("test", tmp_path)
