"""The 自评报告: generated from a seed form with every section of the outline, and the N-checks."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest
from dept_helpers import CASES, SEED, demo_form

from jixiao import services
from jixiao.core.dept_rules import score_dept
from jixiao.core.model import RecordError
from jixiao.core.profiles import ProfileError
from jixiao.core.selfreport import (
    CODES,
    Cover,
    Report,
    ReportFacts,
    check_report,
    facts_from_dept,
    facts_from_form,
    from_record,
    generate,
    missing_sections,
    parse_outline,
    to_record,
)
from jixiao.dept_files import builtin_dept_profiles, builtin_outlines

OUTLINE = builtin_outlines()["report-10"]
DATA = tomllib.loads((CASES / "report.toml").read_text(encoding="utf-8"))


@cache
def seed_facts() -> tuple[ReportFacts, ...]:
    evaluations = services.evaluate_batch(services.read_paths([SEED]).forms)
    return tuple(facts_from_form(e.form, e.profile, e.scorecard) for e in evaluations)


def written(facts: ReportFacts) -> Report:
    report = generate(facts, OUTLINE)
    for number, text in DATA["written"].items():
        report = report.with_text(number, text)
    return report


def codes(report: Report, facts: ReportFacts) -> list[str]:
    return sorted({f.code for f in check_report(report, OUTLINE, facts)})


@pytest.mark.parametrize("n", range(11))
def test_a_report_generated_for_each_seed_form_has_every_section_of_the_outline(n: int) -> None:
    report = generate(seed_facts()[n], OUTLINE)
    assert missing_sections(report, OUTLINE) == []
    assert [s.number for s in report.sections] == [s.number for s in OUTLINE.sections]


def test_the_generated_sections_carry_the_form() -> None:
    report = generate(seed_facts()[0], OUTLINE)
    assert "全年预算数 10 万元，全年执行数 7.56 万元，预算执行率 75.6%" in report.section("一（一）").text
    assert report.section("一（二）").text.startswith("年度目标：落实中央关于基层组织")
    table = report.section("三").table
    assert table[0][2] == "三级指标" and table[-1] == ("总分", "", "", "", "", "", "98")
    assert "驻村各项任务落实情况（分值 25，得分 23）" in report.section("五").text
    assert "项目落实阻力大" in report.section("五").text


def test_the_sections_the_unit_writes_start_empty_and_are_flagged() -> None:
    report = generate(seed_facts()[0], OUTLINE)
    flagged = {f.location.field for f in check_report(report, OUTLINE, seed_facts()[0]) if f.code == "N01"}
    assert flagged == {"二（一）", "二（二）", "二（三）", "六"}


def test_the_written_report_has_no_finding() -> None:
    assert codes(written(seed_facts()[0]), seed_facts()[0]) == []


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["what"] for c in DATA["cases"]])
def test_a_planted_case_raises_its_code(case: dict[str, object]) -> None:
    report = written(seed_facts()[0])
    for number, text in case["set"].items():  # type: ignore[attr-defined]
        report = report.with_text(number, text)
    assert codes(report, seed_facts()[0]) == case["codes"]


def test_every_code_has_a_planted_case() -> None:
    assert {c for case in DATA["cases"] for c in case["codes"]} == set(CODES)


def test_a_shortfall_without_a_reason_on_the_form_is_flagged_in_the_generated_report() -> None:
    facts = seed_facts()[3]  # 法律援助专项经费: 满意度 scored 22 with no reason (R04)
    found = [f for f in check_report(written(facts), OUTLINE, facts) if f.code == "N03"]
    assert [f.message.split("”")[0].lstrip("“") for f in found] == ["法律援助案件增长率", "群众对法律援助案件满意度"]


def test_a_report_for_the_department_wide_form() -> None:
    profile = builtin_dept_profiles()["dept-53"]
    form = demo_form()
    facts = facts_from_dept(form, profile, score_dept(form, profile))
    report = generate(facts, OUTLINE)
    assert "全年预算数 1050 万元，全年执行数 1010 万元，预算执行率 96.19%" in report.section("一（一）").text
    assert [r.name for r in facts.shortfalls] == ["预算完成率", "预算调整率", "完成及时率", "社会效益"]
    assert not [f for f in check_report(report, OUTLINE, facts) if f.code in ("N02", "N03", "N04")]


def test_the_record_round_trips() -> None:
    report = written(seed_facts()[0])
    report = Report(**{**report.__dict__, "cover": Cover("张三", "李四", "2020-03-31", "同意")})
    assert from_record(to_record(report)) == report


@pytest.mark.parametrize("record", [{"schema": "x"}, {"sections": [{"text": 5}]}, {"year": "2019"},
                                    {"sections": [{"table": [[1]]}]}])
def test_a_bad_record_is_refused(record: dict[str, object]) -> None:
    with pytest.raises(RecordError, match="自评报告记录"):
        from_record({"schema": "jixiao.report/1", **record} if "schema" not in record else record)


def test_a_bad_outline_names_the_key() -> None:
    text = (Path(__file__).parents[2] / "src/jixiao/data/report/report-10.toml").read_text(encoding="utf-8")
    with pytest.raises(ProfileError, match=r"sections\[2\]\.fill"):
        parse_outline(text.replace('fill = "funds"', 'fill = "money"'), "report-10.toml")
    with pytest.raises(ProfileError, match="max_chars"):
        parse_outline(text.replace("max_chars = 200", "max_chars = -1", 1), "report-10.toml")
