"""Scoring under a profile (docs/domain.md §4): what each score on the form should have been, with its formula.

The rules, with w = weight, A = target number, B = actual number (财预〔2020〕10号 and the profile):

- budget execution: rate = 全年执行数 ÷ 全年预算数 (the adjusted budget, not 年初预算数);
  fund score = fund weight × min(rate, 1); a budget of 0 gives no rate, not a division.
- positive and equal targets (A > 0): B ≥ A → w, else w × B ÷ A. Equal with A = 0: B ≤ 0 → w, else 0.
- reverse targets: B ≤ A → w; else `ratio`: w × A ÷ B, or `linear`: w × (1 − (B − A) ÷ A), 0 once B ≥ 2A.
- every score is clamped to [0, w]: no bonus for over-achievement.
- qualitative targets get no computed score: the unit picks one inside the band of its tier.
- 不适用 rows are left out and the rest rescaled to the profile's indicator total.
- total = sum of indicator scores (+ the fund score where the profile adds it); grade from the bands.

Every result is a Decimal rounded to 2 decimals (ROUND_HALF_UP); the unrounded value is kept beside it
so that checks can apply the printed-rounding tolerance of docs/domain.md §5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jixiao.core.frozen import fast_init
from jixiao.core.model import Form, FundRow, Indicator
from jixiao.core.profiles import Band, Profile
from jixiao.core.values import Kind, Op, Value

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Words in 实际完成值 that name the tier of a qualitative indicator, most specific first: "未达成"
# must be read before "达成" (docs/domain.md §4: 达成 / 部分达成并具有一定效果 / 未达成且效果较差).
_TIER_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (2, ("未达成", "未完成", "未实现", "未达到", "未达标", "未能", "没有达成", "没有完成", "没有实现", "没有达到",
         "不达标", "不合格", "不符合", "效果较差", "效果差")),
    (1, ("部分达成", "部分完成", "部分实现", "部分达到", "基本达成", "基本完成", "基本实现", "基本达到",
         "一定效果")),
    (0, ("达成", "完成", "实现", "达到", "达标", "符合", "合格")),
)
NOT_APPLICABLE = "不适用"
_PLACEHOLDER_WEIGHTS = frozenset({"/", "-", "--", "—", "——", "／", "－", "\\", "无"})


@fast_init
@dataclass(frozen=True)
class IndicatorScore:
    index: int  # position in form.indicators (0-based)
    weight: Decimal | None
    score: Decimal | None  # the rule's score; None when the rule can't give one (qualitative, unreadable)
    formula: str  # "96 ÷ 100 × 25 = 24.00", or why there is no score
    met: bool | None  # target reached; None when unknown
    applicable: bool = True  # False for 不适用 rows and rows without a weight
    band: tuple[Decimal, Decimal] | None = None  # for qualitative rows: the allowed score range
    exact: Decimal | None = None  # the rule's score before rounding (for the printed-rounding tolerance)
    tier: str = ""  # qualitative rows: the tier of the band ("达成"…)
    tier_from_actual: bool = False  # the tier was named by 实际完成值, not inferred from the printed score
    not_applicable: bool = False  # marked 不适用 (or its 分值 is "/"): left out and the rest rescaled


@fast_init
@dataclass(frozen=True)
class Scorecard:
    profile: str
    execution_rate: Decimal | None  # 0.756, a fraction
    execution_formula: str
    fund_score: Decimal | None
    fund_formula: str
    indicators: tuple[IndicatorScore, ...]
    indicator_sum: Decimal  # rule scores, the printed score where the rule gives none
    total: Decimal | None
    total_formula: str
    grade: str
    execution_rate_exact: Decimal | None = None  # the unrounded quotient, for tolerance checks
    fund_score_exact: Decimal | None = None
    rescale: Decimal | None = None  # indicator total ÷ applicable weights, when 不适用 rows were left out


@fast_init
@dataclass(frozen=True)
class ExecutionBasis:
    """The amounts the execution rate is computed from, and the rows they were taken from."""

    annual: Decimal | None  # 全年预算数 (A)
    executed: Decimal | None  # 全年执行数 (B)
    source: str  # "年度资金总额", "其中：财政拨款", or "各分项合计"


def round2(number: Decimal) -> Decimal:
    """Two decimals, half up: the rounding of every published score."""
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(number: Decimal) -> str:
    """A number as the form would print it: no exponent, no trailing zeros (25, 7.56, 1000000)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt2(number: Decimal) -> str:
    """A result with 2 decimals: 24.00."""
    return format(round2(number), "f")


