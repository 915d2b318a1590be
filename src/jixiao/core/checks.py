"""The checker (复核): every code of docs/domain.md §5 as a small function of a form and its scorecard.

Each check is `(form, profile, scorecard) -> Iterable[Finding]`; `check_form` runs them all and
`check_batch` adds the one check that needs the whole batch (P05). A printed number is right when it
equals the true value rounded or truncated to the decimals printed (docs/domain.md §5): 94.06% for
28.22 ÷ 30 = 94.0667% is right, 10 for 10 × 56% is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS, Form, FundRow, Indicator, to_record
from jixiao.core.profiles import Profile
from jixiao.core.scoring import HUNDRED, IndicatorScore, Scorecard, fmt, fmt2, percent2
from jixiao.core.values import Kind, Op, Value, is_measurable_phrase, number_error, parse_number, same_unit

# code → (severity, short Chinese title); the table of docs/domain.md §5 plus input codes V01, V02.
CODES: dict[str, tuple[str, str]] = {
    "A01": (Severity.ERROR, "执行率计算有误"),
    "A02": (Severity.ERROR, "预算执行得分计算有误"),
    "A03": (Severity.ERROR, "总分与各项得分之和不符"),
    "A04": (Severity.ERROR, "指标得分超出分值范围"),
    "A05": (Severity.ERROR, "分值合计不符"),
    "A06": (Severity.WARNING, "资金合计与分项不符"),
    "A07": (Severity.ERROR, "两列分值不一致"),
    "A08": (Severity.WARNING, "执行数超过预算数"),
    "R01": (Severity.WARNING, "得分与计分规则不符"),
    "R02": (Severity.WARNING, "已完成目标却扣分"),
    "R03": (Severity.WARNING, "未完成目标却得满分"),
    "R04": (Severity.WARNING, "扣分未说明原因"),
    "R05": (Severity.ERROR, "定性指标得分超出档次范围"),
    "R06": (Severity.INFO, "完成值远超目标且未说明"),
    "R07": (Severity.INFO, "预算执行率偏低"),
    "P01": (Severity.WARNING, "目标值只有完美结果才能达到或无法达到"),
    "P02": (Severity.INFO, "实际完成值与指标值完全相同"),
    "P03": (Severity.WARNING, "指标值与实际完成值单位不一致"),
    "P04": (Severity.WARNING, "二级指标归属的一级指标有误"),
    "P05": (Severity.WARNING, "同一批次中项目名称重复"),
    "P06": (Severity.INFO, "项目名称与目标、指标内容不符"),
    "P07": (Severity.INFO, "数量指标以百分比计量"),
    "P08": (Severity.WARNING, "指标值无法识别"),
    "P09": (Severity.WARNING, "缺少一级指标"),
    "P10": (Severity.INFO, "定性指标缺少可衡量的标准"),
    "V01": (Severity.ERROR, "数字单元格无法识别"),
    "V02": (Severity.ERROR, "全年预算数缺失，无法计算执行率"),
}

Check = Callable[[Form, Profile, Scorecard], Iterable[Finding]]

_RANK = {severity: severity.rank for severity in Severity}
_BLOCK_ORDER = {"header": 0, "funds": 1, "goals": 2, "indicators": 3, "total": 4}
_AMOUNTS = ("initial", "annual", "executed")
# Words of a project name that say nothing about what it is (P06).
_GENERIC_NAME_WORDS = ("专项经费", "专项资金", "补助经费", "补助资金", "经费", "资金", "专项", "项目", "补助",
                       "工作", "管理", "建设", "费用")
# Indicators whose percentage may pass 100% (P01): growth, not shares.
_GROWTH_WORDS = ("增长", "增加", "提高", "提升", "增幅", "增速", "倍")


# ---------------------------------------------------------------- helpers


def decimals(number: Decimal) -> int:
    """How many decimals a printed number shows: 94.06 → 2, 10 → 0."""
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_ONE = Decimal(1)


def printed_matches(printed: Decimal, true: Decimal) -> bool:
    """The tolerance of docs/domain.md §5: the true value rounded or truncated to the decimals printed."""
    if printed == true:  # exactly representable with the decimals printed: both roundings give it
        return True
    # quantize() takes the exponent of its argument: quantizing to the printed number itself rounds
    # to the decimals it shows. A number like 1E+1 shows no decimals and is taken to units, as 10 is.
    quantum = printed if printed.same_quantum(_ONE) or decimals(printed) else _ONE
    return printed == true.quantize(quantum, rounding=ROUND_HALF_UP) or \
        printed == true.quantize(quantum, rounding=ROUND_DOWN)


def _finding(code: str, form: Form, location: Location, message: str, found: str = "",
             expected: str = "") -> Finding:
    return Finding(code, _severity(code), 0, form.project, location, found, expected, message)


@lru_cache(maxsize=64)
def _severity(code: str) -> Severity:
    return Severity(CODES[code][0])


def _fund_location(row: FundRow, index: int, column: str) -> Location:
    return _location("funds", row.row, FUND_CAPTIONS[column], "", column, index)


def _indicator_location(indicator: Indicator, index: int, column: str = "", what: str = "") -> Location:
    return _location("indicators", indicator.row, INDICATOR_CAPTIONS.get(column, ""), what or _name(indicator),
                     column, index)


@lru_cache(maxsize=4096)
def _location(block: str, row: int | None, column: str, indicator: str, field: str, index: int) -> Location:
    """A cell's location; cached, as the forms of a batch share their layout (a Location is immutable)."""
    return Location(block=block, row=row, column=column, indicator=indicator, field=field, index=index)


