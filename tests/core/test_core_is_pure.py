"""jixiao.core is pure: no Django and no file I/O (issue 2), so any front end can call it on any data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parents[2] / "src" / "jixiao" / "core"
# Modules that reach files, processes, the network or Django.
FORBIDDEN_MODULES = ("django", "pathlib", "os", "io", "shutil", "tempfile", "importlib", "subprocess", "socket",
                     "urllib", "http", "sqlite3", "glob")
FORBIDDEN_CALLS = ("open", "read_text", "read_bytes", "write_text", "write_bytes", "open_text", "files")


def _modules() -> list[Path]:
    return sorted(CORE.glob("*.py"))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _calls(tree: ast.AST) -> list[str]:
    called = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called.append(func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "")
    return called


def test_the_core_has_modules_to_check() -> None:
    assert {"model.py", "checks.py", "scoring.py", "profiles.py"} <= {p.name for p in _modules()}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_a_core_module_imports_nothing_that_reads_files_or_django(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [name for name in _imports(tree) if name.split(".")[0] in FORBIDDEN_MODULES]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_a_core_module_opens_no_file(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [name for name in _calls(tree) if name in FORBIDDEN_CALLS]
    assert bad == [], f"{path.name} calls {bad}"


def test_the_checker_finds_a_file_read_where_there_is_one() -> None:
    """The two tests above can fail: the code the core had before this rule is caught by them."""
    before = ast.parse("from importlib import resources\nfrom pathlib import Path\n"
                       "text = resources.files('jixiao.core').joinpath('x.toml').read_text()\n")
    assert [n for n in _imports(before) if n.split(".")[0] in FORBIDDEN_MODULES] == ["importlib", "pathlib"]
    assert {"files", "read_text"} <= set(_calls(before))
