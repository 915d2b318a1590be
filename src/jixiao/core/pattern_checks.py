"""The patterns a reviewer should look at (P01–P10 but P05, and U01): targets, units, names and levels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from jixiao.core.findings import Finding, Location
from jixiao.core.form_findings import (
    form_finding,
    has_column,
    indicator_location,
    indicator_name,
    printed_target,
    scored_rows,
)
from jixiao.core.model import INDICATOR_CAPTIONS, Form, Indicator
from jixiao.core.profiles import Profile, stem
from jixiao.core.scoring import Scorecard, fmt
from jixiao.core.values import Kind, Op, Value, comparable_units, is_measurable_phrase

# Words of a project name that say nothing about what it is (P06).
_GENERIC_NAME_WORDS = ("专项经费", "专项资金", "补助经费", "补助资金", "经费", "资金", "专项", "项目", "补助",
                       "工作", "管理", "建设", "费用")
# Indicators whose percentage may pass 100% (P01): growth, not shares.
_GROWTH_WORDS = ("增长", "增加", "提高", "提升", "增幅", "增速", "倍")
_TARGET_WORDS = ("指标值", "目标值", "目标")


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
        yield form_finding("P01", form, indicator_location(ind, n, "target"),
                           f"“{indicator_name(ind)}”的年度指标值为 {printed_target(ind)}：{why}，请核实目标设定是否合理",
                           found=ind.target)


def _equal_numbers(ind: Indicator) -> bool:
    t, a = ind.target_value, ind.actual_value
    return t.number is not None and a.number is not None and t.number == a.number and t.unit == a.unit


def check_p02(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P02: an actual exactly equal to a ≥/≤ target (copied?); once more per form when all are equal."""
    rows = scored_rows(form, card)
    for n, ind, _ in rows:
        if ind.target_value.op in (Op.GE, Op.LE) and _equal_numbers(ind):
            yield form_finding("P02", form, indicator_location(ind, n, "actual"),
                               f"“{indicator_name(ind)}”实际完成值 {ind.actual} 与年度指标值 {printed_target(ind)} 恰好相同，请核实是否照抄目标",
                               found=ind.actual, expected="")
    if len(rows) >= 2 and all(_equal_numbers(ind) for _, ind, _ in rows):
        yield form_finding("P02", form, Location(block="indicators", column="实际完成值", field="actual"),
                           "所有指标的实际完成值都与年度指标值相同，请核实是否照抄目标")


