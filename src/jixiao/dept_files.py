"""The department-wide scoring profiles and the 自评报告 outlines as files (jixiao/data/dept/*.toml).

jixiao.core reads no files: it parses the TOML text (core.dept_rules.parse_dept_profile,
core.selfreport.parse_outline). This module reads the packaged files, once, and a user's by path,
so that the command line, the web app and the tests all use the same ones.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jixiao.core.dept_rules import DeptProfile, parse_dept_profile
from jixiao.core.profiles import ProfileError
from jixiao.core.results import ResultsProfile, parse_results_profile
from jixiao.core.selfreport import Outline, parse_outline

DEPT_PROFILES = ("dept-53", "dept-10style")
DEFAULT_DEPT_PROFILE = "dept-53"


def _folder() -> Any:
    return resources.files("jixiao.data").joinpath("dept")


@cache
def builtin_dept_profiles() -> dict[str, DeptProfile]:
    """The built-in department-wide profiles by name: dept-53 (the default) and dept-10style."""
    return {name: parse_dept_profile(_folder().joinpath(f"{name}.toml").read_text(encoding="utf-8"), f"{name}.toml")
            for name in DEPT_PROFILES}


def load_dept_profile(name_or_path: str) -> DeptProfile:
    """A built-in department-wide profile by name, or a TOML file by path; raises ProfileError."""
    builtins = builtin_dept_profiles()
    if name_or_path in builtins:
        return builtins[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"找不到部门整体评分规则“{name_or_path}”：请使用内置规则（{'、'.join(builtins)}）之一，"
                           "或给出 .toml 文件的路径。")
    return parse_dept_profile(path.read_text(encoding="utf-8"), str(path))


def demo_dept_record() -> dict[str, Any]:
    """The demo department's 2019 department-wide form (鄂尔多斯市司法局), its project figures left blank."""
    return dict(json.loads(_folder().joinpath("demo-2019.json").read_text(encoding="utf-8")))


OUTLINES = ("report-10",)


@cache
def builtin_outlines() -> dict[str, Outline]:
    """The built-in 自评报告 outlines by name: report-10 (10号 附件3, docs/cycle.md §5.2)."""
    folder = resources.files("jixiao.data").joinpath("report")
    return {name: parse_outline(folder.joinpath(f"{name}.toml").read_text(encoding="utf-8"), f"{name}.toml")
            for name in OUTLINES}


@cache
def builtin_results_profile() -> ResultsProfile:
    """The built-in 结果应用 profile (results-10: 优 优先保障, 良 保障, 中 核减 10 %, 差 取消或暂停)."""
    folder = resources.files("jixiao.data").joinpath("results")
    return parse_results_profile(folder.joinpath("results-10.toml").read_text(encoding="utf-8"), "results-10.toml")
