"""What a scan's uncertain cells mean for the checks: O01, and a word on every finding they touch.

A cell that the OCR engine read with low confidence is reported on its own (O01, info: a reader
must look at the paper), and any other finding about the same cell says that its value came
from an uncertain reading, so that an arithmetic error there is read as "check the scan first".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS, Form, Uncertain

OTHER_CAPTIONS = {"project": "项目名称", "department": "主管部门", "unit": "实施单位", "planned": "年初设定目标",
                  "achieved": "实际完成情况"}


def caption(cell: Uncertain) -> str:
    """The column caption of an uncertain cell, in the seed template's wording."""
    table = FUND_CAPTIONS if cell.block == "funds" else INDICATOR_CAPTIONS
    return table.get(cell.field) or OTHER_CAPTIONS.get(cell.field, cell.field)


def ocr_findings(form: Form, index: int) -> Iterator[Finding]:
    """O01 for each uncertain cell of the form, in row order."""
    for cell in sorted(form.uncertain, key=lambda c: (c.row, c.field)):
        where = caption(cell)
        yield Finding(
            code="O01",
            severity=Severity.INFO,
            form_index=index,
            project=form.project,
            location=Location(block=cell.block, row=cell.row, column=where, field=cell.field),
            found=cell.text,
            message=f"OCR 识别存疑：第{cell.row}行 {where} “{cell.text}”（置信度 {cell.confidence}），请对照原件核实",
        )


def annotate(findings: Iterable[Finding], form: Form) -> list[Finding]:
    """The findings, each one about an uncertain cell saying so."""
    cells = {(c.block, c.row, c.field): c for c in form.uncertain}
    if not cells:
        return list(findings)
    out = []
    for finding in findings:
        loc = finding.location
        cell = cells.get((loc.block, loc.row or 0, loc.field))
        if cell is not None and finding.code != "O01":
            note = f"（此单元格为扫描件 OCR 识别，置信度 {cell.confidence}，请先对照原件核实识别是否有误）"
            finding = replace(finding, message=finding.message + note)
        out.append(finding)
    return out
