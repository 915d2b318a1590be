"""PDF writer (fpdf2): each form on its own A4 page, ruled cells, text selectable and searchable.

The CJK font is Noto Sans SC (SIL OFL 1.1), shipped by the PyPI package pylopdf-fonts-zh-cn; it is
embedded as a subset (only the glyphs used; converted once, see jixiao.reports.fonts), so the file needs no font on
the reader's machine and no network. Every cell is one ruled rectangle (a merged cell is one rectangle over its rows and
columns), which is what PDF table readers look for; text is wrapped by measuring it in the font, a
line never breaks inside a Latin word or number where a space could break it, and the CJK rules for
punctuation (no "，" at a line start, no "（" at a line end) are kept.

A form is set in the largest size (9.5 pt down to 7.5 pt) that fits one page; a longer form goes on
over pages, breaking between rows, never where a merged cell's first part would be too small for
its text. Rescored cells are filled in colour, their text in red.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.reports._atomic import atomic_path
from jixiao.reports.layout import (
    HIGHLIGHT,
    HIGHLIGHT_TEXT,
    FormLayout,
    LayoutCell,
)
from jixiao.reports.sizes import column_fractions

if TYPE_CHECKING:
    pass

FONT = "NotoSansSC"
MARGIN = 12.0  # mm, every side
PADDING = 1.2  # mm, left and right inside a cell
V_PADDING = 1.0  # mm, above and below the text of a cell
LEADING = 1.3  # line height / font size
SIZES = (9.5, 9.0, 8.5, 8.0, 7.5)  # pt, tried in order until the form fits one page
TITLE_PT = 16.0
YEAR_PT = 10.5
PT = 25.4 / 72  # mm per point

# Line-breaking rules of CJK typesetting: these never start a line, these never end one.
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%％‰℃．,.;:?!)]}>")
NO_END = frozenset("（《「『【〔〈“‘([{<")


def write_layouts(layouts: Sequence[FormLayout], path: Path, *, title: str = "预算绩效自评表") -> None:
    """Write any layouts to a .pdf file, each from a new page; `title` names a document of several."""
    from fpdf import FPDF

    from jixiao.reports.fonts import pdf_font

    pdf = _document(FPDF, layouts, pdf_font(_all_text(layouts)), title)
    with atomic_path(path) as tmp:
        pdf.output(str(tmp))


def _all_text(layouts: Sequence[FormLayout]) -> str:
    return "".join(
        "".join(c.text for c in layout.cells) + layout.title + layout.subtitle + layout.note
        for layout in layouts
    )


def _document(fpdf_class: Any, layouts: Sequence[FormLayout], font: Path, title: str) -> Any:
    pdf = fpdf_class(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0  # cells place text exactly where the wrapping measured it
    pdf.add_font(FONT, fname=str(font))
    pdf.set_creator("jixiao")
    pdf.set_lang("zh-CN")
    pdf.set_title(layouts[0].title if len(layouts) == 1 else title)
    for layout in layouts:
        _form(pdf, layout)
    return pdf


# ---------------------------------------------------------------------------------------------
# Measuring and wrapping


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: one CJK character, or a Latin word or number.

    Punctuation that may not start a line sticks to the piece before it, and punctuation that may
    not end a line sticks to the piece after it. A blank is a place to break only between two Latin
    letters, where a reader of the PDF puts the blank back ("upgrade rate"); it ends the piece before
    it. Elsewhere ("≧ 735", "portal (phase") it binds its neighbours, so that no blank is lost.
    """
    pieces: list[str] = []
    for ch in text:
        prev = pieces[-1] if pieces else ""
        latin = ch.isascii() and not ch.isspace() and ch not in NO_START and ch not in NO_END
        if prev and (
            ch in NO_START
            or prev[-1] in NO_END
            or (latin and prev[-1].isascii() and not prev[-1].isspace() and prev[-1] not in NO_START)
        ):
            pieces[-1] = prev + ch
        else:
            pieces.append(ch)
    out: list[str] = []
    glue = False  # the last piece ends with a blank that binds it to the next one
    for piece in pieces:
        if piece.isspace():
            if out:
                out[-1] += piece
                glue = glue or not out[-1].rstrip()[-1:].isalpha() or not out[-1].rstrip()[-1:].isascii()
            else:
                out.append(piece)
                glue = True
            continue
        if out and out[-1][-1:].isspace() and (glue or not (piece[:1].isascii() and piece[:1].isalpha())):
            out[-1] += piece
        else:
            out.append(piece)
        glue = False
    return out


