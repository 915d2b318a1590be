"""Scoring (domain.md §4): the cases in scoring_cases/*.toml, and properties that hold for any values.

The TOML files are meant to be read and extended by people who know the rules, not the code:
each [[case]] gives the cells of the form and the score and formula the rules give.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import CLEAN, build, fund_row, indicator_row, profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.core.checks import check_form
from jixiao.core.model import Form, Indicator
from jixiao.core.profiles import Profile
from jixiao.core.scoring import band_ranges, score_form, score_indicator, tier_named_by

CASES = Path(__file__).parent / "scoring_cases"


def load_cases(kind: str) -> list[Any]:
    """Every [[case]] of the files of one kind, with an id naming file and case."""
    cases = []
    for path in sorted(CASES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if data["kind"] == kind:
            cases += [pytest.param(case, id=f"{path.stem}: {case['name']}") for case in data["case"]]
    return cases


def case_profile(case: dict[str, Any]) -> Profile:
    chosen = profile(case["profile"])
    if "reverse_formula" in case:
        chosen = replace(chosen, reverse_formula=case["reverse_formula"])
    return chosen


def decimal_or_none(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def funds_form(case: dict[str, Any]) -> Form:
    form = build(indicators=case.get("indicators", CLEAN["indicators"]))
    return replace(form, funds=tuple(fund_row(kind, cells) for kind, cells in case["funds"].items()))


@pytest.mark.parametrize("case", load_cases("indicator"))
def test_indicator_case(case: dict[str, Any]) -> None:
    row = Indicator("产出指标", "质量指标", case["name"], weight=case["weight"], target=case["target"],
                    actual=case["actual"], score=case.get("printed", ""))
    scored = score_indicator(row, 0, case_profile(case))
    assert scored.formula == case["formula"]
    assert scored.score == decimal_or_none(case.get("score", ""))
    if "band" in case:
        assert scored.band == tuple(Decimal(b) for b in case["band"])
    assert scored.met == case.get("met")


@pytest.mark.parametrize("case", load_cases("funds"))
def test_funds_case(case: dict[str, Any]) -> None:
    card = score_form(funds_form(case), case_profile(case))
    rate = None if card.execution_rate is None else f"{card.execution_rate * 100:.2f}%"
    assert (rate or "", card.execution_formula) == (case["rate"], case["rate_formula"])
    assert (card.fund_score, card.fund_formula) == (decimal_or_none(case["fund_score"]), case["fund_formula"])


@pytest.mark.parametrize("case", load_cases("total"))
def test_total_case(case: dict[str, Any]) -> None:
    card = score_form(funds_form(case), case_profile(case))
    assert card.indicator_sum == Decimal(case["indicator_sum"])
    assert (card.total, card.grade) == (decimal_or_none(case["total"]), case["grade"])
    assert card.total_formula == case["formula"]


def test_a_blank_row_is_left_out_without_rescaling() -> None:
    form = replace(build(), indicators=(*build().indicators, indicator_row("满意度指标 | 服务对象满意度指标")))
    card = score_form(form, profile("local-2019"))
    assert card.indicators[-1].applicable is False and card.rescale is None
    assert card.total == Decimal(100)


# ---------------------------------------------------------------- properties

numbers = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=2, allow_nan=False)
weights = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("100"), places=1)
ops = st.sampled_from(["≥", ">", "=", "≤", "<", "", "不低于", "不超过"])
units = st.sampled_from(["", "%", "个", "万元"])
profiles = st.sampled_from(["local-2019", "mof-2020", "transfer-2020"])
formulas = st.sampled_from(["ratio", "linear"])


def scored(target: str, actual: str, weight: Decimal, name: str = "local-2019",
           formula: str = "ratio") -> Decimal | None:
    chosen = replace(profile(name), reverse_formula=formula)
    row = Indicator("产出指标", "数量指标", "指标", weight=str(weight), target=target, actual=actual)
    return score_indicator(row, 0, chosen).score


@given(ops, numbers, numbers, units, weights, profiles, formulas)
def test_a_score_is_always_within_zero_and_the_weight(op: str, a: Decimal, b: Decimal, unit: str,
                                                      weight: Decimal, name: str, formula: str) -> None:
    score = scored(f"{op}{a}{unit}", f"{b}{unit}", weight, name, formula)
    assert score is not None and 0 <= score <= weight


@given(st.sampled_from(["≥", ">", "", "不低于"]), numbers, numbers, numbers, weights)
def test_a_positive_score_never_falls_when_the_actual_rises(op: str, a: Decimal, b1: Decimal, b2: Decimal,
                                                            weight: Decimal) -> None:
    low, high = sorted((b1, b2))
    low_score, high_score = scored(f"{op}{a}", str(low), weight), scored(f"{op}{a}", str(high), weight)
    assert low_score is not None and high_score is not None and low_score <= high_score


cells = st.one_of(st.text(max_size=12), st.sampled_from(["", "-", "/", "不适用", "≥", "0", "1O0%", "≥95%", "达成"]))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(st.lists(st.tuples(*[cells] * 8), max_size=4), st.tuples(*[cells] * 6), st.tuples(cells, cells), profiles)
def test_scoring_and_checking_never_raise_on_any_cells(rows: list[tuple[str, ...]], fund: tuple[str, ...],
                                                       total: tuple[str, str], name: str) -> None:
    form = replace(build(total=total), funds=(fund_row("total", "_ _ _ _ _ _"),
                                              replace(fund_row("appropriation", ""), **dict(zip(
                                                  ("initial", "annual", "executed", "weight", "rate", "score"),
                                                  fund, strict=True)))),
                   indicators=tuple(Indicator(*row) for row in rows))
    chosen = profile(name)
    card = score_form(form, chosen)
    check_form(form, chosen, card)
    for s in card.indicators:
        assert s.score is None or s.weight is None or 0 <= s.score <= s.weight


def test_band_ranges_give_each_tier_its_share_of_the_weight() -> None:
    ranges = band_ranges(Decimal(10), profile("transfer-2020"))
    assert [(low, high) for _, low, high in ranges] == [(Decimal(8), Decimal(10)), (Decimal(5), Decimal(8)),
                                                        (Decimal(0), Decimal(5))]


@pytest.mark.parametrize(("actual", "tier"), [("达成预期指标", 0), ("基本完成", 1), ("部分达成，有一定效果", 1),
                                               ("未完成", 2), ("没有达成预期", 2), ("不符合规定", 2), ("见附件", None)])
def test_the_tier_a_qualitative_actual_names(actual: str, tier: int | None) -> None:
    assert tier_named_by(actual) == tier
