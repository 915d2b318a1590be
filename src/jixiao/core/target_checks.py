"""Checks T01–T15 of the 绩效目标申报表 (docs/cycle.md §2.7), and Y01: a self-evaluation against its approved target."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import Form, Indicator
from jixiao.core.pattern_checks import check_p01, check_p04, check_p10
from jixiao.core.profiles import Profile
from jixiao.core.scoring import score_form
from jixiao.core.target import INDICATOR_CAPTIONS, SET_NAMES, SETS, Target, TargetIndicator, indicator_key
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import Kind, Value, format_number, parse_number, parse_value, same_unit
from jixiao.core.yearrules import TargetRules

CODES: dict[str, tuple[Severity, str]] = {
    "T01": (Severity.ERROR, "资金总额与分项之和不符"),
    "T02": (Severity.ERROR, "中期资金总额小于年度资金总额"),
    "T03": (Severity.WARNING, "缺少一级指标"),
    "T04": (Severity.WARNING, "产出指标不完整"),
    "T05": (Severity.WARNING, "年度目标缺失或与指标无关"),
    "T06": (Severity.WARNING, "定量指标的性质、数值或单位不完整"),
    "T07": (Severity.INFO, "定性指标缺少分级标准"),
    "T08": (Severity.WARNING, "把投入当作产出目标"),
    "T09": (Severity.WARNING, "目标值只有完美结果才能达到或无法达到"),
    "T10": (Severity.WARNING, "目标值低于上年实际水平"),
    "T11": (Severity.INFO, "目标值远高于上年实际水平"),
    "T12": (Severity.WARNING, "权重合计不符"),
    "T13": (Severity.WARNING, "同一指标重复"),
    "T14": (Severity.WARNING, "跨年度项目缺少中期目标"),
    "T15": (Severity.WARNING, "二级指标归属的一级指标有误"),
    "Y01": (Severity.WARNING, "自评表与批复的绩效目标不一致"),
}
# Words too common in indicator names to show that a goal and an indicator speak of the same thing.
_GENERIC_BIGRAMS = frozenset({"指标", "完成", "情况", "工作", "项目", "数量", "质量", "时效", "成本", "效益",
                              "满意", "意度", "及时", "率", "开展", "提高", "提升"})


def _finding(code: str, target: Target, location: Location, message: str, found: str = "",
             expected: str = "") -> Finding:
    return Finding(code, CODES[code][0], 1, target.project, location, found, expected, message)


def _where(ind: TargetIndicator, index: int, field_name: str = "") -> Location:
    return Location(block="indicators", column=INDICATOR_CAPTIONS.get(field_name, ""), indicator=ind.label,
                    field=field_name, index=index)


def _stem(text: str) -> str:
    return indicator_key(text, "", "")[0]


def _amount_text(number: Decimal) -> str:
    return format_number(number.normalize()) if number == number.to_integral() else format_number(number)


def check_t01(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T01: a fund set's 资金总额 ≠ the sum of its sub-rows (财政拨款 + 结转 + 其他)."""
    for which in ("annual", "medium"):
        rows = target.fund_set(which)
        total = next((f for f in rows if f.kind == "total"), None)
        parts = [n for f in rows if f.kind != "total" and (n := f.number) is not None]
        if total is None or total.number is None or not parts:
            continue
        expected = sum(parts, Decimal(0))
        if printed_matches(total.number, expected):
            continue
        index = target.funds.index(total)
        yield _finding("T01", target, Location(block="funds", column=f"{SET_NAMES[which]}资金总额", field="amount",
                                               index=index),
                       f"{SET_NAMES[which]}资金总额填为 {total.amount} 万元，而其下各项之和为 {_amount_text(expected)} 万元",
                       found=total.amount, expected=_amount_text(expected))


def _set_total(target: Target, which: str) -> Decimal | None:
    total = next((f for f in target.fund_set(which) if f.kind == "total"), None)
    return total.number if total is not None else None


