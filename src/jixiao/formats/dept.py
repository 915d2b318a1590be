"""Recognising department-wide forms (部门整体支出绩效自评表) in the grids of any reader.

The layout is the one jixiao.reports.dept writes for a profile: a title paragraph with the year, a
header of caption | value pairs (主管部门, 财政处室, 部门联系人, 联系电话, 自评总分, 评分规则), then
blocks each opened by a banner row (the profile's captions): funds with a caption row, the project
summary, goals, the inputs of computed indicators, and the indicators with their caption row. Cells
are found by column, not by order, so a reader that leaves out blank cells loses nothing; a value
is the text as displayed, with line breaks inside a cell removed and blanks trimmed (docs/domain.md §8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from jixiao.core.dept import (
    FUND_CAPTIONS,
    FUND_COLUMNS,
    FUND_KINDS,
    FUND_LABEL_CAPTION,
    FUND_LABELS,
    GOAL_ROWS,
    HEADER_PAIRS,
    INPUT_CAPTIONS,
    PROJECT_PAIRS,
    DeptForm,
    DeptFund,
    DeptGoals,
    DeptIndicator,
    ProjectSummary,
)
from jixiao.core.dept_rules import DeptProfile
from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

_TITLE = re.compile(r"^(部门(?:（单位）)?整体(?:支出)?绩效(?:评价)?自评表)[（(]?((?:19|20)\d{2})?年?度?[)）]?$")
_YEAR = re.compile(r"^[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]$")
_PAIRS = (*(pair for row in HEADER_PAIRS for pair in row), *PROJECT_PAIRS, *GOAL_ROWS)
NO_FORM = "未找到部门整体支出绩效自评表：请确认文件中有标题为“部门整体支出绩效自评表”的表格，且按 jixiao 的部门整体格式填写。"


def clean(text: str) -> str:
    """A cell's text as the record keeps it: line breaks removed, U+3000 and blanks trimmed."""
    return text.replace("\r", "").replace("\n", "").replace("\u3000", " ").strip()


def _key(text: str) -> str:
    return re.sub(r"\s", "", text)


