"""结果应用: grades to budget recommendations, the shares as profile data."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from jixiao.core.profiles import ProfileError
from jixiao.core.results import parse_results_profile, recommend
from jixiao.dept_files import builtin_results_profile
from jixiao.profile_files import load_profile

PROFILE = builtin_results_profile()
GRADE = load_profile("mof-2020").grade
TEXT = resources.files("jixiao.data").joinpath("results/results-10.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("own", "recheck", "requested", "label", "cut", "basis"), [
    ("98", None, "100", "优先保障", "0.00", "自评"),
    ("98", "85", "100", "据实合理保障", "0.00", "复核"),
    ("98", "70", "40", "按比例核减", "4.00", "复核"),  # 10 % of 40
    ("55", None, "20", "取消或暂停下一年度预算", "20.00", "自评"),
    ("95", "93.5", None, "优先保障", None, "复核"),
])
def test_a_grade_gives_its_recommendation(own: str, recheck: str | None, requested: str | None, label: str,
                                          cut: str | None, basis: str) -> None:
    r = recommend(PROFILE, GRADE, Decimal(own), Decimal(recheck) if recheck else None,
                  Decimal(requested) if requested else None)
    assert r is not None and (r.label, r.basis) == (label, basis)
    assert r.cut_amount == (Decimal(cut) if cut else None)


def test_a_large_difference_is_flagged() -> None:
    assert recommend(PROFILE, GRADE, Decimal(98), Decimal(87), None).large_difference  # 优 → 良
    assert recommend(PROFILE, GRADE, Decimal(99), Decimal(92), None).large_difference is False


def test_the_unit_score_decides_when_the_profile_says_so() -> None:
    text = TEXT
    own_first = parse_results_profile(text.replace("prefer_recheck = true", "prefer_recheck = false"), "x.toml")
    r = recommend(own_first, GRADE, Decimal(98), Decimal(70), Decimal(10))
    assert r is not None and (r.basis, r.label) == ("自评", "优先保障")


def test_a_bad_share_is_refused_naming_the_key() -> None:
    text = TEXT
    with pytest.raises(ProfileError, match=r"actions\[3\]\.cut"):
        parse_results_profile(text.replace("cut = 0.1", "cut = 10"), "results-10.toml")


CANCELLED, UNANSWERED, LATE = "运行监控预警答复为“取消”", "运行监控预警逾期未答复", "整改逾期未完成"


@pytest.mark.parametrize(("own", "facts", "label", "cut", "reasons"), [
    ("98", {"monitor_cancelled"}, "取消或暂停下一年度预算（监控中已取消）", "100.00", {CANCELLED}),  # 优, cancelled
    ("98", {"monitor_unanswered"}, "按比例核减（监控预警逾期未答复）", "10.00", {UNANSWERED}),
    ("98", {"rectification_overdue", "monitor_cancelled"}, "取消或暂停下一年度预算（监控中已取消）", "100.00",
     {CANCELLED, LATE}),
    ("55", {"rectification_overdue"}, "取消或暂停下一年度预算", "100.00", set()),  # 差 already: a milder fact is moot
    ("98", set(), "优先保障", "0.00", set()),
])
def test_the_facts_of_the_year_make_a_recommendation_more_severe_never_milder(
        own: str, facts: set[str], label: str, cut: str, reasons: set[str]) -> None:
    r = recommend(PROFILE, GRADE, Decimal(own), None, Decimal(100), facts)
    assert r is not None and (r.label, r.cut_amount, set(r.reasons)) == (label, Decimal(cut), reasons)


def test_a_condition_of_no_known_kind_is_refused_naming_the_key() -> None:
    with pytest.raises(ProfileError, match=r"conditions\[1\]\.when"):
        parse_results_profile(TEXT.replace('when = "monitor_cancelled"', 'when = "cancelled"'), "results-10.toml")