def wrap(text: str, width: float, measure: Any) -> list[str]:
    """Lines of a cell's text in `width` mm: greedy, breaking between pieces, never losing a blank.

    A line broken at a blank keeps the blank at its end: a reader measuring the line then sees that
    the next word could not have fitted, so the break was a wrap and the blank goes back in.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in _tokens(paragraph):
            if line and measure(line + piece.rstrip()) > width:
                lines.append(line)
                line = ""
            while measure(piece.rstrip()) > width and len(piece.rstrip()) > 1:  # wider than the cell
                cut = len(piece) - 1
                while cut > 1 and (measure(piece[:cut]) > width or piece[cut - 1].isspace() or piece[cut].isspace()):
                    cut -= 1  # never cut beside a blank: the reader would lose it
                lines.append(piece[:cut])
                piece = piece[cut:]
            line += piece
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _Sized:
    cell: LayoutCell
    lines: list[str]
    need: float  # mm of height the text needs


@dataclass(frozen=True)
class _Plan:
    size: float
    line: float  # mm
    x: list[float]  # column edges, mm
    heights: list[float]  # row heights, mm
    cells: list[_Sized]


def _plan(pdf: Any, layout: FormLayout, size: float, width: float) -> _Plan:
    pdf.set_font(FONT, size=size)
    x = [MARGIN]
    for f in column_fractions(layout.template):
        x.append(x[-1] + width * f)
    line = size * PT * LEADING
    heights = [line + 2 * V_PADDING] * layout.height
    sized = []
    for cell in layout.cells:
        avail = x[cell.col + cell.colspan] - x[cell.col] - 2 * PADDING
        lines = wrap(cell.text, avail, pdf.get_string_width) if cell.text else []
        need = max(len(lines), 1) * line + 2 * V_PADDING
        sized.append(_Sized(cell, lines, need))
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], need)
    for s in sorted((s for s in sized if s.cell.rowspan > 1), key=lambda s: s.cell.rowspan):
        r0, r1 = s.cell.row, s.cell.row + s.cell.rowspan
        have = sum(heights[r0:r1])
        if s.need > have:
            extra = (s.need - have) / s.cell.rowspan
            for r in range(r0, r1):
                heights[r] += extra
    return _Plan(size, line, x, heights, sized)


def _heading_height(layout: FormLayout) -> float:
    height = TITLE_PT * PT * 1.6
    if layout.subtitle:
        height += YEAR_PT * PT * 1.8
    return height + 1.5


def _pages(plan: _Plan, first: float, later: float, header: int | None) -> list[tuple[int, int]]:
    """Row ranges per page: break between rows, never leaving a merged cell's text too little room.

    A page that goes on inside the indicator block repeats its header row (一级指标, 二级指标, …)
    at the top, so `later` pages have that much less room there.
    """
    n = len(plan.heights)
    pages: list[tuple[int, int]] = []
    start, room = 0, first
    while start < n:
        end, used = start, 0.0
        while end < n and used + plan.heights[end] <= room:
            used += plan.heights[end]
            end += 1
        end = max(end, start + 1)  # a row taller than a page still gets a page
        if end < n:
            end = _safe_break(plan, start, end)
        pages.append((start, end))
        start, room = end, later
        if header is not None and header < start:
            room -= plan.heights[header]
    return pages


def _safe_break(plan: _Plan, start: int, end: int) -> int:
    """Move a page break up above merged cells whose part on this page can't hold their text."""
    for s in plan.cells:
        r0, r1 = s.cell.row, s.cell.row + s.cell.rowspan
        if r0 < end < r1 and r0 > start and sum(plan.heights[r0:end]) < s.need:
            return _safe_break(plan, start, r0)
    return end


