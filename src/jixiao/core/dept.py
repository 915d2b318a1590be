"""The department-wide self-evaluation form (部门整体支出绩效自评表) and its record, jixiao.dept-self/1.

docs/cycle.md §4.4: a 主管部门's funds (年初 / 调整 / 执行, split 基本支出 / 项目支出 and 财政拨款 / 其他),
its goals (年初, 调整, 完成情况) and its indicators with 年初指标值, 调整指标值, 全年完成值, 得分系数,
权重, 得分 and 是否核心指标. As for project forms (jixiao.core.model), every field holds the text the
form prints; numbers are read on demand. Two further blocks carry what a checker needs: the inputs
of computed indicators (在职人员数, 编制数 …) and the printed summary of the department's project
self-evaluations (how many, their average score), which jixiao can compute from the project forms
themselves (project_figures) and fill in (fill_from_projects).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from jixiao.core.model import RecordError
from jixiao.core.values import Value, parse_number, parse_value

SCHEMA = "jixiao.dept-self/1"
# total = 年度资金总额; basic / project split it by purpose, appropriation / other by source.
FUND_KINDS = ("total", "basic", "project", "appropriation", "other")
FUND_FIELDS = ("initial", "adjusted", "executed", "rate", "weight", "score")
INDICATOR_FIELDS = ("level1", "level2", "name", "unit", "nature", "initial_target", "adjusted_target", "actual",
                    "coefficient", "weight", "score", "core", "reason")
HEADER_FIELDS = ("title", "department", "finance_office", "contact", "phone")
GOAL_FIELDS = ("initial", "adjusted", "achieved")
YES = frozenset({"是", "√", "✓", "Y", "y", "yes", "核心"})

# Captions used in messages (the Chongqing-style wording, docs/cycle.md §4.3).
FUND_CAPTIONS = {"initial": "年初预算数", "adjusted": "全年（调整）预算数", "executed": "全年执行数",
                 "rate": "执行率", "weight": "执行率权重", "score": "执行率得分"}
FUND_LABELS = {"total": "年度资金总额", "basic": "基本支出", "project": "项目支出",
               "appropriation": "财政拨款", "other": "其他资金"}
INDICATOR_CAPTIONS = {
    "level1": "一级指标", "level2": "二级指标", "name": "指标名称", "unit": "计量单位", "nature": "指标性质",
    "initial_target": "年初指标值", "adjusted_target": "调整指标值", "actual": "全年完成值",
    "coefficient": "得分系数", "weight": "指标权重", "score": "指标得分", "core": "是否核心指标",
    "reason": "偏差原因分析及改进措施",
}


# The printed layout's fixed captions (the profile gives the rest: jixiao.core.dept_rules.DeptLayout).
FUND_LABEL_CAPTION = "资金类别"
FUND_COLUMNS = ("initial", "adjusted", "executed", "rate", "weight", "score")
HEADER_PAIRS = (  # (caption, record key), two per row
    (("主管部门", "department"), ("财政处室", "finance_office")),
    (("部门联系人", "contact"), ("联系电话", "phone")),
    (("自评总分(分)", "total"), ("评分规则", "profile")),
)
PROJECT_PAIRS = (("项目自评数量", "projects.count"), ("项目自评平均分", "projects.average"))
GOAL_ROWS = (("年初绩效目标", "goals.initial"), ("全年（调整）绩效目标", "goals.adjusted"),
             ("全年目标实际完成情况", "goals.achieved"))
INPUT_CAPTIONS = ("依据名称", "数值")


@dataclass(frozen=True)
class DeptFund:
    kind: str
    label: str = ""
    initial: str = ""
    adjusted: str = ""
    executed: str = ""
    rate: str = ""
    weight: str = ""
    score: str = ""

    def amount(self, column: str) -> Decimal | None:
        """The number printed in a column; None when blank or unreadable."""
        return parse_number(getattr(self, column))


@dataclass(frozen=True)
class DeptGoals:
    initial: str = ""  # 年初绩效目标
    adjusted: str = ""  # 全年（调整）绩效目标
    achieved: str = ""  # 全年目标实际完成情况


@dataclass(frozen=True)
class DeptIndicator:
    name: str
    level1: str = ""
    level2: str = ""
    unit: str = ""  # 计量单位
    nature: str = ""  # 指标性质: 定量 / 定性
    initial_target: str = ""
    adjusted_target: str = ""
    actual: str = ""
    coefficient: str = ""  # 得分系数, printed in percent ("95%" or "95")
    weight: str = ""
    score: str = ""
    core: str = ""  # 是否核心指标: 是 / 否
    reason: str = ""

    @property
    def target(self) -> Value:
        """The target in force: the adjusted one when the form gives it, else the initial one."""
        return parse_value(self.adjusted_target if self.adjusted_target.strip() else self.initial_target)

    @property
    def actual_value(self) -> Value:
        return parse_value(self.actual)

    @property
    def is_core(self) -> bool:
        return self.core.strip() in YES

    def number(self, column: str) -> Decimal | None:
        return parse_number(getattr(self, column))


@dataclass(frozen=True)
class ProjectSummary:
    """The printed summary of the department's project self-evaluations (本部门项目自评情况)."""

    count: str = ""  # 项目自评数量
    average: str = ""  # 项目自评平均分


