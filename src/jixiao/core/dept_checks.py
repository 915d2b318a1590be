"""Checks of a department-wide form (docs/cycle.md §4.4), codes D01–D08.

D01–D06 are the codes of docs/cycle.md §4.4; D07 and D08 are this module's own [I]: D07 compares the
printed figures with what the department's project forms say (ProjectFigures), D08 compares a
printed 得分系数 with the one its rule gives (the department-wide R01/R05). A printed number is
right when it equals the true value rounded or truncated to the decimals printed (docs/domain.md §5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from jixiao.core.dept import (
    FUND_CAPTIONS,
    FUND_LABELS,
    INDICATOR_CAPTIONS,
    DeptForm,
    DeptIndicator,
    ProjectFigures,
)
from jixiao.core.dept_rules import (
    HUNDRED,
    DeptProfile,
    DeptScorecard,
    fmt,
    formula_value,
    round2,
)
from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import parse_number

CODES: dict[str, tuple[Severity, str]] = {
    "D01": (Severity.ERROR, "执行率计算有误"),
    "D02": (Severity.ERROR, "指标得分不等于得分系数 × 权重"),
    "D03": (Severity.ERROR, "指标权重合计不符"),
    "D04": (Severity.ERROR, "自评总分与各项得分之和不符"),
    "D05": (Severity.ERROR, "指标完成值与计算公式不符"),
    "D06": (Severity.WARNING, "核心指标缺少完成值"),
    "D07": (Severity.WARNING, "与本部门项目自评表不符"),
    "D08": (Severity.WARNING, "得分系数与计分规则不符"),
}

Check = Callable[[DeptForm, DeptProfile, DeptScorecard, "ProjectFigures | None"], Iterable[Finding]]


def _finding(code: str, form: DeptForm, location: Location, message: str, found: str = "",
             expected: str = "") -> Finding:
    return Finding(code, CODES[code][0], 1, form.department, location, found, expected, message)


def _ind_location(ind: DeptIndicator, index: int, column: str) -> Location:
    return Location(block="indicators", column=INDICATOR_CAPTIONS[column], indicator=ind.name, field=column,
                    index=index)


def _fund_location(form: DeptForm, kind: str, column: str) -> Location:
    index = next((n for n, f in enumerate(form.funds) if f.kind == kind), None)
    return Location(block="funds", column=FUND_CAPTIONS[column], indicator=FUND_LABELS[kind], field=column, index=index)


def _agrees(printed: Decimal, true: Decimal) -> bool:
    return printed_matches(printed, true)


def check_d01(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D01: a printed 执行率 ≠ 全年执行数 ÷ 全年（调整）预算数 (every fund row that prints one)."""
    for row in form.funds:
        printed, adjusted, executed = parse_number(row.rate), row.amount("adjusted"), row.amount("executed")
        if printed is None or not adjusted or executed is None:
            continue
        true = executed / adjusted * HUNDRED
        if not _agrees(printed, true):
            yield _finding("D01", form, _fund_location(form, row.kind, "rate"),
                           f"{FUND_LABELS[row.kind]}执行率印为 {row.rate}，按 {fmt(executed)} ÷ {fmt(adjusted)} 应为 "
                           f"{fmt(round2(true))}%（执行率以全年（调整）预算数为分母）",
                           found=row.rate, expected=f"{fmt(round2(true))}%")


