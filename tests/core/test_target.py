"""The 绩效目标申报表 (jixiao.target/1): the record, and checks T01–T15 as data (year_cases/target_*.toml)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from year_helpers import load, params, patched

from jixiao.core.model import RecordError
from jixiao.core.model import from_record as form_from_record
from jixiao.core.target import (
    from_record,
    join_target,
    split_target,
    to_record,
)
from jixiao.core.target_checks import CODES, check_target, compare_with_target
from jixiao.profile_files import builtin_profiles
from jixiao.year_files import target_rules

CLEAN = load("target_clean.toml")


def codes(record: dict[str, Any], profile: str = "mof-2020", rules: dict[str, Any] | None = None) -> set[str]:
    chosen = replace(target_rules(), **{k: (Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                                        for k, v in (rules or {}).items()})
    return {f.code for f in check_target(from_record(record), chosen, builtin_profiles()[profile])}


def test_the_clean_declaration_has_no_finding() -> None:
    assert codes(CLEAN) == set()


@pytest.mark.parametrize("case", params("target_cases.toml"))
def test_target_case(case: dict[str, Any]) -> None:
    found = codes(patched(CLEAN, case), case.get("profile", "mof-2020"), case.get("rules"))
    assert set(case.get("expect", [])) <= found, f"expected {case.get('expect')}, found {sorted(found)}"
    assert not set(case.get("absent", [])) & found, f"unexpected {case.get('absent')} in {sorted(found)}"


def test_every_t_code_has_a_planted_case() -> None:
    planted = {code for case in load("target_cases.toml")["case"] for code in case.get("expect", [])}
    assert planted == {f"T{n:02d}" for n in range(1, 16)}
    assert set(CODES) - planted == {"Y01"}


def test_record_round_trips_and_fills_the_split_value() -> None:
    target = from_record(CLEAN)
    assert from_record(to_record(target)) == target
    first = target.indicators[0]
    assert (first.op, first.value, first.unit, first.kind) == ("≥", "30000", "人次", "定量")
    qualitative = target.indicators[3]
    assert (qualitative.op, qualitative.value, qualitative.kind) == ("", "明显提高", "定性")


def test_a_value_given_in_three_columns_reads_as_the_whole() -> None:
    record = patched(CLEAN, {"set": {"indicators[1].target": "", "indicators[1].op": "≥",
                                     "indicators[1].value": "98", "indicators[1].unit": "%"}})
    assert from_record(record).indicators[1] == from_record(CLEAN).indicators[1]


@pytest.mark.parametrize(("path", "value", "words"), [
    ("year", "2026", "year 应为整数"),
    ("version", 0, "version 应为不小于 1"),
    ("funds.annual[0].kind", "sum", "funds.annual[1].kind 应为"),
    ("indicators[0].core", "是", "indicators[1].core 应为 true 或 false"),
    ("indicators[0].set", "yearly", "indicators[1].set 应为"),
])
def test_a_bad_record_says_which_key(path: str, value: Any, words: str) -> None:
    record = patched(CLEAN, {"set": {path: value}})
    with pytest.raises(RecordError, match=words.replace("[", r"\[").replace("]", r"\]")):
        from_record(record)


@given(op=st.sampled_from(["≥", "≤", "=", ">", "<"]),
       number=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       unit=st.sampled_from(["%", "个", "人次", "万元", ""]))
def test_split_and_join_are_inverse(op: str, number: Decimal, unit: str) -> None:
    whole = join_target(op, format(number, "f"), unit)
    o, v, u, kind = split_target(whole)
    assert (o, u, kind) == (op, unit, "定量")
    assert Decimal(v) == number
    assert split_target(join_target(o, v, u))[:3] == (o, v, u)


def _self_form(changes: dict[str, Any]) -> Any:
    """A self-evaluation of the clean target's annual indicators, as 新建自评 starts it, with changes."""
    indicators = [{"level1": i["level1"], "level2": i["level2"], "name": i["name"], "target": i["target"],
                   "weight": i.get("weight", ""), "actual": "", "score": "", "reason": ""}
                  for i in CLEAN["indicators"] if i["set"] == "annual"]
    record = {"project": CLEAN["project"], "year": 2026, "indicators": indicators}
    record = patched(record, {"set": changes})
    return form_from_record(record)


def test_a_self_evaluation_with_the_approved_indicators_has_no_difference() -> None:
    assert compare_with_target(_self_form({}), from_record(CLEAN)) == []


def test_a_changed_target_in_the_self_evaluation_is_a_finding_showing_both_values() -> None:
    findings = compare_with_target(_self_form({"indicators[0].target": "≥20000人次"}), from_record(CLEAN))
    assert [(f.code, f.found, f.expected) for f in findings] == [("Y01", "≥20000人次", "≥30000人次")]


def test_an_indicator_swapped_for_another_is_two_findings() -> None:
    findings = compare_with_target(_self_form({"indicators[2].name": "咨询办结率"}), from_record(CLEAN))
    messages = sorted(f.message for f in findings)
    assert len(findings) == 2
    assert "“咨询办结率”不在批复的绩效目标" in messages[1] or "“咨询办结率”不在批复的绩效目标" in messages[0]
    assert any("咨询答复时限" in m and "缺失" in m for m in messages)


def test_a_weight_set_in_the_target_must_be_kept() -> None:
    record = patched(CLEAN, {"set": {"indicators[0].weight": "30"}})
    findings = compare_with_target(_self_form({"indicators[0].weight": "20"}), from_record(record))
    assert [(f.found, f.expected) for f in findings] == [("20", "30")]
