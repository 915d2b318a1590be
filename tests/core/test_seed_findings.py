"""domain.md §6: what the checker must say about the eleven seed forms (profile local-2019).

Each line of SEED_FINDINGS is one finding of the §6 table: form, code, the indicator (or fund/total
cell) it is about, and the printed and expected values where the table gives them. The table is the
least the checker must say; other info or warning findings may come on top, errors may not.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from helpers import profile, sample_forms

from jixiao.core.checks import check_batch, check_form
from jixiao.core.findings import Finding, Severity
from jixiao.core.scoring import score_form

# (form, code, indicator or "", found, expected); "" where the table gives no value.
SEED_FINDINGS: list[tuple[int, str, str, str, str]] = [
    (1, "R01", "驻村各项任务落实情况", "23", "24.00"),
    (1, "R07", "", "75.6%", ""),
    (1, "P02", "驻村帮扶项目", "1", ""),
    (1, "P02", "带动群众就业增长率", "70%", ""),
    (1, "P04", "社会效益指标", "", ""),
    (2, "P05", "", "", ""),
    (2, "P06", "", "", ""),
    (2, "P02", "平台服务人数", "1000000", ""),
    (2, "P04", "社会效益指标", "", ""),
    (3, "R06", "规范行政部门执法依据", "5%", ""),
    (3, "P07", "完成案件数量增长率", "", ""),
    (3, "P04", "社会效益指标", "", ""),
    (4, "A03", "", "96", "94"),
    (4, "R01", "群众对法律援助案件满意度", "22", "24.25"),
    (4, "R04", "群众对法律援助案件满意度", "", ""),
    (4, "P01", "群众对法律援助案件满意度", "≥100%", ""),
    (4, "P02", "法律援助案件数量", "300", ""),
    (4, "P04", "社会效益指标", "", ""),
    (5, "A02", "", "10", "5.60"),
    (5, "R02", "离退休干部党组织举办成功率", "20", ""),
    (5, "R01", "离退休干部参与党组织活动率", "20", "23.44"),
    (5, "R01", "离退休干部对党组织活动的满意度", "20", "23.44"),
    (5, "R07", "", "56%", ""),
    (5, "P02", "离退休干部开展党组织活动次数", "12", ""),
    (5, "P04", "社会效益指标", "", ""),
    (6, "P02", "培训律师专业人才的班次", "4", ""),
    (6, "P04", "社会效益指标", "", ""),
    (7, "R01", "法律素质增长率", "22", "23.44"),
    (7, "R01", "社会运用法律维权率", "20", "23.21"),
    (7, "R07", "", "80.63%", ""),
    (7, "P04", "社会效益指标", "", ""),
    (8, "P02", "", "", ""),
    (8, "P04", "社会效益指标", "", ""),
    (9, "A03", "", "97", "92"),
    (9, "R01", "社区矫正人员减少率", "22", "18.75"),
    (9, "R01", "社会犯罪率减少", "20", "18.75"),
    (9, "R07", "", "41.07%", ""),
    (9, "P05", "", "", ""),
    (9, "P02", "社区矫正工作人员培训班次", "4", ""),
    (9, "P04", "社会效益指标", "", ""),
    (10, "P02", "司法鉴定人员培训的班次", "2", ""),
    (10, "P04", "社会效益指标", "", ""),
    (11, "R06", "数据接收、传送增长率", "92%", ""),
    (11, "P07", "服务工作人员数", "", ""),
    (11, "P04", "社会效益指标", "", ""),
]
FORMS_WITHOUT_ERRORS = (1, 2, 3, 6, 7, 8, 10, 11)


@pytest.fixture(scope="module")
def seed_findings() -> dict[int, list[Finding]]:
    """Every finding of every seed form, batch checks included, by form number."""
    forms = sample_forms("seed")
    local = profile("local-2019")
    by_form = {n: check_form(f, local, score_form(f, local), n) for n, f in enumerate(forms, 1)}
    for finding in check_batch(forms):
        by_form[finding.form_index].append(finding)
    return by_form


def _same(printed: str, wanted: str) -> bool:
    """Equal as numbers when both are numbers ("75.60%" is the table's "75.6%"), else as text."""
    def number(text: str) -> Decimal | None:
        try:
            return Decimal(text.rstrip("%"))
        except ArithmeticError:
            return None
    a, b = number(printed), number(wanted)
    return a == b if a is not None and b is not None else printed == wanted


def _matches(finding: Finding, code: str, where: str, found: str, expected: str) -> bool:
    return (finding.code == code and (not where or finding.location.indicator == where)
            and (not found or _same(finding.found, found)) and (not expected or _same(finding.expected, expected)))


@pytest.mark.parametrize(("form", "code", "where", "found", "expected"), SEED_FINDINGS,
                         ids=[f"{n}-{c}-{w or '-'}" for n, c, w, _, _ in SEED_FINDINGS])
def test_the_seed_table_finding_is_reported(seed_findings: dict[int, list[Finding]], form: int, code: str,
                                            where: str, found: str, expected: str) -> None:
    assert any(_matches(f, code, where, found, expected) for f in seed_findings[form]), \
        [(f.code, f.location.indicator, f.found, f.expected) for f in seed_findings[form]]


@pytest.mark.parametrize("form", range(1, 12))
def test_every_seed_form_gets_a06_for_its_blank_total_execution(seed_findings: dict[int, list[Finding]],
                                                                form: int) -> None:
    a06 = [f for f in seed_findings[form] if f.code == "A06"]
    assert [f.location.column for f in a06] == ["全年执行数"]


@pytest.mark.parametrize("form", FORMS_WITHOUT_ERRORS)
def test_no_error_on_the_consistent_forms(seed_findings: dict[int, list[Finding]], form: int) -> None:
    assert [f.code for f in seed_findings[form] if f.severity is Severity.ERROR] == []


def test_the_table_counts_where_it_gives_them(seed_findings: dict[int, list[Finding]]) -> None:
    """R01 ×2 on forms 5, 7 and 9; no A01 anywhere; no R01 on form 4's 增长率 (22.5 truncates to 22)."""
    count = Counter((n, f.code) for n, found in seed_findings.items() for f in found)
    assert count[5, "R01"] == count[7, "R01"] == count[9, "R01"] == 2
    assert not any(code == "A01" for _, code in count)
    assert not any(f.code == "R01" and f.location.indicator == "法律援助案件增长率" for f in seed_findings[4])


def test_form_9_reads_its_bare_15_beside_20_percent_as_15_percent(seed_findings: dict[int, list[Finding]]) -> None:
    """Friction point 11: the table's R01 (20 vs 18.75 = 15 ÷ 20 × 25) reads 15 as 15%; so does P03 now."""
    about = [f.code for f in seed_findings[9] if f.location.indicator == "社会犯罪率减少"]
    assert "R01" in about and "P03" not in about


def test_form_8_reports_each_merged_level2_cell_once(seed_findings: dict[int, list[Finding]]) -> None:
    assert [f.location.index for f in seed_findings[8] if f.code == "P04"] == [4]
