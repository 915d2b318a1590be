"""Excel writer: one sheet per form in its standard layout, and a first sheet 汇总 for a batch.

Each form sheet starts with the title and year rows, merged across the table, as the samples do;
merged cells are real merges, every cell of a merged range carries the border so that it prints.
Numbers that a value cell prints exactly as Excel would show them are stored as numbers (75.6% as
0.756 with the format 0.0%), so that the sheet sums and sorts; every other text stays text. Pages
are A4, scaled to the width of one page; row heights are set, since Excel does not grow merged rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.core.profiles import Template as Wording
from jixiao.reports._atomic import atomic_path
from jixiao.reports.layout import FormLayout, LayoutCell, build_layouts
from jixiao.reports.sizes import row_heights
from jixiao.reports.summary import SUMMARY_SHEET, FormSummary, sheet_names, summarise, summary_sheet
from jixiao.reports.workbook import LINE_PT, PADDING_PT, excel_value, page_setup, put, put_value, styles

if TYPE_CHECKING:
    from jixiao.core.model import Form
    from jixiao.core.scoring import Scorecard

def write(
    forms: Sequence[Form],
    path: Path,
    *,
    scorecards: Sequence[Scorecard | None] | None = None,
    summaries: Sequence[FormSummary] | None = None,
    rescore: bool = False,
    wordings: Sequence[Wording | None] | None = None,
) -> None:
    """Write the forms to a .xlsx workbook; a batch (two forms or more) gets the 汇总 sheet first."""
    from jixiao.reports.workbook import new_book

    layouts = build_layouts(forms, scorecards, rescore=rescore, wordings=wordings)
    batch = len(forms) > 1
    wb = new_book("预算绩效自评表")
    names = sheet_names(forms, reserved=[SUMMARY_SHEET] if batch else [])
    if batch:
        if summaries is None:
            cards = list(scorecards) if scorecards is not None else [None] * len(forms)
            summaries = [summarise(f, s) for f, s in zip(forms, cards, strict=True)]
        summary_sheet(wb.create_sheet(SUMMARY_SHEET), summaries, names)
    for layout, name in zip(layouts, names, strict=True):
        _form_sheet(wb.create_sheet(name), layout)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_layouts(layouts: Sequence[FormLayout], path: Path, *, title: str = "预算绩效自评表") -> None:
    """Write any layouts to a .xlsx workbook, a sheet each (named after its project, else its title)."""
    from jixiao.reports.summary import sheet_name
    from jixiao.reports.workbook import new_book

    wb = new_book(title)
    taken: list[str] = []
    for layout in layouts:
        taken.append(sheet_name(layout.project or layout.title, taken=taken))
        _form_sheet(wb.create_sheet(taken[-1]), layout)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_streamed(
    layouts: Iterable[FormLayout], names: Iterable[str], path: Path, *,
    summaries: Sequence[FormSummary] | None = None, title: str = "预算绩效自评表",
) -> None:
    """As write, one sheet at a time (openpyxl's write-only mode): only the sheet being written is held.

    Each form's sheet is filled as write fills it, then written out row by row and let go; the 汇总
    sheet, with summaries, comes first in the workbook and is filled last (its rows, a few per form, are
    held until then). `names` pair with the layouts (summary.sheet_names gives them).
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = "jixiao"
    wb.properties.title = title
    summary = wb.create_sheet(SUMMARY_SHEET) if summaries is not None else None
    written = []
    for layout, name in zip(layouts, names, strict=True):
        scratch = _scratch(wb)
        _form_sheet(scratch, layout)
        _stream_sheet(scratch, wb.create_sheet(name))
        written.append(name)
    if summary is not None and summaries is not None:
        scratch = _scratch(wb)
        summary_sheet(scratch, summaries, written)
        _stream_sheet(scratch, summary)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _scratch(wb: Any) -> Any:
    """An ordinary sheet of a write-only workbook, not in it: filled by the usual code, then streamed."""
    from openpyxl.worksheet.worksheet import Worksheet

    return Worksheet(wb, title=" scratch")


_SHEET_PARTS = ("column_dimensions", "row_dimensions", "merged_cells", "page_setup", "print_options", "page_margins",
                "sheet_properties", "views", "auto_filter", "sheet_format", "_print_area")


def _stream_sheet(scratch: Any, ws: Any) -> None:
    """A filled ordinary sheet written through a write-only one: its settings, then its rows in order."""
    from copy import copy

    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.page import PrintPageSetup

    for part in _SHEET_PARTS:
        setattr(ws, part, getattr(scratch, part))
    rows: dict[int, dict[int, Any]] = {}
    for (r, c), cell in scratch._cells.items():
        rows.setdefault(r, {})[c] = cell
    last_row = max([*rows, *scratch.row_dimensions.keys(), 0])
    for r in range(1, last_row + 1):
        cells = rows.get(r, {})
        row: list[Any] = [None] * max(cells, default=0)
        for c, cell in cells.items():
            if not isinstance(cell, Cell):  # a merged range's covered cell: its border only
                blank = WriteOnlyCell(ws)
                blank._style = copy(cell._style)
                cell = blank
            row[c - 1] = cell
        ws.append(row)
    ws._hyperlinks = scratch._hyperlinks  # a cell files its link with the sheet it was made in
    ws.close()  # written to its temporary file now
    # Let the scratch sheet and its cells go: these parts point back at it, and are written already.
    ws.page_setup = PrintPageSetup(worksheet=ws)
    ws.row_dimensions, ws.column_dimensions, ws.merged_cells = {}, {}, MultiCellRange()


def _form_sheet(ws: Any, layout: FormLayout) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    st = styles()
    width = layout.width
    for c, units in enumerate(layout.template.widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = units
    top = 1
    for n, heading in enumerate(layout.headings):
        cell = put(ws, top, 1, heading)
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
    page_setup(ws, layout.template.landscape, last, width)


def _put(ws: Any, cell: LayoutCell, top: int, st: dict[str, Any]) -> None:
    row, col = top + cell.row, 1 + cell.col
    value, fmt = excel_value(cell.text, cell.numeric)
    target = put_value(ws.cell(row, col), value, fmt)
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


