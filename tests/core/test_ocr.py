"""O01 and the word on findings about an uncertain cell of a scan (core/ocr.py)."""

from __future__ import annotations

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import Form, Indicator, Uncertain
from jixiao.core.ocr import annotate, ocr_findings

FORM = Form(
    project="驻村经费",
    indicators=(Indicator("产出指标", "数量指标", "帮扶项目", "25", "≥1", "1", "23", "", row=12),),
    uncertain=(Uncertain("indicators", 12, "score", "23", "0.62"), Uncertain("funds", 5, "executed", "7.56", "0.70")),
)


def test_each_uncertain_cell_is_an_o01_in_row_order() -> None:
    found = list(ocr_findings(FORM, 3))
    assert [(f.code, f.severity, f.form_index, f.location.row, f.found) for f in found] == [
        ("O01", Severity.INFO, 3, 5, "7.56"),
        ("O01", Severity.INFO, 3, 12, "23"),
    ]
    assert found[0].message == "OCR 识别存疑：第5行 全年执行数 “7.56”（置信度 0.70），请对照原件核实"
    assert found[1].location.column == "得分"


def test_a_finding_on_an_uncertain_cell_says_so_and_others_do_not_change() -> None:
    on_cell = Finding("R01", Severity.WARNING, 1, "驻村经费", Location("indicators", 12, "得分", field="score"),
                      message="得分印为 23")
    elsewhere = Finding("R01", Severity.WARNING, 1, "驻村经费", Location("indicators", 12, "分值", field="weight"),
                        message="分值")
    out = annotate([on_cell, elsewhere], FORM)
    assert out[0].message.startswith("得分印为 23（此单元格为扫描件 OCR 识别，置信度 0.62")
    assert out[1] == elsewhere


def test_a_form_that_is_no_scan_has_no_o01() -> None:
    plain = Form(project="x")
    assert list(ocr_findings(plain, 1)) == []
    finding = Finding("A03", Severity.ERROR, 1, "x", Location("total", 20, field="score"))
    assert annotate([finding], plain) == [finding]