def _name(indicator: Indicator) -> str:
    return indicator.name or indicator.level2 or indicator.level1


def _row_label(row: FundRow) -> str:
    return row.label.rstrip("：:") or {"total": "年度资金总额", "appropriation": "财政拨款",
                                        "carryover": "上年结转资金", "other": "其他资金"}[row.kind]


@lru_cache(maxsize=4096)
def _stem(name: str) -> str:
    """A level name without blanks and its "指标" suffix, for comparison: "数量\u3000指标" → "数量"."""
    plain = re.sub(r"\s", "", name)
    return plain[:-2] if plain.endswith("指标") else plain


ScoredRows = tuple[tuple[int, Indicator, IndicatorScore], ...]
# The scored rows of the last form checked: a dozen checks ask for them in turn (one entry, by identity).
_last_scored: tuple[Form, Scorecard, ScoredRows] | None = None


def _scored_rows(form: Form, card: Scorecard) -> ScoredRows:
    """Applicable indicator rows with their scores (不适用 rows and rows without a weight are skipped)."""
    global _last_scored
    last = _last_scored
    if last is not None and last[0] is form and last[1] is card:
        return last[2]
    rows = tuple((n, indicator, scored)
                 for (n, indicator), scored in zip(enumerate(form.indicators), card.indicators, strict=True)
                 if scored.applicable)
    _last_scored = (form, card, rows)
    return rows


def _printed_rate(row: FundRow) -> Decimal | None:
    """The printed 执行率 in percent: "75.6%" → 75.6; a bare fraction ("0.756") is read as a share."""
    value = row.rate_value
    if value.number is None or value.unit not in ("%", ""):
        return None
    if value.unit == "" and value.number <= 1:
        return value.number * HUNDRED
    return value.number


def _row_rate(row: FundRow) -> Decimal | None:
    annual, executed = row.amount("annual"), row.amount("executed")
    return executed / annual if annual and executed is not None else None


def _fund_score_row(form: Form) -> tuple[int, FundRow] | None:
    """The row printing the fund score: the total row, else the first row with a number in 得分."""
    rows = list(enumerate(form.funds))
    rows.sort(key=lambda pair: pair[1].kind != "total")
    return next(((n, r) for n, r in rows if r.amount("score") is not None), None)


# ---------------------------------------------------------------- A: arithmetic


