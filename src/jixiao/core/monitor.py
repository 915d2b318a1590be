"""The 项目支出绩效运行监控表 (mid-year monitoring) as its own record, jixiao.monitor/1 (docs/cycle.md §3.6).

A monitoring form is opened from the approved target: header and indicators (with their 年度指标值)
are copied, and the unit adds, for the period 1–X月 set by the finance bureau's round, the funds
executed to date and the year-end forecast, and per indicator the progress to date, the year-end
forecast, the 偏差原因 in five columns (free text, as the national system keeps them), the
完成目标可能性 and a 备注. Checks M01–M12 follow docs/cycle.md §3.6; their numbers are MonitorRules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core.model import RecordError
from jixiao.core.target import FUND_KINDS, Target
from jixiao.core.values import parse_number

SCHEMA = "jixiao.monitor/1"
TITLE = "项目支出绩效运行监控表"
FUND_FIELDS = ("initial", "adjusted", "executed", "rate", "forecast")
CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
HEADER_FIELDS = ("project", "project_code", "department", "department_code", "unit")
INDICATOR_FIELDS = ("level1", "level2", "name", "code", "target", "to_date", "forecast", "likelihood", "remark")
HUNDRED = Decimal(100)


def fund_captions(month: int) -> dict[str, str]:
    return {"initial": "年初预算数", "adjusted": "调整后预算数", "executed": f"1-{month}月执行数",
            "rate": f"1-{month}月执行率", "forecast": "全年预计执行数"}


def indicator_captions(month: int) -> dict[str, str]:
    return {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "code": "指标代码",
            "target": "年度指标值", "to_date": f"1-{month}月执行情况", "forecast": "全年预计完成情况",
            "likelihood": "完成目标可能性", "remark": "备注"}


@dataclass(frozen=True)
class MonitorFund:
    kind: str
    label: str = ""
    initial: str = ""  # 年初预算数
    adjusted: str = ""  # 调整后预算数
    executed: str = ""  # 1-X月执行数
    rate: str = ""  # 1-X月执行率
    forecast: str = ""  # 全年预计执行数

    def amount(self, column: str) -> Decimal | None:
        return parse_number(getattr(self, column))

    @property
    def budget(self) -> Decimal | None:
        """The budget execution is measured against: 调整后预算数, else 年初预算数."""
        adjusted = self.amount("adjusted")
        return adjusted if adjusted is not None else self.amount("initial")


@dataclass(frozen=True)
class Rectify:
    needed: str = ""  # 是 | 否 | ""
    requirement: str = ""  # 整改要求和建议
    result: str = ""  # 整改结果和结论


@dataclass(frozen=True)
class MonitorIndicator:
    level1: str
    level2: str
    name: str
    code: str = ""
    target: str = ""  # 年度指标值, copied from the approved target
    to_date: str = ""  # 1-X月执行情况
    forecast: str = ""  # 全年预计完成情况
    causes: tuple[tuple[str, str], ...] = ()  # (cause, text) of CAUSES, only those filled in
    likelihood: str = ""  # 确定能 | 有可能 | 完全不可能
    remark: str = ""
    rectify: Rectify = Rectify()

    @property
    def label(self) -> str:
        return self.name or self.level2 or self.level1

    def cause(self, name: str) -> str:
        return dict(self.causes).get(name, "")


@dataclass(frozen=True)
class Monitor:
    project: str
    title: str = TITLE
    year: int | None = None
    to_month: int = 7
    target_version: int | None = None  # the approved target version the form was opened from
    project_code: str = ""
    department: str = ""
    department_code: str = ""
    unit: str = ""
    funds: tuple[MonitorFund, ...] = ()
    goal_annual: str = ""  # 全年目标
    goal_progress: str = ""  # 1-X月实际完成情况
    indicators: tuple[MonitorIndicator, ...] = ()

    def fund(self, kind: str) -> MonitorFund | None:
        return next((f for f in self.funds if f.kind == kind), None)

    @property
    def period(self) -> str:
        return f"1-{self.to_month}月"

    @property
    def execution_rate(self) -> Decimal | None:
        """Execution to date ÷ budget of the total row (or of the sum of the rows when it has none)."""
        total = self.fund("total")
        rows = [total] if total is not None and total.amount("executed") is not None else \
            [f for f in self.funds if f.kind != "total"]
        budgets = [b for f in rows if (b := f.budget) is not None]
        spent = [e for f in rows if (e := f.amount("executed")) is not None]
        budget = sum(budgets, Decimal(0))
        return sum(spent, Decimal(0)) / budget if budgets and spent and budget else None


def from_target(target: Target, to_month: int) -> Monitor:
    """A blank monitoring form opened from an approved target: header, annual funds and indicators copied."""
    funds = tuple(MonitorFund(f.kind, f.label, initial=f.amount) for f in target.fund_set("annual"))
    indicators = tuple(MonitorIndicator(i.level1, i.level2, i.name, i.code, i.target)
                       for i in target.indicator_set("annual"))
    return Monitor(project=target.project, year=target.year, to_month=to_month, target_version=target.version,
                   project_code=target.project_code, department=target.department,
                   department_code=target.department_code, unit=target.unit, funds=funds,
                   goal_annual="；".join(g for g in target.goals_annual if g), indicators=indicators)


# ---------------------------------------------------------------------------------------------
# The interchange record


def to_record(monitor: Monitor) -> dict[str, Any]:
    """The jixiao.monitor/1 record (docs/cycle.md §3.6); keys and order are fixed."""
    return {
        "schema": SCHEMA,
        "title": monitor.title,
        "year": monitor.year,
        "period": {"to_month": monitor.to_month},
        "target_version": monitor.target_version,
        **{k: getattr(monitor, k) for k in HEADER_FIELDS},
        "funds": [{"kind": f.kind, "label": f.label, **{c: getattr(f, c) for c in FUND_FIELDS}}
                  for f in monitor.funds],
        "goals": {"annual": monitor.goal_annual, "progress": monitor.goal_progress},
        "indicators": [{**{k: getattr(i, k) for k in INDICATOR_FIELDS if k not in ("likelihood", "remark")},
                        "causes": {c: i.cause(c) for c in CAUSES}, "likelihood": i.likelihood, "remark": i.remark,
                        "rectify": {"needed": i.rectify.needed, "requirement": i.rectify.requirement,
                                    "result": i.rectify.result}}
                       for i in monitor.indicators],
    }


def _text(record: Mapping[str, Any], key: str, where: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where}.{key} 应为文本，实际为 {value!r}")
    return value


def _mapping(record: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = record.get(key) or {}
    if not isinstance(value, Mapping):
        raise RecordError(f"{where}.{key} 应为 JSON 对象，实际为 {value!r}")
    return value


def _int(record: Mapping[str, Any], key: str, where: str, low: int, high: int | None) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        span = f"{low}–{high}" if high is not None else f"不小于 {low}"
        raise RecordError(f"{where}.{key} 应为 {span} 的整数，实际为 {value!r}")
    return value


def _indicator(item: Any, where: str) -> MonitorIndicator:
    if not isinstance(item, Mapping):
        raise RecordError(f"{where} 应为 JSON 对象")
    causes = _mapping(item, "causes", where)
    unknown = [c for c in causes if c not in CAUSES]
    if unknown:
        raise RecordError(f"{where}.causes 只能有 {'、'.join(CAUSES)}，实际有“{unknown[0]}”")
    likelihood = _text(item, "likelihood", where)
    if likelihood and likelihood not in LIKELIHOODS:
        raise RecordError(f"{where}.likelihood 应为 {'/'.join(LIKELIHOODS)} 之一或空白，实际为 {likelihood!r}")
    rectify = _mapping(item, "rectify", where)
    return MonitorIndicator(
        **{k: _text(item, k, where) for k in INDICATOR_FIELDS if k != "likelihood"},
        likelihood=likelihood,
        causes=tuple((c, t) for c in CAUSES if (t := _text(causes, c, f"{where}.causes"))),
        rectify=Rectify(*(_text(rectify, k, f"{where}.rectify") for k in ("needed", "requirement", "result"))),
    )


def from_record(record: Mapping[str, Any]) -> Monitor:
    """A monitoring form from its jixiao.monitor/1 record; raises RecordError naming the bad key."""
    if not isinstance(record, Mapping):
        raise RecordError("监控表记录应为 JSON 对象")
    if record.get("schema", SCHEMA) != SCHEMA:
        raise RecordError(f"schema 应为 {SCHEMA}，实际为 {record.get('schema')!r}")
    period = _mapping(record, "period", "record")
    funds = []
    items = record.get("funds") or []
    if not isinstance(items, list):
        raise RecordError("record.funds 应为列表")
    for n, f in enumerate(items, 1):
        where = f"funds[{n}]"
        if not isinstance(f, Mapping):
            raise RecordError(f"{where} 应为 JSON 对象")
        kind = _text(f, "kind", where)
        if kind not in FUND_KINDS:
            raise RecordError(f"{where}.kind 应为 {'/'.join(FUND_KINDS)} 之一，实际为 {kind!r}")
        funds.append(MonitorFund(kind, _text(f, "label", where), *(_text(f, c, where) for c in FUND_FIELDS)))
    goals = _mapping(record, "goals", "record")
    indicators = record.get("indicators") or []
    if not isinstance(indicators, list):
        raise RecordError("record.indicators 应为列表")
    return Monitor(
        title=_text(record, "title", "record") or TITLE,
        year=_int(record, "year", "record", 1900, 2200),
        to_month=_int(period, "to_month", "period", 1, 12) or 7,
        target_version=_int(record, "target_version", "record", 1, None),
        **{k: _text(record, k, "record") for k in HEADER_FIELDS},
        funds=tuple(funds),
        goal_annual=_text(goals, "annual", "goals"),
        goal_progress=_text(goals, "progress", "goals"),
        indicators=tuple(_indicator(i, f"indicators[{n}]") for n, i in enumerate(indicators, 1)),
    )