def percent2(fraction: Decimal) -> str:
    """A fraction as a percentage with 2 decimals: 0.756 → "75.60%"."""
    return f"{fmt2(fraction * HUNDRED)}%"


# ---------------------------------------------------------------- budget execution


def execution_basis(form: Form) -> ExecutionBasis | None:
    """全年预算数 and 全年执行数 for the rate (docs/domain.md §4): the total row, else the sum of its sub-rows.

    The seed's total rows never state 全年执行数 (only 财政拨款 does), and cut-short published forms
    print a zero total; in both cases the sub-rows are what the form says was budgeted and spent.
    """
    total = form.fund("total")
    if total is not None and total.amount("executed") is not None and total.amount("annual"):
        return ExecutionBasis(total.amount("annual"), total.amount("executed"), _label(total, "年度资金总额"))
    subs = [f for f in form.funds if f.kind != "total" and f.amount("executed") is not None]
    if len(subs) == 1:
        return ExecutionBasis(subs[0].amount("annual"), subs[0].amount("executed"), _label(subs[0], "财政拨款"))
    if subs:
        annual = sum((f.amount("annual") or Decimal(0) for f in subs), Decimal(0))
        executed = sum((f.amount("executed") or Decimal(0) for f in subs), Decimal(0))
        return ExecutionBasis(annual, executed, "各分项合计")
    if total is not None and total.amount("executed") is not None:
        return ExecutionBasis(total.amount("annual"), total.amount("executed"), _label(total, "年度资金总额"))
    return None


def _label(row: FundRow, default: str) -> str:
    return row.label.rstrip("：:") or default


def _execution(form: Form) -> tuple[Decimal | None, str]:
    """The execution rate as a fraction (unrounded), and its formula or why there is none."""
    basis = execution_basis(form)
    if basis is None:
        return None, "未填写全年执行数，无法计算执行率"
    if basis.annual is None:
        return None, f"{basis.source}未填写全年预算数，无法计算执行率"
    if basis.annual == 0:
        return None, f"{basis.source}全年预算数为 0，无法计算执行率"
    assert basis.executed is not None
    rate = basis.executed / basis.annual
    return rate, f"{fmt(basis.executed)} ÷ {fmt(basis.annual)} = {percent2(rate)}"


def fund_weight(form: Form, profile: Profile) -> tuple[Decimal, bool]:
    """The fund weight the execution rate is scored against, and whether it is the form's own printed 分值.

    The 分值 the form prints in its fund block (the 年度资金总额 row first), else the profile's (Hubei prints
    none: its 20 分 is in the caption 得分(20分*执行率)). Decision (issue 9): a form that prints another fund
    分值 than its profile's (a fund 分值 of 20 under mof-2020) is scored by its own number, by the scorer and by
    A02 alike, as what is an arithmetic error is what the printed numbers disprove; that the form departs
    from its profile is A05's warning, not an error. This is the one place both read it from.
    """
    rows = sorted(form.funds, key=lambda row: row.kind != "total")
    printed = next((w for row in rows if (w := row.amount("weight")) is not None and w > 0), None)
    if printed is None or printed == profile.fund_weight:
        return profile.fund_weight, False
    return printed, True