@dataclass(frozen=True)
class DeptForm:
    department: str
    year: int | None = None
    title: str = "部门整体支出绩效自评表"
    finance_office: str = ""  # 财政处室
    contact: str = ""  # 部门联系人
    phone: str = ""
    funds: tuple[DeptFund, ...] = ()
    goals: DeptGoals = field(default_factory=DeptGoals)
    projects: ProjectSummary = field(default_factory=ProjectSummary)
    inputs: tuple[tuple[str, str], ...] = ()  # (name, printed value): 在职人员数 = 48
    indicators: tuple[DeptIndicator, ...] = ()
    total: str = ""  # 自评总分, as printed

    def fund(self, kind: str) -> DeptFund | None:
        return next((f for f in self.funds if f.kind == kind), None)

    def input(self, name: str) -> Decimal | None:
        return parse_number(dict(self.inputs).get(name, ""))


# ---------------------------------------------------------------- figures jixiao knows


@dataclass(frozen=True)
class ProjectFigures:
    """What the department's project forms say: how many were evaluated, their average score, their money.

    Computed by the caller from the stored project forms (their computed totals and execution
    basis); the department-wide form's printed summary and 项目支出 row must agree with them (D07).
    """

    count: int
    average: Decimal | None  # mean of the projects' totals, None when none was scored
    budget: Decimal | None  # sum of 全年预算数
    executed: Decimal | None  # sum of 全年执行数

    @property
    def execution_rate(self) -> Decimal | None:
        if not self.budget or self.executed is None:
            return None
        return self.executed / self.budget


CENT = Decimal("0.01")


def project_figures(totals: Sequence[Decimal | None], amounts: Sequence[tuple[Decimal | None, Decimal | None]]
                    ) -> ProjectFigures:
    """The figures of a department's project forms from their totals and (全年预算数, 全年执行数) pairs."""
    scored = [t for t in totals if t is not None]
    average = (sum(scored, Decimal(0)) / len(scored)).quantize(CENT) if scored else None
    budgets = [a for a, _ in amounts if a is not None]
    spent = [b for _, b in amounts if b is not None]
    return ProjectFigures(
        count=len(totals),
        average=average,
        budget=sum(budgets, Decimal(0)) if budgets else None,
        executed=sum(spent, Decimal(0)) if spent else None,
    )


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def fill_from_projects(form: DeptForm, figures: ProjectFigures) -> DeptForm:
    """The form with what the project forms say written where it is blank: the 项目支出 row's 全年（调整）
    预算数, 全年执行数 and 执行率, and the summary's count and average. A printed value is kept (and
    checked by D07), never overwritten."""
    summary = ProjectSummary(
        count=form.projects.count or str(figures.count),
        average=form.projects.average or (format(figures.average, "f") if figures.average is not None else ""),
    )
    funds = list(form.funds)
    row = form.fund("project") or DeptFund("project", FUND_LABELS["project"])
    rate = figures.execution_rate
    filled = replace(
        row,
        adjusted=row.adjusted or (_plain(figures.budget) if figures.budget is not None else ""),
        executed=row.executed or (_plain(figures.executed) if figures.executed is not None else ""),
        rate=row.rate or (f"{(rate * 100).quantize(CENT)}%" if rate is not None else ""),
    )
    if row in funds:
        funds[funds.index(row)] = filled
    else:
        funds.append(filled)
    return replace(form, projects=summary, funds=tuple(funds))


# ---------------------------------------------------------------- the record


def to_record(form: DeptForm) -> dict[str, Any]:
    """The interchange record (jixiao.dept-self/1); keys and order are fixed."""
    return {
        "schema": SCHEMA,
        "title": form.title,
        "year": form.year,
        "department": form.department,
        "finance_office": form.finance_office,
        "contact": form.contact,
        "phone": form.phone,
        "funds": [{"kind": f.kind, "label": f.label, **{c: getattr(f, c) for c in FUND_FIELDS}} for f in form.funds],
        "goals": {c: getattr(form.goals, c) for c in GOAL_FIELDS},
        "projects": {"count": form.projects.count, "average": form.projects.average},
        "inputs": [{"name": n, "value": v} for n, v in form.inputs],
        "indicators": [{c: getattr(i, c) for c in INDICATOR_FIELDS} for i in form.indicators],
        "total": form.total,
    }


