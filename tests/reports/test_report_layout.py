"""The one layout description: templates, spans, texts, rescoring, sheet names, the summary line."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from report_helpers import first_form_scorecard, record_texts, scorecard

from jixiao.core.findings import Finding, Severity
from jixiao.core.model import Form, FundRow, Indicator
from jixiao.reports.layout import (
    RESCORE_NOTE,
    agrees,
    build_layout,
    format_decimal,
    format_rate,
)
from jixiao.reports.summary import sheet_name, sheet_names, summarise
from jixiao.reports.templates import MOF_2020, SEED_2019, choose_template, split_title


def spans(form: Form) -> dict[str, tuple[int, int, int, int]]:
    """Text (first occurrence) → (row, col, rowspan, colspan) of the layout's cells."""
    out: dict[str, tuple[int, int, int, int]] = {}
    for c in build_layout(form).cells:
        out.setdefault(c.text, (c.row, c.col, c.rowspan, c.colspan))
    return out


def test_templates_are_chosen_by_the_form(seed_forms: list[Form], mof_forms: list[Form]) -> None:
    assert {choose_template(f) for f in seed_forms} == {SEED_2019}
    assert {choose_template(f) for f in mof_forms} == {MOF_2020}
    bare = Form(project="x")
    assert choose_template(replace(bare, year=2019)) is SEED_2019
    assert choose_template(replace(bare, year=2023)) is MOF_2020
    assert choose_template(replace(bare, year=2023, title="绩效目标自评表")) is SEED_2019
    assert choose_template(replace(bare, year=2019, funds=(FundRow("carryover"),))) is MOF_2020
    with_repeat = Indicator("产出指标", "数量指标", "n", weight="5", weight_repeat="5")
    assert choose_template(replace(bare, year=2023, indicators=(with_repeat,))) is SEED_2019


def test_the_year_goes_on_its_own_line() -> None:
    assert split_title("项目支出绩效自评表 (2022年度)", 2022) == ("项目支出绩效自评表", 2022)
    assert split_title("项目支出绩效自评表（2022年度）", None) == ("项目支出绩效自评表", 2022)
    assert split_title("绩效目标自评表", 2019) == ("绩效目标自评表", 2019)
    # A year in the title that is not the form's year stays in the title.
    assert split_title("项目支出绩效自评表 (2021年度)", 2022) == ("项目支出绩效自评表 (2021年度)", 2022)
    layout = build_layout(Form(project="x", year=None))
    assert layout.headings == ("项目支出绩效自评表",) or layout.headings == ("绩效目标自评表",)


def test_seed_layout_matches_the_seed_document(seed_forms: list[Form]) -> None:
    layout = build_layout(seed_forms[0])
    assert layout.headings == ("绩效目标自评表", "（2019年度）")
    assert layout.width == 10 and layout.height == 14
    s = spans(seed_forms[0])
    assert s["项目名称"] == (0, 0, 1, 2)
    assert s["包联驻村专项经费"] == (0, 2, 1, 4)
    assert s["项目负责人及电话"] == (0, 6, 1, 2)
    assert s["资金情况（万元）"] == (2, 0, 4, 2)
    assert s["年度资金总额："] == (3, 2, 1, 2)
    assert s["年度总体目标"] == (6, 0, 2, 2)
    assert s["绩效指标"] == (8, 0, 5, 1)
    assert s["产出指标(75分)"] == (9, 1, 3, 1)
    assert s["满意度指标(25分)"] == (12, 1, 1, 1)
    assert s["总分"] == (13, 0, 1, 4)
    total = [(c.col, c.colspan, c.text) for c in layout.rows[-1]]
    assert total == [(0, 4, "总分"), (4, 1, "100"), (5, 2, ""), (7, 1, "100"), (8, 1, "98"), (9, 1, "")]


def test_level2_cells_merge_over_their_rows(seed_forms: list[Form]) -> None:
    form8 = seed_forms[7]  # 人民调解: 8 indicators, every level-2 over two rows
    level2 = [(c.row, c.rowspan, c.text) for c in build_layout(form8).cells if c.key.endswith(".level2")]
    assert level2 == [(9, 2, "数量指标"), (11, 2, "质量指标"), (13, 2, "社会效益指标"), (15, 2, "服务对象满意度指标")]
    level1 = [(c.row, c.rowspan, c.text) for c in build_layout(form8).cells if c.key.endswith(".level1")]
    assert level1 == [(9, 6, "产出指标(75分)"), (15, 2, "满意度指标(25分)")]


def test_a_level2_run_stops_at_a_new_level1() -> None:
    same = Indicator("产出指标", "质量指标", "a"), Indicator("效益指标", "质量指标", "b")
    cells = [c for c in build_layout(Form(project="x", year=2022, indicators=same)).cells
             if c.key.endswith(".level2")]
    assert [(c.row, c.rowspan) for c in cells] == [(6, 1), (7, 1)]


def test_mof_layout_matches_the_mof_document(mof_forms: list[Form]) -> None:
    layout = build_layout(mof_forms[0])
    assert layout.headings == ("项目支出绩效自评表", "（2022年度）")
    assert layout.width == 9
    s = spans(mof_forms[0])
    assert s["项目资金（万元）"] == (2, 0, 5, 2)
    assert s["上年结转资金"] == (5, 2, 1, 1)
    assert s["预期目标"] == (7, 2, 1, 4)
    assert s["实际完成情况"] == (7, 6, 1, 3)
    assert s["偏差原因分析及改进措施"] == (9, 8, 1, 1)
    assert s["产出指标(50分)"] == (10, 1, 6, 1)
    assert s["效益指标(30分)"] == (16, 1, 4, 1)
    assert [(c.col, c.colspan) for c in layout.rows[-1]] == [(0, 6), (6, 1), (7, 1), (8, 1)]
    # A level-1 without points (the cut-short form has no 满意度 label) prints its bare name.
    assert build_layout(mof_forms[2]).cell("indicators[9].level1").text == "满意度指标(10分)"
    no_points = replace(mof_forms[2], category_points=())
    assert build_layout(no_points).cell("indicators[9].level1").text == "满意度指标"