def _fund_score(rate: Decimal | None, weight: Decimal, printed: bool) -> tuple[Decimal | None, str]:
    """fund weight × min(rate, 1), unrounded, with its formula (财预〔2020〕10号, 预算执行率)."""
    if rate is None:
        return None, "执行率无法计算，预算执行得分无法计算"
    score = weight * min(rate, Decimal(1))
    shown = f"印出的分值 {fmt(weight)}" if printed else fmt(weight)
    return score, f"{shown} × min({percent2(rate)}, 1) = {fmt2(score)}"


def fund_score_in_words(rate: Decimal, weight: Decimal, score: Decimal, weight_name: str = "分值") -> str:
    """weight × min(rate, 1) as a budget official reads it: "执行率 56.00%（不超过 100%）× 分值 10 = 5.60" (the
    pages and the findings; `fund_formula` keeps the short notation of the command line's output)."""
    cap = "超过 100% 按 100% 计" if rate > 1 else "不超过 100%"
    return f"执行率 {percent2(rate)}（{cap}）× {weight_name} {fmt(weight)} = {fmt2(score)}"


# ---------------------------------------------------------------- indicators


def is_not_applicable(indicator: Indicator) -> bool:
    """A row marked 不适用, or one whose 分值 is a placeholder such as "/" (docs/domain.md §4)."""
    return (NOT_APPLICABLE in indicator.name or NOT_APPLICABLE in indicator.weight or NOT_APPLICABLE in indicator.target
            or NOT_APPLICABLE in indicator.actual or NOT_APPLICABLE in indicator.score
            or indicator.weight.strip() in _PLACEHOLDER_WEIGHTS)


def bands_high_first(profile: Profile) -> tuple[Band, ...]:
    """The profile's qualitative bands, the highest (达成) first."""
    return tuple(sorted(profile.qualitative_bands, key=lambda b: b.high, reverse=True))


def band_ranges(weight: Decimal, profile: Profile) -> tuple[tuple[str, Decimal, Decimal], ...]:
    """The score range of each qualitative tier for a weight, highest first: (("达成", 8.00, 10.00), …)."""
    return tuple((b.tier, round2(b.low * weight), round2(b.high * weight)) for b in bands_high_first(profile))


def tier_named_by(actual: str) -> int | None:
    """The tier (0 = 达成, 1 = 部分达成, 2 = 未达成) a 实际完成值 phrase names, None when it names none."""
    for tier, words in _TIER_WORDS:
        if any(word in actual for word in words):
            return tier
    return None


def band_for_share(bands: Sequence[Band], share: Decimal) -> int | None:
    """The highest band holding a printed score's share of its weight (0.8 at a boundary is 达成)."""
    return next((n for n, b in enumerate(bands) if b.low <= share <= b.high), None)


def score_indicator(indicator: Indicator, index: int, profile: Profile) -> IndicatorScore:
    """The rule's score of one indicator row (docs/domain.md §4), with its formula in words."""
    weight = indicator.weight_number
    if weight is not None and profile.template.weight == "percent":
        weight = profile.weight_points(weight)  # 权重占比 20% of 90 points is 18 points
    if is_not_applicable(indicator):
        return IndicatorScore(index, weight, None, "不适用，不计分", None, applicable=False, not_applicable=True)
    if weight is None:
        why = "本模板无分值栏" if profile.template.weight == "none" else "未填写分值"
        return IndicatorScore(index, None, None, f"{why}，按所印得分计入总分", None, applicable=False)
    if not profile.template.scored:
        return IndicatorScore(index, weight, None, f"“{profile.title}”不计分", None)
    target, actual = indicator.target_value, indicator.actual_value
    missing = _unscorable(target, "年度指标值") or _unscorable(actual, "实际完成值")
    if target.kind is Kind.QUALITATIVE or actual.kind is Kind.QUALITATIVE:
        return _qualitative(indicator, index, weight, profile)
    if missing:
        return IndicatorScore(index, weight, None, f"{missing}，无法计分", None)
    assert target.number is not None and actual.number is not None
    if target.kind is Kind.REVERSE:
        exact, formula, met = _reverse(target.number, actual.number, weight, profile.reverse_formula)
    else:
        exact, formula, met = _positive(target, actual.number, weight)
    clamped, note = _clamp(exact, weight)
    return IndicatorScore(index, weight, round2(clamped), formula + note, met, exact=clamped)


