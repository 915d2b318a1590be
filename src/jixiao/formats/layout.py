"""The layout recogniser: any grid, from any reader, to forms (docs/domain.md §2, §8).

Recognition goes by the words of the header cells and the shape of the table, never by fixed row
or column numbers. The grids of a document are read as one stream of rows, so a form may span
several tables or pages and several forms may stand on one sheet. Within a form, each block's
header row (资金, 目标, 指标) gives the columns of the rows below it; a data cell belongs to the
header cell whose columns it starts in. Whatever can't be placed is kept in Form.unplaced.

The words are the recogniser's own (below) and those of every profile's template (core.profiles.Template:
header wordings, fund rows and columns, indicator columns), compiled once into a Vocabulary: a
province's template is added by writing its profile file, and the recogniser reads it.
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
from jixiao.core.profiles import Profile
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
    ("得分", "score"),  # before 执行率: Hubei's caption is 得分(20分*执行率)
    ("执行率", "rate"),
    ("执行数", "executed"),
    ("预算数", "annual"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("原因", "reason"),
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
    ("指标名称", "name"),
    ("指标内容", "name"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("计算方法", "formula"),  # 得分计算方法 / 评分标准: the rule, never the score
    ("评分标准", "formula"),
    ("评分方法", "formula"),
    ("计分方法", "formula"),
    ("核心指标", "core"),
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
TOTAL_LABELS = ("总分", "合计", "总计", "总得分", "自评总分", "自评得分", "项目总得分", "综合得分")
# Rows of an empty template that a filled form keeps: "指标2：", "……", "…".
_PLACEHOLDER_NAME = re.compile(r"(?:指标\d*|[…\.。]+|\d+[、.])")
_GOAL_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_BRACKETS = str.maketrans("（）【】", "()[]")
_FULL_WIDTH = str.maketrans("()[]", "（）【】")
# Lines of a published form that are neither cells nor unplaceable text: notes, signatures, units.
NOTE_STARTS = ("注：", "注:", "注1", "注（", "注(", "说明：", "说明:", "备注", "填表人", "填报人", "填报单位",
               "填表单位", "联系电话", "单位：", "单位:", "金额单位", "审核人", "填表日期", "填报日期")


@lru_cache(maxsize=16384)
def _is_placeholder(text: str) -> bool:
    """A cell of an empty template row: "指标2：", "……", "1、"."""
    return bool(_PLACEHOLDER_NAME.fullmatch(key(text)))


@lru_cache(maxsize=4096)
def _is_note(text: str) -> bool:
    return text.strip(_BLANKS).startswith(NOTE_STARTS)


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


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A header label for matching: key() with ASCII brackets, "转移支付（项目）名称" as "转移支付(项目)名称"."""
    return key(text).translate(_BRACKETS)


