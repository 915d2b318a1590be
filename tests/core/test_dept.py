"""The department-wide form: record, scoring by its rule library, the D-checks on planted cases."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest
from dept_helpers import cases, demo_form, patched, seed_figures
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.dept import DeptForm, DeptIndicator, fill_from_projects, from_record, to_record
from jixiao.core.dept_checks import CODES, check_dept
from jixiao.core.dept_rules import parse_dept_profile, score_dept, score_indicator
from jixiao.core.model import RecordError
from jixiao.core.profiles import ProfileError
from jixiao.dept_files import builtin_dept_profiles, load_dept_profile

PROFILE = builtin_dept_profiles()["dept-53"]
CHECK_CASES = cases("checks.toml")


def findings_of(form: DeptForm) -> list[str]:
    return [f.code for f in check_dept(form, PROFILE, score_dept(form, PROFILE), seed_figures())]


def test_the_demo_form_is_filled_from_the_project_forms() -> None:
    form = demo_form()
    assert seed_figures().count == 11
    assert (form.projects.count, form.projects.average) == ("11", "97.71")
    project = form.fund("project")
    assert project is not None and (project.adjusted, project.executed, project.rate) == ("335", "311.99", "93.13%")


def test_a_printed_figure_is_kept_not_overwritten_by_the_projects() -> None:
    record = patched(to_record(demo_form()), {"projects.count": "12"})
    assert fill_from_projects(from_record(record), seed_figures()).projects.count == "12"


def test_the_demo_form_scores_as_printed() -> None:
    form = demo_form()
    card = score_dept(form, PROFILE)
    assert card.execution_rate == Decimal("0.9619")
    assert card.fund_score == Decimal("9.62")
    assert card.total == Decimal("95.59") and card.grade == "优"
    assert [s.score for s in card.indicators][3:5] == [Decimal("8.00"), Decimal("4.00")]


def test_the_clean_form_has_no_finding() -> None:
    assert findings_of(demo_form()) == []


@pytest.mark.parametrize("case", CHECK_CASES, ids=[c["what"] for c in CHECK_CASES])
def test_a_planted_case_raises_its_code(case: dict[str, object]) -> None:
    form = from_record(patched(to_record(demo_form()), case["set"]))  # type: ignore[arg-type]
    assert sorted(set(findings_of(form))) == case["codes"]


def test_every_code_has_a_planted_case() -> None:
    assert {code for case in CHECK_CASES for code in case["codes"]} == set(CODES)


def test_the_findings_say_where_and_what_in_chinese() -> None:
    form = from_record(patched(to_record(demo_form()), {"indicators[1].actual": "90%"}))
    (finding,) = check_dept(form, PROFILE, score_dept(form, PROFILE), seed_figures())
    assert finding.location.indicator == "在职人员控制率" and finding.location.field == "actual"
    assert "在职人员数 ÷ 编制数" in finding.message and "90%" in finding.message
    assert finding.expected == "96%"


def test_the_record_round_trips() -> None:
    record = to_record(demo_form())
    assert to_record(from_record(record)) == record


@pytest.mark.parametrize(("record", "words"), [
    ({"schema": "jixiao.form/1"}, "schema"),
    ({"year": "2019"}, "year"),
    ({"funds": [{"kind": "carryover"}]}, "funds[0].kind"),
    ({"indicators": [{"name": 5}]}, "indicators[0].name"),
    ({"goals": "x"}, "goals"),
])
def test_a_bad_record_is_refused_naming_the_key(record: dict[str, object], words: str) -> None:
    with pytest.raises(RecordError, match=words.replace("[", r"\[").replace("]", r"\]")):
        from_record({"department": "某部门", **record})


def _one(rule: str, target: str, actual: str, weight: str = "10", coefficient: str = "") -> DeptIndicator:
    return DeptIndicator(name=rule, initial_target=target, actual=actual, weight=weight, coefficient=coefficient)


@pytest.mark.parametrize(("name", "target", "actual", "weight", "score"), [
    ("在职人员控制率", "≤100%", "104%", "5", "3.00"),  # 4 points over × 0.5
    ("在职人员控制率", "≤100%", "120%", "5", "0.00"),  # never below 0
    ("预算完成率", "=100%", "94%", "10", "6.00"),  # 6 % short: two steps of 5 % (up), −4
    ("预算调整率", "=0%", "0%", "5", "5.00"),
    ("预算调整率", "=0%", "15%", "5", "3.00"),  # (10, 20] → 0.6
    ("预算调整率", "=0%", "31%", "5", "0.00"),
    ("结转结余率", "≤5%", "10%", "5", "2.50"),  # reverse ratio 5 ÷ 10
    ("固定资产利用率", "≥95%", "76%", "5", "4.00"),  # ratio 76 ÷ 95
    ("某业务指标", "≥20次", "25次", "10", "10.00"),  # no rule: ≥ → ratio, no bonus
    ("某控制指标", "≤10天", "20天", "10", "5.00"),  # no rule: ≤ → reverse ratio
])
def test_each_rule_kind_scores_as_its_profile_says(name: str, target: str, actual: str, weight: str,
                                                   score: str) -> None:
    assert score_indicator(_one(name, target, actual, weight), 0, PROFILE).score == Decimal(score)


def test_a_qualitative_row_keeps_a_coefficient_inside_its_tier_only() -> None:
    inside = score_indicator(_one("管理制度健全性", "健全", "基本健全", "5", "70%"), 0, PROFILE)
    outside = score_indicator(_one("管理制度健全性", "健全", "基本健全", "5", "90%"), 0, PROFILE)
    assert inside.score == Decimal("3.50") and inside.band == (Decimal("0.6"), Decimal("0.8"))
    assert outside.score is None


@given(st.decimals(min_value=-1000, max_value=1000, places=2), st.decimals(min_value=0, max_value=200, places=1),
       st.sampled_from(["在职人员控制率", "预算完成率", "预算调整率", "结转结余率", "固定资产利用率", "某指标"]))
def test_no_rule_scores_below_zero_or_above_the_weight(actual: Decimal, weight: Decimal, name: str) -> None:
    target = {"结转结余率": "≤5%", "预算调整率": "=0%"}.get(name, "≥95%")
    scored = score_indicator(_one(name, target, f"{actual}%", str(weight)), 0, PROFILE)
    if scored.score is not None:
        assert Decimal(0) <= scored.score <= weight


def test_both_builtin_profiles_load_and_cite_their_source() -> None:
    profiles = builtin_dept_profiles()
    assert set(profiles) == {"dept-53", "dept-10style"}
    assert all(p.source and p.indicator_total == 90 for p in profiles.values())
    assert profiles["dept-10style"].layout.indicator_columns[0] == ("name", "指标名称")


@pytest.mark.parametrize(("change", "words"), [
    (('kind = "deduct_per_point"', 'kind = "percent"'), "rules[1].kind"),
    (("per_point = 0.5\nsource = \"Dept-table-B：≤100%", "source = \"Dept-table-B：≤100%"), "per_point"),
    (("step = 5", "step = 0"), "step"),
    (("coefficient = 0.8", "coefficient = 8"), "coefficient"),
    (('numerator = "funds.total.executed"', 'numerator = "funds.total.spent"'), "numerator"),
])
def test_a_bad_profile_names_the_file_and_key(change: tuple[str, str], words: str) -> None:
    text = resources.files("jixiao.data").joinpath("dept/dept-53.toml").read_text(encoding="utf-8")
    with pytest.raises(ProfileError, match=r"dept-53\.toml") as error:
        parse_dept_profile(text.replace(*change, 1), "dept-53.toml")
    assert words in str(error.value)


def test_a_user_profile_file_that_is_missing_gets_a_chinese_message(tmp_path: object) -> None:
    with pytest.raises(ProfileError, match="找不到部门整体评分规则"):
        load_dept_profile("no-such-profile")


def test_cells_are_set_by_their_record_paths() -> None:
    from jixiao.core.dept import with_cells

    record = to_record(demo_form())
    changed = with_cells(record, {"indicators[9].score": "9", "goals.initial": "新目标", "total": "90",
                                  "inputs[0].value": "49", "funds[0].rate": "96%"})
    assert changed["indicators"][9]["score"] == "9" and changed["goals"]["initial"] == "新目标"
    assert (changed["total"], changed["inputs"][0]["value"], changed["funds"][0]["rate"]) == ("90", "49", "96%")
    assert record["indicators"][9]["score"] == "9.47"  # the record given is left as it was
    for bad in ("indicators[99].score", "indicators[0].colour", "profile", "funds[0]"):
        with pytest.raises(RecordError, match="不是部门整体自评表中的单元格"):
            with_cells(record, {bad: "x"})
