"""One form's values assembled row by row: the header's labels and values, the fund rows, the goals,
the indicators under their level-1 and level-2 names, the total, and whatever can't be placed kept
in Form.unplaced; each row placed by the columns of its block's header row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.core.model import Form, FundRow, Goals, Indicator, Source, Total
from jixiao.core.profiles import column_attribute
from jixiao.formats.layout_rows import Columns, Row, RowCell, block_header, header_fields
from jixiao.formats.layout_words import (
    GOAL_POINTS,
    PLAIN_NUMBER,
    TITLES_WITH_YEAR,
    TOTAL_LABELS,
    Vocabulary,
    fund_kind,
    is_block_label,
    is_note,
    is_placeholder,
    key,
    label_key,
    parse_number_like,
    split_points,
)

_INLINE = re.compile(r"^([^:：]+)[:：](.*)$")
_NO_VALUE = frozenset({"—", "-", "－", "/", "——", "无", "－－"})
_AMOUNTS = frozenset({"initial", "annual", "received", "executed"})
# A fund row's kind by its label, cached by the kinds table's identity as layout_rows caches a header's
# fields: hashing the long table per row costs; each entry keeps the table, so a reused identity can't answer.
_KIND_CACHE: dict[tuple[int, str], tuple[object, str]] = {}


def inline_pairs(text: str, header: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field, value, label) of "项目名称：某某项目　　主管部门：某局" in one cell: each part a header label, a
    colon and its value; [] unless every part is one."""
    if ":" not in text and "：" not in text:
        return []
    pairs = []
    for part in re.split(r"\s{2,}", text):
        found = _INLINE.match(part)
        name = header.get(label_key(found.group(1))) if found else None
        if found is None or not name:
            return []
        pairs.append((name, found.group(2).strip(), found.group(1)))
    return pairs


def label_value_fund(row: Row, vocabulary: Vocabulary) -> tuple[str, dict[str, str], list[str]] | None:
    """A fund row printed as captions each followed by its value, with no header row above:
    "资金情况（万元） | 预算数 | 100 | 到位数 | 100 | 执行数 | 95 | 执行率 | 95%": its label, values and captions."""
    if len(row.cells) < 4 or ("数" not in row.joined and "率" not in row.joined):
        return None
    fields = header_fields(row, vocabulary.fund_columns)
    cells = row.cells
    values: dict[str, str] = {}
    captions: list[str] = []
    label = ""
    i = 0
    while i < len(cells):
        text, name = cells[i].text, fields[i]
        if name and not parse_number_like(text) and i + 1 < len(cells) and not fields[i + 1]:
            value = cells[i + 1].text
            if name == "reason" or not value or value in _NO_VALUE or parse_number_like(value):
                values.setdefault(name, value)
                captions.append(text)
                i += 2
                continue
        if text and (values or label or name):
            return None  # text that is neither a caption, its value nor the row's label
        if text and not is_block_label(text):
            label = text
        i += 1
    if len(values) < 2 or not _AMOUNTS & set(values) or not any(map(parse_number_like, values.values())):
        return None
    return label, values, captions


