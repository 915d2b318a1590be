"""Small forms for tests: one clean local-2019 form, and ways to change one cell of it.

The clean form scores and checks without a single finding, so a test changes one thing and
looks for the one code that change must raise.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from jixiao.core.checks import check_form
from jixiao.core.findings import Finding
from jixiao.core.model import Form, FundRow, Indicator, from_record
from jixiao.core.profiles import Profile
from jixiao.core.scoring import score_form
from jixiao.profile_files import load_profile

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"

# A compact form: funds as "年初 全年 执行 分值 执行率 得分" per row, indicators as
# "一级 | 二级 | 三级 | 分值 | 指标值 | 实际值 | 得分 | 原因".
CLEAN: dict[str, Any] = {
    "project": "业务培训专项经费",
    "goals": ("组织全系统业务培训，提高干部业务能力。", "全年组织业务培训 5 期，培训合格率 95%。"),
    "funds": {
        "total": "10 10 9.5 10 95% 9.5",
        "appropriation": "10 10 9.5 - 95% -",
    },
    "points": {"产出指标": "75", "满意度指标": "25"},
    "indicators": [
        "产出指标 | 数量指标 | 培训班次 | 25 | ≥4 | 5 | 25 | ",
        "产出指标 | 质量指标 | 培训合格率 | 25 | ≥90% | 95% | 25 | ",
        "产出指标 | 时效指标 | 按期完成率 | 25 | =100% | 100% | 25 | ",
        "满意度指标 | 服务对象满意度指标 | 学员满意度 | 25 | ≥90% | 96% | 25 | ",
    ],
    "total": ("100", "100"),
}


def fund_row(kind: str, cells: str) -> FundRow:
    """A fund row from "年初 全年 执行 分值 执行率 得分"; "_" stands for a blank cell."""
    values = ["" if c == "_" else c for c in cells.split()]
    return FundRow(kind, "", *values)


def indicator_row(cells: str, row: int | None = None) -> Indicator:
    """An indicator from "一级 | 二级 | 三级 | 分值 | 指标值 | 实际值 | 得分 | 原因"."""
    parts = [p.strip() for p in cells.split("|")]
    parts += [""] * (8 - len(parts))
    return Indicator(*parts[:8], row=row)


def build(spec: dict[str, Any] | None = None, **changes: Any) -> Form:
    """A form from a compact spec (CLEAN when none), with top-level keys replaced by changes."""
    spec = {**(spec or CLEAN), **changes}
    planned, achieved = spec["goals"]
    form = from_record({
        "project": spec["project"],
        "goals": {"planned": planned, "achieved": achieved},
        "category_points": spec["points"],
        "total": {"weight": spec["total"][0], "score": spec["total"][1]},
    })
    funds = tuple(fund_row(kind, cells) for kind, cells in spec["funds"].items())
    indicators = tuple(indicator_row(cells, row=10 + n) for n, cells in enumerate(spec["indicators"]))
    return replace(form, funds=funds, indicators=indicators)


def with_indicator(form: Form, index: int, **cells: Any) -> Form:
    """The form with cells of one indicator row changed."""
    rows = list(form.indicators)
    rows[index] = replace(rows[index], **cells)
    return replace(form, indicators=tuple(rows))


def with_fund(form: Form, kind: str, **cells: str) -> Form:
    """The form with cells of one fund row changed."""
    return replace(form, funds=tuple(replace(f, **cells) if f.kind == kind else f for f in form.funds))


def profile(name: str = "local-2019") -> Profile:
    return load_profile(name)


def findings(form: Form, profile_name: str = "local-2019") -> list[Finding]:
    """Every per-form finding of a form under a built-in profile."""
    chosen = profile(profile_name)
    return check_form(form, chosen, score_form(form, chosen))


def codes(form: Form, profile_name: str = "local-2019") -> list[str]:
    return [f.code for f in findings(form, profile_name)]


def only(code: str, form: Form, profile_name: str = "local-2019") -> list[Finding]:
    """The findings of one code."""
    return [f for f in findings(form, profile_name) if f.code == code]


def sample_forms(name: str) -> list[Form]:
    """The forms of a sample's interchange JSON (tests/fixtures/samples/NAME.json)."""
    records = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return [from_record(r) for r in records]
