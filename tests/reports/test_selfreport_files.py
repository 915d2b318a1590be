"""The 自评报告 written as docx and pdf: the cover block and every section of the outline are in the file."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from jixiao.core.selfreport import Cover, Report, facts_from_form, generate
from jixiao.dept_files import builtin_outlines
from jixiao.dept_services import seed_evaluations
from jixiao.reports.selfreport import heading, write_report

OUTLINE = builtin_outlines()["report-10"]


@cache
def report() -> Report:
    e = seed_evaluations()[0]
    generated = generate(facts_from_form(e.form, e.profile, e.scorecard), OUTLINE)
    return replace(generated, cover=Cover("王敏", "李强", "2020年3月31日", "同意上报"))


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.mark.parametrize(("ext", "text_of"), [("docx", docx_text), ("pdf", pdf_text)])
def test_the_report_file_has_the_cover_block_and_every_section(ext: str, text_of: object, tmp_path: Path) -> None:
    path = tmp_path / f"自评报告.{ext}"
    write_report(report(), OUTLINE, path)
    text = text_of(path).replace(" ", "")  # type: ignore[operator]
    for caption, value in (("填报人", "王敏"), ("负责人", "李强"), ("日期", "2020年3月31日"), ("审核意见", "同意上报")):
        assert caption in text and value in text
    for section in report().sections:
        assert heading(section).replace(" ", "") in text
    assert "项目落实阻力大" in text and "驻村各项任务落实情况" in text


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"自评报告可写为 \.docx 或 \.pdf"):
        write_report(report(), OUTLINE, tmp_path / "r.xlsx")