def _form(pdf: Any, layout: FormLayout) -> None:
    orientation = "L" if layout.template.landscape else "P"
    pdf.add_page(orientation=orientation)
    pdf.start_section(layout.project or layout.title)  # a bookmark per form (no text on the page)
    page_w, page_h = pdf.w, pdf.h
    width = page_w - 2 * MARGIN
    heading = _heading_height(layout)
    note = 6.0 if layout.note else 0.0
    first, later = page_h - 2 * MARGIN - heading - note, page_h - 2 * MARGIN - note
    plan = next(
        (p for p in (_plan(pdf, layout, s, width) for s in SIZES) if sum(p.heights) <= first),
        None,
    ) or _plan(pdf, layout, 8.0, width)
    # Title and year, centred above the table (the font has one weight: the title is larger).
    y = MARGIN
    pdf.set_font(FONT, size=TITLE_PT)
    pdf.set_xy(MARGIN, y)
    pdf.cell(width, TITLE_PT * PT * 1.6, layout.title, align="C")
    y += TITLE_PT * PT * 1.6
    if layout.subtitle:
        pdf.set_font(FONT, size=YEAR_PT)
        pdf.set_xy(MARGIN, y)
        pdf.cell(width, YEAR_PT * PT * 1.8, layout.subtitle, align="C")
    top = MARGIN + heading
    header = _indicator_header(layout)
    pages = _pages(plan, first, later, header)
    for n, (r0, r1) in enumerate(pages):
        rows = list(range(r0, r1))
        if n:
            pdf.add_page(orientation=orientation)
            top = MARGIN
            if header is not None and header < r0:
                rows.insert(0, header)  # the indicator captions again, as a printed table repeats them
        _draw_rows(pdf, plan, rows, top)
        bottom = top + sum(plan.heights[r] for r in rows)
    if layout.note:
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(MARGIN, bottom + 1.5)
        pdf.cell(width, 4.5, layout.note, align="L")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


def _indicator_header(layout: FormLayout) -> int | None:
    """The row of the indicator captions (一级指标 …), repeated on the pages the indicators go on to."""
    return next((c.row for c in layout.cells if c.role == "caption" and c.text == "一级指标"), None)


def _draw_rows(pdf: Any, plan: _Plan, rows: list[int], top: float) -> None:
    """The parts of the cells that fall in `rows` (consecutive, but for a repeated header first)."""
    y_of: dict[int, tuple[float, float]] = {}
    y = top
    for r in rows:
        y_of[r] = (y, y + plan.heights[r])
        y += plan.heights[r]
    pdf.set_line_width(0.3)
    pdf.set_draw_color(0, 0, 0)
    for s in plan.cells:
        c = s.cell
        shown = [r for r in rows if c.row <= r < c.row + c.rowspan]
        if not shown:
            continue
        x0, x1 = plan.x[c.col], plan.x[c.col + c.colspan]
        y0, y1 = y_of[shown[0]][0], y_of[shown[-1]][1]
        if c.changed:
            pdf.set_fill_color(*_rgb(HIGHLIGHT))
            pdf.rect(x0, y0, x1 - x0, y1 - y0, style="DF")
        else:
            pdf.rect(x0, y0, x1 - x0, y1 - y0, style="D")
        if c.row == shown[0] and s.lines:  # text only where the cell starts
            _draw_text(pdf, plan, s, x0, x1, y0, y1)


def _draw_text(pdf: Any, plan: _Plan, s: _Sized, x0: float, x1: float, y0: float, y1: float) -> None:
    pdf.set_font(FONT, size=plan.size)
    pdf.set_text_color(*(_rgb(HIGHLIGHT_TEXT) if s.cell.changed else (0, 0, 0)))
    block = len(s.lines) * plan.line
    y = y0 + max((y1 - y0 - block) / 2, V_PADDING)
    align = "L" if s.cell.align == "left" else "C"
    for text in s.lines:
        pdf.set_xy(x0 + PADDING, y)
        pdf.cell(x1 - x0 - 2 * PADDING, plan.line, text, align=align)
        y += plan.line
    pdf.set_text_color(0, 0, 0)
