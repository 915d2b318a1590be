"""The arithmetic checks (A01–A08) and the number cells that can't be read (V01, V02): provable errors.

A printed number is right when it equals the true value rounded or truncated to the decimals printed
(jixiao.core.tolerance, docs/domain.md §5).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.form_findings import form_finding, fund_location, indicator_location, indicator_name
from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS, Form, FundRow, Indicator
from jixiao.core.profiles import Profile, stem
from jixiao.core.scoring import HUNDRED, Scorecard, fmt, fmt2, fund_score_in_words, fund_weight, percent2
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import number_error, parse_number

_AMOUNTS = ("initial", "annual", "executed")


def _row_label(row: FundRow) -> str:
    return row.label.rstrip("：:") or {"total": "年度资金总额", "appropriation": "财政拨款",
                                        "carryover": "上年结转资金", "other": "其他资金"}[row.kind]


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


def check_a01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A01: a printed 执行率 ≠ 全年执行数 ÷ 全年预算数 of its row (docs/domain.md §5)."""
    for n, row in enumerate(form.funds):
        printed = _printed_rate(row)
        true = _row_rate(row)
        if true is None and row.kind == "total" and row.amount("executed") is None:
            true = card.execution_rate_exact
        if printed is None or true is None or printed_matches(printed, true * HUNDRED):
            continue
        yield form_finding("A01", form, fund_location(row, n, "rate"),
                           f"{_row_label(row)}的执行率印为 {row.rate}，按全年执行数 ÷ 全年预算数应为 {percent2(true)}",
                           found=row.rate, expected=percent2(true))


def check_a02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A02: the printed fund score ≠ fund weight × min(rate, 1) (财预〔2020〕10号, 预算执行率).

    The fund weight is the scorer's (scoring.fund_weight: the 分值 the form prints, else the profile's), so
    a score that agrees with its printed 分值 is no arithmetic error, though the 分值 departs from the
    profile's: an error is what the printed numbers disprove.
    """
    found = _fund_score_row(form)
    if found is None or card.fund_score_exact is None or card.execution_rate_exact is None:
        return
    n, row = found
    printed = row.amount("score")
    assert printed is not None
    weight, own = fund_weight(form, profile)
    true = card.fund_score_exact
    formula = fund_score_in_words(card.execution_rate_exact, weight, true, "印出的分值" if own else "分值")
    if printed_matches(printed, true):
        return
    expected = fmt2(true)
    yield form_finding("A02", form, fund_location(row, n, "score"),
                       f"预算执行得分印为 {row.score}，应为 {expected}：{formula}",
                       found=row.score, expected=expected)


def _printed_parts(form: Form, profile: Profile, card: Scorecard, with_fund: bool) -> list[Decimal] | None:
    """The scores the 总分 should add up: printed ones, the rule's where a cell is blank.

    Every row counts that prints a score, with or without a weight (Hubei prints no weight column);
    None when a weighted row's score is known neither way: the sum can't be checked then.
    """
    parts = [ind.score_number if ind.score_number is not None else s.score
             for ind, s in zip(form.indicators, card.indicators, strict=True)
             if not s.not_applicable and (s.applicable or ind.score_number is not None)]
    if with_fund:
        row = _fund_score_row(form)
        parts.insert(0, row[1].amount("score") if row is not None else card.fund_score)
    known = [p for p in parts if p is not None]
    return known if known and len(known) == len(parts) else None


def check_a03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A03: the printed 总分 ≠ the sum of the printed scores (with the fund score where the profile adds it).

    Under the template-free profile the fund score may or may not count: the total must match one way.
    """
    printed = parse_number(form.total.score)
    with_fund = profile.fund_in_total
    parts = _printed_parts(form, profile, card, with_fund)
    if printed is None or parts is None:
        return
    expected = sum(parts, Decimal(0)) * (card.rescale or 1)
    if printed_matches(printed, expected):
        return
    if profile.template.template_free and _fund_score_row(form) is not None:
        with_fund = True
        alternative = _printed_parts(form, profile, card, with_fund)
        if alternative is not None:
            expected = sum(alternative, Decimal(0))
            if printed_matches(printed, expected):
                return
    shown = fmt2(expected) if card.rescale else fmt(expected)
    what = "预算执行得分与各指标得分之和" if profile.fund_in_total else "各指标得分之和"
    yield form_finding("A03", form, Location(block="total", row=form.total.row, column="得分", field="score"),
                       f"总分得分印为 {form.total.score}，{what}为 {shown}", found=form.total.score, expected=shown)


def check_a04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A04: an indicator score above its weight or below 0."""
    for n, ind in enumerate(form.indicators):
        score, weight = ind.score_number, ind.weight_number
        if weight is not None and profile.template.weight == "percent":
            weight = profile.weight_points(weight)
        if score is None or not (score < 0 or (weight is not None and score > weight)):
            continue
        limit = f"0–{fmt(weight)}" if weight is not None else "不低于 0"
        yield form_finding("A04", form, indicator_location(ind, n, "score"),
                           f"“{indicator_name(ind)}”得分印为 {ind.score}，超出分值范围（应在 {limit} 之间）",
                           found=ind.score, expected=limit)


def cut_off(form: Form) -> bool:
    """A form read from a file that ends before its 总分 (S01): its weights can't be summed."""
    return bool(form.source.file) and form.total.row is None and not form.total.score


