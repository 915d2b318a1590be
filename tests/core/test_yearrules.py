"""The year's settings as data: the review profile's grade rule and outcomes, and clear errors for bad files."""

from __future__ import annotations

import pytest

from jixiao.core.yearrules import (
    RulesError,
    parse_monitor_rules,
    parse_publication_rules,
    parse_review_profile,
)
from jixiao.year_files import review_profile

POINTS = ("规范完整性", "明确清晰性", "目标相关性", "指标科学性", "绩效合理性", "资金匹配性", "实现可能性", "条件充分性")


def test_the_88_profile_has_eight_points_and_maps_grades_to_outcomes() -> None:
    profile = review_profile()
    assert profile.point_names == POINTS
    assert [profile.outcome(g) for g in "优良中差"] == ["approved", "approved_after_edits", "returned", "rejected"]


def test_the_overall_grade_is_the_worst_point_under_the_88_profile() -> None:
    profile = review_profile()
    items = dict.fromkeys(POINTS, "优")
    assert profile.overall(items) == "优"
    assert profile.overall({**items, "资金匹配性": "中"}) == "中"
    assert profile.overall({**items, "资金匹配性": ""}) == ""  # not all graded yet


def _profile(rule: str, extra: str = "") -> str:
    return f"""kind = "target-review"
name = "x"
title = "x"
source = "x"
grades = ["优", "良", "中", "差"]
rule = "{rule}"
[points]
"完整性" = ["甲", "乙", "丙"]
[outcomes]
"优" = "approved"
"良" = "approved_after_edits"
"中" = "returned"
"差" = "rejected"
{extra}"""


def test_majority_and_points_rules() -> None:
    majority = parse_review_profile(_profile("majority"), "m.toml")
    assert majority.overall({"甲": "优", "乙": "优", "丙": "差"}) == "优"
    assert majority.overall({"甲": "优", "乙": "良", "丙": "中"}) == "中"  # a tie goes to the worse grade
    points = parse_review_profile(_profile("points", """[grade_points]
"优" = 4
"良" = 3
"中" = 2
"差" = 0
[thresholds]
"优" = 3.5
"良" = 2.5
"中" = 1.5
"差" = 0
"""), "p.toml")
    assert points.overall({"甲": "优", "乙": "优", "丙": "良"}) == "优"  # 11 / 3 = 3.67 ≥ 3.5
    assert points.overall({"甲": "优", "乙": "良", "丙": "良"}) == "良"  # 10 / 3 = 3.33
    assert points.overall({"甲": "优", "乙": "良", "丙": "差"}) == "中"  # 7 / 3 = 2.33


def test_a_bad_settings_file_names_the_file_and_key() -> None:
    with pytest.raises(RulesError, match=r"r\.toml.*rule"):
        parse_review_profile(_profile("best"), "r.toml")
    with pytest.raises(RulesError, match=r"m.toml.*checkpoints\[1\].rate"):
        parse_monitor_rules('kind = "monitor-checks"\nname="a"\ntitle="a"\nsource="a"\ntolerance=0.05\n'
                            'low_forecast=0.9\ngoal_gap=0.1\n[[checkpoints]]\nmonth=4\nrate=25\n', "m.toml")


def test_the_88_profile_reviews_by_the_department_first() -> None:
    """cycle.md §2.6 Procedure (88号 art. 26): the department passes 优/良 up and returns 中/差; without [chain] a
    profile has one review, the finance bureau's."""
    profile = review_profile()
    assert profile.department_review is True and profile.after_finance_return == "department"
    assert [profile.department_outcome(g) for g in "优良中差"] == ["forward", "forward", "returned", "returned"]
    assert parse_review_profile(_profile("worst"), "x.toml").department_review is False


def test_a_bad_chain_or_publication_file_names_the_file_and_key() -> None:
    with pytest.raises(RulesError, match=r"c\.toml.*chain\.department_outcomes"):
        parse_review_profile(_profile("worst", '[chain]\ndepartment_review = true\n'
                                               '[chain.department_outcomes]\n"优" = "approved"\n'), "c.toml")
    with pytest.raises(RulesError, match=r"c\.toml.*chain\.after_finance_return"):
        parse_review_profile(_profile("worst", '[chain]\nafter_finance_return = "unit"\n'), "c.toml")
    head = 'kind = "publication"\nname = "p"\ntitle = "p"\nsource = "p"\n[kinds.target]\nchannel = "随预算公开"\n' \
           'source = "预算法"\n'
    with pytest.raises(RulesError, match=r"p\.toml.*kinds\.target\.days"):
        parse_publication_rules(head + "days = 0\n", "p.toml")
    with pytest.raises(RulesError, match=r"p\.toml.*kinds\.target\.starts"):
        parse_publication_rules(head + 'days = 20\nstarts = "published"\n', "p.toml")
    with pytest.raises(RulesError, match=r"p\.toml.*kinds\.target\.min_share"):
        parse_publication_rules(head + "days = 20\nmin_share = 60\n", "p.toml")
    assert parse_publication_rules(head + "days = 20\n", "p.toml").rule("target").days == 20  # type: ignore[union-attr]