@dataclass(frozen=True)
class Vocabulary:
    """The words the recogniser matches: its own, with every profile's template words before them."""

    header: dict[str, str]  # label_key → field (project, leader, department, unit, total)
    fund_columns: tuple[tuple[str, str], ...]
    indicator_columns: tuple[tuple[str, str], ...]
    fund_kinds: tuple[tuple[str, str], ...]
    goal_blocks: tuple[str, ...]
    header_words: re.Pattern[str]  # a row holding a header label holds one of these few words (a quick test)

    @classmethod
    def of(cls, profiles: Iterable[Profile]) -> Vocabulary:
        header = {label_key(k): v for k, v in HEADER_LABELS.items()}
        funds: list[tuple[str, str]] = []
        indicators: list[tuple[str, str]] = []
        kinds: list[tuple[str, str]] = []
        blocks: list[str] = []
        for profile in profiles:
            t = profile.template
            for label, name in t.header:
                header.setdefault(label_key(label), name)
            funds += [(key(w), f) for w, f in t.fund_columns if (key(w), f) not in funds]
            indicators += [(key(w), f) for w, f in t.indicator_columns if (key(w), f) not in indicators]
            kinds += [(key(w), k) for w, k in t.fund_rows if (key(w), k) not in kinds]
            blocks += [key(b) for b in t.goal_blocks if key(b) not in blocks]

        def longest_first(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
            return tuple(sorted(pairs, key=lambda p: -len(p[0])))

        # Few short words that every label holds one of: a row is tested with a handful of `in`.
        anchors: set[str] = set()
        for label in set(header) | set(HEADER_WORDS):
            anchors.add(next((a for a in _HEADER_ANCHORS if a in label), label.translate(_FULL_WIDTH)))
        return cls(
            header=header,
            fund_columns=longest_first(funds) + FUND_COLUMNS,
            indicator_columns=longest_first(indicators) + INDICATOR_COLUMNS,
            fund_kinds=longest_first(kinds) + FUND_KINDS,
            goal_blocks=tuple(blocks),
            header_words=re.compile("|".join(map(re.escape, sorted(anchors, key=len, reverse=True)))),
        )


_DEFAULT: list[Vocabulary] = []


def default_vocabulary() -> Vocabulary:
    """The words of the built-in profiles (jixiao/data/profiles), compiled once."""
    if not _DEFAULT:
        from jixiao.profile_files import builtin_set

        _DEFAULT.append(Vocabulary.of(builtin_set().profiles))
    return _DEFAULT[0]


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

    def refined(self, sub: _Row, sub_fields: tuple[str, ...]) -> _Columns:
        """The columns with a second header row (指标性质 | 指标值 | 度量单位 under a merged 年度指标值)."""
        cells: list[_Cell] = []
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
        row = _Row(tuple(cells), [c.text for c in cells if c.text], self.row.grid, self.row.number)
        return _Columns(row, tuple(fields))

    @cached_value
    def by_column(self) -> dict[int, str]:
        """Field of every column the header covers."""
        return {c: f for f, h in zip(self.fields, self.row.cells, strict=True) for c in range(h.col, h.end)}

    def assign(self, row: _Row) -> list[tuple[str, _Cell]]:
        if row.grid != self.row.grid and len(row.cells) == len(self.fields):
            return list(zip(self.fields, row.cells, strict=True))
        by_column = self.by_column
        return [(by_column.get(cell.col, ""), cell) for cell in row.cells]


# Caches keyed by a table's identity, as hashing its long tuple per row costs; each entry keeps the
# table itself, so that an identity reused after the table is gone can't answer for another.
_FIELDS_CACHE: dict[tuple[int, tuple[str, ...]], tuple[object, tuple[str, ...]]] = {}
_KIND_CACHE: dict[tuple[int, str], tuple[object, str]] = {}


def _header_fields(row: _Row, table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
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
_HEADER_ANCHORS = ("名称", "负责人", "主管部门", "单位")


def _block_header(row: _Row, vocabulary: Vocabulary) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The block whose column captions a row holds: funds, goals or indicators."""
    j = row.joined
    if "年初预算" in j or ("预算数" in j and "执行数" in j):
        block: tuple[str, tuple[tuple[str, str], ...]] = ("funds", vocabulary.fund_columns)
    elif "完成" in j and any(w in j for w in ("设定目标", "预期目标", "年度目标")):
        block = ("goals", GOAL_COLUMNS)
    elif "一级指标" in j and ("二级指标" in j or "三级指标" in j):
        block = ("indicators", vocabulary.indicator_columns)
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
    vocabulary: Vocabulary
    header: dict[str, str] = field(default_factory=dict)
    funds: list[FundRow] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    achieved: list[str] = field(default_factory=list)
    points: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # level-1 cells printed otherwise than "name(N分)"
    indicators: list[Indicator] = field(default_factory=list)
    total: Total = field(default_factory=Total)
    unplaced: list[str] = field(default_factory=list)
    mode: str = "header"
    columns: _Columns | None = None
    level1: str = ""
    level2: str = ""
    captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 注：…, 说明：…, 填表人：… lines: kept, not unplaced
    table: tuple[tuple[str, str], ...] = ()
    after_header: bool = False  # the row before was a block's header row

    def feed(self, row: _Row) -> str:
        """Place a row in the form; returns the role it was given (for inspect)."""
        unplaced = len(self.unplaced)
        after_header, self.after_header = self.after_header, False
        if self.vocabulary.header_words.search(row.joined) and self._header_pairs(row):
            return "header"
        block = _block_header(row, self.vocabulary)
        if block:
            mode, table = block
            self._start(mode, row, table)
            return f"{mode}-header"
        if after_header and self.mode != "goals" and self.columns is not None and self._second_header(row):
            return f"{self.mode}-header"
        if len(row.texts) == 1 and _is_note(row.texts[0]):
            self.notes.append(row.texts[0])
            return "note"
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
        self.table = table
        self.columns = _Columns(row, _header_fields(row, table))
        self.captions.extend(row.texts)
        self.after_header = True

    def _second_header(self, row: _Row) -> bool:
        """A row of captions under merged header cells: every text names a column, none is a value."""
        assert self.columns is not None
        if any(len(t) > 10 or parse_number_like(t) for t in row.texts):  # a data row (most are): no captions
            return False
        fields = _header_fields(row, self.table)
        named = [f for f, c in zip(fields, row.cells, strict=True) if c.text]
        if not named or not all(named):
            return False
        self.columns = self.columns.refined(row, fields)
        self.captions.extend(row.texts)
        self.after_header = True
        return True

    def _unplace(self, row: _Row) -> None:
        self.unplaced.append(f"第{row.number}行：" + " | ".join(row.texts))

    def _header_pairs(self, row: _Row) -> bool:
        cells = row.cells
        header = self.vocabulary.header
        labels = [(i, header.get(label_key(c.text))) for i, c in enumerate(cells)]
        found = [(i, name) for i, name in labels if name]
        if not found or (self.mode not in ("header",) and len(found) < 2 and found[0][1] != "project"):
            return False
        for i, name in found:
            value = ""
            if i + 1 < len(cells) and not header.get(label_key(cells[i + 1].text)):
                value = cells[i + 1].text
            self.captions.append(cells[i].text)
            if name == "total":  # 自评总分 printed in the header
                if not self.total.score:
                    self.total = Total(weight="", score=value, row=row.number)
            else:
                self.header.setdefault(name, value)
        return True

    def _fund(self, row: _Row) -> None:
        assert self.columns is not None
        values: dict[str, str] = {}
        label = ""
        for name, cell in self.columns.assign(row):
            if name in ("initial", "annual", "executed", "weight", "rate", "score"):
                values.setdefault(name, cell.text)
            elif name == "reason":
                continue
            elif cell.text and not label and not _is_block_label(cell.text):
                label = cell.text
        kinds = self.vocabulary.fund_kinds
        cached = _KIND_CACHE.get((id(kinds), label))
        if cached is None or cached[0] is not kinds:
            if len(_KIND_CACHE) > 4096:
                _KIND_CACHE.clear()
            cached = _KIND_CACHE[(id(kinds), label)] = (kinds, _fund_kind(label, kinds))
        kind = cached[1]
        if not kind and label and any(parse_number_like(v) for v in values.values()):
            kind = "other"  # a fund row of any label: 地方资金, 彩票公益金… (issue 9)
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
        if self.vocabulary.goal_blocks and len(row.texts) <= 2 and self._goal_block(row):
            return
        if _is_placeholder(row.texts[0]) and all(map(_is_placeholder, filter(None, values.values()))):
            return  # a row of nothing but "……" or "指标2：" in any column
        printed = values.pop("level1", "")
        level1, points = split_points(printed)
        new_level1 = bool(level1)
        if level1:
            self.level1 = level1
            self.level2 = ""
            if points:
                self.points[level1] = points
                if printed != f"{level1}({points}分)":
                    self.labels.setdefault(level1, printed)
        level2 = values.pop("level2", "")
        new_level2 = bool(level2)
        if level2:
            self.level2 = level2
        if _is_placeholder(values.get("name", "")) and not any(
                values.get(f) for f in ("weight", "target", "actual", "score", "reason")):
            return  # an empty template row (指标2：, ……): not an indicator
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
                target_nature=values.get("target_op", ""),
                target_unit=values.get("target_unit", ""),
                formula=values.get("formula", ""),
                core=values.get("core", ""),
            )
        )

    def _goal_block(self, row: _Row) -> bool:
        """A goal block's heading row, "年度绩效目标1(40分)…": its points are kept, it is no indicator."""
        blocks = self.vocabulary.goal_blocks
        first = key(row.texts[0])
        if not first.startswith(blocks):
            return False
        found = _GOAL_POINTS.search(first)
        name = first[: found.start()] if found else first
        if found:
            block = name.rstrip(":：")
            self.points[block] = found.group(1)
            if row.texts[0] != f"{block}({found.group(1)}分)":
                self.labels.setdefault(block, row.texts[0])
        self.level1 = self.level2 = ""
        return True

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
            category_labels=tuple(self.labels.items()),
            indicators=tuple(self.indicators),
            total=self.total,
            source=Source(file=self.source, sheet=self.sheet, index=self.index),
            unplaced=tuple(self.unplaced),
            captions=(self.title, *self.captions) if self.title else tuple(self.captions),
        )


def _fund_kind(label: str, kinds: tuple[tuple[str, str], ...] = FUND_KINDS) -> str:
    """The kind of a fund row from its label (total, appropriation…), "" when the label names none."""
    k = key(label)
    return next((kind for word, kind in kinds if word in k), "")


# Headings of the fund block (often merged down its rows); a row label such as 中央补助资金(万元) is none.
_BLOCK_HEADINGS = frozenset({"项目资金", "资金", "年度资金", "资金情况", "年度资金情况", "项目资金情况", "预算执行情况",
                             "年度预算执行情况", "预算资金", "资金使用情况", "预算执行"})
_UNIT_NOTE = re.compile(r"\((?:单位)?[:：]?万元\)|万元$")


@lru_cache(maxsize=4096)
def _is_block_label(text: str) -> bool:
    k = label_key(text)
    if "年度总体目标" in k or "绩效指标" in k:
        return True
    return _UNIT_NOTE.sub("", k) in _BLOCK_HEADINGS


_NUMBER_LIKE = re.compile(r"-?\d[\d,]*(?:\.\d+)?\s*(?:%|％|万元|万|分|元)?")


@lru_cache(maxsize=8192)
def parse_number_like(text: str) -> bool:
    """Whether a cell prints a number (with or without its unit): a value, not a caption."""
    return bool(_NUMBER_LIKE.fullmatch(text.strip(_BLANKS)))


@dataclass(frozen=True)
class RowRole:
    """What the recogniser made of one row: for `jixiao inspect`."""

    grid: int  # position of the grid in the document
    row: int  # 1-based row in the grid
    form: int  # 1-based form the row belongs to, 0 outside any form
    role: str  # title, year, header, funds-header, funds, goals-header, goals, indicators-header,
    # indicators, total, unplaced, outside
    fields: tuple[tuple[int, str], ...] = ()  # (column, field) of the row's cells


def recognise(grids: Sequence[Grid], trace: list[RowRole] | None = None,
              vocabulary: Vocabulary | None = None) -> list[Form]:
    """Every form in a document's grids, in document order; trace, if given, gets each row's role.

    vocabulary: the words to match, by default those of the built-in profiles (Vocabulary.of adds a user's).
    """
    words = vocabulary or default_vocabulary()
    header = words.header
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
            if "名称" in row.joined and any(header.get(label_key(t)) == "project" for t in texts) \
                    and (builder is None or builder.header):
                if builder is not None:
                    forms.append(builder.build())
                builder = _FormBuilder(title, year, len(forms) + 1, grid.source, grid.sheet, words)
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