def check_p03(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P03: target and actual both carry a unit, and not the same one (docs/domain.md §3).

    A bare number beside a unit is shorthand for it ("≥20%" and "15"), not a mismatch (comparable_units).
    """
    for n, ind, _ in scored_rows(form, card):
        t, a = ind.target_value, ind.actual_value
        if t.number is None or a.number is None or comparable_units(t, a):
            continue
        yield form_finding("P03", form, indicator_location(ind, n, "actual"),
                           f"“{indicator_name(ind)}”年度指标值 {printed_target(ind)} 的单位为“{t.unit}”，"
                           f"实际完成值 {ind.actual} 的单位为“{a.unit}”，无法直接比较，请统一单位",
                           found=a.unit, expected=t.unit)


def _owner(level2: str, profile: Profile) -> str | None:
    """The level-1 a level-2 type belongs to in the profile's tree ("数量" and "数量指标" alike)."""
    return _owner_in(level2, profile.level2_types)


@lru_cache(maxsize=1024)
def _owner_in(level2: str, level2_types: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    return next((level1 for level1, types in level2_types if any(stem(t) == stem(level2) for t in types)), None)


def _listed_under(ind: Indicator, profile: Profile) -> bool:
    """Whether the profile lists the level-2 under this very level-1 too (绩效 → 产出数量 in a framework)."""
    level1 = stem(profile.template.canonical(ind.level1))
    return any(stem(l1) == level1 and any(stem(t) == stem(ind.level2) for t in types)
               for l1, types in profile.level2_types)


def check_p04(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P04: a level-2 type under the wrong level-1 (社会效益指标 under 产出指标); once per level-2 cell."""
    previous: tuple[str, str] | None = None
    canonical = profile.template.canonical
    for n, ind in enumerate(form.indicators):
        group = (ind.level1, ind.level2)
        if group == previous:
            continue
        previous = group
        owner = _owner(ind.level2, profile)
        if owner is None or stem(owner) == stem(canonical(ind.level1)) or _listed_under(ind, profile):
            continue
        yield form_finding("P04", form, indicator_location(ind, n, "level2", ind.level2),
                           f"二级指标“{ind.level2}”属于“{owner}”，却列在“{ind.level1}”下",
                           found=ind.level1, expected=owner)


def check_p06(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P06: no key term of the project name appears in its goals or indicators (content of another project?)."""
    terms = _key_terms(form.project)
    text = "".join((form.goals.planned, form.goals.achieved,
                    *(f"{i.name}{i.target}{i.actual}" for i in form.indicators)))
    if not terms or not text or any(bigram in text for term in terms for bigram in _bigrams(term)):
        return
    yield form_finding("P06", form, Location(block="header", column="项目名称", field="project"),
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
        yield form_finding("P07", form, indicator_location(ind, n, "target"),
                           f"“{indicator_name(ind)}”列在数量指标下，却以百分比计量（{printed_target(ind)}），请核实指标类型",
                           found=ind.target)


def check_p08(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P08: a target or actual that cannot be read as a value (or is missing on a weighted row).

    Not on a form with no target column (决策/过程 frameworks score by a 评分标准 instead).
    """
    if not has_column(form, _TARGET_WORDS):
        return
    for n, ind, _ in scored_rows(form, card):
        target, actual = ind.target_value, ind.actual_value
        if target.kind is Kind.BLANK and actual.kind is Kind.BLANK:
            yield form_finding("P08", form, indicator_location(ind, n, "target"),
                               f"“{indicator_name(ind)}”的年度指标值和实际完成值都未填写，无法核对得分")
            continue
        for column, value in (("target", target), ("actual", actual)):
            if value.kind in (Kind.BLANK, Kind.UNREADABLE):
                yield form_finding("P08", form, indicator_location(ind, n, column),
                                   _unreadable_message(ind, column, value), found=value.text)


def _unreadable_message(ind: Indicator, column: str, value: Value) -> str:
    caption = INDICATOR_CAPTIONS[column]
    if value.kind is Kind.BLANK:
        return f"“{indicator_name(ind)}”的{caption}未填写，无法核对得分"
    return f"“{indicator_name(ind)}”的{caption}无法识别：{value.error or value.text}"


def check_p09(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P09: a level-1 category the profile requires has no indicator."""
    if profile.template.level1_aliases:
        canonical = profile.template.canonical
        present = {stem(canonical(i.level1)) for i in form.indicators if not i.is_blank}
    else:
        present = {stem(i.level1) for i in form.indicators if not i.is_blank}
    for name, points in profile.category_points:
        if stem(name) in present:
            continue
        yield form_finding("P09", form, Location(block="indicators", column="一级指标", indicator=name, field="level1"),
                           f"缺少一级指标“{name}”（按“{profile.title}”应有 {fmt(points)} 分）",
                           expected=name)


def check_p10(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """P10: a qualitative target with no measurable standard (效果明显, 显著提高)."""
    for n, ind in enumerate(form.indicators):
        target = ind.target_value
        if target.kind is not Kind.QUALITATIVE or is_measurable_phrase(target.phrase):
            continue
        yield form_finding("P10", form, indicator_location(ind, n, "target"),
                           f"“{indicator_name(ind)}”的年度指标值“{printed_target(ind)}”没有可衡量的标准，建议改为可量化的指标值",
                           found=ind.target)



def check_u01(form: Form, profile: Profile, card: Scorecard) -> Iterator[Finding]:
    """U01: the form's template fits no profile; only template-free rules were applied, nothing scored."""
    if not profile.template.template_free:
        return
    yield form_finding("U01", form, Location(block="header", column="模板"),
                       "本表的格式与已有的评分规则都不相符，只按与模板无关的规则复核（总分与各项得分之和、执行率、"
                       "得分不超过分值、未完成须说明原因、单位一致），未重新计分。如需按本地模板复核，请运行"
                       "“jixiao profile init 本文件 -o 新规则.toml”生成规则草稿，核对后用“--profile 新规则.toml”复核。")