def _unscorable(value: Value, caption: str) -> str:
    if value.kind is Kind.BLANK:
        return f"{caption}未填写"
    if value.kind is Kind.UNREADABLE:
        return f"{caption}“{value.text}”无法识别"
    return ""


def _positive(target: Value, actual: Decimal, weight: Decimal) -> tuple[Decimal, str, bool]:
    """Positive and equal targets: B ≥ A → w, else w × B ÷ A; with A ≤ 0 no division is possible.

    A ">" target is scored like "≥" (B = A gives w × A ÷ A = w either way), except ">0", where
    B = 0 is simply not met. An "=0" target means "none": B ≤ 0 → w, else 0.
    """
    a, b, w = target.number, actual, weight
    assert a is not None
    if target.kind is Kind.EQUAL and a == 0:
        met = b <= 0
        return (w if met else Decimal(0)), _all_or_nothing(b, "≤" if met else ">", a, w, met), met
    if a <= 0:
        strict = target.op is Op.GT
        met = b > a if strict else b >= a
        sign = (">" if met else "≤") if strict else ("≥" if met else "<")
        return (w if met else Decimal(0)), _all_or_nothing(b, sign, a, w, met), met
    if b >= a:
        return w, f"{fmt(b)} ≥ {fmt(a)}，达到目标，得满分 {fmt(w)}", True
    score = b / a * w
    return score, f"{fmt(b)} ÷ {fmt(a)} × {fmt(w)} = {fmt2(score)}", False


def _reverse(a: Decimal, b: Decimal, w: Decimal, formula: str) -> tuple[Decimal, str, bool]:
    """Reverse targets (≤ <): B ≤ A → w; else ratio w × A ÷ B or linear w × (1 − (B − A) ÷ A)."""
    if b <= a:
        return w, f"{fmt(b)} ≤ {fmt(a)}，达到目标，得满分 {fmt(w)}", True
    if a <= 0:
        return Decimal(0), _all_or_nothing(b, ">", a, w, False), False
    if formula == "linear":
        if b >= 2 * a:
            return Decimal(0), f"{fmt(b)} ≥ 2 × {fmt(a)}，得 0 分", False
        score = w * (1 - (b - a) / a)
        return score, f"{fmt(w)} × (1 − ({fmt(b)} − {fmt(a)}) ÷ {fmt(a)}) = {fmt2(score)}", False
    score = a / b * w
    return score, f"{fmt(a)} ÷ {fmt(b)} × {fmt(w)} = {fmt2(score)}", False


def _all_or_nothing(b: Decimal, sign: str, a: Decimal, w: Decimal, met: bool) -> str:
    outcome = f"达到目标，得满分 {fmt(w)}" if met else "未达到目标，得 0 分"
    return f"{fmt(b)} {sign} {fmt(a)}，{outcome}"


def _clamp(score: Decimal, weight: Decimal) -> tuple[Decimal, str]:
    """Scores stay within [0, w]: no bonus for over-achievement, no negative points (docs/domain.md §4)."""
    if score > weight:
        return weight, f"，超过分值按 {fmt(weight)} 计"
    if score < 0:
        return Decimal(0), "，低于 0 按 0 计"
    return score, ""


