"""The rows of a grid as the recogniser reads them (cells cleaned, a cell merged from above a blank
placeholder), and the columns a block's header row gives the rows below it: a data cell belongs to
the header cell whose columns it starts in, the captions matched against the vocabulary's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from jixiao.core.lazy import cached_value
from jixiao.formats.grid import Cell, Grid, SpanFreeRows
from jixiao.formats.layout_words import GOAL_COLUMNS, Vocabulary, clean, key, parse_number_like


class RowCell(NamedTuple):
    """A cell as the recogniser reads it: its cleaned text and the columns it covers."""

    text: str
    col: int
    end: int  # one past the last column


class Row:
    """A row of cleaned cells; its texts and matching key are computed once."""

    __slots__ = ("cells", "grid", "joined", "number", "texts")

    def __init__(self, cells: tuple[RowCell, ...], texts: list[str], grid: int, number: int) -> None:
        self.cells = cells
        self.grid = grid
        self.number = number  # 1-based row in its grid
        self.texts = texts  # the non-empty cleaned texts, left to right
        self.joined = key("".join(texts))


@lru_cache(maxsize=8192)
def _cell(text: str, col: int, colspan: int) -> RowCell:
    """A grid cell as the recogniser reads it; cached, as labels, captions and blanks recur in every form."""
    return RowCell(clean(text), col, col + colspan)


_TEXT = attrgetter("text")


def rows_of(grid: Grid, grid_index: int) -> Iterable[Row]:
    """A grid's rows with a blank placeholder where a cell from a row above covers the row."""
    if isinstance(grid.rows, SpanFreeRows):  # every cell spans 1: no cover, columns 0, 1, 2…
        for number, texts in enumerate(grid.rows.texts, 1):
            row_cells = tuple(map(_cell, texts, range(len(texts)), repeat(1)))
            yield Row(row_cells, list(filter(None, map(_TEXT, row_cells))), grid_index, number)
        return
    covered: dict[int, list[tuple[int, int]]] = {}
    for number, cells in enumerate(grid.rows):
        # One transpose and a few C-level maps per row: a document has thousands of rows.
        texts, _, cols, rowspans, colspans = zip(*cells) if cells else ((), (), (), (1,), ())  # noqa: B905
        row_cells = list(map(_cell, texts, cols, colspans))
        spans = covered.pop(number, None) if covered else None
        if spans:
            row_cells.extend(RowCell("", col, end) for col, end in spans)
            row_cells.sort(key=lambda c: c.col)
        if max(rowspans) > 1:
            _cover(covered, cells, number)
        yield Row(tuple(row_cells), list(filter(None, map(_TEXT, row_cells))), grid_index, number + 1)


def _cover(covered: dict[int, list[tuple[int, int]]], cells: Sequence[Cell], number: int) -> None:
    """Note the columns each cell merged over the rows below covers in those rows."""
    for c in cells:
        if c.rowspan > 1:
            for r in range(number + 1, number + c.rowspan):
                covered.setdefault(r, []).append((c.col, c.col + c.colspan))


@dataclass(frozen=True)
class Columns:
    """The fields of a block's header row, by column range and by position."""

    row: Row
    fields: tuple[str, ...]  # per header cell, "" for none

    def refined(self, sub: Row, sub_fields: tuple[str, ...]) -> Columns:
        """The columns with a second header row (指标性质 | 指标值 | 度量单位 under a merged 年度指标值)."""
        cells: list[RowCell] = []
        fields: list[str] = []
        for name, head in zip(self.fields, self.row.cells, strict=True):
            below = [(f, c) for f, c in zip(sub_fields, sub.cells, strict=True)
                     if c.text and head.col <= c.col < head.end]
            if below and head.end - head.col > 1:
                fields += [f for f, _ in below]
                cells += [c for _, c in below]
            else:
                fields.append(name)
                cells.append(head)
        row = Row(tuple(cells), [c.text for c in cells if c.text], self.row.grid, self.row.number)
        return Columns(row, tuple(fields))

    @cached_value
    def by_column(self) -> dict[int, str]:
        """Field of every column the header covers."""
        return {c: f for f, h in zip(self.fields, self.row.cells, strict=True) for c in range(h.col, h.end)}

    def assign(self, row: Row) -> list[tuple[str, RowCell]]:
        if row.grid != self.row.grid and len(row.cells) == len(self.fields):
            return list(zip(self.fields, row.cells, strict=True))
        by_column = self.by_column
        return [(by_column.get(cell.col, ""), cell) for cell in row.cells]


# Caches keyed by a table's identity, as hashing its long tuple per row costs; each entry keeps the
# table itself, so that an identity reused after the table is gone can't answer for another.
_FIELDS_CACHE: dict[tuple[int, tuple[str, ...]], tuple[object, tuple[str, ...]]] = {}


def header_fields(row: Row, table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The fields of a header row's captions, cached by the table's identity."""
    captions = tuple([c.text for c in row.cells])
    cache_key = (id(table), captions)
    found = _FIELDS_CACHE.get(cache_key)
    if found is None or found[0] is not table:
        if len(_FIELDS_CACHE) > 4096:
            _FIELDS_CACHE.clear()
        found = _FIELDS_CACHE[cache_key] = (table, _caption_fields(captions, table))
    return found[1]


def _caption_fields(captions: tuple[str, ...], table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The field of each caption of a header row; the second 分值 is the seed's repeated column, the second
    reason column (改进措施 beside 偏差原因分析 or 未完成原因) the measures."""
    fields: list[str] = []
    for caption in captions:
        k = key(caption)
        name = next((f for word, f in table if word in k), "")
        if name == "weight" and "weight" in fields:
            name = "weight_repeat"
        elif name == "reason" and "reason" in fields:  # 偏差原因分析 | 改进措施: the second is the measures
            name = "measures"
        fields.append(name)
    return tuple(fields)


def block_header(row: Row, vocabulary: Vocabulary) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The block whose column captions a row holds: funds, goals or indicators."""
    j = row.joined
    if "年初预算" in j or ("预算数" in j and "执行数" in j):
        block: tuple[str, tuple[tuple[str, str], ...]] = ("funds", vocabulary.fund_columns)
    elif _levels_header(row, vocabulary):  # before goals: 年度目标值 | 实际完成值 is no goal
        block = ("indicators", vocabulary.indicator_columns)
    elif "完成" in j and any(w in j for w in ("设定目标", "预期目标", "年度目标")):
        block = ("goals", GOAL_COLUMNS)
    else:
        return None
    # Captions are short; a goal text that happens to hold these words is not a header.
    return block if max(map(len, map(key, row.texts)), default=0) <= 24 else None



def _levels_header(row: Row, vocabulary: Vocabulary) -> bool:
    """The indicator block's header row: a level-1 caption (一级指标, 一级, 指标类别, 绩效指标（一级）) beside a level-2
    or indicator-name caption, every text a caption (a data row may name 一级公路 but prints values)."""
    j = row.joined
    if "一级" not in j and "类别" not in j:
        return False
    if "一级指标" in j and ("二级指标" in j or "三级指标" in j):
        return True
    if any(parse_number_like(t) for t in row.texts):
        return False
    fields = header_fields(row, vocabulary.indicator_columns)
    return "level1" in fields and ("level2" in fields or "name" in fields) and sum(map(bool, fields)) >= 3
