"""The 项目支出绩效运行监控表 (mid-year monitoring) as its own record, jixiao.monitor/1 (cycle.md §3.6).

A monitoring form is opened from the approved target: header and indicators (with their 年度指标值)
are copied, and the unit adds, for the period 1–X月 set by the finance bureau's round, the funds
executed to date and the year-end forecast, and per indicator the progress to date, the year-end
forecast, the 偏差原因 in five columns (free text, as the national system keeps them), the
完成目标可能性 and a 备注. Checks M01–M12 follow cycle.md §3.6; their numbers are MonitorRules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core.checks import printed_matches
from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import RecordError
from jixiao.core.target import FUND_KINDS, Target, indicator_key
from jixiao.core.values import Kind, Value, format_number, parse_number, parse_value, same_unit
from jixiao.core.yearrules import MonitorRules

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
    """The jixiao.monitor/1 record (cycle.md §3.6); keys and order are fixed."""
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


# ---------------------------------------------------------------------------------------------
# Checks M01–M12 (cycle.md §3.6)

CODES: dict[str, tuple[Severity, str]] = {
    "M01": (Severity.ERROR, "执行率计算有误"),
    "M02": (Severity.ERROR, "资金合计与分项不符"),
    "M03": (Severity.WARNING, "执行数或预计执行数超过预算数"),
    "M04": (Severity.WARNING, "预算执行进度滞后"),
    "M05": (Severity.INFO, "预计将形成结转结余"),
    "M06": (Severity.ERROR, "指标与批复的绩效目标不一致"),
    "M07": (Severity.WARNING, "未填写完成目标可能性"),
    "M08": (Severity.WARNING, "预计难以完成却未分析偏差原因"),
    "M09": (Severity.WARNING, "预计未达目标却填“确定能”"),
    "M10": (Severity.INFO, "完全不可能完成却无整改或调整建议"),
    "M11": (Severity.WARNING, "目标完成进度与预算执行进度不匹配"),
    "M12": (Severity.INFO, "执行情况与年度指标值完全相同"),
}


def _finding(code: str, monitor: Monitor, location: Location, message: str, found: str = "",
             expected: str = "") -> Finding:
    return Finding(code, CODES[code][0], 1, monitor.project, location, found, expected, message)


def _percent(share: Decimal) -> str:
    return f"{format_number((share * HUNDRED).quantize(Decimal('0.01')))}%"


def _label(row: MonitorFund) -> str:
    return row.label.rstrip("：:") or {"total": "年度资金总额", "appropriation": "财政拨款",
                                        "carryover": "上年结转资金", "other": "其他资金"}[row.kind]


def _fund_where(monitor: Monitor, index: int, column: str) -> Location:
    return Location(block="funds", column=fund_captions(monitor.to_month)[column], field=column, index=index)


def _ind_where(monitor: Monitor, ind: MonitorIndicator, index: int, column: str) -> Location:
    caption = indicator_captions(monitor.to_month).get(column, column)
    return Location(block="indicators", column=caption, indicator=ind.label, field=column, index=index)


def _printed_rate(row: MonitorFund) -> Decimal | None:
    value = parse_value(row.rate)
    if value.number is None or value.unit not in ("%", ""):
        return None
    return value.number if value.unit == "%" or value.number > 1 else value.number * HUNDRED


def check_m01(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M01: a printed 1-X月执行率 ≠ 执行数 ÷ 调整后预算数 (年初预算数 when not adjusted)."""
    for n, row in enumerate(monitor.funds):
        printed, budget, spent = _printed_rate(row), row.budget, row.amount("executed")
        if printed is None or not budget or spent is None:
            continue
        true = spent / budget * HUNDRED
        if not printed_matches(printed, true):
            yield _finding("M01", monitor, _fund_where(monitor, n, "rate"),
                           f"{_label(row)}的{monitor.period}执行率印为 {row.rate}，按执行数 ÷ 预算数应为 {_percent(spent / budget)}",
                           found=row.rate, expected=_percent(spent / budget))


