"""The one shape every reader produces: a grid of cells with their spans.

A grid lists, row by row, only the cells that start there (as HTML does): a cell merged over
several rows or columns appears once, at its top-left position, with rowspan/colspan. Readers
that can't see merges (the text of a Word table) give every cell span 1, and a vertically merged
cell shows as an empty cell in the rows below, exactly as Word writes it.

Text outside the tables matters too: the title ("绩效目标自评表") and the year ("（2019年度）") are
usually paragraphs above the table. Readers give each such paragraph as a one-cell row, in document
order (a grid of its own before the table's grid, or rows inside it), so the recogniser sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Cell(NamedTuple):
    """One cell (a named tuple: grids hold many thousands, and they are built in the hot path)."""

    text: str  # the text as displayed; line breaks inside the cell kept as "\n"
    row: int  # 0-based row of the top-left corner
    col: int  # 0-based column of the top-left corner
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Grid:
    rows: tuple[tuple[Cell, ...], ...]  # cells starting in each row, left to right
    source: str = ""  # file name, for messages
    sheet: str = ""  # sheet name, page range or table number, for messages

    @property
    def width(self) -> int:
        return max((c.col + c.colspan for r in self.rows for c in r), default=0)


def grid_from_rows(rows: list[list[str]], source: str = "", sheet: str = "") -> Grid:
    """A grid of unmerged cells from rows of texts (tests and simple readers)."""
    return Grid(
        rows=tuple(tuple(Cell(t, r, c) for c, t in enumerate(row)) for r, row in enumerate(rows)),
        source=source,
        sheet=sheet,
    )
