"""The layout recogniser: any grid, from any reader, to forms (docs/domain.md §2, §8).

Recognition goes by the words of the header cells and the shape of the table, never by fixed row
or column numbers. The grids of a document are read as one stream of rows, so a form may span
several tables or pages and several forms may stand on one sheet. Within a form, each block's
header row (资金, 目标, 指标) gives the columns of the rows below it; a data cell belongs to the
header cell whose columns it starts in. Whatever can't be placed is kept in Form.unplaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from jixiao.core.lazy import cached_value
from jixiao.core.model import Form, FundRow, Goals, Indicator, Source, Total
from jixiao.formats.grid import Cell, Grid, SpanFreeRows

_BLANKS = " \t\u3000\xa0\u2002\u2003\u200b\ufeff"
_YEAR = re.compile(r"[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_POINTS = re.compile(r"^(.*?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
# Titles whose interchange record carries the year, as the MoF 2020 template prints it on one line.
TITLES_WITH_YEAR = ("项目支出绩效自评表",)

HEADER_LABELS = {
    "项目名称": "project",
    "项目负责人及电话": "leader",
    "项目负责人及联系电话": "leader",
    "项目负责人": "leader",
    "主管部门": "department",
    "主管部门及代码": "department",
    "实施单位": "unit",
    "实施单位及代码": "unit",
    "预算单位": "unit",
}

# (keyword, field): the first keyword a header cell contains decides its field; order matters.
FUND_COLUMNS = (
    ("年初预算", "initial"),
    ("执行率", "rate"),
    ("执行数", "executed"),
    ("预算数", "annual"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("得分", "score"),
)
INDICATOR_COLUMNS = (
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "name"),
    ("指标性质", "target_op"),
    ("度量单位", "target_unit"),
    ("计量单位", "target_unit"),
    ("完成值", "actual"),
    ("实际值", "actual"),
    ("指标值", "target"),
    ("目标值", "target"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("得分", "score"),
    ("原因", "reason"),
    ("改进措施", "reason"),
)
GOAL_COLUMNS = (("完成", "achieved"), ("设定目标", "planned"), ("预期目标", "planned"), ("年度目标", "planned"))
FUND_KINDS = (
    ("总额", "total"),
    ("合计", "total"),
    ("财政拨款", "appropriation"),
    ("财政资金", "appropriation"),
    ("结转", "carryover"),
    ("结余", "carryover"),
    ("其他资金", "other"),
    ("其他", "other"),
)
TOTAL_LABELS = ("总分", "合计", "总计")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """A cell's value as the record keeps it: line breaks removed, blanks trimmed (docs/domain.md §8)."""
    if "\n" not in text and "\r" not in text:
        return text.strip(_BLANKS)
    lines = text.replace("\r", "\n").split("\n")
    return "".join(line.strip(_BLANKS) for line in lines)


_KEY_TABLE = str.maketrans("", "", _BLANKS + ":：\n\r")


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Text for matching words: no blanks, no colons, no line breaks."""
    return text.translate(_KEY_TABLE)


class _Cell(NamedTuple):
    text: str
    col: int
    end: int  # one past the last column


class _Row:
    """A row of cleaned cells; its texts and matching key are computed once."""

    __slots__ = ("cells", "grid", "joined", "number", "texts")

    def __init__(self, cells: tuple[_Cell, ...], texts: list[str], grid: int, number: int) -> None:
        self.cells = cells
        self.grid = grid
        self.number = number  # 1-based row in its grid
        self.texts = texts  # the non-empty cleaned texts, left to right
        self.joined = key("".join(texts))


@lru_cache(maxsize=65536)
def _cell(text: str, col: int, colspan: int) -> _Cell:
    """A grid cell as the recogniser reads it; cached, as labels, captions and blanks recur in every form."""
    return _Cell(clean(text), col, col + colspan)


_TEXT = attrgetter("text")


def _rows_of(grid: Grid, grid_index: int) -> Iterable[_Row]:
    """A grid's rows with a blank placeholder where a cell from a row above covers the row."""
    if isinstance(grid.rows, SpanFreeRows):  # every cell spans 1: no cover, columns 0, 1, 2…
        for number, texts in enumerate(grid.rows.texts, 1):
            row_cells = tuple(map(_cell, texts, range(len(texts)), repeat(1)))
            yield _Row(row_cells, list(filter(None, map(_TEXT, row_cells))), grid_index, number)
        return
    covered: dict[int, list[tuple[int, int]]] = {}
    for number, cells in enumerate(grid.rows):
        # One transpose and a few C-level maps per row: a document has thousands of rows.
        texts, _, cols, rowspans, colspans = zip(*cells) if cells else ((), (), (), (1,), ())  # noqa: B905
        row_cells = list(map(_cell, texts, cols, colspans))
        spans = covered.pop(number, None) if covered else None
        if spans:
            row_cells.extend(_Cell("", col, end) for col, end in spans)
            row_cells.sort(key=lambda c: c.col)
        if max(rowspans) > 1:
            _cover(covered, cells, number)
        yield _Row(tuple(row_cells), list(filter(None, map(_TEXT, row_cells))), grid_index, number + 1)