def check_m02(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M02: the 年度资金总额 row ≠ the sum of its sub-rows, in any amount column."""
    total = monitor.fund("total")
    if total is None:
        return
    index = monitor.funds.index(total)
    for column in ("initial", "adjusted", "executed", "forecast"):
        parts = [a for f in monitor.funds if f.kind != "total" and (a := f.amount(column)) is not None]
        printed = total.amount(column)
        if not parts or printed is None:
            continue
        expected = sum(parts, Decimal(0))
        if not printed_matches(printed, expected):
            yield _finding("M02", monitor, _fund_where(monitor, index, column),
                           f"年度资金总额的{fund_captions(monitor.to_month)[column]}为 {getattr(total, column)}，"
                           f"而分项合计为 {format_number(expected)}",
                           found=getattr(total, column), expected=format_number(expected))


def check_m03(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M03: 1-X月执行数 or 全年预计执行数 above the budget."""
    for n, row in enumerate(monitor.funds):
        budget = row.budget
        for column in ("executed", "forecast"):
            amount = row.amount(column)
            if budget is not None and amount is not None and amount > budget:
                yield _finding("M03", monitor, _fund_where(monitor, n, column),
                               f"{_label(row)}的{fund_captions(monitor.to_month)[column]} {getattr(row, column)} "
                               f"超过预算数 {format_number(budget)}", found=getattr(row, column),
                               expected=f"≤{format_number(budget)}")


def time_progress(month: int) -> Decimal:
    """序时进度: the share of the year elapsed at the end of a month (1–7月: 58.33%)."""
    return Decimal(month) / Decimal(12)


def check_m04(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M04: execution below 序时进度 − tolerance, or below the province's checkpoint for the month."""
    rate = monitor.execution_rate
    if rate is None:
        return
    where = Location(block="funds", column=f"{monitor.period}执行率", field="rate")
    progress = time_progress(monitor.to_month)
    if rate < progress - rules.tolerance:
        yield _finding("M04", monitor, where,
                       f"{monitor.period}预算执行率为 {_percent(rate)}，低于序时进度 {_percent(progress)}"
                       f"（允许偏差 {_percent(rules.tolerance)}），请分析原因并提出措施",
                       found=_percent(rate), expected=f"≥{_percent(progress - rules.tolerance)}")
    checkpoint = rules.checkpoint(monitor.to_month)
    if checkpoint is not None and rate < checkpoint.rate:
        yield _finding("M04", monitor, where,
                       f"{monitor.period}预算执行率为 {_percent(rate)}，低于“{rules.title}”1-{checkpoint.month}月"
                       f"应达到的 {_percent(checkpoint.rate)}", found=_percent(rate),
                       expected=f"≥{_percent(checkpoint.rate)}")


def check_m05(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M05: 全年预计执行数 ÷ budget below the setting (90%): money will be left over (结转结余)."""
    total = monitor.fund("total")
    if total is None or not total.budget or total.amount("forecast") is None:
        return
    forecast = total.amount("forecast")
    assert forecast is not None
    share = forecast / total.budget
    if share < rules.low_forecast:
        yield _finding("M05", monitor, _fund_where(monitor, monitor.funds.index(total), "forecast"),
                       f"全年预计执行数 {total.forecast} 只占预算数的 {_percent(share)}，低于 {_percent(rules.low_forecast)}，"
                       "预计将形成结转结余，请考虑调剂资金", found=_percent(share), expected=f"≥{_percent(rules.low_forecast)}")


def check_m06(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M06: an indicator not in the approved target, an approved one missing, or its 年度指标值 changed."""
    if target is None:
        return
    approved = {indicator_key(i.level1, i.level2, i.name): i for i in target.indicator_set("annual")}
    seen = set()
    for n, ind in enumerate(monitor.indicators):
        k = indicator_key(ind.level1, ind.level2, ind.name)
        goal = approved.get(k)
        if goal is None:
            yield _finding("M06", monitor, _ind_where(monitor, ind, n, "name"),
                           f"“{ind.label}”不在批复的绩效目标（第 {target.version} 版）中", found=ind.name)
            continue
        seen.add(k)
        if parse_value(ind.target).format() != goal.target_value.format():
            yield _finding("M06", monitor, _ind_where(monitor, ind, n, "target"),
                           f"“{ind.label}”的年度指标值为 {ind.target or '空白'}，批复的目标为 {goal.target}；"
                           "调整目标须按目标调整程序报批", found=ind.target, expected=goal.target)
    for k, goal in approved.items():
        if k not in seen:
            yield _finding("M06", monitor, Location(block="indicators", column="三级指标", indicator=goal.label,
                                                    field="name"),
                           f"批复的指标“{goal.label}”（{goal.target}）在监控表中缺失", expected=goal.label)


def _short(ind: MonitorIndicator) -> bool:
    """The year-end forecast falls short of the 年度指标值 (read as a self-evaluation's target and actual)."""
    target, forecast = parse_value(ind.target), parse_value(ind.forecast)
    return _falls_short(target, forecast)


def _falls_short(target: Value, value: Value) -> bool:
    if target.number is None or value.number is None or not same_unit(target, value):
        return False
    if target.kind is Kind.REVERSE:
        return value.number > target.number
    if target.kind is Kind.EQUAL:
        return value.number != target.number
    return value.number < target.number


def check_m07(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M07: 完成目标可能性 left empty."""
    for n, ind in enumerate(monitor.indicators):
        if not ind.likelihood:
            yield _finding("M07", monitor, _ind_where(monitor, ind, n, "likelihood"),
                           f"“{ind.label}”未填写完成目标可能性（{'/'.join(LIKELIHOODS)}）",
                           expected="/".join(LIKELIHOODS))


def check_m08(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M08: 有可能 / 完全不可能, or a forecast short of the target, and every 偏差原因 column empty."""
    for n, ind in enumerate(monitor.indicators):
        doubtful = ind.likelihood in LIKELIHOODS[1:] or _short(ind)
        if doubtful and not ind.causes:
            yield _finding("M08", monitor, _ind_where(monitor, ind, n, "causes"),
                           f"“{ind.label}”预计难以完成（{ind.likelihood or '预计 ' + ind.forecast}），"
                           f"但偏差原因（{'、'.join(CAUSES)}）都未填写", expected="偏差原因分析")


def check_m09(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M09: 确定能 while the year-end forecast falls short of the target."""
    for n, ind in enumerate(monitor.indicators):
        if ind.likelihood == "确定能" and _short(ind):
            yield _finding("M09", monitor, _ind_where(monitor, ind, n, "likelihood"),
                           f"“{ind.label}”全年预计完成 {ind.forecast}，达不到年度指标值 {ind.target}，"
                           "完成目标可能性却填“确定能”", found=ind.likelihood, expected="有可能/完全不可能")


def check_m10(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M10: 完全不可能 with no 整改 requirement, no adjustment proposal (备注) and 整改 not asked."""
    for n, ind in enumerate(monitor.indicators):
        if ind.likelihood == "完全不可能" and not (ind.rectify.requirement.strip() or ind.remark.strip()):
            yield _finding("M10", monitor, _ind_where(monitor, ind, n, "remark"),
                           f"“{ind.label}”完全不可能完成，但没有整改要求或目标调整建议（填在备注或整改要求中）",
                           expected="整改或调整建议")


def goal_progress(monitor: Monitor) -> Decimal | None:
    """目标完成进度: the mean share of their year's target that the cumulative indicators reached to date.

    Cumulative means a ≥ target counted in units (人次, 个, 场), not a rate: a rate of 98% may be met
    from January on, a count of 30000 人次 grows with the year. Each share is at most 1.
    """
    shares = []
    for ind in monitor.indicators:
        target, done = parse_value(ind.target), parse_value(ind.to_date)
        if target.kind is not Kind.POSITIVE or not target.number or target.unit == "%" or done.number is None or \
                not same_unit(target, done):
            continue
        shares.append(min(done.number / target.number, Decimal(1)))
    return sum(shares, Decimal(0)) / len(shares) if shares else None


def check_m11(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M11: |目标完成进度 − 预算执行进度| above the setting (10 percentage points, Sichuan)."""
    rate, progress = monitor.execution_rate, goal_progress(monitor)
    if rate is None or progress is None or abs(progress - rate) <= rules.goal_gap:
        return
    yield _finding("M11", monitor, Location(block="indicators", column=f"{monitor.period}执行情况", field="to_date"),
                   f"目标完成进度 {_percent(progress)} 与预算执行进度 {_percent(rate)} 相差超过 {_percent(rules.goal_gap)}，"
                   "请核实资金与目标是否同步", found=_percent(abs(progress - rate)), expected=f"≤{_percent(rules.goal_gap)}")


def check_m12(monitor: Monitor, rules: MonitorRules, target: Target | None) -> Iterator[Finding]:
    """M12: every indicator's progress to date equals its 年度指标值 exactly (copied?)."""
    rows = [i for i in monitor.indicators if i.to_date.strip()]
    if len(rows) < 2:
        return
    def same(ind: MonitorIndicator) -> bool:
        t, d = parse_value(ind.target), parse_value(ind.to_date)
        return (t.number is not None and t.number == d.number and t.unit == d.unit) or \
            (t.number is None and t.text == d.text)
    if all(same(i) for i in rows):
        yield _finding("M12", monitor, Location(block="indicators", column=f"{monitor.period}执行情况",
                                                field="to_date"),
                       f"所有指标的{monitor.period}执行情况都与年度指标值相同，请核实是否照抄目标")


MONITOR_CHECKS = (check_m01, check_m02, check_m03, check_m04, check_m05, check_m06, check_m07, check_m08,
                  check_m09, check_m10, check_m11, check_m12)


def check_monitor(monitor: Monitor, rules: MonitorRules, target: Target | None = None) -> list[Finding]:
    """Every M-finding of a monitoring form; M06 needs the approved target it was opened from."""
    findings = [f for check in MONITOR_CHECKS for f in check(monitor, rules, target)]
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.location.index or 0))
    return findings


WARNING_KINDS = {"execution": "预算执行预警", "out_of_step": "目标与资金不同步", "unlikely": "目标完成预警"}


@dataclass(frozen=True)
class MonitorWarning:
    """One 预警 of the finance bureau's monitoring view (cycle.md §3.4)."""

    kind: str  # execution | out_of_step | unlikely
    message: str
    indicator: str = ""


def warnings_of(monitor: Monitor, findings: Sequence[Finding]) -> list[MonitorWarning]:
    """The 预警 of a checked form: execution behind (M04), goals and money out of step (M11), and each
    indicator whose target is unlikely to be met (有可能 / 完全不可能, or a forecast short of it)."""
    found = [MonitorWarning("execution", f.message) for f in findings if f.code == "M04"]
    found += [MonitorWarning("out_of_step", f.message) for f in findings if f.code == "M11"]
    for ind in monitor.indicators:
        if ind.likelihood in LIKELIHOODS[1:] or _short(ind):
            why = f"完成目标可能性为“{ind.likelihood}”" if ind.likelihood in LIKELIHOODS[1:] else \
                f"全年预计完成 {ind.forecast}，达不到 {ind.target}"
            found.append(MonitorWarning("unlikely", f"“{ind.label}”{why}", ind.label))
    return found
