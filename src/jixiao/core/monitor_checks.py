"""Checks M01–M12 of the 运行监控表 (docs/cycle.md §3.6) and the 预警 the finance bureau raises (§3.4)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.monitor import (
    CAUSES,
    LIKELIHOODS,
    Monitor,
    MonitorFund,
    MonitorIndicator,
    fund_captions,
    indicator_captions,
)
from jixiao.core.target import Target, indicator_key
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import Kind, Value, format_number, parse_value, same_unit
from jixiao.core.yearrules import MonitorRules

HUNDRED = Decimal(100)


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
    """One 预警 of the finance bureau's monitoring view (docs/cycle.md §3.4)."""

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
