"""PDF grids: each table as a grid with its spans, the text between tables as one-cell rows, and a
document with no ruled table at all read from where its text starts (text-positioned tables, as
many government PDFs are)."""

from __future__ import annotations

import itertools

from jixiao.formats.grid import Cell, Grid
from jixiao.formats.pdf_tables import SNAP, Item, Table
from jixiao.formats.pdf_text import Char, Line, is_latin, join_lines


def grids(items: list[Item], name: str) -> list[Grid]:
    """Each table a grid with its spans (named by its pages), each run of text between tables one-cell rows."""
    out: list[Grid] = []
    for item in items:
        if isinstance(item, Table):
            last = item.last_page
            sheet = f"第{item.page}页" if last == item.page else f"第{item.page}–{last}页"
            rows: dict[int, list[Cell]] = {}
            for cell in item.cells:
                text = join_lines(cell.lines, cell.avail)
                rows.setdefault(cell.row, []).append(
                    Cell(text, cell.row, cell.col, cell.rowspan, cell.colspan)
                )
            grid_rows = tuple(tuple(sorted(rows.get(r, []), key=lambda c: c.col)) for r in range(item.rows))
            out.append(Grid(rows=grid_rows, source=name, sheet=sheet))
        elif item:
            texts = [ln.text for ln in item]
            out.append(
                Grid(rows=tuple((Cell(t, r, 0),) for r, t in enumerate(texts)), source=name, sheet="正文")
            )
    return out


# ---------------------------------------------------------------------------------------------
# Tables without ruling lines


COLUMN_GAP = 1.0  # in font sizes: a gap this wide between characters of a line separates two cells


def text_positioned(items: list[Item], name: str) -> list[Grid]:
    """One grid from a document with no ruled table, its columns found from where text starts.

    Each text line is a row; its runs of characters separated by a gap of at least an em are its
    cells. The left edges of the cells of every row with more than one cell, snapped together,
    are the columns, and a cell goes in the column whose edge is the nearest at or left of it.
    A line set closer under the one above than half its font size, with text only in columns
    where the line above has text, is the rest of that row's wrapped cells.
    """
    lines = [ln for item in items if isinstance(item, list) for ln in item]
    runs_of = [_runs(ln) for ln in lines]
    starts = _snap_columns([run[0].x0 for runs in runs_of if len(runs) > 1 for run in runs])
    rows: list[dict[int, str]] = []
    prev_bottom = -1e9
    for line, runs in zip(lines, runs_of, strict=True):
        row: dict[int, str] = {}
        for run in runs:
            col = _column(starts, run[0].x0)
            text = Line(run).text
            row[col] = (row[col] + " " + text) if col in row else text
        top = min(c.top for c in line.chars)
        size = max(c.size for c in line.chars)
        if rows and 0 <= top - prev_bottom < 0.5 * size and set(row) <= set(rows[-1]):
            for col, text in row.items():
                above = rows[-1][col]
                rows[-1][col] = above + (" " if is_latin(above[-1:]) and is_latin(text[:1]) else "") + text
        else:
            rows.append(row)
        prev_bottom = max(c.bottom for c in line.chars)
    cells = tuple(tuple(Cell(text, r, col) for col, text in sorted(row.items())) for r, row in enumerate(rows))
    return [Grid(rows=cells, source=name, sheet="正文")]


def _runs(line: Line) -> list[list[Char]]:
    runs: list[list[Char]] = [[line.chars[0]]]
    for prev, ch in itertools.pairwise(line.chars):
        if ch.x0 - prev.x1 >= COLUMN_GAP * max(ch.size, 1.0):
            runs.append([ch])
        else:
            runs[-1].append(ch)
    return [run for run in runs if "".join(c.text for c in run).strip()]


def _snap_columns(xs: list[float]) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > 3 * SNAP:
            out.append(x)
    return out


def _column(starts: list[float], x: float) -> int:
    col = 0
    for i, start in enumerate(starts):
        if start <= x + 3 * SNAP:
            col = i
    return col