def _expected_weights(form: Form, profile: Profile) -> tuple[Decimal, str] | None:
    """What all weights must add up to, and why: the profile's total, or the form's own labels."""
    if profile.template.weight == "percent":
        return Decimal(100), f"按“{profile.title}”权重占比合计应为 100%"
    if profile.template.points_from_form:
        points = [p for p in form.points.values() if p is not None]
        if not points:
            return None
        total = sum(points, Decimal(0))
        return total, f"按表中一级指标所标分值之和应为 {fmt(total)}"
    return profile.indicator_total, f"按“{profile.title}”应为 {fmt(profile.indicator_total)}"


def check_a05(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A05: weights under a level-1 ≠ its points label, all weights ≠ the printed 总分 分值 (with the fund's), or
    all weights ≠ the profile's total.

    Decision (issue 9): what the form's own numbers disprove is an error — a level-1's weights against its
    printed points, the weights and the fund 分值 against the printed total 分值, percent weights against
    100%, the weights against the form's own level-1 points; weights that add up on the form but to another
    sum than the profile's (a fund 分值 of 20 under mof-2020, total 110) are a departure from the profile, a
    warning: the form may follow another template or an amended one, and a false error costs more trust than
    ten true ones earn. Not on a form cut off before its total (S01 says so): missing rows would count short.
    """
    if cut_off(form):
        return
    if profile.template.weight != "percent":
        yield from _category_weights(form)
    weights = [w for ind in form.indicators if (w := ind.weight_number) is not None]
    total = sum(weights, Decimal(0))
    expected = _expected_weights(form, profile)
    printed = parse_number(form.total.weight)
    first = form.indicators[0] if form.indicators else None
    own = _own_total_weight(form, profile, total) if weights else None
    percent = profile.template.weight == "percent"
    if first is not None and own is not None and printed is not None and own[0] != printed \
            and card.rescale is None and not percent:
        fund = own[0] - total
        yield form_finding("A05", form, indicator_location(first, 0, "weight", "全部指标"),
                           f"各指标分值合计为 {fmt(total)}{own[1]}，与总分分值 {form.total.weight} 不符",
                           found=fmt(total), expected=fmt(printed - fund))
    elif first is not None and weights and expected and total != expected[0] and card.rescale is None:
        departs = not percent and not profile.template.points_from_form
        yield form_finding("A05", form, indicator_location(first, 0, "weight", "全部指标"),
                           f"各指标分值合计为 {fmt(total)}，{expected[1]}" + ("（表中数字未见矛盾，与模板不同）" if departs
                                                                       else ""),
                           found=fmt(total), expected=fmt(expected[0]),
                           severity=Severity.WARNING if departs else None)
    if printed is not None and printed != profile.total and (percent or own is None or own[0] == printed):
        departs = not percent  # a percent form's total 分值 is its profile's points: nothing else adds up to it
        yield form_finding("A05", form, Location(block="total", row=form.total.row, column="分值", field="weight"),
                           f"总分分值印为 {form.total.weight}，按“{profile.title}”应为 {fmt(profile.total)}"
                           + ("（表中数字未见矛盾，与模板不同）" if departs else ""),
                           found=form.total.weight, expected=fmt(profile.total),
                           severity=Severity.WARNING if departs else None)


def _own_total_weight(form: Form, profile: Profile, weights: Decimal) -> tuple[Decimal, str]:
    """What the form's own weights add up to for its 总分 分值, and how it is said: the indicators' and, where
    the profile adds it to the total, the fund's (scoring.fund_weight: printed, else the profile's)."""
    if not profile.fund_in_total or profile.fund_weight == 0:
        return weights, ""
    fund, _ = fund_weight(form, profile)
    return weights + fund, f"，加预算执行分值 {fmt(fund)} 为 {fmt(weights + fund)}"


def _category_weights(form: Form) -> Iterator[Finding]:
    for name, points in form.points.items():
        rows = [(n, ind) for n, ind in enumerate(form.indicators) if stem(ind.level1) == stem(name)]
        weights = [w for _, ind in rows if (w := ind.weight_number) is not None]
        if points is None or not weights or sum(weights, Decimal(0)) == points:
            continue
        total = sum(weights, Decimal(0))
        n, first = rows[0]
        yield form_finding("A05", form, indicator_location(first, n, "weight", name),
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
        yield form_finding("A06", form, fund_location(total, index, column), message,
                           found=getattr(total, column), expected=expected)


def check_a07(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """A07: the seed template's two 分值 columns disagree on a row."""
    for n, ind in enumerate(form.indicators):
        if ind.weight_repeat is None or _same_number(ind.weight, ind.weight_repeat):
            continue
        yield form_finding("A07", form, indicator_location(ind, n, "weight"),
                           f"“{indicator_name(ind)}”的两列分值不一致：一处为 {ind.weight or '空白'}，另一处为 {ind.weight_repeat or '空白'}",
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
        yield form_finding("A08", form, fund_location(row, n, "executed"),
                           f"{_row_label(row)}的全年执行数 {row.executed} 大于全年预算数 {row.annual}",
                           found=row.executed, expected=f"≤{row.annual}")



def _fund_cell(row: FundRow, n: int, column: str) -> tuple[Location, str]:
    return fund_location(row, n, column), f"{_row_label(row)}的{FUND_CAPTIONS[column]}"


def _indicator_cell(ind: Indicator, n: int, column: str, caption: str) -> tuple[Location, str]:
    what = f"“{indicator_name(ind)}”的{caption or INDICATOR_CAPTIONS[column]}"
    return indicator_location(ind, n, column), what


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
        yield form_finding("V01", form, location, f"{what}无法识别：{error}", found=text)


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
        yield form_finding("V02", form, fund_location(row, n, "annual"),
                           f"{_row_label(row)}已填写全年执行数 {row.executed}，但全年预算数{state}，无法计算执行率，请补填全年预算数",
                           found=row.annual, expected="大于 0 的全年预算数")