def _text(record: Mapping[str, Any], key: str, where: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"部门整体自评表记录 {where}.{key} 应为文本，实际为 {value!r}")
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(f"部门整体自评表记录 {where} 应为 JSON 对象，实际为 {value!r}")
    return value


def _items(record: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = record.get(key) or []
    if not isinstance(value, list):
        raise RecordError(f"部门整体自评表记录 {key} 应为列表，实际为 {value!r}")
    return [_mapping(item, f"{key}[{n}]") for n, item in enumerate(value)]


def _fund(item: Mapping[str, Any], where: str) -> DeptFund:
    kind = _text(item, "kind", where)
    if kind not in FUND_KINDS:
        raise RecordError(f"部门整体自评表记录 {where}.kind 应为 {'/'.join(FUND_KINDS)} 之一，实际为 {kind!r}")
    return DeptFund(kind, _text(item, "label", where), *(_text(item, c, where) for c in FUND_FIELDS))


def _indicator(item: Mapping[str, Any], where: str) -> DeptIndicator:
    return DeptIndicator(**{c: _text(item, c, where) for c in INDICATOR_FIELDS})


def from_record(record: Mapping[str, Any]) -> DeptForm:
    """A form from its record; raises RecordError naming the bad key (0-based, as in the JSON)."""
    if not isinstance(record, Mapping):
        raise RecordError("部门整体自评表记录应为 JSON 对象")
    if record.get("schema", SCHEMA) != SCHEMA:
        raise RecordError(f"schema 应为 {SCHEMA}，实际为 {record.get('schema')!r}")
    year = record.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise RecordError(f"部门整体自评表记录 year 应为整数，实际为 {year!r}")
    goals = _mapping(record.get("goals"), "goals")
    projects = _mapping(record.get("projects"), "projects")
    inputs = [(_text(i, "name", f"inputs[{n}]"), _text(i, "value", f"inputs[{n}]"))
              for n, i in enumerate(_items(record, "inputs"))]
    return DeptForm(
        **{c: _text(record, c, "record") for c in HEADER_FIELDS},
        year=year,
        funds=tuple(_fund(f, f"funds[{n}]") for n, f in enumerate(_items(record, "funds"))),
        goals=DeptGoals(*(_text(goals, c, "goals") for c in GOAL_FIELDS)),
        projects=ProjectSummary(_text(projects, "count", "projects"), _text(projects, "average", "projects")),
        inputs=tuple(inputs),
        indicators=tuple(_indicator(i, f"indicators[{n}]") for n, i in enumerate(_items(record, "indicators"))),
        total=_text(record, "total", "record"),
    )


_PATH = re.compile(r"^(?:(funds|indicators|inputs)\[(\d+)\]\.(\w+)|(goals|projects)\.(\w+)|(\w+))$")
_ROW_FIELDS = {"funds": ("label", *FUND_FIELDS), "indicators": INDICATOR_FIELDS, "inputs": ("name", "value")}
_PART_FIELDS = {"goals": GOAL_FIELDS, "projects": ("count", "average")}
_TOP_FIELDS = (*HEADER_FIELDS, "total")


def with_cells(record: Mapping[str, Any], cells: Mapping[str, str]) -> dict[str, Any]:
    """The record with the cells at record paths ("indicators[3].score", "goals.initial") set to new texts.

    Raises RecordError naming a path that is no cell of the record (rows are not added this way)."""
    out = {**record, "funds": [dict(f) for f in record.get("funds") or []],
           "indicators": [dict(i) for i in record.get("indicators") or []],
           "inputs": [dict(i) for i in record.get("inputs") or []],
           "goals": dict(record.get("goals") or {}), "projects": dict(record.get("projects") or {})}
    for path, text in cells.items():
        m = _PATH.match(path)
        block, index, key, part, part_key, top = m.groups() if m else (None,) * 6
        row = int(index) if index is not None else -1
        if block and key in _ROW_FIELDS[block] and 0 <= row < len(out[block]):
            out[block][row][key] = text
        elif part and part_key in _PART_FIELDS[part]:
            out[part][part_key] = text
        elif top in _TOP_FIELDS:
            out[top] = text
        else:
            raise RecordError(f"“{path}”不是部门整体自评表中的单元格")
    return out