def check_a01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A01: a printed 执行率 ≠ 全年执行数 ÷ 全年预算数 of its row (docs/domain.md §5)."""
    for n, row in enumerate(form.funds):
        printed = _printed_rate(row)
        true = _row_rate(row)
        if true is None and row.kind == "total" and row.amount("executed") is None:
            true = card.execution_rate_exact
        if printed is None or true is None or printed_matches(printed, true * HUNDRED):
            continue
        yield _finding("A01", form, _fund_location(row, n, "rate"),
                       f"{_row_label(row)}的执行率印为 {row.rate}，按全年执行数 ÷ 全年预算数应为 {percent2(true)}",
                       found=row.rate, expected=percent2(true))


def check_a02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A02: the printed fund score ≠ fund weight × min(rate, 1) (财预〔2020〕10号, 预算执行率)."""
    found = _fund_score_row(form)
    if found is None or card.fund_score_exact is None:
        return
    n, row = found
    printed = row.amount("score")
    assert printed is not None
    if printed_matches(printed, card.fund_score_exact):
        return
    expected = fmt2(card.fund_score_exact)
    yield _finding("A02", form, _fund_location(row, n, "score"),
                   f"预算执行得分印为 {row.score}，按执行率应为 {expected}（{card.fund_formula}）",
                   found=row.score, expected=expected)


def _printed_parts(form: Form, profile: Profile, card: Scorecard) -> list[Decimal] | None:
    """The scores the 总分 should add up: printed ones, the rule's where a cell is blank.

    None when one of them is known neither way: the sum can't be checked then.
    """
    parts = [ind.score_number if ind.score_number is not None else s.score for _, ind, s in _scored_rows(form, card)]
    if profile.fund_in_total:
        row = _fund_score_row(form)
        parts.insert(0, row[1].amount("score") if row is not None else card.fund_score)
    known = [p for p in parts if p is not None]
    return known if known and len(known) == len(parts) else None


def check_a03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A03: the printed 总分 ≠ the sum of the printed scores (with the fund score where the profile adds it)."""
    printed = parse_number(form.total.score)
    parts = _printed_parts(form, profile, card)
    if printed is None or parts is None:
        return
    expected = sum(parts, Decimal(0)) * (card.rescale or 1)
    if printed_matches(printed, expected):
        return
    shown = fmt2(expected) if card.rescale else fmt(expected)
    what = "预算执行得分与各指标得分之和" if profile.fund_in_total else "各指标得分之和"
    yield _finding("A03", form, Location(block="total", row=form.total.row, column="得分", field="score"),
                   f"总分得分印为 {form.total.score}，{what}为 {shown}", found=form.total.score, expected=shown)


def check_a04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A04: an indicator score above its weight or below 0."""
    for n, ind in enumerate(form.indicators):
        score, weight = ind.score_number, ind.weight_number
        if score is None or not (score < 0 or (weight is not None and score > weight)):
            continue
        limit = f"0–{fmt(weight)}" if weight is not None else "不低于 0"
        yield _finding("A04", form, _indicator_location(ind, n, "score"),
                       f"“{_name(ind)}”得分印为 {ind.score}，超出分值范围（应在 {limit} 之间）",
                       found=ind.score, expected=limit)


