"""The year overview as files: a workbook of its figures and a printable A4 PDF, from the overview's data
(jixiao.web.review.overview computes it; this module only lays it out)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jixiao.reports.workbook import append, new_book, put, to_bytes


def overview_tables(data: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The overview as titled tables (caption, header, rows), shared by the .xlsx and the .pdf; the last, per
    unit, is a sheet of its own."""
    s = data["scores"]
    return [
        ("按状态", ["状态", "表数"], [[x["label"], x["count"]] for x in data["stages"]]),
        ("按等级", ["等级", "表数"], [[x["label"], x["count"]] for x in data["grades"]]),
        ("按预算执行率", ["执行率", "表数"], [[x["label"], x["count"]] for x in data["rates"]]),
        ("复核发现", ["项目", "表数"], [["有错误的表", data["with_errors"]], ["有警告的表", data["with_warnings"]]]),
        ("最常见的问题代码", ["代码", "级别", "条数", "涉及表数"],
         [[c["code"], c["severity_label"], c["findings"], c["forms"]] for c in data["codes"]]),
        ("填报总分与计算总分", ["项目", "值"],
         [["填报高于计算", s["higher"]], ["两者相同", s["equal"]], ["填报低于计算", s["lower"]],
          ["无法比较", s["missing"]], ["填报总分平均", s["avg_printed"] or ""],
          ["计算总分平均", s["avg_computed"] or ""], ["平均绝对差", s["avg_abs_diff"] or ""]]),
        *_dept_tables(data.get("dept")),
        ("按单位", ["主管部门", "实施单位", "表数", *(x["label"] for x in data["stages"]), "有错误",
                  "填报总分平均", "计算总分平均", "执行率"],
         [[r["department__name"], r["unit__name"], r["forms"], *(r[x["key"]] for x in data["stages"]),
           r["with_errors"], r["avg_printed"] or "", r["avg_computed"] or "", r["execution_rate"] or ""]
          for r in data["per_unit"]]),
    ]


def _dept_tables(dept: Mapping[str, Any] | None) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The department-wide self-evaluations (部门整体), when the overview carries them."""
    if not dept:
        return []
    return [
        ("部门整体支出绩效自评", ["项目", "部门数"],
         [["主管部门", dept["departments"]], ["已填报", dept["filled"]], ["已提交", dept["handed_in"]],
          ["已审核通过", dept["approved"]]]),
        ("部门整体自评表", ["主管部门", "状态", "填报总分", "计算总分", "等级"],
         [[r["department"], r["stage_label"], r["printed_total"], r["computed_total"], r["grade"]]
          for r in dept["rows"]]),
    ]


def overview_xlsx(data: Mapping[str, Any]) -> bytes:
    """The overview as a workbook: one sheet of figures, one per unit."""
    from openpyxl.styles import Font

    book = new_book(f"{data['year']} 年度绩效自评总览")
    sheet = book.create_sheet("总览")
    append(sheet, [f"{data['year']} 年度绩效自评总览（共 {data['total']} 张表）"])
    sheet["A1"].font = Font(bold=True, size=13)
    tables = overview_tables(data)
    for caption, header, rows in tables[:-1]:
        put(sheet, sheet.max_row + 2, 1, caption).font = Font(bold=True)  # a blank row above each table
        append(sheet, header)
        for row in rows:
            append(sheet, [_cell_value(v) for v in row])
    sheet.column_dimensions["A"].width = 22
    caption, header, rows = tables[-1]
    units = book.create_sheet(caption)
    append(units, header)
    for row in rows:
        append(units, [_cell_value(v) for v in row])
    units.column_dimensions["A"].width = 24
    units.column_dimensions["B"].width = 28
    return to_bytes(book)


def _cell_value(value: Any) -> Any:
    """Numbers as numbers in the sheet; text stays text."""
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value
        except ValueError:
            return value
    return value


def overview_pdf(data: Mapping[str, Any]) -> bytes:
    """The overview as a printable A4 PDF: fpdf2 with the reports' CJK font (jixiao.reports.fonts, TrueType
    outlines), so that the text stays readable by PDF readers (pdfplumber included)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from jixiao.reports.fonts import pdf_font

    title = f"{data['year']} 年度绩效自评总览（共 {data['total']} 张表）"
    tables = overview_tables(data)
    text = title + "".join(c + "".join(h) + "".join(str(v) for r in rows for v in r) for c, h, rows in tables)
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("cjk", "", str(pdf_font(text)))
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
    for caption, header, rows in tables:
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 8, caption, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8 if len(header) > 6 else 9)
        with pdf.table(col_widths=_widths(len(header), pdf.epw), text_align="LEFT", line_height=5.5,
                       headings_style=FontFace(emphasis="", fill_color=(238, 242, 246))) as table:
            for row in [header, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(str(value))
        pdf.ln(3)
    return bytes(pdf.output())

def _widths(columns: int, total: float) -> tuple[float, ...]:
    if columns <= 4:
        return tuple([total / 4] * columns)
    first = (total * 0.16, total * 0.2)
    rest = (total - sum(first)) / (columns - 2)
    return (*first, *([rest] * (columns - 2)))
