"""SpanFreeRows: rows of span-1 cells kept as texts, read exactly as the tuple of Cells they stand for."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.formats.grid import Cell, Grid, SpanFreeRows, grid_from_rows

texts = st.lists(st.lists(st.text(max_size=4), max_size=5), max_size=6)


def as_cells(rows: list[list[str]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(Cell(t, r, c) for c, t in enumerate(row)) for r, row in enumerate(rows))


@given(texts)
def test_span_free_rows_read_as_the_tuple_of_cells(rows: list[list[str]]) -> None:
    lazy, cells = SpanFreeRows(rows), as_cells(rows)
    assert len(lazy) == len(cells)
    assert tuple(lazy) == cells
    assert [lazy[i] for i in range(-len(cells), len(cells))] == [cells[i] for i in range(-len(cells), len(cells))]
    assert lazy[1:] == cells[1:] and lazy[::-1] == cells[::-1]
    assert lazy == cells and cells == lazy and hash(lazy) == hash(cells)
    assert all(type(cell) is Cell for row in lazy for cell in row)


@given(texts, texts)
def test_span_free_rows_are_equal_when_their_texts_are(a: list[list[str]], b: list[list[str]]) -> None:
    assert (SpanFreeRows(a) == SpanFreeRows(b)) is (a == b)
    assert (SpanFreeRows(a) == as_cells(b)) is (a == b)


def test_an_index_past_the_end_raises_as_for_a_tuple() -> None:
    rows = SpanFreeRows([["a"]])
    with pytest.raises(IndexError):
        rows[1]
    with pytest.raises(IndexError):
        rows[-2]


def test_a_grid_of_span_free_rows_equals_the_grid_of_its_cells() -> None:
    rows = [["项目名称", "x"], ["", "1"]]
    assert grid_from_rows(rows, "a.txt") == Grid(rows=as_cells(rows), source="a.txt")
    assert hash(grid_from_rows(rows, "a.txt")) == hash(Grid(rows=as_cells(rows), source="a.txt"))


def test_a_grid_of_span_free_rows_pickles_intact() -> None:
    """Grids are plain values: pickled for a worker process or a cache, a span-free grid comes back the same."""
    grid = grid_from_rows([["项目名称", "x"], ["1"]], "a.txt", "表1")
    again = pickle.loads(pickle.dumps(grid))
    assert again == grid and isinstance(again.rows, SpanFreeRows) and again.rows.texts == grid.rows.texts