@pytest.mark.parametrize("which", ["seed", "mof"])
def test_every_record_text_is_in_its_cell(which: str, request: pytest.FixtureRequest) -> None:
    forms: list[Form] = request.getfixturevalue(f"{which}_forms")
    recs: list[dict[str, Any]] = request.getfixturevalue(f"{which}_records")
    for form, record in zip(forms, recs, strict=True):
        layout = build_layout(form)
        for key, text in record_texts(record).items():
            assert layout.cell(key).text == text, key


def test_rescore_replaces_scores_beyond_the_printed_rounding(seed_forms: list[Form]) -> None:
    form = seed_forms[0]
    plain = build_layout(form, first_form_scorecard(form))
    assert not plain.changed and plain.note == ""
    layout = build_layout(form, first_form_scorecard(form), rescore=True)
    changed = {c.key: (c.printed, c.text) for c in layout.cells if c.changed}
    assert changed == {"indicators[1].score": ("23", "24"), "total.score": ("98", "99")}
    assert layout.note == RESCORE_NOTE
    # Form 4: 增长率 22 printed for 22.5 truncates, so it stays as printed.
    form4 = seed_forms[3]
    card = scorecard(form4, rate="1", fund="10", scores={2: "22.50", 3: "24.25"}, total="94.00")
    changed4 = {c.key: c.text for c in build_layout(form4, card, rescore=True).cells if c.changed}
    assert changed4 == {"indicators[3].score": "24.25", "total.score": "94"}


def test_rescore_of_the_fund_block(seed_forms: list[Form]) -> None:
    form5 = seed_forms[4]  # 离退休: fund score printed 10, rule 5.60; rate 56% agrees
    card = scorecard(form5, rate="0.56", fund="5.60", total="96.88")
    layout = build_layout(form5, card, rescore=True)
    assert layout.cell("funds[0].score").text == "5.6" and layout.cell("funds[0].score").changed
    assert not layout.cell("funds[1].rate").changed
    wrong_rate = scorecard(form5, rate="0.5", fund="5")
    assert build_layout(form5, wrong_rate, rescore=True).cell("funds[1].rate").text == "50%"


def test_printed_rounding_tolerance() -> None:
    assert agrees("94.06%", Decimal("0.940666"), percent=True)  # truncated
    assert agrees("94.07%", Decimal("0.940666"), percent=True)  # rounded
    assert agrees("94.1%", Decimal("0.940666"), percent=True)  # one decimal printed
    assert not agrees("94.2%", Decimal("0.940666"), percent=True)
    assert not agrees("0.94", Decimal("0.94"), percent=True)  # a rate must print as a percentage
    assert agrees("22", Decimal("22.50"))
    assert not agrees("10", Decimal("5.60"))
    assert not agrees("", Decimal("1"))
    assert format_decimal(Decimal("5.60")) == "5.6"
    assert format_decimal(Decimal("24.00")) == "24"
    assert format_decimal(Decimal("23.444")) == "23.44"
    assert format_rate(Decimal("0.756")) == "75.6%"
    assert format_rate(Decimal("0.9406667")) == "94.07%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("包联驻村专项经费", "包联驻村专项经费-1"),
        ("a/b:c*d?[e]\\f", "a_b_c_d__e__f-1"),
        ("'引号'", "引号-1"),
        ("History", "History_-1"),
        ("", "表-1"),
        ("很" * 40, "很" * 29 + "-1"),
    ],
)
def test_sheet_names_are_valid(text: str, expected: str) -> None:
    name = sheet_name(text, "-1")
    assert name == expected
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_sheet_names_are_unique_ignoring_case() -> None:
    assert sheet_name("汇总", "", ["汇总"]) == "汇总~2"
    assert sheet_name("ABC", "-1", ["abc-1"]) == "ABC-1~2"
    forms = [Form(project="同名项目" * 10) for _ in range(12)]
    names = sheet_names(forms, reserved=["汇总"])
    assert len({n.casefold() for n in names}) == 12
    assert all(len(n) <= 31 for n in names)


def test_summary_line_without_and_with_a_scorecard(seed_forms: list[Form]) -> None:
    form = seed_forms[0]
    line = summarise(form)
    assert (line.project, line.unit, line.year) == ("包联驻村专项经费", "鄂尔多斯市司法局", "2019")
    # The total row never states 全年执行数: the sub-rows give it.
    assert (line.annual, line.executed, line.rate, line.fund_score) == ("10", "7.56", "75.6%", "7.56")
    assert (line.printed_total, line.computed_total, line.grade, line.errors) == ("98", "", "", "")
    findings = [
        Finding("A03", Severity.ERROR, 1, form.project),
        Finding("R01", Severity.WARNING, 1, form.project),
        Finding("R07", Severity.INFO, 1, form.project),
    ]
    line = summarise(form, first_form_scorecard(form), findings)
    assert (line.computed_total, line.grade, line.errors, line.warnings) == ("99", "优", "1", "1")