@dataclass
class FormBuilder:
    """One form being assembled from its rows, in the block (header, funds, goals, indicators) they are in."""

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
    columns: Columns | None = None
    level1: str = ""
    level2: str = ""
    block: str = ""  # the goal block the rows are under (年度绩效目标1), "" before any
    captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 注：…, 说明：…, 填表人：… lines: kept, not unplaced
    table: tuple[tuple[str, str], ...] = ()
    after_header: bool = False  # the row before was a block's header row

    def feed(self, row: Row) -> str:
        """Place a row in the form; returns the role it was given (for inspect)."""
        unplaced = len(self.unplaced)
        after_header, self.after_header = self.after_header, False
        if self.vocabulary.header_words.search(row.joined) and self._header_pairs(row):
            return "header"
        if self.mode in ("header", "funds", "goals") and self._label_value_fund(row):
            return "funds"
        block = block_header(row, self.vocabulary)
        if block:
            mode, table = block
            self._start(mode, row, table)
            return f"{mode}-header"
        if after_header and self.mode != "goals" and self.columns is not None and self._second_header(row):
            return f"{self.mode}-header"
        if len(row.texts) == 1 and is_note(row.texts[0]):
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

    def fields_of(self, row: Row) -> list[tuple[int, str]]:
        """(column, field) of each cell of a row under the current block header."""
        if self.columns is None:
            return []
        return [(cell.col, name) for name, cell in self.columns.assign(row) if name]

    def _start(self, mode: str, row: Row, table: tuple[tuple[str, str], ...]) -> None:
        self.mode = mode
        self.table = table
        self.columns = Columns(row, header_fields(row, table))
        self.captions.extend(row.texts)
        self.after_header = True

    def _second_header(self, row: Row) -> bool:
        """A row of captions under merged header cells: every text names a column, none is a value."""
        assert self.columns is not None
        if any(len(t) > 10 or parse_number_like(t) for t in row.texts):  # a data row (most are): no captions
            return False
        fields = header_fields(row, self.table)
        named = [f for f, c in zip(fields, row.cells, strict=True) if c.text]
        if not named or not all(named):
            return False
        self.columns = self.columns.refined(row, fields)
        self.captions.extend(row.texts)
        self.after_header = True
        return True

    def _unplace(self, row: Row) -> None:
        self.unplaced.append(f"第{row.number}行：" + " | ".join(row.texts))

    def _header_pairs(self, row: Row) -> bool:
        cells = row.cells
        header = self.vocabulary.header
        labels = [(i, header.get(label_key(c.text))) for i, c in enumerate(cells)]
        found = [(i, name) for i, name in labels if name]
        if not found and self.mode == "header" and len(row.texts) <= 2:
            pairs = [p for t in row.texts for p in inline_pairs(t, header)]
            for name, value, label in pairs:  # "项目名称：某某项目" in one cell, or a caption line above the table
                self.captions.append(label)
                self.header.setdefault(name, value)
            return bool(pairs)
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

    def _label_value_fund(self, row: Row) -> bool:
        found = label_value_fund(row, self.vocabulary)
        if found is None:
            return False
        label, values, captions = found
        kind = fund_kind(label, self.vocabulary.fund_kinds) if label else ""
        if not kind:
            kind = "other" if label or any(f.kind == "total" for f in self.funds) else "total"
        self.captions.extend(captions)
        self.funds.append(FundRow(kind=kind, label=label, row=row.number, **values))
        return True

    def _fund(self, row: Row) -> None:
        assert self.columns is not None
        values: dict[str, str] = {}
        label = ""
        unread: list[RowCell] = []
        for name, cell in self.columns.assign(row):
            if name in ("initial", "annual", "received", "executed", "weight", "rate", "score", "reason"):
                if name in values:
                    unread.append(cell)
                values.setdefault(name, cell.text)
            elif cell.text and not label and not is_block_label(cell.text):
                label = cell.text
            elif cell.text:
                unread.append(cell)
        kinds = self.vocabulary.fund_kinds
        cached = _KIND_CACHE.get((id(kinds), label))
        if cached is None or cached[0] is not kinds:
            if len(_KIND_CACHE) > 4096:
                _KIND_CACHE.clear()
            cached = _KIND_CACHE[(id(kinds), label)] = (kinds, fund_kind(label, kinds))
        kind = cached[1]
        if not kind and any(parse_number_like(v) for v in values.values()):
            if label:
                kind = "other"  # a fund row of any label: 地方资金, 彩票公益金… (issue 9)
            elif not self.funds:
                kind = "total"  # the block's first row, its label the block's heading (a label/value block)
        if not kind:
            self._unplace(row)
            return
        self._unread(row, unread, captioned_only=True)
        self.funds.append(FundRow(kind=kind, label=label, row=row.number, **values))

    def _unread(self, row: Row, cells: list[RowCell], captioned_only: bool = False) -> None:
        """Cells of a placed row that no field takes (a column the template's words don't name, or a second
        column of one field, as 偏差原因分析 | 改进措施): kept aside under their column's caption, so that the
        form says what was not read (S02) instead of losing it in silence. In the fund block only columns
        with a caption count: its uncaptioned columns hold the row's label, sometimes over two cells
        (其中 | 财政拨款)."""
        assert self.columns is not None
        for cell in cells:
            if is_placeholder(cell.text) or is_block_label(cell.text):
                continue
            caption = next((h.text for h in self.columns.row.cells if h.col <= cell.col < h.end and h.text), "")
            if captioned_only and (not caption or is_block_label(caption)):
                continue
            where = f"“{caption}”列" if caption else f"第{cell.col + 1}列"
            self.unplaced.append(f"第{row.number}行{where}（未读入）：{cell.text}")

    def _goals(self, row: Row) -> None:
        assert self.columns is not None
        for name, cell in self.columns.assign(row):
            if name == "planned" and cell.text:
                self.planned.append(cell.text)
            elif name == "achieved" and cell.text:
                self.achieved.append(cell.text)

    def _indicator(self, row: Row) -> None:
        assert self.columns is not None
        values: dict[str, str] = {}
        unread: list[RowCell] = []
        for name, cell in self.columns.assign(row):
            if name and (attribute := column_attribute(name)) not in values:
                values[attribute] = cell.text
            elif cell.text:
                unread.append(cell)
        if self.vocabulary.goal_blocks and len(row.texts) <= 2 and self._goal_block(row):
            return
        if is_placeholder(row.texts[0]) and all(map(is_placeholder, filter(None, values.values()))):
            return  # a row of nothing but "……" or "指标2：" in any column
        printed = values.pop("level1", "")
        level1, points = split_points(printed)
        new_level1 = bool(level1)
        if level1:
            if level1 != self.level1:  # a level-1 repeated on every row keeps the level-2 merged over its rows
                self.level2 = ""
            self.level1 = level1
            if points:
                self.points[level1] = points
            if printed != (f"{level1}({points}分)" if points else level1):
                self.labels.setdefault(level1, printed)
        level2 = values.pop("level2", "")
        new_level2 = bool(level2)
        if level2:
            self.level2 = level2
        if is_placeholder(values.get("name", "")) and not any(
                values.get(f) for f in ("weight", "target", "actual", "score", "reason")):
            return  # an empty template row (指标2：, ……): not an indicator
        if not any(values.values()) and not (new_level1 or new_level2):
            return
        self._unread(row, unread)
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
                target_nature=values.get("target_nature", ""),
                target_unit=values.get("target_unit", ""),
                formula=values.get("formula", ""),
                core=values.get("core", ""),
                block=self.block,
                measures=values.get("measures", ""),
            )
        )

    def _goal_block(self, row: Row) -> bool:
        """A goal block's heading row, "年度绩效目标1(40分)…": its points are kept, it is no indicator."""
        blocks = self.vocabulary.goal_blocks
        first = key(row.texts[0])
        if not first.startswith(blocks):
            return False
        plain = re.sub(r"\s", "", row.texts[0])
        found = GOAL_POINTS.search(plain)
        # The block's name: the heading up to its points or its colon ("年度绩效目标1(40分)：完成…" → 年度绩效目标1)
        name = re.split(r"[:：]", plain[: found.start()] if found else plain, maxsplit=1)[0]
        if found:
            self.points[name] = found.group(1)
        if row.texts[0] != (f"{name}({found.group(1)}分)" if found else name):
            self.labels.setdefault(name, row.texts[0])
        self.block = name
        self.level1 = self.level2 = ""
        return True

    def _total(self, row: Row) -> None:
        self.mode = "total"
        weight = score = ""
        if self.columns is not None and self.columns.row.grid == row.grid:
            for name, cell in self.columns.assign(row):
                if name == "weight" and not weight:
                    weight = cell.text
                elif name == "score":
                    score = cell.text
        if not score:
            numbers = [t for t in row.texts[1:] if PLAIN_NUMBER.fullmatch(t)]
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
            local_department=self.header.get("local_department", ""),
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

