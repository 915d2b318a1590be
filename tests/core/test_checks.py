"""Every code of domain.md §5 (and V01, V02): one change that makes it fire, one that keeps it quiet."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from helpers import CLEAN, build, findings, only, profile, sample_forms, with_fund, with_indicator
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.checks import check_batch, check_form
from jixiao.core.findings import Severity
from jixiao.core.form_findings import CODES
from jixiao.core.model import Form
from jixiao.core.scoring import score_form
from jixiao.core.tolerance import printed_matches

# Level-2 and level-1 cells of the clean form's rows: 0 数量, 1 质量, 2 时效, 3 满意度.
QUANTITY, QUALITY, TIMELINESS, SATISFACTION = range(4)


def test_the_clean_form_has_no_finding() -> None:
    assert findings(build()) == []


def test_every_code_of_the_spec_has_a_severity_and_a_title() -> None:
    expected = {f"A0{n}" for n in range(1, 9)} | {f"R0{n}" for n in range(1, 8)} | {
        f"P{n:02}" for n in range(1, 11)} | {"V01", "V02", "R08", "U01"}  # R08, U01: issue 9
    assert set(CODES) == expected
    assert all(Severity(sev) and title for sev, title in CODES.values())


@pytest.mark.parametrize(
    ("printed", "true", "right"),
    [("94.06", "94.0666667", True), ("94.07", "94.0666667", True), ("94.1", "94.0666667", True),
     ("94.05", "94.0666667", False), ("10", "5.6", False), ("22", "22.5", True), ("23", "22.5", True),
     ("8.1", "8.0625", True)],
)
def test_a_printed_number_is_right_when_rounded_or_truncated(printed: str, true: str, right: bool) -> None:
    assert printed_matches(Decimal(printed), Decimal(true)) is right


@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=-4, max_value=3),
       st.integers(min_value=-2000, max_value=2000))
def test_printed_matches_is_the_rounded_or_truncated_true_value(coefficient: int, exponent: int, offset: int) -> None:
    """The fast comparison agrees with domain.md §5 read literally, for any printed exponent.

    The printed number is coefficient × 10^exponent (so 1E+1 and 10.000 alike); the true value lies
    within two of its last printed units, where rounding and truncation differ.
    """
    printed = Decimal(coefficient).scaleb(exponent)
    true = printed + Decimal(offset).scaleb(exponent - 3)
    places = max(0, -printed.as_tuple().exponent)
    step = Decimal(1).scaleb(-places)
    literal = printed in (true.quantize(step, rounding=ROUND_HALF_UP), true.quantize(step, rounding=ROUND_DOWN))
    assert printed_matches(printed, true) is literal


# ---------------------------------------------------------------- A


def test_a01_fires_on_a_wrong_rate() -> None:
    form = with_fund(build(), "appropriation", rate="90%")
    [finding] = only("A01", form)
    assert (finding.found, finding.expected) == ("90%", "95.00%")
    assert finding.location.column == "执行率"


def test_a01_quiet_on_a_truncated_rate() -> None:
    form = with_fund(build(), "appropriation", executed="28.22", annual="30", initial="30", rate="94.06%")
    form = with_fund(form, "total", executed="28.22", annual="30", initial="30", rate="94.06%", score="9.4")
    assert only("A01", form) == []


def test_a02_fires_on_a_fund_score_above_weight_times_rate() -> None:
    form = with_fund(build(), "total", score="9.9")
    [finding] = only("A02", form)
    assert (finding.found, finding.expected) == ("9.9", "9.50")
    assert "9.50" in finding.message


def test_a02_quiet_when_the_printed_score_truncates_the_true_one() -> None:
    form = with_fund(build(), "appropriation", executed="9.47", rate="94.7%")
    form = with_fund(form, "total", executed="9.47", rate="94.7%", score="9")
    assert only("A02", form) == []


def test_a02_holds_the_score_to_the_fund_weight_the_form_prints() -> None:
    # 20 × 95% = 19: consistent with its printed 分值, though the profile's fund weight is 10
    assert only("A02", with_fund(build(), "total", weight="20", score="19")) == []
    [finding] = only("A02", with_fund(build(), "total", weight="20", score="9.5"))
    assert (finding.found, finding.expected) == ("9.5", "19.00") and "印出的分值 20" in finding.message


def test_a02_uses_the_profile_s_fund_weight_when_the_fund_block_prints_no_weight() -> None:
    # Hubei prints no 分值 in its fund block (its 20 分 is in the caption): the profile's weight applies
    no_weight = replace(build(), funds=tuple(replace(f, weight="") for f in build().funds))
    [finding] = only("A02", with_fund(no_weight, "total", score="9.9"))
    assert (finding.found, finding.expected) == ("9.9", "9.50")
    assert only("A02", with_fund(no_weight, "total", score="9.5")) == []


def test_a02_is_silent_under_the_template_free_profile_that_knows_no_fund_weight() -> None:
    no_weight = replace(build(), funds=tuple(replace(f, weight="") for f in build().funds))
    assert only("A02", with_fund(no_weight, "total", score="3"), "template-free") == []


def test_a03_fires_on_a_total_that_is_not_the_sum() -> None:
    form = build(total=("100", "98"))
    [finding] = only("A03", form)
    assert (finding.found, finding.expected) == ("98", "100")
    assert finding.message == "总分得分印为 98，各指标得分之和为 100"


def test_a03_quiet_when_the_total_adds_up() -> None:
    form = with_indicator(build(total=("100", "96")), QUALITY, actual="80%", score="21", reason="培训时间不足")
    assert only("A03", form) == []


def test_a03_adds_the_fund_score_where_the_profile_says_so() -> None:
    mof = mof_form(total=("100", "98"))
    [finding] = only("A03", mof, "mof-2020")
    assert finding.expected == "99.5"  # 9.5 + 90
    assert only("A03", mof_form(total=("100", "99.5")), "mof-2020") == []


def test_a04_fires_on_a_score_above_the_weight_or_below_zero() -> None:
    over = with_indicator(build(), QUANTITY, score="30")
    negative = with_indicator(build(), QUANTITY, score="-1", reason="未完成")
    assert [f.found for f in only("A04", over)] == ["30"]
    assert [f.found for f in only("A04", negative)] == ["-1"]


def test_a04_quiet_within_the_weight() -> None:
    assert only("A04", with_indicator(build(), QUANTITY, score="0", actual="0", reason="未开展")) == []


def test_a05_fires_on_weights_that_miss_the_points_label() -> None:
    form = with_indicator(build(), QUANTITY, weight="20", score="20")
    found = {(f.location.indicator, f.found, f.expected) for f in only("A05", form)}
    assert found == {("产出指标", "70", "75"), ("全部指标", "95", "100")}


def test_a05_quiet_when_a_not_applicable_row_is_rescaled() -> None:
    form = with_indicator(build(), TIMELINESS, weight="/", target="不适用", actual="不适用", score="/")
    form = replace(form, category_points=(("产出指标", "50"), ("满意度指标", "25")))
    assert only("A05", form) == []


def test_a06_fires_on_a_blank_total_where_sub_rows_have_values() -> None:
    form = with_fund(build(), "total", executed="")
    [finding] = only("A06", form)
    assert (finding.location.column, finding.found, finding.expected) == ("全年执行数", "", "9.5")


def test_a06_quiet_when_the_total_is_the_sum() -> None:
    form = replace(build(), funds=(*build().funds, replace(build().funds[1], kind="other", initial="", annual="",
                                                              executed="", rate="")))
    assert only("A06", form) == []


def test_a07_fires_when_the_two_weight_columns_disagree() -> None:
    form = with_indicator(build(), QUALITY, weight_repeat="20")
    [finding] = only("A07", form)
    assert (finding.found, finding.expected, finding.location.row) == ("20", "25", 11)


@pytest.mark.parametrize("repeat", [None, "25", "25.0"])
def test_a07_quiet_when_they_agree_or_there_is_no_second_column(repeat: str | None) -> None:
    assert only("A07", with_indicator(build(), QUALITY, weight_repeat=repeat)) == []


def test_a08_fires_when_more_was_spent_than_budgeted() -> None:
    form = with_fund(build(), "appropriation", executed="12", rate="120%")
    assert [f.found for f in only("A08", form)] == ["12"]


def test_a08_quiet_within_the_budget() -> None:
    assert only("A08", build()) == []


# ---------------------------------------------------------------- R


def test_r01_fires_on_a_score_the_formula_does_not_give() -> None:
    form = with_indicator(build(), TIMELINESS, actual="96%", score="23", reason="部分延期")
    [finding] = only("R01", form)
    assert (finding.found, finding.expected) == ("23", "24.00")
    assert "96 ÷ 100 × 25 = 24.00" in finding.message


def test_r01_quiet_when_the_printed_score_truncates_the_rule() -> None:
    form = with_indicator(build(), QUALITY, target="≥10%", actual="9%", score="22", reason="案件减少")
    assert only("R01", form) == []  # 9 ÷ 10 × 25 = 22.5


def test_r02_fires_when_the_target_was_met_yet_points_deducted() -> None:
    form = with_indicator(build(), QUALITY, actual="90%", score="20", reason="积极性不高")
    [finding] = only("R02", form)
    assert (finding.found, finding.expected) == ("20", "25")
    assert only("R01", form) == []  # the same cell is not reported twice


def test_r02_quiet_when_the_target_was_missed() -> None:
    assert only("R02", with_indicator(build(), QUALITY, actual="85%", score="20", reason="积极性不高")) == []


def test_r03_fires_when_the_target_was_missed_yet_full_points_given() -> None:
    form = with_indicator(build(), QUALITY, actual="72%")
    [finding] = only("R03", form)
    assert (finding.found, finding.expected) == ("25", "20.00")
    assert only("R01", form) == []


def test_r03_quiet_when_the_shortfall_rounds_to_full_points() -> None:
    assert only("R03", with_indicator(build(), TIMELINESS, actual="99%")) == []  # 24.75 rounds to 25


def test_r04_fires_when_points_are_deducted_without_a_reason() -> None:
    form = with_indicator(build(), QUALITY, actual="72%", score="20")
    [finding] = only("R04", form)
    assert finding.location.column == "未完成原因"


def test_r04_quiet_with_a_reason() -> None:
    assert only("R04", with_indicator(build(), QUALITY, actual="72%", score="20", reason="考试难度提高")) == []


def test_r05_fires_on_a_qualitative_score_outside_its_tier() -> None:
    form = with_indicator(build(), TIMELINESS, target="按时完成", actual="部分完成", score="24", reason="延期")
    [finding] = only("R05", form)
    assert (finding.found, finding.expected) == ("24", "15.00–20.00")


@pytest.mark.parametrize(("actual", "score"), [("部分完成", "18"), ("达成预期指标", "21"), ("见附件", "12")])
def test_r05_quiet_inside_the_band_or_when_the_tier_is_not_named(actual: str, score: str) -> None:
    form = with_indicator(build(), TIMELINESS, target="按时完成", actual=actual, score=score, reason="延期")
    assert only("R05", form) == []


def test_r06_fires_on_a_target_exceeded_by_half_with_no_explanation() -> None:
    form = with_indicator(build(), QUALITY, target="≥3%", actual="5%")
    [finding] = only("R06", form)
    assert finding.found == "5%"


@pytest.mark.parametrize(("target", "actual", "reason"),
                         [("≥3%", "5%", "新增执法依据清理任务"), ("≥90%", "95%", ""), ("≤30%", "10%", "")])
def test_r06_quiet_with_a_reason_below_130_percent_or_for_reverse_targets(target: str, actual: str,
                                                                           reason: str) -> None:
    assert only("R06", with_indicator(build(), QUALITY, target=target, actual=actual, reason=reason)) == []


def test_r07_fires_below_90_percent_execution() -> None:
    form = with_fund(build(), "appropriation", executed="7.56", rate="75.6%")
    form = with_fund(form, "total", executed="7.56", rate="75.6%", score="7.56")
    [finding] = only("R07", form)
    assert finding.found == "75.60%"


def test_r07_quiet_at_95_percent() -> None:
    assert only("R07", build()) == []


# ---------------------------------------------------------------- P


def test_p01_fires_on_satisfaction_of_100_percent_and_a_share_above_it() -> None:
    perfect = with_indicator(build(), SATISFACTION, target="≥100%", actual="97%", score="24.25", reason="个别不满意")
    impossible = with_indicator(build(), QUALITY, target="≥105%", actual="100%", score="23.81", reason="不可能")
    assert [f.found for f in only("P01", perfect)] == ["≥100%"]
    assert [f.found for f in only("P01", impossible)] == ["≥105%"]


@pytest.mark.parametrize(("row", "target", "name"),
                         [(TIMELINESS, "=100%", "按期完成率"), (QUALITY, "≥150%", "培训人数增长率")])
def test_p01_quiet_on_a_completion_target_or_a_growth_rate(row: int, target: str, name: str) -> None:
    form = with_indicator(build(), row, target=target, actual="150%", name=name)
    assert only("P01", form) == []


def test_p02_fires_on_an_actual_equal_to_an_at_least_target() -> None:
    form = with_indicator(build(), QUANTITY, actual="4")
    assert [f.found for f in only("P02", form)] == ["4"]


def test_p02_fires_once_more_when_every_actual_equals_its_target() -> None:
    spec = {**CLEAN, "indicators": [
        "产出指标 | 数量指标 | 培训班次 | 50 | =4 | 4 | 50 | ",
        "满意度指标 | 服务对象满意度指标 | 学员满意度 | 25 | =90% | 90% | 25 | ",
        "产出指标 | 质量指标 | 培训合格率 | 25 | =90% | 90% | 25 | "]}
    found = only("P02", build(spec))
    assert len(found) == 1 and found[0].location.index is None


def test_p02_quiet_on_an_equal_target_met_exactly() -> None:
    assert only("P02", build()) == []  # =100% met by 100% is what an "=" target asks


@pytest.mark.parametrize(("target", "actual", "found", "expected"),
                         [("≥50个", "52人次", "人次", "个"), ("≥90%", "95个", "个", "%"), ("≤10天", "8万元", "万元", "天")])
def test_p03_fires_when_target_and_actual_carry_different_units(target: str, actual: str, found: str,
                                                               expected: str) -> None:
    [finding] = only("P03", with_indicator(build(), QUANTITY, target=target, actual=actual))
    assert (finding.found, finding.expected) == (found, expected)
    assert f"“{expected}”" in finding.message and f"“{found}”" in finding.message


@pytest.mark.parametrize(("target", "actual"), [("≥50个", "52个"), ("≥100百分比", "100%"), ("≥90％", "95%")])
def test_p03_quiet_on_the_same_unit(target: str, actual: str) -> None:
    assert only("P03", with_indicator(build(), QUANTITY, target=target, actual=actual)) == []


@pytest.mark.parametrize(("target", "actual"), [("≥20%", "25"), ("≥20%", "15"), ("≥50个", "52"), ("≥50", "52个")])
def test_p03_quiet_on_a_bare_number_beside_the_other_sides_unit(target: str, actual: str) -> None:
    """Friction point 11: "实际完成值 25 的单位为“无”" on a bare 25 beside ≥20% is noise; it is shorthand."""
    assert only("P03", with_indicator(build(), QUALITY, target=target, actual=actual)) == []


def test_p03_quiet_on_a_bare_actual_beside_a_split_targets_unit() -> None:
    form = with_indicator(build(), QUANTITY, target="50", target_nature="≥", target_unit="个", actual="50")
    assert form.indicators[QUANTITY].target_value.unit == "个"
    assert only("P03", form) == []


def test_r08_judges_a_bare_actual_beside_the_targets_unit() -> None:
    """A target missed on a row without a score (R04 can't judge it): 15 beside ≥20% is 15%, and missed."""
    form = with_indicator(build(), QUALITY, target="≥20%", actual="15", score="", reason="")
    [finding] = only("R08", form)
    assert finding.location.indicator == "培训合格率"
    assert only("R08", with_indicator(form, QUALITY, actual="25")) == []


def test_p04_fires_once_per_level2_cell_under_the_wrong_level1() -> None:
    form = with_indicator(build(), QUALITY, level2="社会效益指标")
    form = with_indicator(form, TIMELINESS, level2="社会效益指标")
    [finding] = only("P04", form)
    assert (finding.found, finding.expected) == ("产出指标", "效益指标")


def test_p04_quiet_on_the_standard_tree() -> None:
    assert only("P04", build()) == []


def test_p05_reports_each_form_sharing_a_name_with_different_content() -> None:
    first, second = build(), with_indicator(build(), QUANTITY, actual="6")
    found = check_batch([first, build(project="另一个项目"), second])
    assert [(f.code, f.form_index) for f in found] == [("P05", 1), ("P05", 3)]


def test_p05_quiet_for_the_same_form_twice_or_different_names() -> None:
    assert check_batch([build(), build()]) == []
    assert check_batch([build(), build(project="另一个项目")]) == []


def test_p06_fires_when_the_project_name_is_nowhere_in_its_content() -> None:
    form = build(project="社区矫正专项经费")
    [finding] = only("P06", form)
    assert "社区矫正" in finding.message


def test_p06_quiet_when_a_key_term_appears() -> None:
    assert only("P06", build(project="律师、业务培训管理专项经费")) == []


def test_p07_fires_on_a_quantity_in_percent() -> None:
    form = with_indicator(build(), QUANTITY, name="服务工作人员数", target="≥70%", actual="75%")
    assert [f.location.indicator for f in only("P07", form)] == ["服务工作人员数"]


def test_p07_quiet_on_a_quantity_in_units() -> None:
    assert only("P07", with_indicator(build(), QUANTITY, target="≥4期", actual="5期")) == []


@pytest.mark.parametrize(("target", "actual"), [("≥1O0%", "95%"), ("", "95%"), ("", "")])
def test_p08_fires_on_an_unreadable_or_missing_value(target: str, actual: str) -> None:
    form = with_indicator(build(), QUALITY, target=target, actual=actual)
    assert len(only("P08", form)) == 1


def test_p08_quiet_on_readable_values() -> None:
    assert only("P08", with_indicator(build(), TIMELINESS, target="按时完成", actual="按时完成")) == []


def test_p09_fires_when_a_required_level1_is_missing() -> None:
    form = replace(build(), indicators=build().indicators[:3])
    [finding] = only("P09", form)
    assert finding.expected == "满意度指标"


def test_p09_quiet_when_every_level1_is_there() -> None:
    assert only("P09", build()) == []


def test_p10_fires_on_a_vague_qualitative_target() -> None:
    form = with_indicator(build(), TIMELINESS, target="效果明显", actual="达成预期指标")
    assert [f.found for f in only("P10", form)] == ["效果明显"]


def test_p10_quiet_on_a_checkable_phrase() -> None:
    assert only("P10", with_indicator(build(), TIMELINESS, target="按时完成", actual="按时完成")) == []


# ---------------------------------------------------------------- V


def test_v01_fires_on_letters_in_a_number_cell_and_names_the_cell() -> None:
    form = with_indicator(build(), QUALITY, weight="2S")
    [finding] = only("V01", form)
    assert finding.location.column == "分值" and "培训合格率" in finding.message


def test_v01_fires_on_a_fund_amount() -> None:
    [finding] = only("V01", with_fund(build(), "appropriation", annual="十万"))
    assert finding.location.column == "全年预算数"


def test_v01_quiet_on_placeholders() -> None:
    assert only("V01", with_fund(build(), "appropriation", weight="/", score="—")) == []


@pytest.mark.parametrize("annual", ["", "0"])
def test_v02_fires_when_the_budget_is_missing_but_money_was_spent(annual: str) -> None:
    form = with_fund(build(), "appropriation", annual=annual)
    assert [f.location.column for f in only("V02", form)] == ["全年预算数"]


def test_v02_quiet_when_nothing_was_budgeted_nor_spent() -> None:
    form = replace(build(), funds=(*build().funds, replace(build().funds[1], kind="other", initial="0", annual="0",
                                                              executed="0", rate="")))
    assert only("V02", form) == []


# ---------------------------------------------------------------- the report


def test_findings_are_sorted_errors_first_then_by_place() -> None:
    form = with_indicator(build(total=("100", "90")), QUANTITY, actual="4")
    form = with_indicator(form, SATISFACTION, actual="80%", score="20")
    found = findings(form)
    ranks = [f.severity.rank for f in found]
    assert ranks == sorted(ranks, reverse=True)
    assert found[0].code == "A03"


def test_a_finding_names_its_form_project_and_row() -> None:
    form = with_indicator(build(), QUALITY, actual="72%")
    [finding] = [f for f in findings(form) if f.code == "R03"]
    assert (finding.form_index, finding.project, finding.location.row) == (1, "业务培训专项经费", 11)
    assert finding.location.indicator == "培训合格率" and finding.location.column == "得分"


def mof_form(**changes: object) -> Form:
    """The clean form laid out for mof-2020: 产出 50 / 效益 30 / 满意度 10."""
    spec = {**CLEAN, "points": {"产出指标": "50", "效益指标": "30", "满意度指标": "10"}, "indicators": [
        "产出指标 | 数量指标 | 培训班次 | 25 | ≥4 | 5 | 25 | ",
        "产出指标 | 质量指标 | 培训合格率 | 25 | ≥90% | 95% | 25 | ",
        "效益指标 | 社会效益指标 | 干部业务能力提升率 | 30 | ≥10% | 12% | 30 | ",
        "满意度指标 | 服务对象满意度指标 | 学员满意度 | 10 | ≥90% | 96% | 10 | "]}
    return build(spec, **changes)


# ---------------------------------------------------------------- the MoF 2020 samples


@pytest.mark.parametrize("sample", ["mof2020-a", "mof2020-b"])
def test_the_mof2020_samples_score_and_check_without_raising(sample: str) -> None:
    forms = sample_forms(sample)
    for form in forms:
        card = score_form(form, profile("mof-2020"))
        assert card.total is not None
        check_form(form, profile("mof-2020"), card)
    check_batch(forms)


def test_the_cut_short_mof2020_form_is_told_what_it_lacks() -> None:
    """mof2020-a form 1: no 满意度指标, a zero total row, an empty last indicator and no 总分."""
    form = sample_forms("mof2020-a")[0]
    found = findings(form, "mof-2020")
    assert [f.expected for f in found if f.code == "P09"] == ["满意度指标"]
    assert {f.location.column for f in found if f.code == "A06"} == {"年初预算数", "全年预算数", "全年执行数"}
    assert not any(f.location.index == len(form.indicators) - 1 for f in found)  # the empty row says nothing
    assert not any(f.code == "A03" for f in found)  # a blank 总分 is not a wrong one


def test_a_slash_weight_marks_a_row_not_applicable_in_mof2020_b() -> None:
    form = sample_forms("mof2020-b")[0]
    card = score_form(form, profile("mof-2020"))
    [left_out] = [s for s in card.indicators if s.not_applicable]
    assert form.indicators[left_out.index].name == "指标1:/"
    assert card.rescale is None  # the other weights already make 90
    assert only("A05", form, "mof-2020") == []


def test_a03_quiet_when_a_score_is_known_neither_printed_nor_by_rule() -> None:
    form = with_indicator(build(total=("100", "90")), TIMELINESS, target="按时完成", actual="见附件", score="")
    assert only("A03", form) == []


@pytest.mark.parametrize(("sample", "profile_name"),
                         [("seed", "local-2019"), ("mof2020-a", "mof-2020"), ("mof2020-b", "mof-2020")])
def test_every_finding_has_its_codes_severity_and_a_chinese_message(sample: str, profile_name: str) -> None:
    for form in sample_forms(sample):
        for finding in findings(form, profile_name):
            # A05 departs from its profile at a warning where the form's own numbers add up (arithmetic_checks)
            assert finding.severity == CODES[finding.code][0] or (
                finding.code == "A05" and finding.severity is Severity.WARNING and "与模板不同" in finding.message)
            assert any("\u4e00" <= c <= "\u9fff" for c in finding.message)
            assert finding.project == form.project and finding.location.block