def check_t02(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T02: a multi-year project whose 中期资金总额 is smaller than its 年度资金总额."""
    medium, annual = _set_total(target, "medium"), _set_total(target, "annual")
    if not target.multi_year or medium is None or annual is None or medium >= annual:
        return
    yield _finding("T02", target, Location(block="funds", column="中期资金总额", field="amount"),
                   f"中期资金总额 {_amount_text(medium)} 万元小于年度资金总额 {_amount_text(annual)} 万元，"
                   "中期资金应包含本年度资金", found=_amount_text(medium), expected=f"≥{_amount_text(annual)}")


def check_t03(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T03: a level-1 category the year's profile requires (产出, 效益, 满意度; 成本 under 101号) is missing."""
    present = {_stem(i.level1) for i in target.indicator_set("annual")}
    for name, _ in profile.category_points:
        if _stem(name) not in present:
            yield _finding("T03", target, Location(block="indicators", column="一级指标", indicator=name,
                                                   field="level1"),
                           f"年度绩效指标缺少一级指标“{name}”（按“{profile.title}”应设置）", expected=name)


def check_t04(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T04: 产出 has no 数量 indicator, or no 质量/时效 indicator."""
    outputs = [i for i in target.indicator_set("annual") if _stem(i.level1) == _stem(rules.output_level1)]
    if not outputs:
        return  # T03 says the whole category is missing
    types = {_stem(i.level2) for i in outputs}
    for wanted, what in ((rules.quantity_types, "数量"), (rules.quality_types, "质量或时效")):
        if not types & {_stem(t) for t in wanted}:
            yield _finding("T04", target, Location(block="indicators", column="二级指标",
                                                   indicator=rules.output_level1, field="level2"),
                           f"“{rules.output_level1}”下没有{what}指标（{'、'.join(wanted)}），产出目标应细化到数量、质量、时效",
                           expected="、".join(wanted))


def _grams(text: str, size: int) -> set[str]:
    plain = "".join(text.split())
    return {plain[i:i + size] for i in range(len(plain) - size + 1)} - _GENERIC_BIGRAMS


def _relates(goals: str, name: str) -> bool:
    """A goal speaks of an indicator: three characters of its name in a row, or two separate pairs of them."""
    return any(g in goals for g in _grams(name, 3)) or len({g for g in _grams(name, 2) if g in goals}) >= 2


def check_t05(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T05: no 年度总体目标, or not one of its words is measured by an indicator (相关性)."""
    goals = [g for g in target.goals_annual if g.strip()]
    where = Location(block="goals", column="年度目标", field="goals.annual")
    if not goals:
        yield _finding("T05", target, where, "年度总体目标未填写：应概括本年度的产出和效果，并由绩效指标细化")
        return
    text = "".join(goals)
    names = [i.name for i in target.indicator_set("annual") if i.name]
    if names and not any(_relates(text, n) for n in names):
        yield _finding("T05", target, where, "年度总体目标中没有一处与绩效指标相对应，指标应能衡量目标的实现程度",
                       found=text[:60])


def check_t06(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T06: a quantitative indicator without 指标性质, number or unit, or a rate not in %."""
    for n, ind in enumerate(target.indicators):
        value = ind.target_value
        if value.kind is Kind.UNREADABLE:
            yield _finding("T06", target, _where(ind, n, "target"),
                           f"“{ind.label}”的指标值无法识别：{value.error}", found=ind.target)
            continue
        if value.number is None:
            continue
        missing = [what for what, absent in (("指标性质（≥、≤、=）", value.op is None), ("度量单位", not value.unit))
                   if absent]
        if missing:
            yield _finding("T06", target, _where(ind, n, "op" if value.op is None else "unit"),
                           f"“{ind.label}”的指标值 {ind.target} 缺少{'和'.join(missing)}", found=ind.target)
        elif any(w in ind.name for w in rules.rate_words) and value.unit != "%" and not _is_count_word(ind.name):
            yield _finding("T06", target, _where(ind, n, "unit"),
                           f"“{ind.label}”是比率类指标，度量单位却是“{value.unit}”，应以 % 计量",
                           found=value.unit, expected="%")


def _is_count_word(name: str) -> bool:
    """Names like 利用率提升次数 count things although they contain 率: keep T06 quiet on them."""
    return name.endswith(("次数", "个数", "人数", "数量"))


def _pseudo_form(target: Target) -> Form:
    """The indicators as a self-evaluation form, so that the checks P01, P04 and P10 read them as they read 自评."""
    return Form(project=target.project, year=target.year, indicators=tuple(
        Indicator(i.level1, i.level2, i.name, weight=i.weight, target=i.target) for i in target.indicators))


def _reused(target: Target, profile: Profile, check: Any, code: str) -> Iterator[Finding]:
    form = _pseudo_form(target)
    for f in check(form, profile, score_form(form, profile)):
        yield replace(f, code=code, severity=CODES[code][0], message=f.message.replace("年度指标值", "指标值"))


def check_t07(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T07: a qualitative indicator with no measurable standard (P10) and no 评（扣）分标准 to grade it."""
    for f in _reused(target, profile, check_p10, "T07"):
        index = f.location.index
        if index is not None and target.indicators[index].standard.strip():
            continue
        yield replace(f, message=f.message + "，或在“评（扣）分标准”中写明分级分档的标准")


def check_t08(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T08: an input (资金到位, 预算执行, 人员到岗) stated as an output target."""
    for n, ind in enumerate(target.indicators):
        word = next((w for w in rules.input_words if w in ind.name), "")
        if word and _stem(ind.level1) == _stem(rules.output_level1):
            yield _finding("T08", target, _where(ind, n, "name"),
                           f"“{ind.label}”衡量的是投入（{word}），不是产出：财力、人力、物力等投入不能作为绩效目标",
                           found=ind.name)


def check_t09(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T09: 满意度 ≥100%, or a share above 100% (P01)."""
    yield from _reused(target, profile, check_p01, "T09")


def _comparable(ind: TargetIndicator) -> tuple[Value, Value] | None:
    target, history = ind.target_value, parse_value(ind.history)
    if target.number is None or history.number is None or not same_unit(target, history):
        return None
    return target, history


def check_t10(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T10: a target below last year's actual (above it for a ≤ target): set too low (适当性)."""
    for n, ind in enumerate(target.indicators):
        pair = _comparable(ind)
        if pair is None:
            continue
        t, h = pair
        assert t.number is not None and h.number is not None
        low = t.number > h.number if t.kind is Kind.REVERSE else t.number < h.number
        if low:
            yield _finding("T10", target, _where(ind, n, "target"),
                           f"“{ind.label}”的指标值 {ind.target} 比上年度实际水平 {ind.history} 还{'宽松' if t.kind is Kind.REVERSE else '低'}，"
                           "目标可能定得过低", found=ind.target, expected=ind.history)


def check_t11(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T11: a positive target far above last year's actual (≥ the setting's ratio, 1.5×)."""
    for n, ind in enumerate(target.indicators):
        pair = _comparable(ind)
        if pair is None or pair[0].kind is not Kind.POSITIVE:
            continue
        t, h = pair
        assert t.number is not None and h.number is not None
        if h.number > 0 and t.number >= rules.overshoot_ratio * h.number:
            yield _finding("T11", target, _where(ind, n, "target"),
                           f"“{ind.label}”的指标值 {ind.target} 是上年度实际水平 {ind.history} 的 "
                           f"{_amount_text((t.number / h.number).quantize(Decimal('0.01')))} 倍，请说明依据，目标可能定得过高",
                           found=ind.target, expected=f"<{_amount_text(rules.overshoot_ratio)}×{ind.history}")


def check_t12(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T12: where weights are set at declaration, a set's weights must sum to the setting's total."""
    if not rules.weights_at_declaration:
        return
    for which in SETS:
        rows = target.indicator_set(which)
        if not rows:
            continue
        weights = [parse_number(i.weight) for i in rows]
        total = sum((w for w in weights if w is not None), Decimal(0))
        if None in weights or total != rules.weight_total:
            blank = "，且有指标未填写权重" if None in weights else ""
            yield _finding("T12", target, Location(block="indicators", column="权重", field="weight",
                                                   indicator=f"{SET_NAMES[which]}绩效指标"),
                           f"{SET_NAMES[which]}绩效指标的权重合计为 {_amount_text(total)}{blank}，应为 {_amount_text(rules.weight_total)}",
                           found=_amount_text(total), expected=_amount_text(rules.weight_total))


def check_t13(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T13: the same indicator name twice in one set."""
    for which in SETS:
        seen: dict[str, int] = {}
        for n, ind in enumerate(target.indicators):
            if ind.set != which or not ind.name.strip():
                continue
            k = _stem(ind.name)
            if k in seen:
                yield _finding("T13", target, _where(ind, n, "name"),
                               f"{SET_NAMES[which]}绩效指标中“{ind.name}”出现了两次，请合并或改名", found=ind.name)
            seen.setdefault(k, n)


def check_t14(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T14: a multi-year project (项目期 over several years) with no 中期 goal or no 中期 indicators."""
    years = target.years
    if years is None or years[1] <= years[0]:
        return
    for missing, what in ((not any(g.strip() for g in target.goals_medium), "中期目标"),
                          (not target.indicator_set("medium"), "中期绩效指标")):
        if missing:
            yield _finding("T14", target, Location(block="goals" if what == "中期目标" else "indicators",
                                                   column=what, field="medium"),
                           f"项目期为 {years[0]}—{years[1]} 年，跨年度项目应填写{what}", expected=what)


def check_t15(target: Target, rules: TargetRules, profile: Profile) -> Iterator[Finding]:
    """T15: a level-2 type under the wrong level-1 (P04)."""
    yield from _reused(target, profile, check_p04, "T15")


TARGET_CHECKS = (check_t01, check_t02, check_t03, check_t04, check_t05, check_t06, check_t07, check_t08,
                 check_t09, check_t10, check_t11, check_t12, check_t13, check_t14, check_t15)


def check_target(target: Target, rules: TargetRules, profile: Profile) -> list[Finding]:
    """Every T-finding of a declaration, errors first, then by code and place.

    profile is the self-evaluation profile of the year: its level-1 categories are the ones a target
    must have (T03) and its level-2 tree is the one T15 checks against.
    """
    findings = [f for check in TARGET_CHECKS for f in check(target, rules, profile)]
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.location.index or 0))
    return findings


# ---------------------------------------------------------------------------------------------
# The self-evaluation against its approved target (docs/cycle.md §2.7, issue 11 point 5)


def _difference(form: Form, location: Location, message: str, found: str = "", expected: str = "") -> Finding:
    return Finding("Y01", CODES["Y01"][0], 1, form.project, location, found, expected, message)


def compare_with_target(form: Form, target: Target) -> list[Finding]:
    """Y01 findings where a self-evaluation's indicators, 年度指标值 or weights differ from the approved target.

    Indicators are matched by their level names (blanks and "指标" suffixes ignored); a weight is
    compared only where the target sets one.
    """
    approved = {indicator_key(i.level1, i.level2, i.name): i for i in target.indicator_set("annual")}
    findings = []
    seen = set()
    for n, ind in enumerate(form.indicators):
        if ind.is_blank:
            continue
        k = indicator_key(ind.level1, ind.level2, ind.name)
        where = Location(block="indicators", row=ind.row, column="三级指标", indicator=ind.name or ind.level2,
                         field="name", index=n)
        if k not in approved:
            findings.append(_difference(form, where, f"“{ind.name}”不在批复的绩效目标（第 {target.version} 版）中，"
                                        "自评应使用批复的指标", found=ind.name))
            continue
        seen.add(k)
        goal = approved[k]
        if parse_value(ind.target).format() != goal.target_value.format():
            findings.append(_difference(form, replace(where, column="年度指标值", field="target"),
                                        f"“{ind.name}”的年度指标值为 {ind.target or '空白'}，批复的目标为 {goal.target}",
                                        found=ind.target, expected=goal.target))
        target_weight, weight = parse_number(goal.weight), parse_number(ind.weight)
        if target_weight is not None and weight != target_weight:
            findings.append(_difference(form, replace(where, column="分值", field="weight"),
                                        f"“{ind.name}”的分值为 {ind.weight or '空白'}，批复的目标为 {goal.weight}",
                                        found=ind.weight, expected=goal.weight))
    for k, goal in approved.items():
        if k not in seen:
            findings.append(_difference(form, Location(block="indicators", column="三级指标", indicator=goal.label,
                                                       field="name"),
                                        f"批复的指标“{goal.label}”（{goal.target}）在自评表中缺失",
                                        expected=goal.label))
    return findings