def check_a05(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A05: weights under a level-1 ≠ its points label, or all weights ≠ the profile's total."""
    yield from _category_weights(form)
    weights = [w for ind in form.indicators if (w := ind.weight_number) is not None]
    total = sum(weights, Decimal(0))
    if weights and total != profile.indicator_total and card.rescale is None:
        first = form.indicators[0]
        yield _finding("A05", form, _indicator_location(first, 0, "weight", "全部指标"),
                       f"各指标分值合计为 {fmt(total)}，按“{profile.title}”应为 {fmt(profile.indicator_total)}",
                       found=fmt(total), expected=fmt(profile.indicator_total))
    printed = parse_number(form.total.weight)
    if printed is not None and printed != profile.total:
        yield _finding("A05", form, Location(block="total", row=form.total.row, column="分值", field="weight"),
                       f"总分分值印为 {form.total.weight}，按“{profile.title}”应为 {fmt(profile.total)}",
                       found=form.total.weight, expected=fmt(profile.total))


def _category_weights(form: Form) -> Iterator[Finding]:
    for name, points in form.points.items():
        rows = [(n, ind) for n, ind in enumerate(form.indicators) if _stem(ind.level1) == _stem(name)]
        weights = [w for _, ind in rows if (w := ind.weight_number) is not None]
        if points is None or not weights or sum(weights, Decimal(0)) == points:
            continue
        total = sum(weights, Decimal(0))
        n, first = rows[0]
        yield _finding("A05", form, _indicator_location(first, n, "weight", name),
                       f"“{name}”下各指标分值合计为 {fmt(total)}，与标注的 {fmt(points)} 分不符",
                       found=fmt(total), expected=fmt(points))


def check_a06(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A06: the 年度资金总额 row disagrees with the sum of its sub-rows; a blank total counts."""
    total = form.fund("total")
    if total is None:
        return
    index = form.funds.index(total)
    subs = [f for f in form.funds if f.kind != "total"]
    for column in _AMOUNTS:
        amounts = [a for f in subs if (a := f.amount(column)) is not None]
        printed = total.amount(column)
        if not amounts or number_error(getattr(total, column)):
            continue
        expected = fmt(sum(amounts, Decimal(0)))
        if printed is None:
            message = f"年度资金总额的{FUND_CAPTIONS[column]}未填写，而分项合计为 {expected}"
        elif not printed_matches(printed, sum(amounts, Decimal(0))):
            message = f"年度资金总额的{FUND_CAPTIONS[column]}印为 {getattr(total, column)}，而分项合计为 {expected}"
        else:
            continue
        yield _finding("A06", form, _fund_location(total, index, column), message,
                       found=getattr(total, column), expected=expected)


def check_a07(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A07: the seed template's two 分值 columns disagree on a row."""
    for n, ind in enumerate(form.indicators):
        if ind.weight_repeat is None or _same_number(ind.weight, ind.weight_repeat):
            continue
        yield _finding("A07", form, _indicator_location(ind, n, "weight"),
                       f"“{_name(ind)}”的两列分值不一致：一处为 {ind.weight or '空白'}，另一处为 {ind.weight_repeat or '空白'}",
                       found=ind.weight_repeat, expected=ind.weight)


def _same_number(a: str, b: str) -> bool:
    x, y = parse_number(a), parse_number(b)
    return x == y if x is not None and y is not None else a.strip() == b.strip()


def check_a08(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A08: 全年执行数 greater than 全年预算数 on a fund row."""
    for n, row in enumerate(form.funds):
        annual, executed = row.amount("annual"), row.amount("executed")
        if annual is None or executed is None or executed <= annual:
            continue
        yield _finding("A08", form, _fund_location(row, n, "executed"),
                       f"{_row_label(row)}的全年执行数 {row.executed} 大于全年预算数 {row.annual}",
                       found=row.executed, expected=f"≤{row.annual}")


# ---------------------------------------------------------------- R: the profile's rules


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
    for n, ind, s in _scored_rows(form, card):
        printed = ind.score_number
        if printed is None or s.exact is None or s.score is None or printed_matches(printed, s.exact):
            continue
        if _deducted_though_met(ind, s) or _full_though_missed(ind, s):
            continue
        yield _finding("R01", form, _indicator_location(ind, n, "score"),
                       f"“{_name(ind)}”得分印为 {ind.score}，按计分规则应为 {fmt2(s.score)}（{s.formula}）",
                       found=ind.score, expected=fmt2(s.score))


def check_r02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R02: the target was met, yet points were deducted."""
    for n, ind, s in _scored_rows(form, card):
        if _deducted_though_met(ind, s):
            assert s.weight is not None
            yield _finding("R02", form, _indicator_location(ind, n, "score"),
                           f"“{_name(ind)}”实际完成值 {ind.actual} 已达到年度指标值 {ind.target}，"
                           f"却只得 {ind.score} 分（满分 {fmt(s.weight)}）",
                           found=ind.score, expected=fmt(s.weight))


def check_r03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R03: the target was missed, yet full points were given."""
    for n, ind, s in _scored_rows(form, card):
        if _full_though_missed(ind, s):
            assert s.score is not None
            yield _finding("R03", form, _indicator_location(ind, n, "score"),
                           f"“{_name(ind)}”实际完成值 {ind.actual} 未达到年度指标值 {ind.target}，"
                           f"却得满分 {ind.score}；按计分规则应为 {fmt2(s.score)}（{s.formula}）",
                           found=ind.score, expected=fmt2(s.score))


def check_r04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R04: points deducted and no reason (未完成原因 / 偏差原因) given."""
    for n, ind, s in _scored_rows(form, card):
        score = ind.score_number
        if score is None or s.weight is None or score >= s.weight or ind.reason.strip():
            continue
        yield _finding("R04", form, _indicator_location(ind, n, "reason"),
                       f"“{_name(ind)}”扣了 {fmt(s.weight - score)} 分，但未填写未完成原因及改进措施",
                       found="", expected="未完成原因及改进措施")


def check_r05(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R05: a qualitative score outside the band of the tier its 实际完成值 names (docs/domain.md §4)."""
    for n, ind, s in _scored_rows(form, card):
        score = ind.score_number
        if s.band is None or not s.tier_from_actual or score is None or s.band[0] <= score <= s.band[1]:
            continue
        band = f"{fmt2(s.band[0])}–{fmt2(s.band[1])}"
        yield _finding("R05", form, _indicator_location(ind, n, "score"),
                       f"“{_name(ind)}”完成情况为“{ind.actual}”，属“{s.tier}”档，得分应在 {band} 之间，实际印为 {ind.score}",
                       found=ind.score, expected=band)


def check_r06(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R06: actual ≥ the profile's ratio (130%) × a positive target with no explanation (a Guangxi practice)."""
    ratio = profile.overachievement_ratio
    for n, ind, _ in _scored_rows(form, card):
        target, actual = ind.target_value, ind.actual_value
        if target.kind is not Kind.POSITIVE or target.number is None or target.number <= 0:
            continue
        if actual.number is None or actual.number < ratio * target.number or ind.reason.strip():
            continue
        yield _finding("R06", form, _indicator_location(ind, n, "actual"),
                       f"“{_name(ind)}”实际完成值 {ind.actual} 是年度指标值 {ind.target} 的 "
                       f"{fmt2(actual.number / target.number * HUNDRED)}%（超过 {fmt(ratio * HUNDRED)}%），"
                       "且未说明原因，目标可能定得偏低，请说明超额完成的原因",
                       found=ind.actual)


def check_r07(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """R07: the execution rate below the profile's threshold (90%, a Sichuan practice)."""
    rate = card.execution_rate_exact
    if rate is None or rate >= profile.low_execution_rate:
        return
    threshold = f"≥{fmt(profile.low_execution_rate * HUNDRED)}%"
    yield _finding("R07", form, Location(block="funds", column="执行率", field="rate"),
                   f"预算执行率为 {percent2(rate)}（{card.execution_formula}），未达到 {threshold}，请说明原因",
                   found=percent2(rate), expected=threshold)


# ---------------------------------------------------------------- P: patterns for a reviewer


def _is_satisfaction(ind: Indicator) -> bool:
    return "满意" in ind.name or "满意" in ind.level2 or "满意" in ind.level1


@lru_cache(maxsize=4096)
def _is_growth(name: str) -> bool:
    """An indicator of growth ("增长率"), whose percentage may pass 100%."""
    return any(word in name for word in _GROWTH_WORDS)


def check_p01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P01: a target only a perfect result can meet (满意度 ≥100%) or none can (a share above 100%)."""
    for n, ind in enumerate(form.indicators):
        t = ind.target_value
        if t.number is None or t.unit != "%" or t.kind not in (Kind.POSITIVE, Kind.EQUAL):
            continue
        bounded = not _is_growth(ind.name)
        if bounded and (t.number > 100 or (t.number == 100 and t.op is Op.GT)):
            why = "比例不可能超过 100%，任何结果都无法达到"
        elif _is_satisfaction(ind) and t.number >= 100:
            why = "满意度要求 100%，只有全部满意才能达到"
        else:
            continue
        yield _finding("P01", form, _indicator_location(ind, n, "target"),
                       f"“{_name(ind)}”的年度指标值为 {ind.target}：{why}，请核实目标设定是否合理",
                       found=ind.target)


def _equal_numbers(ind: Indicator) -> bool:
    t, a = ind.target_value, ind.actual_value
    return t.number is not None and a.number is not None and t.number == a.number and t.unit == a.unit


def check_p02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P02: an actual exactly equal to a ≥/≤ target (copied?); once more per form when all are equal."""
    rows = _scored_rows(form, card)
    for n, ind, _ in rows:
        if ind.target_value.op in (Op.GE, Op.LE) and _equal_numbers(ind):
            yield _finding("P02", form, _indicator_location(ind, n, "actual"),
                           f"“{_name(ind)}”实际完成值 {ind.actual} 与年度指标值 {ind.target} 恰好相同，请核实是否照抄目标",
                           found=ind.actual, expected="")
    if len(rows) >= 2 and all(_equal_numbers(ind) for _, ind, _ in rows):
        yield _finding("P02", form, Location(block="indicators", column="实际完成值", field="actual"),
                       "所有指标的实际完成值都与年度指标值相同，请核实是否照抄目标")


def check_p03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P03: target and actual in different units, or one without the unit the other has (docs/domain.md §3)."""
    for n, ind, _ in _scored_rows(form, card):
        t, a = ind.target_value, ind.actual_value
        if t.number is None or a.number is None or same_unit(t, a):
            continue
        yield _finding("P03", form, _indicator_location(ind, n, "actual"),
                       f"“{_name(ind)}”年度指标值 {ind.target} 的单位为“{t.unit or '无'}”，"
                       f"实际完成值 {ind.actual} 的单位为“{a.unit or '无'}”，无法直接比较，请统一单位",
                       found=a.unit or "无", expected=t.unit or "无")


def _owner(level2: str, profile: Profile) -> str | None:
    """The level-1 a level-2 type belongs to in the profile's tree ("数量" and "数量指标" alike)."""
    return _owner_in(level2, profile.level2_types)


@lru_cache(maxsize=1024)
def _owner_in(level2: str, level2_types: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    return next((level1 for level1, types in level2_types if any(_stem(t) == _stem(level2) for t in types)), None)


def check_p04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P04: a level-2 type under the wrong level-1 (社会效益指标 under 产出指标); once per level-2 cell."""
    previous: tuple[str, str] | None = None
    for n, ind in enumerate(form.indicators):
        group = (ind.level1, ind.level2)
        if group == previous:
            continue
        previous = group
        owner = _owner(ind.level2, profile)
        if owner is None or _stem(owner) == _stem(ind.level1):
            continue
        yield _finding("P04", form, _indicator_location(ind, n, "level2", ind.level2),
                       f"二级指标“{ind.level2}”属于“{owner}”，却列在“{ind.level1}”下",
                       found=ind.level1, expected=owner)


def check_p06(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P06: no key term of the project name appears in its goals or indicators (content of another project?)."""
    terms = _key_terms(form.project)
    text = "".join((form.goals.planned, form.goals.achieved,
                    *(f"{i.name}{i.target}{i.actual}" for i in form.indicators)))
    if not terms or not text or any(bigram in text for term in terms for bigram in _bigrams(term)):
        return
    yield _finding("P06", form, Location(block="header", column="项目名称", field="project"),
                   f"项目名称“{form.project}”中的关键词（{'、'.join(terms)}）在目标和指标中都没有出现，"
                   "请核实表中内容是否属于本项目",
                   found=form.project)


def key_terms(project: str) -> list[str]:
    """The words of a project name that say what it is: "律师、公证管理专项经费" → ["律师", "公证"]."""
    return list(_key_terms(project))


@lru_cache(maxsize=4096)
def _key_terms(project: str) -> tuple[str, ...]:
    core = project
    for word in _GENERIC_NAME_WORDS:
        core = core.replace(word, " ")
    return tuple(t for t in re.split(r"[\s、，,；;（）()“”\"/]+", core) if len(t) >= 2)


@lru_cache(maxsize=4096)
def _bigrams(term: str) -> tuple[str, ...]:
    return tuple(term[i:i + 2] for i in range(len(term) - 1))


def check_p07(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P07: a 数量指标 measured in percent (a rate is a quality or effect, not a quantity)."""
    for n, ind in enumerate(form.indicators):
        if "数量" not in ind.level2 or "%" not in (ind.target_value.unit, ind.actual_value.unit):
            continue
        yield _finding("P07", form, _indicator_location(ind, n, "target"),
                       f"“{_name(ind)}”列在数量指标下，却以百分比计量（{ind.target}），请核实指标类型",
                       found=ind.target)


def check_p08(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P08: a target or actual that cannot be read as a value (or is missing on a weighted row)."""
    for n, ind, _ in _scored_rows(form, card):
        target, actual = ind.target_value, ind.actual_value
        if target.kind is Kind.BLANK and actual.kind is Kind.BLANK:
            yield _finding("P08", form, _indicator_location(ind, n, "target"),
                           f"“{_name(ind)}”的年度指标值和实际完成值都未填写，无法核对得分")
            continue
        for column, value in (("target", target), ("actual", actual)):
            if value.kind in (Kind.BLANK, Kind.UNREADABLE):
                yield _finding("P08", form, _indicator_location(ind, n, column),
                               _unreadable_message(ind, column, value), found=value.text)


def _unreadable_message(ind: Indicator, column: str, value: Value) -> str:
    caption = INDICATOR_CAPTIONS[column]
    if value.kind is Kind.BLANK:
        return f"“{_name(ind)}”的{caption}未填写，无法核对得分"
    return f"“{_name(ind)}”的{caption}无法识别：{value.error or value.text}"


def check_p09(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P09: a level-1 category the profile requires has no indicator."""
    present = {_stem(i.level1) for i in form.indicators if not i.is_blank}
    for name, points in profile.category_points:
        if _stem(name) in present:
            continue
        yield _finding("P09", form, Location(block="indicators", column="一级指标", indicator=name, field="level1"),
                       f"缺少一级指标“{name}”（按“{profile.title}”应有 {fmt(points)} 分）",
                       expected=name)


def check_p10(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P10: a qualitative target with no measurable standard (效果明显, 显著提高)."""
    for n, ind in enumerate(form.indicators):
        target = ind.target_value
        if target.kind is not Kind.QUALITATIVE or is_measurable_phrase(target.phrase):
            continue
        yield _finding("P10", form, _indicator_location(ind, n, "target"),
                       f"“{_name(ind)}”的年度指标值“{ind.target}”没有可衡量的标准，建议改为可量化的指标值",
                       found=ind.target)


# ---------------------------------------------------------------- V: input that can't be read


def _fund_cell(row: FundRow, n: int, column: str) -> tuple[Location, str]:
    return _fund_location(row, n, column), f"{_row_label(row)}的{FUND_CAPTIONS[column]}"


def _indicator_cell(ind: Indicator, n: int, column: str, caption: str) -> tuple[Location, str]:
    what = f"“{_name(ind)}”的{caption or INDICATOR_CAPTIONS[column]}"
    return _indicator_location(ind, n, column), what


def _unreadable_cells(form: Form) -> Iterator[tuple[str, str, tuple[Location, str]]]:
    """Every number cell whose text can't be read as a number: text, why, location and Chinese name.

    The location is built only for a cell that fails: most cells are fine, and this runs per form.
    """
    for n, row in enumerate(form.funds):
        for column in FUND_CAPTIONS:
            text = getattr(row, column)
            if text and (error := number_error(text)):
                yield text, error, _fund_cell(row, n, column)
    for n, ind in enumerate(form.indicators):
        for column, text, caption in (("weight", ind.weight, ""), ("score", ind.score, ""),
                                      ("weight", ind.weight_repeat, "第二列分值")):
            if text and (error := number_error(text)):
                yield text, error, _indicator_cell(ind, n, column, caption)
    for column, caption in (("weight", "分值"), ("score", "得分")):
        text = getattr(form.total, column)
        if text and (error := number_error(text)):
            location = Location(block="total", row=form.total.row, column=caption, field=column)
            yield text, error, (location, f"总分的{caption}")


def check_v01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """V01: a number cell (amounts, weights, scores, total) with text that can't be read as a number."""
    for text, error, (location, what) in _unreadable_cells(form):
        yield _finding("V01", form, location, f"{what}无法识别：{error}", found=text)


def check_v02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """V02: 全年执行数 given while 全年预算数 is blank or 0, so the execution rate can't be computed.

    A row with 0 budgeted and 0 spent says nothing was planned; it is left to A06.
    """
    for n, row in enumerate(form.funds):
        annual, executed = row.amount("annual"), row.amount("executed")
        if executed is None or number_error(row.annual) or (annual is not None and annual != 0):
            continue
        if annual == 0 and executed == 0:
            continue
        state = "未填写" if annual is None else "为 0"
        yield _finding("V02", form, _fund_location(row, n, "annual"),
                       f"{_row_label(row)}已填写全年执行数 {row.executed}，但全年预算数{state}，无法计算执行率，请补填全年预算数",
                       found=row.annual, expected="大于 0 的全年预算数")


# ---------------------------------------------------------------- running them


CHECKS: tuple[Check, ...] = (
    check_a01, check_a02, check_a03, check_a04, check_a05, check_a06, check_a07, check_a08,
    check_r01, check_r02, check_r03, check_r04, check_r05, check_r06, check_r07,
    check_p01, check_p02, check_p03, check_p04, check_p06, check_p07, check_p08, check_p09, check_p10,
    check_v01, check_v02,
)


def report_key(finding: Finding) -> tuple[int, str, int, int, int]:
    """Errors first, then by code, then by place on the form (block, row position): the report's order."""
    loc = finding.location
    return (-_RANK[finding.severity], finding.code, _BLOCK_ORDER.get(loc.block, len(_BLOCK_ORDER)),
            -1 if loc.index is None else loc.index, loc.row or 0)


def run_checks(form: Form, profile: Profile, scorecard: Scorecard, form_index: int = 1) -> list[Finding]:
    """All per-form findings in the order the checks make them (check_form sorts them)."""
    findings = [f for check in CHECKS for f in check(form, profile, scorecard)]
    for f in findings:
        # The checks made these findings just now and nobody else holds them: set the index in place.
        object.__setattr__(f, "form_index", form_index)
    return findings


def check_form(form: Form, profile: Profile, scorecard: Scorecard, form_index: int = 1) -> list[Finding]:
    """All per-form findings in the report's order (report_key)."""
    findings = run_checks(form, profile, scorecard, form_index)
    findings.sort(key=report_key)
    return findings


def check_batch(forms: Sequence[Form]) -> list[Finding]:
    """Findings that need the whole batch (P05); form_index is the 1-based position in forms."""
    groups: dict[str, list[int]] = {}
    for n, form in enumerate(forms, 1):
        if form.project.strip():
            groups.setdefault(re.sub(r"\s", "", form.project), []).append(n)
    findings = []
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        first, *others = (to_record(forms[n - 1]) for n in indexes)
        if all(record == first for record in others):  # the same form twice: a copy, not a clash
            continue
        for n in indexes:
            findings.append(_duplicate_name(forms[n - 1], n, [m for m in indexes if m != n]))
    return findings


def _duplicate_name(form: Form, index: int, others: list[int]) -> Finding:
    """P05: the same project name twice in one batch with different content."""
    where = "、".join(f"第 {m} 张" for m in others)
    finding = _finding("P05", form, Location(block="header", column="项目名称", field="project"),
                       f"项目名称“{form.project}”与本批次{where}表相同，但内容不同，请核实是否填错项目名称",
                       found=form.project)
    return replace(finding, form_index=index)
