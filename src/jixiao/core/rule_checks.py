"""The checks of the profile's rules (R01–R08): a score, a deduction or a result that departs from them."""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.core.findings import Finding, Location
from jixiao.core.form_findings import (
    form_finding,
    has_column,
    indicator_location,
    indicator_name,
    printed_target,
    scored_rows,
)
from jixiao.core.model import Form, Indicator
from jixiao.core.profiles import Profile
from jixiao.core.scoring import HUNDRED, IndicatorScore, Scorecard, fmt, fmt2, percent2
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import Kind, Op, comparable_units

_REASON_WORDS = ("原因", "说明", "改进措施")


def _deducted_though_met(ind: Indicator, scored: IndicatorScore) -> bool:
    score, weight = ind.score_number, scored.weight
    return scored.exact is not None and scored.met is True and score is not None and weight is not None \
        and score < weight


def _full_though_missed(ind: Indicator, scored: IndicatorScore) -> bool:
    score, weight = ind.score_number, scored.weight
    return scored.exact is not None and scored.met is False and score is not None and weight is not None \
        and score >= weight and not printed_matches(score, scored.exact)


def check_r01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R01: a printed score ≠ the profile's formula beyond the printed-rounding tolerance.

    Rows where R02 or R03 says what is wrong more precisely are left to them.
    """
    for n, ind, s in scored_rows(form, card):
        printed = ind.score_number
        if printed is None or s.exact is None or s.score is None or printed_matches(printed, s.exact):
            continue
        if _deducted_though_met(ind, s) or _full_though_missed(ind, s):
            continue
        yield form_finding("R01", form, indicator_location(ind, n, "score"),
                           f"“{indicator_name(ind)}”得分印为 {ind.score}，按计分规则应为 {fmt2(s.score)}（{s.formula}）",
                           found=ind.score, expected=fmt2(s.score))


def check_r02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R02: the target was met, yet points were deducted."""
    for n, ind, s in scored_rows(form, card):
        if _deducted_though_met(ind, s):
            assert s.weight is not None
            yield form_finding("R02", form, indicator_location(ind, n, "score"),
                               f"“{indicator_name(ind)}”实际完成值 {ind.actual} 已达到年度指标值 {printed_target(ind)}，"
                               f"却只得 {ind.score} 分（满分 {fmt(s.weight)}）",
                               found=ind.score, expected=fmt(s.weight))


def check_r03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R03: the target was missed, yet full points were given."""
    for n, ind, s in scored_rows(form, card):
        if _full_though_missed(ind, s):
            assert s.score is not None
            yield form_finding("R03", form, indicator_location(ind, n, "score"),
                               f"“{indicator_name(ind)}”实际完成值 {ind.actual} 未达到年度指标值 {printed_target(ind)}，"
                               f"却得满分 {ind.score}；按计分规则应为 {fmt2(s.score)}（{s.formula}）",
                               found=ind.score, expected=fmt2(s.score))


def check_r04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R04: points deducted and no reason (未完成原因 / 偏差原因) given; not on a form with no reason column."""
    if not has_column(form, _REASON_WORDS):
        return
    for n, ind, s in scored_rows(form, card):
        score = ind.score_number
        if score is None or s.weight is None or score >= s.weight or ind.reason.strip():
            continue
        yield form_finding("R04", form, indicator_location(ind, n, "reason"),
                           f"“{indicator_name(ind)}”扣了 {fmt(s.weight - score)} 分，但未填写未完成原因及改进措施",
                           found="", expected="未完成原因及改进措施")


def check_r05(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R05: a qualitative score outside the band of the tier its 实际完成值 names (docs/domain.md §4)."""
    for n, ind, s in scored_rows(form, card):
        score = ind.score_number
        if s.band is None or not s.tier_from_actual or score is None or s.band[0] <= score <= s.band[1]:
            continue
        band = f"{fmt2(s.band[0])}–{fmt2(s.band[1])}"
        yield form_finding("R05", form, indicator_location(ind, n, "score"),
                           f"“{indicator_name(ind)}”完成情况为“{ind.actual}”，属“{s.tier}”档，得分应在 {band} 之间，实际印为 {ind.score}",
                           found=ind.score, expected=band)


def check_r06(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R06: actual ≥ the profile's ratio (130%) × a positive target with no explanation (a Guangxi practice)."""
    ratio = profile.overachievement_ratio
    for n, ind, _ in scored_rows(form, card):
        target, actual = ind.target_value, ind.actual_value
        if target.kind is not Kind.POSITIVE or target.number is None or target.number <= 0:
            continue
        if actual.number is None or actual.number < ratio * target.number or ind.reason.strip():
            continue
        yield form_finding("R06", form, indicator_location(ind, n, "actual"),
                           f"“{indicator_name(ind)}”实际完成值 {ind.actual} 是年度指标值 {printed_target(ind)} 的 "
                           f"{fmt2(actual.number / target.number * HUNDRED)}%（超过 {fmt(ratio * HUNDRED)}%），"
                           "且未说明原因，目标可能定得偏低，请说明超额完成的原因",
                           found=ind.actual)


def check_r07(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R07: the execution rate below the profile's threshold (90%, a Sichuan practice)."""
    rate = card.execution_rate_exact
    if rate is None or rate >= profile.low_execution_rate:
        return
    threshold = f"≥{fmt(profile.low_execution_rate * HUNDRED)}%"
    yield form_finding("R07", form, Location(block="funds", column="执行率", field="rate"),
                       f"预算执行率为 {percent2(rate)}（{card.execution_formula}），未达到 {threshold}，请说明原因",
                       found=percent2(rate), expected=threshold)


def target_met(ind: Indicator) -> bool | None:
    """Whether the actual reaches the target, from the values alone (no weight needed); None when unknown."""
    t, a = ind.target_value, ind.actual_value
    if t.number is None or a.number is None or not comparable_units(t, a):
        return None
    if t.kind is Kind.REVERSE:
        return a.number < t.number if t.op is Op.LT else a.number <= t.number
    if t.kind is Kind.EQUAL:
        return a.number == t.number if t.number == 0 else a.number >= t.number
    return a.number > t.number if t.op is Op.GT else a.number >= t.number


def check_r08(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R08: a target missed and no reason given, on a row R04 can't judge (no weight or no score)."""
    for n, (ind, s) in enumerate(zip(form.indicators, card.indicators, strict=True)):
        if s.weight is not None and ind.score_number is not None:
            continue  # R04's: points deducted without a reason
        if s.not_applicable or ind.reason.strip():
            continue
        if target_met(ind) is not False or not has_column(form, _REASON_WORDS):
            continue
        yield form_finding("R08", form, indicator_location(ind, n, "reason"),
                           f"“{indicator_name(ind)}”实际完成值 {ind.actual} 未达到年度指标值 {printed_target(ind)}，"
                           "但未填写未完成原因", found="", expected="未完成原因")
