"""The 自评报告 written as .docx (to edit further in Word) or .pdf (to file): a cover, then the sections.

The cover carries the report's title, subject, unit and year and the block the outline names
(填报人, 负责人, 日期, 审核意见, docs/cycle.md §5.2 cover fields); each section is its numbered heading
("一、基本情况", "（一）项目概况……"), its text paragraph by paragraph, and its generated table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.core.selfreport import Outline, Report, Section
from jixiao.reports._atomic import atomic_path

BODY_PT = 12.0
HEADING_PT = 14.0
TITLE_PT = 22.0


def heading(section: Section) -> str:
    """"一" → "一、基本情况"; "一（一）" → "（一）项目概况……"."""
    number = section.number
    if "（" in number:
        return f"{number[number.index('（'):]}{section.title}"
    return f"{number}、{section.title}"


def cover_lines(report: Report) -> list[str]:
    year = f"（{report.year}年度）" if report.year is not None else ""
    return [line for line in (f"{report.subject}{year}", report.unit and f"实施单位：{report.unit}") if line]


def cover_rows(report: Report, outline: Outline) -> list[tuple[str, str]]:
    return [(caption, getattr(report.cover, field)) for field, caption in outline.cover]


def write_report(report: Report, outline: Outline, path: str | Path) -> None:
    """Write the report to path (.docx or .pdf), atomically."""
    path = Path(path)
    writers = {".docx": _docx, ".pdf": _pdf}
    ext = path.suffix.lower()
    if ext not in writers:
        raise ValueError(f"不支持的输出格式“{path.suffix or '（无扩展名）'}”：{path.name}。自评报告可写为 .docx 或 .pdf。")
    if not path.parent.is_dir():
        raise ValueError(f"输出目录不存在：{path.parent}。请先创建该目录，或换一个输出路径。")
    writers[ext](report, outline, path)


def _docx(report: Report, outline: Outline, path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    from jixiao.reports.docx import set_default_font, set_run_font

    doc = Document()
    set_default_font(doc)
    for _ in range(4):
        doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(title.add_run(report.title), TITLE_PT, bold=True)
    for line in cover_lines(report):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(p.add_run(line), HEADING_PT)
    doc.add_paragraph()
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    for caption, value in cover_rows(report, outline):
        cells = table.add_row().cells
        set_run_font(cells[0].paragraphs[0].add_run(caption), BODY_PT, bold=True)
        if value:
            set_run_font(cells[1].paragraphs[0].add_run(value), BODY_PT)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for section in report.sections:
        h = doc.add_paragraph()
        set_run_font(h.add_run(heading(section)), HEADING_PT if "（" not in section.number else BODY_PT + 1, bold=True)
        for line in section.text.split("\n"):
            if line.strip():
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
                set_run_font(p.add_run(line.strip()), BODY_PT)
        if section.table:
            _docx_table(doc, section.table)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))


def _docx_table(doc: Any, rows: tuple[tuple[str, ...], ...]) -> None:
    from jixiao.reports.docx import set_run_font

    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = doc.styles["Table Grid"]
    for n, row in enumerate(rows):
        for cell, text in zip(table.add_row().cells, row, strict=False):
            if text:
                set_run_font(cell.paragraphs[0].add_run(text), BODY_PT - 2, bold=n == 0)


def _all_text(report: Report, outline: Outline) -> str:
    parts = [report.title, *cover_lines(report), *(c + v for c, v in cover_rows(report, outline))]
    for s in report.sections:
        parts += [heading(s), s.text, *("".join(r) for r in s.table)]
    return "".join(parts)


def _pdf(report: Report, outline: Outline, path: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    from jixiao.reports.fonts import pdf_font

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("NotoSansSC", fname=str(pdf_font(_all_text(report, outline))))
    pdf.set_creator("jixiao")
    pdf.set_lang("zh-CN")
    pdf.set_title(report.title)
    _pdf_cover(pdf, report, outline)
    for section in report.sections:
        _pdf_section(pdf, section, WrapMode.CHAR)
    with atomic_path(path) as tmp:
        pdf.output(str(tmp))


def _pdf_cover(pdf: Any, report: Report, outline: Outline) -> None:
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_y(60)
    pdf.set_font("NotoSansSC", size=TITLE_PT)
    pdf.cell(width, 14, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSansSC", size=HEADING_PT)
    for line in cover_lines(report):
        pdf.cell(width, 10, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("NotoSansSC", size=BODY_PT)
    with pdf.table(col_widths=(1, 3), text_align="LEFT", first_row_as_headings=False) as table:
        for caption, value in cover_rows(report, outline):
            row = table.row()
            row.cell(caption)
            row.cell(value)


def _pdf_section(pdf: Any, section: Section, wrap: Any) -> None:
    if pdf.page_no() == 1:
        pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    level1 = "（" not in section.number
    pdf.set_font("NotoSansSC", size=HEADING_PT if level1 else BODY_PT + 1)
    pdf.ln(2)
    pdf.multi_cell(width, 8, heading(section), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    pdf.set_font("NotoSansSC", size=BODY_PT)
    for line in section.text.split("\n"):
        if line.strip():
            pdf.multi_cell(width, 7, "\u3000\u3000" + line.strip(), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    if section.table:
        pdf.set_font("NotoSansSC", size=BODY_PT - 3)
        from fpdf.fonts import FontFace

        # The font has one weight: the header row is shaded, not bold.
        with pdf.table(text_align="CENTER", wrapmode=wrap, headings_style=FontFace(fill_color=(230, 230, 230))) as table:
            for row in section.table:
                cells = table.row()
                for text in row:
                    cells.cell(text)