@dataclass
class _Builder:
    profiles: Mapping[str, DeptProfile]
    title: str
    year: int | None
    values: dict[str, str] = field(default_factory=dict)
    block: str = "header"
    columns: dict[str, int] = field(default_factory=dict)  # record field → column, for the block's table
    funds: list[DeptFund] = field(default_factory=list)
    inputs: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[DeptIndicator] = field(default_factory=list)

    @property
    def profile(self) -> DeptProfile | None:
        return self.profiles.get(self.values.get("profile", ""))

    def banners(self) -> dict[str, str]:
        chosen = [self.profile] if self.profile else list(self.profiles.values())
        found: dict[str, str] = {}
        for p in chosen:
            layout = p.layout
            for block, caption in (("funds", layout.fund_caption), ("projects", layout.projects_caption),
                                   ("goals", layout.goals_caption), ("inputs", layout.inputs_caption),
                                   ("indicators", layout.indicators_caption)):
                found.setdefault(_key(caption), block)
        return found

    def feed(self, row: Sequence[Cell]) -> None:
        by_col = {c.col: c for c in row}
        texts = [clean(c.text) for c in row if clean(c.text)]
        if len(texts) == 1 and (block := self.banners().get(_key(texts[0]))):
            self.block, self.columns = block, {}
            return
        if self.block in ("header", "projects", "goals"):
            self._pairs(row, by_col)
        elif self.block == "funds":
            self._fund(row, by_col)
        elif self.block == "inputs":
            self._input(row, by_col)
        elif self.block == "indicators":
            self._indicator(row, by_col)

    def _pairs(self, row: Sequence[Cell], by_col: Mapping[int, Cell]) -> None:
        captions = {_key(caption): key for caption, key in _PAIRS}
        for cell in row:
            key = captions.get(_key(clean(cell.text)))
            if key is not None:
                value = by_col.get(cell.col + cell.colspan)
                self.values[key] = clean(value.text) if value else ""

    def _text(self, by_col: Mapping[int, Cell], column: str) -> str:
        col = self.columns.get(column)
        cell = by_col.get(col) if col is not None else None
        return clean(cell.text) if cell else ""

    def _fund(self, row: Sequence[Cell], by_col: Mapping[int, Cell]) -> None:
        first = by_col.get(0)
        label = clean(first.text) if first else ""
        if _key(label) == FUND_LABEL_CAPTION:
            captions = {_key(FUND_CAPTIONS[c]): c for c in FUND_COLUMNS}
            self.columns = {captions[_key(clean(c.text))]: c.col for c in row if _key(clean(c.text)) in captions}
            return
        if not label or not self.columns:
            return
        self.funds.append(DeptFund(self._kind(label), label, *(self._text(by_col, c) for c in FUND_COLUMNS)))

    def _kind(self, label: str) -> str:
        labels = dict(self.profile.layout.fund_rows) if self.profile else {}
        exact = next((k for k, text in labels.items() if _key(text) == _key(label)), None)
        if exact:
            return exact
        taken = {f.kind for f in self.funds}
        return next((k for k in FUND_KINDS if FUND_LABELS[k] in label and k not in taken),
                    "total" if "total" not in taken else "other")

    def _input(self, row: Sequence[Cell], by_col: Mapping[int, Cell]) -> None:
        texts = [clean(c.text) for c in row]
        if [_key(t) for t in texts if t] == [_key(c) for c in INPUT_CAPTIONS]:
            return
        cells = sorted(row, key=lambda c: c.col)
        if cells and clean(cells[0].text):
            value = by_col.get(cells[0].col + cells[0].colspan)
            self.inputs.append((clean(cells[0].text), clean(value.text) if value else ""))

    def _indicator(self, row: Sequence[Cell], by_col: Mapping[int, Cell]) -> None:
        captions = {_key(caption): f for p in ([self.profile] if self.profile else self.profiles.values())
                    for f, caption in p.layout.indicator_columns}
        keys = [_key(clean(c.text)) for c in row]
        if sum(k in captions for k in keys) >= 3:  # the caption row (again, on a later page)
            self.columns = {captions[k]: c.col for k, c in zip(keys, row, strict=True) if k in captions}
            return
        if not self.columns:
            return
        values = {f: self._text(by_col, f) for f in self.columns}
        if any(values.values()):
            self.indicators.append(DeptIndicator(**{"name": "", **values}))

    def form(self) -> DeptForm:
        v = self.values
        return DeptForm(
            department=v.get("department", ""), year=self.year, title=self.title,
            finance_office=v.get("finance_office", ""), contact=v.get("contact", ""), phone=v.get("phone", ""),
            funds=tuple(self.funds),
            goals=DeptGoals(v.get("goals.initial", ""), v.get("goals.adjusted", ""), v.get("goals.achieved", "")),
            projects=ProjectSummary(v.get("projects.count", ""), v.get("projects.average", "")),
            inputs=tuple(self.inputs), indicators=tuple(self.indicators), total=v.get("total", ""),
        )


@dataclass(frozen=True)
class Recognised:
    form: DeptForm
    profile: str  # the profile named in the form's header, "" when none


def recognise_dept(grids: Iterable[Grid], profiles: Mapping[str, DeptProfile]) -> list[Recognised]:
    """Every department-wide form in the grids, in document order."""
    found: list[Recognised] = []
    builder: _Builder | None = None
    for grid in grids:
        for row in grid.rows:
            texts = [clean(c.text) for c in row if clean(c.text)]
            if len(texts) == 1 and (m := _TITLE.match(_key(texts[0]))):
                if builder is not None:
                    found.append(Recognised(builder.form(), builder.values.get("profile", "")))
                builder = _Builder(profiles, m[1], int(m[2]) if m[2] else None)
                continue
            if builder is None:
                continue
            if len(texts) == 1 and builder.year is None and (y := _YEAR.match(_key(texts[0]))):
                builder.year = int(y[1])
                continue
            builder.feed(row)
    if builder is not None:
        found.append(Recognised(builder.form(), builder.values.get("profile", "")))
    return found


def read_dept(data: bytes, name: str, profiles: Mapping[str, DeptProfile]) -> list[Recognised]:
    """The department-wide forms of a file of any format the registry reads; ReadError when there is none."""
    from jixiao.formats.registry import read_grids

    found = recognise_dept(read_grids(data, name), profiles)
    if not found:
        raise ReadError(f"{name}：{NO_FORM}")
    return found