def _cover(covered: dict[int, list[tuple[int, int]]], cells: Sequence[Cell], number: int) -> None:
    """Note the columns each cell merged over the rows below covers in those rows."""
    for c in cells:
        if c.rowspan > 1:
            for r in range(number + 1, number + c.rowspan):
                covered.setdefault(r, []).append((c.col, c.col + c.colspan))


@dataclass(frozen=True)
class _Columns:
    """The fields of a block's header row, by column range and by position."""

    row: _Row
    fields: tuple[str, ...]  # per header cell, "" for none

    @cached_value
    def by_column(self) -> dict[int, str]:
        """Field of every column the header covers."""
        return {c: f for f, h in zip(self.fields, self.row.cells, strict=True) for c in range(h.col, h.end)}

    def assign(self, row: _Row) -> list[tuple[str, _Cell]]:
        if row.grid != self.row.grid and len(row.cells) == len(self.fields):
            return list(zip(self.fields, row.cells, strict=True))
        by_column = self.by_column
        return [(by_column.get(cell.col, ""), cell) for cell in row.cells]


def _header_fields(row: _Row, table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return _caption_fields(tuple([c.text for c in row.cells]), table)


@lru_cache(maxsize=1024)
def _caption_fields(captions: tuple[str, ...], table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The field of each caption of a header row; the second 分值 is the seed's repeated column."""
    fields: list[str] = []
    for caption in captions:
        k = key(caption)
        name = next((f for word, f in table if word in k), "")
        if name == "weight" and "weight" in fields:
            name = "weight_repeat"
        fields.append(name)
    return tuple(fields)


HEADER_WORDS = ("项目名称", "负责人", "主管部门", "实施单位", "预算单位")
_HEADER_WORDS = re.compile("|".join(HEADER_WORDS))


def _block_header(row: _Row) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The block whose column captions a row holds: funds, goals or indicators."""
    j = row.joined
    if "年初预算" in j or ("预算数" in j and "执行数" in j):
        block: tuple[str, tuple[tuple[str, str], ...]] = ("funds", FUND_COLUMNS)
    elif "完成" in j and any(w in j for w in ("设定目标", "预期目标", "年度目标")):
        block = ("goals", GOAL_COLUMNS)
    elif "一级指标" in j and ("二级指标" in j or "三级指标" in j):
        block = ("indicators", INDICATOR_COLUMNS)
    else:
        return None
    # Captions are short; a goal text that happens to hold these words is not a header.
    return block if max(map(len, map(key, row.texts)), default=0) <= 24 else None


def _year(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def _is_title(text: str) -> bool:
    k = key(text)
    return len(k) <= 40 and ("自评表" in k or ("绩效" in k and "表" in k))


def _is_year_line(text: str) -> bool:
    k = key(text)
    return bool(_YEAR.fullmatch(k)) or (k.endswith("年度") and _year(k) is not None and len(k) <= 12)


@lru_cache(maxsize=1024)
def split_points(level1: str) -> tuple[str, str]:
    """"产出指标(75分)" → ("产出指标", "75"); a name without a points label → (name, "")."""
    m = _POINTS.match(level1)
    return (m.group(1).strip(_BLANKS), m.group(2)) if m else (level1, "")


@dataclass
class _FormBuilder:
    title: str
    year: int | None
    index: int
    source: str
    sheet: str
    header: dict[str, str] = field(default_factory=dict)
    funds: list[FundRow] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    achieved: list[str] = field(default_factory=list)
    points: dict[str, str] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    total: Total = field(default_factory=Total)
    unplaced: list[str] = field(default_factory=list)
    mode: str = "header"
    columns: _Columns | None = None
    level1: str = ""
    level2: str = ""

    def feed(self, row: _Row) -> str:
        """Place a row in the form; returns the role it was given (for inspect)."""
        unplaced = len(self.unplaced)
        if _HEADER_WORDS.search(row.joined) and self._header_pairs(row):
            return "header"
        block = _block_header(row)
        if block:
            mode, table = block
            self._start(mode, row, table)
            return f"{mode}-header"
        if self.mode != "funds" and key(row.texts[0]).startswith(TOTAL_LABELS):
            self._total(row)
            return "total"
        if self.mode == "funds":
            self._fund(row)
        elif self.mode == "goals":
            self._goals(row)
        elif self.mode == "indicators":
            self._indicator(row)
        else:
            self._unplace(row)
        return "unplaced" if len(self.unplaced) > unplaced else self.mode

    def fields_of(self, row: _Row) -> list[tuple[int, str]]:
        """(column, field) of each cell of a row under the current block header."""
        if self.columns is None:
            return []
        return [(cell.col, name) for name, cell in self.columns.assign(row) if name]

    def _start(self, mode: str, row: _Row, table: tuple[tuple[str, str], ...]) -> None:
        self.mode = mode
        self.columns = _Columns(row, _header_fields(row, table))

    def _unplace(self, row: _Row) -> None:
        self.unplaced.append(f"第{row.number}行：" + " | ".join(row.texts))

    def _header_pairs(self, row: _Row) -> bool:
        cells = row.cells
        labels = [(i, HEADER_LABELS.get(key(c.text))) for i, c in enumerate(cells)]
        found = [(i, name) for i, name in labels if name]
        if not found or (self.mode not in ("header",) and len(found) < 2 and found[0][1] != "project"):
            return False
        for i, name in found:
            value = ""
            if i + 1 < len(cells) and not HEADER_LABELS.get(key(cells[i + 1].text)):
                value = cells[i + 1].text
            self.header.setdefault(name, value)
        return True

    def _fund(self, row: _Row) -> None:
        assert self.columns is not None
        values: dict[str, str] = {}
        label = ""
        for name, cell in self.columns.assign(row):
            if name in ("initial", "annual", "executed", "weight", "rate", "score"):
                values.setdefault(name, cell.text)
            elif cell.text and not label and not _is_block_label(cell.text):
                label = cell.text
        kind = _fund_kind(label)
        if not kind:
            self._unplace(row)
            return
        self.funds.append(FundRow(kind=kind, label=label, row=row.number, **values))

    def _goals(self, row: _Row) -> None:
        assert self.columns is not None
        for name, cell in self.columns.assign(row):
            if name == "planned" and cell.text:
                self.planned.append(cell.text)
            elif name == "achieved" and cell.text:
                self.achieved.append(cell.text)

    def _indicator(self, row: _Row) -> None:
        assert self.columns is not None
        values: dict[str, str] = {}
        for name, cell in self.columns.assign(row):
            if name and name not in values:
                values[name] = cell.text
        level1, points = split_points(values.pop("level1", ""))
        new_level1 = bool(level1)
        if level1:
            self.level1 = level1
            self.level2 = ""
            if points:
                self.points[level1] = points
        level2 = values.pop("level2", "")
        new_level2 = bool(level2)
        if level2:
            self.level2 = level2
        op, unit = values.pop("target_op", ""), values.pop("target_unit", "")
        if values.get("target") and (op or unit):
            values["target"] = f"{op}{values['target']}{unit}"
        if not any(values.values()) and not (new_level1 or new_level2):
            return
        self.indicators.append(
            Indicator(
                level1=self.level1,
                level2=self.level2,
                name=values.get("name", ""),
                weight=values.get("weight", ""),
                target=values.get("target", ""),
                actual=values.get("actual", ""),
                score=values.get("score", ""),
                reason=values.get("reason", ""),
                weight_repeat=values.get("weight_repeat"),
                row=row.number,
            )
        )

    def _total(self, row: _Row) -> None:
        self.mode = "total"
        weight = score = ""
        if self.columns is not None and self.columns.row.grid == row.grid:
            for name, cell in self.columns.assign(row):
                if name == "weight" and not weight:
                    weight = cell.text
                elif name == "score":
                    score = cell.text
        if not score:
            numbers = [t for t in row.texts[1:] if _PLAIN_NUMBER.fullmatch(t)]
            if numbers:
                weight = numbers[0] if len(numbers) > 1 else ""
                score = numbers[-1]
        self.total = Total(weight=weight, score=score, row=row.number)

    def build(self) -> Form:
        title = self.title
        if self.year is not None and title in TITLES_WITH_YEAR:
            title = f"{title} ({self.year}年度)"
        return Form(
            project=self.header.get("project", ""),
            title=title,
            year=self.year,
            leader=self.header.get("leader", ""),
            department=self.header.get("department", ""),
            unit=self.header.get("unit", ""),
            funds=tuple(self.funds),
            goals=Goals(planned="".join(self.planned), achieved="".join(self.achieved)),
            category_points=tuple(self.points.items()),
            indicators=tuple(self.indicators),
            total=self.total,
            source=Source(file=self.source, sheet=self.sheet, index=self.index),
            unplaced=tuple(self.unplaced),
        )


@lru_cache(maxsize=1024)
def _fund_kind(label: str) -> str:
    """The kind of a fund row from its label (total, appropriation…), "" when the label names none."""
    k = key(label)
    return next((kind for word, kind in FUND_KINDS if word in k), "")


@lru_cache(maxsize=4096)
def _is_block_label(text: str) -> bool:
    k = key(text)
    return any(w in k for w in ("资金情况", "项目资金", "资金（万元）", "资金(万元)", "年度总体目标", "绩效指标"))


@dataclass(frozen=True)
class RowRole:
    """What the recogniser made of one row: for `jixiao inspect`."""

    grid: int  # position of the grid in the document
    row: int  # 1-based row in the grid
    form: int  # 1-based form the row belongs to, 0 outside any form
    role: str  # title, year, header, funds-header, funds, goals-header, goals, indicators-header,
    # indicators, total, unplaced, outside
    fields: tuple[tuple[int, str], ...] = ()  # (column, field) of the row's cells


def recognise(grids: Sequence[Grid], trace: list[RowRole] | None = None) -> list[Form]:
    """Every form in a document's grids, in document order; trace, if given, gets each row's role."""
    forms: list[Form] = []
    builder: _FormBuilder | None = None
    title, year = "", None

    def mark(row: _Row, role: str, fields: Sequence[tuple[int, str]] = ()) -> None:
        if trace is not None:
            number = len(forms) + 1 if builder is not None else 0
            trace.append(RowRole(row.grid, row.number, number, role, tuple(fields)))

    for index, grid in enumerate(grids):
        for row in _rows_of(grid, index):
            texts = row.texts
            if not texts:
                continue
            if len(texts) == 1 and _is_year_line(texts[0]):
                year = _year(texts[0])
                mark(row, "year")
                continue
            if len(texts) == 1 and _is_title(texts[0]):
                if builder is not None:
                    forms.append(builder.build())
                    builder = None
                title, year = key(texts[0]).split("（")[0].split("(")[0], _year(texts[0]) or year
                mark(row, "title")
                continue
            if "项目名称" in row.joined and any(key(t) == "项目名称" for t in texts) and (builder is None or builder.header):
                if builder is not None:
                    forms.append(builder.build())
                builder = _FormBuilder(title, year, len(forms) + 1, grid.source, grid.sheet)
                title, year = "", None
            if builder is None:
                mark(row, "outside")
                continue
            role = builder.feed(row)
            if trace is not None:
                mark(row, role, builder.fields_of(row) if role in ("funds", "goals", "indicators") else ())
    if builder is not None:
        forms.append(builder.build())
    return forms
