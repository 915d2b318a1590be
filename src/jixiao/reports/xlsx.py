"""Excel writer: one sheet per form in its standard layout, and a first sheet 汇总 for a batch.

Each form sheet starts with the title and year rows, merged across the table, as the samples do;
merged cells are real merges, every cell of a merged range carries the border so that it prints.
Numbers that a value cell prints exactly as Excel would show them are stored as numbers (75.6% as
0.756 with the format 0.0%), so that the sheet sums and sorts; every other text stays text. Pages
are A4, scaled to the width of one page; row heights are set, since Excel does not grow merged rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.reports._atomic import atomic_path
from jixiao.reports.layout import (
    BODY_FONT,
    HIGHLIGHT,
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    SUMMARY_TITLE,
    TITLE_FONT,
    FormLayout,
    FormSummary,
    LayoutCell,
    build_layouts,
    row_heights,
    sheet_names,
    summarise,
)

if TYPE_CHECKING:
    from jixiao.core.model import Form
    from jixiao.core.scoring import Scorecard

BODY_PT = 10
TITLE_PT = 16
LINE_PT = 13.5  # height of one line of 10-point text
PADDING_PT = 2.5
_PLAIN = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{0,8}[1-9])?")
_PERCENT = re.compile(r"(-?(?:0|[1-9]\d{0,12})(?:\.(\d{1,6}))?)%")


def excel_value(text: str, numeric: bool) -> tuple[Any, str]:
    """The value and number format a cell is stored with: a number when Excel shows it as `text`."""
    if numeric:
        if _PLAIN.fullmatch(text):
            return (float(text) if "." in text else int(text)), "General"
        m = _PERCENT.fullmatch(text)
        if m:
            places = len(m.group(2) or "")
            fmt = "0%" if places == 0 else "0." + "0" * places + "%"
            return float(Decimal(m.group(1)) / 100), fmt
    return text, "General"


def write(
    forms: Sequence[Form],
    path: Path,
    *,
    scorecards: Sequence[Scorecard | None] | None = None,
    summaries: Sequence[FormSummary] | None = None,
    rescore: bool = False,
) -> None:
    """Write the forms to a .xlsx workbook; a batch (two forms or more) gets the 汇总 sheet first."""
    from openpyxl import Workbook

    layouts = build_layouts(forms, scorecards, rescore=rescore)
    batch = len(forms) > 1
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "jixiao"
    wb.properties.title = "预算绩效自评表"
    names = sheet_names(forms, reserved=[SUMMARY_SHEET] if batch else [])
    if batch:
        if summaries is None:
            cards = list(scorecards) if scorecards is not None else [None] * len(forms)
            summaries = [summarise(f, s) for f, s in zip(forms, cards, strict=True)]
        _summary_sheet(wb.create_sheet(SUMMARY_SHEET), summaries, names)
    for layout, name in zip(layouts, names, strict=True):
        _form_sheet(wb.create_sheet(name), layout)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "body": Font(name=BODY_FONT, size=BODY_PT),
        "bold": Font(name=BODY_FONT, size=BODY_PT, bold=True),
        "title": Font(name=TITLE_FONT, size=TITLE_PT, bold=True),
        "link": Font(name=BODY_FONT, size=BODY_PT, color="0563C1", underline="single"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "fill": PatternFill(fill_type="solid", start_color=HIGHLIGHT, end_color=HIGHLIGHT),
    }


def _page_setup(ws: Any, landscape: bool, last_row: int, last_col: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"


def _form_sheet(ws: Any, layout: FormLayout) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    st = _styles()
    width = layout.width
    for c, units in enumerate(layout.template.widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = units
    top = 1
    for n, heading in enumerate(layout.headings):
        cell = ws.cell(top, 1, heading)
        cell.font = st["title"] if n == 0 else st["body"]
        cell.alignment = st["center"]
        ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
        ws.row_dimensions[top].height = 30 if n == 0 else 20
        top += 1
    for cell in layout.cells:
        _put(ws, cell, top, st)
        if cell.changed:
            ws.cell(top + cell.row, 1 + cell.col).comment = Comment(f"原表印制值：{cell.printed or '（空白）'}", "jixiao")
    for r, height in enumerate(row_heights(layout, LINE_PT, PADDING_PT)):
        ws.row_dimensions[top + r].height = round(height, 1)
    last = top + layout.height - 1
    if layout.note:
        last += 1
        note = ws.cell(last, 1, layout.note)
        note.font = st["body"]
        note.alignment = st["left"]
        ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=width)
    _page_setup(ws, layout.template.landscape, last, width)


def _set(cell: Any, value: Any, fmt: str) -> Any:
    """Store a value; text that Excel would take for a formula ("=100%") stays text."""
    cell.value = value if value != "" else None
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.number_format = fmt
    return cell


def _put(ws: Any, cell: LayoutCell, top: int, st: dict[str, Any]) -> None:
    row, col = top + cell.row, 1 + cell.col
    value, fmt = excel_value(cell.text, cell.numeric)
    target = _set(ws.cell(row, col), value, fmt)
    target.font = st["bold"] if cell.role == "caption" else st["body"]
    target.alignment = st["left"] if cell.align == "left" else st["center"]
    for r in range(row, row + cell.rowspan):
        for c in range(col, col + cell.colspan):
            part = ws.cell(r, c)
            part.border = st["border"]
            if cell.changed:
                part.fill = st["fill"]
    if cell.rowspan > 1 or cell.colspan > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.rowspan - 1,
                       end_column=col + cell.colspan - 1)


def _summary_sheet(ws: Any, summaries: Sequence[FormSummary], names: Sequence[str]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    st = _styles()
    width = len(SUMMARY_COLUMNS)
    title = ws.cell(1, 1, SUMMARY_TITLE)
    title.font = st["title"]
    title.alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    for c, (_, caption, units) in enumerate(SUMMARY_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = units
        cell = ws.cell(2, c, caption)
        cell.font, cell.alignment, cell.border = st["bold"], st["center"], st["border"]
    numeric = {"year", "annual", "executed", "rate", "fund_score", "printed_total", "computed_total",
               "errors", "warnings"}
    for r, (summary, sheet) in enumerate(zip(summaries, names, strict=True), 3):
        for c, ((name, _, _), text) in enumerate(zip(SUMMARY_COLUMNS, summary.values(), strict=True), 1):
            value, fmt = excel_value(text, name in numeric)
            cell = _set(ws.cell(r, c), value, fmt)
            cell.font, cell.border = st["body"], st["border"]
            cell.alignment = st["left"] if name in ("project", "unit") else st["center"]
            if name == "project":  # a link inside the workbook to the form's sheet
                quoted = sheet.replace("'", "''")
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
                cell.font = st["link"]
    last = 2 + len(summaries)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(width)}{last}"
    _page_setup(ws, True, last, width)
