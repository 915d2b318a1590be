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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload


class Cell(NamedTuple):
    """One cell (a named tuple: grids hold many thousands, and they are built in the hot path)."""

    text: str  # the text as displayed; line breaks inside the cell kept as "\n"
    row: int  # 0-based row of the top-left corner
    col: int  # 0-based column of the top-left corner
    rowspan: int = 1
    colspan: int = 1


class SpanFreeRows(Sequence[tuple[Cell, ...]]):
    """Rows whose every cell has span 1 and starts at the next column, kept as their texts.

    It reads as the tuple of rows of Cells it stands for (indexing, iteration, equality, hashing),
    but a Cell is made only when one is asked for. The text of a Word table, and any reader that
    can't see merges, gives thousands of such cells per document; the recogniser reads the texts.
    """

    __slots__ = ("texts",)

    def __init__(self, texts: Iterable[Iterable[str]]) -> None:
        self.texts: tuple[tuple[str, ...], ...] = tuple(map(tuple, texts))

    @staticmethod
    def _row(number: int, texts: tuple[str, ...]) -> tuple[Cell, ...]:
        return tuple([Cell(text, number, col) for col, text in enumerate(texts)])

    @overload
    def __getitem__(self, index: int) -> tuple[Cell, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[Cell, ...], ...]: ...

    def __getitem__(self, index: int | slice) -> tuple[Cell, ...] | tuple[tuple[Cell, ...], ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        number = range(len(self.texts))[index]  # negative indexes and IndexError as a tuple gives them
        return self._row(number, self.texts[number])

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return map(self._row, range(len(self.texts)), self.texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpanFreeRows):
            return self.texts == other.texts
        if isinstance(other, Sequence) and not isinstance(other, str):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"SpanFreeRows({self.texts!r})"


@dataclass(frozen=True)
class Grid:
    rows: Sequence[tuple[Cell, ...]]  # cells starting in each row, left to right
    source: str = ""  # file name, for messages
    sheet: str = ""  # sheet name, page range or table number, for messages

    @property
    def width(self) -> int:
        return max((c.col + c.colspan for r in self.rows for c in r), default=0)


def grid_from_rows(rows: list[list[str]], source: str = "", sheet: str = "") -> Grid:
    """A grid of unmerged cells from rows of texts (tests and simple readers)."""
    return Grid(rows=SpanFreeRows(rows), source=source, sheet=sheet)
