"""PDF table geometry: the ruled tables of a page as cells with rows, columns and spans, the page's
characters placed in them, and a table cut by a page break joined back into one.

pdfplumber's table finder, fed a page's ruling segments as edges, finds each ruled table; the
distinct x and y edges of its cells make the columns and rows, so a cell's bounding box gives its
row, column and spans. A table that runs to the foot of a page and goes on at the top of the next,
with the same columns, is one table; a row cut by the page break is joined back into one row. The
scan reader finds its cells from an image and hands them to the same steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jixiao.formats.pdf_text import Char, Line, lines_of, wraps

SNAP = 1.5  # points: edges closer than this are one edge
PAGE_MARGIN = 60.0  # points: a table this close to the page foot/head may continue across pages


@dataclass
class TableCell:
    x0: float
    top: float
    x1: float
    bottom: float
    row: int = 0
    col: int = 0
    rowspan: int = 1
    colspan: int = 1
    chars: list[Char] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    avail: float = 0.0  # width available to text: the cell less its left and right padding


@dataclass
class Table:
    page: int  # first page
    x_edges: list[float]
    y_edges: list[float]  # on the last page
    cells: list[TableCell]
    page_height: float
    rows: int
    last_page: int = 0
    above: list[Line] = field(default_factory=list)  # page text before this table

    @property
    def top(self) -> float:
        return self.y_edges[0]

    @property
    def bottom(self) -> float:
        return self.y_edges[-1]


Item = Table | list[Line]  # what a page holds, top to bottom: a table, or the text between tables


def ruled_cells(edges: list[dict[str, Any]]) -> list[list[tuple[float, float, float, float]]]:
    """The cells of each ruled table, as pdfplumber's find_tables with the "lines" strategy finds them."""
    from pdfplumber import table as finder
    from pdfplumber.utils import filter_edges

    settings = finder.TableSettings()
    edges = filter_edges(edges, min_length=settings.edge_min_length_prefilter)
    edges = finder.merge_edges(edges, settings.snap_x_tolerance, settings.snap_y_tolerance,
                               settings.join_x_tolerance, settings.join_y_tolerance)
    edges = filter_edges(edges, min_length=settings.edge_min_length)
    points = finder.edges_to_intersections(edges, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    return finder.cells_to_tables(finder.intersections_to_cells(points))


def place_chars(tables: list[Table], chars: Sequence[Char]) -> list[Char]:
    """Put each character in the cell of the table it falls in; the characters outside every table."""
    outside: list[Char] = []
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for table in tables:
            if table.x_edges[0] <= cx <= table.x_edges[-1] and table.top <= cy <= table.bottom:
                _assign(table, ch, cx, cy)
                break
        else:
            outside.append(ch)
    return outside


def page_items(tables: list[Table], outside: list[Char], height: float) -> list[Item]:
    """The page's tables (their characters placed) and the runs of text outside them, top to bottom."""
    items: list[Item] = []
    lines = [ln for ln in lines_of(outside) if not _page_furniture(ln, height)]
    for table in sorted(tables, key=lambda t: t.top):
        table.above = [ln for ln in lines if (ln.chars[0].top + ln.chars[0].bottom) / 2 < table.top]
        lines = lines[len(table.above) :]
        if table.above:
            items.append(table.above)
        _finish(table)
        items.append(table)
    if lines:
        items.append(lines)
    return items


_PAGE_NUMBER = re.compile(
    r"^[-—－–\s]*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|"
    r"page\s*\d+(?:\s*of\s*\d+)?)[-—－–\s]*$",
    re.IGNORECASE,
)


def _page_furniture(line: Line, height: float) -> bool:
    """A page number in the head or foot margin: not part of the form, and it must not stop a
    table that goes on over the page break from being joined."""
    top = line.chars[0].top
    in_margin = top < PAGE_MARGIN * 1.5 or top > height - PAGE_MARGIN * 1.5
    return in_margin and _PAGE_NUMBER.match(line.text) is not None


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def table_of(boxes: list[tuple[float, float, float, float]], page: int, height: float) -> Table | None:
    """A table of cell boxes (x0, top, x1, bottom in points): its columns and rows are the boxes' edges."""
    if not boxes:
        return None
    xs = _snap([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _snap([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        cells.append(TableCell(x0, top, x1, bottom, r0, c0, r1 - r0, c1 - c0))
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(page, xs, ys, cells, height, rows=len(ys) - 1, last_page=page)


def _assign(table: Table, ch: Char, cx: float, cy: float) -> None:
    for cell in table.cells:
        if cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom:
            cell.chars.append(ch)
            return


def _finish(table: Table) -> None:
    """Turn each cell's characters into lines, and measure the padding the writer used."""
    offsets: list[float] = []
    for cell in table.cells:
        cell.lines = lines_of(cell.chars)
        cell.chars = []
        offsets.extend(ln.x0 - cell.x0 for ln in cell.lines)
    # The tightest left offset in the table is the cell padding (left-aligned or full lines).
    pad = min((o for o in offsets if o >= 0), default=2.0)
    pad = min(max(pad, 0.0), 12.0)
    for cell in table.cells:
        cell.avail = (cell.x1 - cell.x0) - 2 * pad


def _continues(prev: Table, nxt: Table) -> bool:
    if nxt.page != prev.last_page + 1 or nxt.above:
        return False
    if prev.bottom < prev.page_height - PAGE_MARGIN * 2.5 or nxt.top > PAGE_MARGIN * 2.5:
        return False
    if abs(prev.x_edges[0] - nxt.x_edges[0]) > SNAP * 2 or abs(prev.x_edges[-1] - nxt.x_edges[-1]) > SNAP * 2:
        return False
    return all(any(abs(x - p) <= SNAP * 2 for p in prev.x_edges) for x in nxt.x_edges)


def join_pages(items: list[Item], wrap_slack: float = 0.0) -> list[Item]:
    """The items of all pages, each table continued on the next page joined with its continuation.

    `wrap_slack`: how many characters' width short of its cell's edge a line may end and still count as full
    (a row cut in mid-text): 0 for a PDF's exact glyph boxes; a scan's boxes are the engine's estimates.
    """
    out: list[Item] = []
    for item in items:
        prev = out[-1] if out else None
        if isinstance(item, Table) and isinstance(prev, Table) and _continues(prev, item):
            out[-1] = _merge(prev, item, wrap_slack)
        else:
            out.append(item)
    return out


def _merge(prev: Table, nxt: Table, wrap_slack: float = 0.0) -> Table:
    """One table from a table and its continuation on the next page."""
    xs = _snap(prev.x_edges + nxt.x_edges)
    rows_before = prev.rows
    last_row = [c for c in prev.cells if c.row + c.rowspan == rows_before]
    first_row = [c for c in nxt.cells if c.row == 0]
    split = _is_split_row(last_row, first_row, wrap_slack)
    cells = list(prev.cells)
    offset = rows_before - (1 if split else 0)
    for cell in nxt.cells:
        if split and cell.row == 0:
            match = next(
                (c for c in last_row if abs(c.x0 - cell.x0) <= SNAP * 2 and abs(c.x1 - cell.x1) <= SNAP * 2),
                None,
            )
            if match is not None:
                match.lines = match.lines + cell.lines
                if cell.rowspan > 1:
                    match.rowspan += cell.rowspan - 1
                continue
        cell.row += offset
        cells.append(cell)
    for cell in cells:  # columns may have been refined by the continuation
        c0, c1 = _index(xs, cell.x0), _index(xs, cell.x1)
        cell.col, cell.colspan = c0, max(c1 - c0, 1)
    cells.sort(key=lambda c: (c.row, c.col))
    rows = offset + nxt.rows
    return Table(prev.page, xs, nxt.y_edges, cells, nxt.page_height, rows, nxt.last_page, prev.above)


def _is_split_row(last_row: list[TableCell], first_row: list[TableCell], wrap_slack: float = 0.0) -> bool:
    """Whether the first row of the continuation is the rest of the last row, cut by the page.

    A row cut by the page break goes on with text only in the cells that had text above and were
    cut, and at least one of them was cut in mid-text: its last line above is full, the text
    wraps on below. The cells whose text was complete (the numbers) are empty below. A new row,
    by contrast, has text in a cell that was blank or merged from further up in the row above.
    """
    if not first_row or not last_row:
        return False
    bottom_row = max(c.row for c in last_row)
    above = {(round(c.x0), round(c.x1)): c for c in last_row if c.row == bottom_row}
    pairs = []
    for cell in first_row:
        if not cell.lines:
            continue
        match = next(
            (
                c
                for (x0, x1), c in above.items()
                if abs(cell.x0 - x0) <= SNAP * 2 and abs(cell.x1 - x1) <= SNAP * 2
            ),
            None,
        )
        if match is None or not match.lines:
            return False
        pairs.append((match, cell))
    if not pairs:
        return False
    continued = {id(c) for c, _ in pairs}
    emptied = any(c.lines and id(c) not in continued for c in above.values())
    cut_mid_text = any(wraps(c.lines[-1], n.lines[0], c.avail - wrap_slack * _size(c.lines[-1])) for c, n in pairs)
    return emptied and cut_mid_text


def _size(line: Line) -> float:
    """The size of a line's characters (a CJK character's width)."""
    return max((c.size for c in line.chars), default=0.0)