def _qualitative(indicator: Indicator, index: int, weight: Decimal, profile: Profile) -> IndicatorScore:
    """A qualitative row: no computed score, only the band of its tier (docs/domain.md §4).

    The tier is the one 实际完成值 names (达成 / 部分达成 / 未达成); when it names none, the band that
    holds the printed score is taken, so that the row is at least shown with its range.
    """
    bands = bands_high_first(profile)
    tier = tier_named_by(indicator.actual)
    named = tier is not None and tier < len(bands)
    if not named:
        printed = indicator.score_number
        tier = band_for_share(bands, printed / weight) if printed is not None and weight > 0 else None
    if tier is None or tier >= len(bands):
        return IndicatorScore(index, weight, None, "定性指标，无法确定完成档次，得分由评价人判断", None)
    name, low, high = band_ranges(weight, profile)[tier]
    how = "按实际完成值" if named else "按所填得分"
    formula = f"定性指标，{how}属“{name}”档，得分应在 {fmt2(low)}–{fmt2(high)} 之间"
    met = (tier == 0) if named else None  # 部分达成 is not met
    return IndicatorScore(index, weight, None, formula, met, band=(low, high), tier=name,
                          tier_from_actual=named)


# ---------------------------------------------------------------- total


def _indicator_part(indicator: Indicator, scored: IndicatorScore) -> Decimal | None:
    """What a row adds to the sum: the rule's score, or the printed one where the rule gives none."""
    if scored.not_applicable:
        return None
    if not scored.applicable:  # no weight column (Hubei): the printed score is what the row adds
        return indicator.score_number
    return scored.score if scored.score is not None else indicator.score_number


def rescale_factor(scores: Sequence[IndicatorScore], profile: Profile) -> Decimal | None:
    """indicator total ÷ applicable weights when 不适用 rows left the rest short of it (docs/domain.md §4)."""
    if not any(s.not_applicable for s in scores):
        return None
    applicable = sum((s.weight for s in scores if s.applicable and s.weight is not None), Decimal(0))
    if applicable <= 0 or applicable >= profile.indicator_total:
        return None
    return profile.indicator_total / applicable


def _total(form: Form, scores: Sequence[IndicatorScore], fund: Decimal | None,
           profile: Profile) -> tuple[Decimal, Decimal | None, str, Decimal | None]:
    """indicator sum, total, total formula and rescale factor."""
    parts = [p for i, s in zip(form.indicators, scores, strict=True) if (p := _indicator_part(i, s)) is not None]
    raw = sum(parts, Decimal(0))
    factor = rescale_factor(scores, profile)
    terms = " + ".join(fmt2(p) for p in parts) or "0"
    if factor is not None:
        applicable = profile.indicator_total / factor
        terms = f"({terms}) × {fmt(profile.indicator_total)} ÷ {fmt(applicable)}"
        raw = raw * factor
    indicator_sum = round2(raw)
    if not profile.fund_in_total:
        return indicator_sum, indicator_sum, f"{terms} = {fmt2(indicator_sum)}（预算执行得分不计入总分）", factor
    if fund is None:
        return indicator_sum, None, "预算执行得分无法计算，总分无法计算", factor
    total = round2(fund) + indicator_sum
    return indicator_sum, total, f"{fmt2(fund)} + {terms} = {fmt2(total)}", factor


def score_form(form: Form, profile: Profile) -> Scorecard:
    """What every score of the form should be under the profile (docs/domain.md §4)."""
    rate, rate_formula = _execution(form)
    fund, fund_formula = _fund_score(rate, *fund_weight(form, profile))
    if not profile.template.scored:
        fund, fund_formula = None, f"“{profile.title}”不计分"
    elif profile.fund_weight == 0:
        fund, fund_formula = None, f"“{profile.title}”不设预算执行得分"
    scores = tuple(score_indicator(ind, n, profile) for n, ind in enumerate(form.indicators))
    indicator_sum, total, total_formula, factor = _total(form, scores, fund, profile)
    if not profile.template.scored:
        total, total_formula = None, f"“{profile.title}”不计分，只复核"
    return Scorecard(
        profile=profile.name,
        execution_rate=None if rate is None else rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        execution_formula=rate_formula,
        fund_score=None if fund is None else round2(fund),
        fund_formula=fund_formula,
        indicators=scores,
        indicator_sum=indicator_sum,
        total=total,
        total_formula=total_formula,
        grade=profile.grade(total) if total is not None else "",
        execution_rate_exact=rate,
        fund_score_exact=fund,
        rescale=factor,
    )
