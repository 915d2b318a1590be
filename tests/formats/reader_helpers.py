"""Helpers shared by the reader tests: fixture paths and grid views."""

from __future__ import annotations

from pathlib import Path

from jixiao.formats.grid import Cell, Grid
from jixiao.formats.registry import read_grids

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = FIXTURES / "samples"


def read(path: Path) -> list[Grid]:
    return read_grids(path.read_bytes(), path.name)


def tables(grids: list[Grid]) -> list[Grid]:
    """The table grids, without the grids of paragraphs outside tables."""
    return [g for g in grids if g.sheet != "正文"]


def cell(grid: Grid, text: str) -> Cell:
    """The one cell of a grid with this text."""
    found = [c for row in grid.rows for c in row if c.text == text]
    assert len(found) == 1, f"{text!r} found {len(found)} times"
    return found[0]


def spans(grid: Grid, text: str) -> tuple[int, int, int, int]:
    c = cell(grid, text)
    return c.row, c.col, c.rowspan, c.colspan


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid.rows]


def assert_well_formed(grid: Grid) -> None:
    """Only origin cells, each in its own row list, none overlapping another."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid.rows):
        cols = [c.col for c in row]
        assert cols == sorted(cols), f"row {r} not left to right"
        for c in row:
            assert c.row == r and c.rowspan >= 1 and c.colspan >= 1
            for rr in range(c.row, c.row + c.rowspan):
                for cc in range(c.col, c.col + c.colspan):
                    assert (rr, cc) not in taken, f"cell {c} overlaps at {(rr, cc)}"
                    taken.add((rr, cc))