def check_d02(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D02: a printed 指标得分 ≠ 得分系数 × 指标权重."""
    for n, ind in enumerate(form.indicators):
        coefficient, weight, score = ind.number("coefficient"), ind.number("weight"), ind.number("score")
        if coefficient is None or weight is None or score is None:
            continue
        true = coefficient / HUNDRED * weight
        if not _agrees(score, true):
            yield _finding("D02", form, _ind_location(ind, n, "score"),
                           f"“{ind.name}”得分印为 {ind.score}，按得分系数 {ind.coefficient} × 权重 {ind.weight} 应为 "
                           f"{fmt(round2(true))}", found=ind.score, expected=fmt(round2(true)))


def check_d03(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D03: indicator weights ≠ total − fund weight of the profile."""
    weights = [w for ind in form.indicators if (w := ind.number("weight")) is not None]
    total = sum(weights, Decimal(0))
    if weights and total != profile.indicator_total:
        yield _finding("D03", form, Location(block="indicators", column="指标权重", field="weight"),
                       f"各指标权重合计为 {fmt(total)}，按“{profile.title}”（预算执行率 {fmt(profile.fund_weight)} 分）"
                       f"应为 {fmt(profile.indicator_total)}", found=fmt(total), expected=fmt(profile.indicator_total))


def check_d04(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D04: the printed 自评总分 ≠ the printed fund score plus the printed indicator scores."""
    printed = parse_number(form.total)
    total_row = form.fund("total")
    fund = total_row.amount("score") if total_row is not None else None
    scores = [ind.number("score") for ind in form.indicators]
    if printed is None or fund is None or any(s is None for s in scores):
        return
    true = fund + sum((s for s in scores if s is not None), Decimal(0))
    if not _agrees(printed, true):
        yield _finding("D04", form, Location(block="header", column="自评总分", field="total"),
                       f"自评总分印为 {form.total}，执行率得分 {fmt(fund)} 与各指标得分之和为 {fmt(true)}",
                       found=form.total, expected=fmt(true))


def check_d05(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D05: an indicator's printed 完成值 ≠ its rule's formula from the inputs the form gives."""
    for n, ind in enumerate(form.indicators):
        formula = profile.rule_for(ind).formula
        printed = ind.actual_value.number
        if formula is None or printed is None:
            continue
        true = formula_value(form, formula)
        if true is not None and not _agrees(printed, true):
            yield _finding("D05", form, _ind_location(ind, n, "actual"),
                           f"“{ind.name}”完成值印为 {ind.actual}，按 {formula.describe()} 计算应为 {fmt(round2(true))}%",
                           found=ind.actual, expected=f"{fmt(round2(true))}%")


def check_d06(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D06: a 是否核心指标 = 是 row without a 全年完成值."""
    for n, ind in enumerate(form.indicators):
        if ind.is_core and not ind.actual_value.is_readable:
            yield _finding("D06", form, _ind_location(ind, n, "actual"),
                           f"“{ind.name}”是核心指标，但未填写全年完成值", found=ind.actual)


def check_d07(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D07: the printed project summary or 项目支出 row ≠ what the department's project forms say."""
    if figures is None:
        return
    count = parse_number(form.projects.count)
    if count is not None and count != figures.count:
        yield _finding("D07", form, Location(block="projects", column="项目自评数量", field="count"),
                       f"项目自评数量印为 {form.projects.count}，本部门在系统中的项目自评表为 {figures.count} 张",
                       found=form.projects.count, expected=str(figures.count))
    average = parse_number(form.projects.average)
    if average is not None and figures.average is not None and not _agrees(average, figures.average):
        yield _finding("D07", form, Location(block="projects", column="项目自评平均分", field="average"),
                       f"项目自评平均分印为 {form.projects.average}，按本部门 {figures.count} 张项目自评表应为 "
                       f"{fmt(figures.average)}", found=form.projects.average, expected=fmt(figures.average))
    row = form.fund("project")
    if row is None:
        return
    for column, known in (("adjusted", figures.budget), ("executed", figures.executed)):
        printed = row.amount(column)
        if printed is not None and known is not None and not _agrees(printed, known):
            yield _finding("D07", form, _fund_location(form, "project", column),
                           f"项目支出{FUND_CAPTIONS[column]}印为 {getattr(row, column)}，本部门项目自评表合计为 {fmt(known)}",
                           found=getattr(row, column), expected=fmt(known))


def check_d08(form: DeptForm, profile: DeptProfile, card: DeptScorecard, figures: ProjectFigures | None
              ) -> Iterator[Finding]:
    """D08: a printed 得分系数 ≠ the rule's coefficient (outside the tier's band for qualitative rows)."""
    for scored in card.indicators:
        ind = form.indicators[scored.index]
        printed = ind.number("coefficient")
        if printed is None:
            continue
        if scored.band is not None and scored.coefficient is None:
            low, high = scored.band
            yield _finding("D08", form, _ind_location(ind, scored.index, "coefficient"),
                           f"“{ind.name}”得分系数印为 {ind.coefficient}，{scored.formula}",
                           found=ind.coefficient, expected=f"{fmt(low * HUNDRED)}%–{fmt(high * HUNDRED)}%")
        elif scored.band is None and scored.coefficient is not None \
                and not _agrees(printed, scored.coefficient * HUNDRED):
            expected = fmt(round2(scored.coefficient * HUNDRED))
            yield _finding("D08", form, _ind_location(ind, scored.index, "coefficient"),
                           f"“{ind.name}”得分系数印为 {ind.coefficient}，按计分规则（{scored.rule}）应为 {expected}%："
                           f"{scored.formula}", found=ind.coefficient, expected=f"{expected}%")


CHECKS: tuple[Check, ...] = (check_d01, check_d02, check_d03, check_d04, check_d05, check_d06, check_d07, check_d08)


def check_dept(form: DeptForm, profile: DeptProfile, card: DeptScorecard,
               figures: ProjectFigures | None = None) -> list[Finding]:
    """Every finding of the D-checks, in code order then form order."""
    return [finding for check in CHECKS for finding in check(form, profile, card, figures)]
