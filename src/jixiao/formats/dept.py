"""Recognising department-wide forms (部门整体支出绩效自评表) in the grids of any reader.

As formats.year does for the 申报表 and 监控表, it goes by the words of the cells, never by fixed rows or columns
(docs/cycle.md §4.3–4.4): a title naming the form (部门整体支出绩效自评表, 部门整体绩效自评表 …) with its year
before, after or on a line of its own; header labels, whole or "label：value", naming the field of the cell
after them (主管部门 / 部门（单位）名称, 财政处室 / 财政归口科室, 自评总分 …, the goal rows 年初绩效目标 …, the
summary of the project self-evaluations); the fund block's caption row (年初预算数, 全年（调整）预算数, 全年执行数,
执行率, 执行率权重, 执行率得分, in any wording of data/year/words.toml), its rows' labels the last text before the
data, under a banner or beside a caption merged down the block; the indicators' caption row (the profiles'
captions first, then the words), a level-1 or level-2 label merged over its rows filled down, a total row at
the foot. jixiao's own layout (reports.dept: banners, a 资金类别 caption, 评分规则 in the header) is one such
layout. A value is the text as displayed, line breaks inside a cell removed and blanks trimmed (docs/domain.md §8).

With no 评分规则 printed, the form's layout says which profile's template it is: the profile whose indicator
columns match the captions read best (`Recognised.layout_profile`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jixiao.core.dept import (
    FUND_KINDS,
    FUND_LABEL_CAPTION,
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
from jixiao.formats.grid import Grid
from jixiao.formats.layout_form import inline_pairs
from jixiao.formats.layout_rows import Row, rows_of
from jixiao.formats.layout_words import is_note, key, label_key
from jixiao.formats.year_words import MONITOR_TITLE_WORDS, TARGET_TITLE_WORDS, load_words

_DEPT = load_words()["dept"]
TITLE_WORDS: tuple[str, ...] = tuple(_DEPT["titles"])
TITLE_LENGTH = 40  # a title is a short line; a note that names the form is not one
_YEAR_PREFIX = re.compile(r"^\s*((?:19|20)\d{2})\s*年度?")
_YEAR_SUFFIX = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年?度?\s*[)）]\s*$")
_YEAR = re.compile(r"^[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]$")
# Header labels (label_key) → record key: the words file's and jixiao's own layout's.
HEADER = {**{label_key(c): k for row in HEADER_PAIRS for c, k in row},
          **{label_key(c): k for c, k in (*PROJECT_PAIRS, *GOAL_ROWS)},
          **{label_key(c): k for c, k in _DEPT["header"].items()}}
TOTAL_LABELS = frozenset(label_key(w) for w in _DEPT["total_labels"])
FUND_WORDS = tuple((w, f) for w, f in _DEPT["words"]["fund_columns"])
FUND_KIND_WORDS = tuple((w, k) for w, k in _DEPT["words"]["fund_kinds"])
INDICATOR_WORDS = tuple((w, f) for w, f in _DEPT["words"]["indicator_columns"])
INPUT_WORDS = frozenset(key(w) for w in (*INPUT_CAPTIONS, *_DEPT["words"]["input_captions"]))
NO_FORM = "未找到部门整体支出绩效自评表：请确认文件中有标题为“部门整体支出绩效自评表”（或“部门整体绩效自评表”等）的表格。"


def clean(text: str) -> str:
    """A cell's text as the record keeps it: line breaks removed, U+3000 and blanks trimmed."""
    return text.replace("\r", "").replace("\n", "").replace("\u3000", " ").strip()


def title_of(text: str) -> tuple[str, int | None] | None:
    """(title without its year, year) when a line is a department-wide form's title, else None."""
    k = key(text)
    if len(k) > TITLE_LENGTH or is_note(text) or not any(w in k for w in TITLE_WORDS) or \
            not ("部门" in k or "单位" in k):
        return None
    year = _YEAR_PREFIX.search(text) or _YEAR_SUFFIX.search(text)
    title = _YEAR_SUFFIX.sub("", _YEAR_PREFIX.sub("", text)).strip()
    return title, int(year.group(1)) if year else None


def _by_column(row: Row, words: Iterable[tuple[str, str]]) -> dict[int, str]:
    """Field of each column a caption row's cells cover: the first word a caption contains decides."""
    found: dict[int, str] = {}
    for cell in row.cells:
        k = key(cell.text).translate(_BRACKETS)
        name = next((f for w, f in words if w.translate(_BRACKETS) in k), "") if k else ""
        if name:
            found.update(dict.fromkeys(range(cell.col, cell.end), name))
    return found


_BRACKETS = str.maketrans("（）", "()")


@dataclass
class _Builder:
    profiles: Mapping[str, DeptProfile]
    title: str
    year: int | None
    values: dict[str, str] = field(default_factory=dict)
    block: str = "header"  # header | funds | inputs | indicators
    columns: dict[int, str] = field(default_factory=dict)  # column → record field, for the block's rows
    data_from: int = 0  # the fund block's first data column: a row's label is the last text before it
    funds: list[DeptFund] = field(default_factory=list)
    inputs: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[DeptIndicator] = field(default_factory=list)
    last: tuple[str, str] = ("", "")  # level-1 and level-2 of the row above, for labels merged down
    fields: frozenset[str] = frozenset()  # the indicator fields the caption row printed
    above: list[tuple[int, int, str]] = field(default_factory=list)  # labels whose values are in the next row

    @property
    def profile(self) -> DeptProfile | None:
        """The profile the 评分规则 cell names: by its title, as jixiao prints it, or by its name."""
        printed = self.values.get("profile", "").strip()
        return self.profiles.get(printed) or next((p for p in self.profiles.values() if p.title == printed), None)

    def _chosen(self) -> list[DeptProfile]:
        return [self.profile] if self.profile else list(self.profiles.values())

    def banner(self, text: str) -> str | None:
        """The block a banner row opens (a profile's caption), or None."""
        k = label_key(text)
        for p in self._chosen():
            layout = p.layout
            for block, caption in (("funds", layout.fund_caption), ("projects", layout.projects_caption),
                                   ("goals", layout.goals_caption), ("inputs", layout.inputs_caption),
                                   ("indicators", layout.indicators_caption)):
                if label_key(caption) == k:
                    return block
        return None

    def feed(self, row: Row) -> None:
        texts = row.texts
        if not texts:
            return
        if self.above:  # the values of a row of labels, each under its label
            for col, end, name in self.above:
                self.values[name] = next((c.text for c in row.cells if col <= c.col < end and c.text), "")
            self.above = []
            return
        if len(texts) == 1 and (block := self.banner(texts[0])):
            self.block, self.columns = ("inputs" if block == "inputs" else "header"), {}
            return
        if self._caption_row(row):
            return
        if self.block == "indicators":
            if label_key(texts[0]) in TOTAL_LABELS and len(texts) >= 2:  # the total at the foot
                self.values["total"] = texts[-1]
            else:
                self._indicator(row)
            return
        if self._pairs(row):
            self.block = "header"
            return
        if self.block == "funds":
            self._fund(row)
        elif self.block == "inputs":
            self._input(row)

    def _caption_row(self, row: Row) -> bool:
        """A fund block's or the indicators' caption row, or the inputs' (依据名称 | 数值): its columns."""
        keys = [key(c.text) for c in row.cells if c.text]
        if len(keys) == 2 and set(keys) <= INPUT_WORDS:
            self.block, self.columns = "inputs", {}
            return True
        indicators = self._indicator_columns(row)
        if len(set(indicators.values())) >= 3 and "name" in indicators.values():
            self.block, self.columns, self.last = "indicators", indicators, ("", "")
            self.fields = frozenset(indicators.values())
            return True
        funds = _by_column(row, FUND_WORDS)
        if len(set(funds.values())) >= 3 and "executed" in funds.values() and \
                not any(label_key(c.text) in HEADER for c in row.cells):
            self.block, self.columns, self.data_from = "funds", funds, min(funds)
            return True
        return False

    def _indicator_columns(self, row: Row) -> dict[int, str]:
        """The profiles' own captions first, then the words file's."""
        exact = {key(caption).translate(_BRACKETS): f for p in self._chosen() for f, caption in
                 p.layout.indicator_columns}
        found: dict[int, str] = {}
        for cell in row.cells:
            k = key(cell.text).translate(_BRACKETS)
            name = exact.get(k) or next((f for w, f in INDICATOR_WORDS if w in k), "") if k else ""
            if name:
                found.update(dict.fromkeys(range(cell.col, cell.end), name))
        return found

    def _pairs(self, row: Row) -> bool:
        """Header labels and the cell after each, or "label：value" parts of a cell, or a row of labels side by
        side whose values are in the row below (重庆's 主管部门 | 财政处室 | 自评总分 …): True when any was read."""
        cells = row.cells
        at = [n for n, c in enumerate(cells) if c.text and label_key(c.text) in HEADER]
        if len(at) >= 2 and at == list(range(at[0], at[-1] + 1)) and len(at) == len(row.texts):
            self.above = [(cells[n].col, cells[n].end, HEADER[label_key(cells[n].text)]) for n in at]
            return True
        read = False
        for n, cell in enumerate(cells):
            name = HEADER.get(label_key(cell.text))
            if name is None:
                for f, v, _ in inline_pairs(cell.text, HEADER):
                    self.values[f], read = v, True
                continue
            after = cells[n + 1].text if n + 1 < len(cells) else ""
            self.values[name] = "" if label_key(after) in HEADER else after
            read = True
        return read

    def _text(self, row: Row, name: str) -> str:
        return next((c.text for c in row.cells if self.columns.get(c.col) == name), "")

    def _fund(self, row: Row) -> None:
        labels = [c.text for c in row.cells if c.end <= self.data_from and c.text]
        label = labels[-1] if labels else ""
        values = [self._text(row, c) for c in ("initial", "adjusted", "executed", "rate", "weight", "score")]
        kind = self._kind(label)
        if label == clean(FUND_LABEL_CAPTION) or not (any(values) or (label and kind)):
            return  # a row with no label is the department's whole budget (重庆: one row under the captions)
        self.funds.append(DeptFund(kind or self._untaken(), label, *values))

    def _kind(self, label: str) -> str:
        """The kind the profile's row labels or the words give a fund row's label, "" when none does."""
        for p in self._chosen():
            exact = next((k for k, text in p.layout.fund_rows if key(text) == key(label)), None)
            if exact:
                return exact
        k = key(label)
        taken = {f.kind for f in self.funds}
        kinds = [kind for word, kind in FUND_KIND_WORDS if word in k and kind in FUND_KINDS]
        return next((kind for kind in kinds if kind not in taken), kinds[0] if kinds else "")

    def _untaken(self) -> str:
        return "total" if "total" not in {f.kind for f in self.funds} else "other"

    def _input(self, row: Row) -> None:
        texts = [c.text for c in row.cells if c.text]
        if len(texts) >= 2:
            self.inputs.append((texts[0], texts[-1]))

    def _indicator(self, row: Row) -> None:
        values = dict.fromkeys(dict.fromkeys(self.columns.values()), "")
        for cell in row.cells:
            name = self.columns.get(cell.col)
            if name and not values[name]:
                values[name] = cell.text
        if not any(values.values()) or (len(row.texts) == 1 and is_note(row.texts[0])):
            return
        if "level1" in values:  # a label merged down its rows: the one above
            level1 = values["level1"] or self.last[0]
            level2 = values.get("level2", "") or (self.last[1] if level1 == self.last[0] else "")
            values["level1"], self.last = level1, (level1, level2)
            if "level2" in values:
                values["level2"] = level2
        self.indicators.append(DeptIndicator(**{"name": "", **values}))

    def layout_profile(self) -> str:
        """The profile whose indicator columns the form's caption row printed best ("" when there was none)."""
        if not self.fields:
            return ""
        def fit(p: DeptProfile) -> int:
            own = {f for f, _ in p.layout.indicator_columns}
            return len(self.fields & own) - len(self.fields - own)
        return max(self.profiles.values(), key=fit).name if self.profiles else ""

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
    layout_profile: str = ""  # the profile whose template the form's indicator columns are, "" when no caption row

    @property
    def profile_name(self) -> str:
        """The profile to score the form by: the one it names, else the one its layout is."""
        return self.profile or self.layout_profile


def _done(builder: _Builder) -> Recognised:
    named = builder.profile
    return Recognised(builder.form(), named.name if named else builder.values.get("profile", ""),
                      builder.layout_profile())


def recognise_dept(grids: Iterable[Grid], profiles: Mapping[str, DeptProfile]) -> list[Recognised]:
    """Every department-wide form in the grids, in document order: a title starts the next one."""
    found: list[Recognised] = []
    builder: _Builder | None = None
    for index, grid in enumerate(grids):
        for row in rows_of(grid, index):
            texts = row.texts
            if len(texts) == 1 and (title := title_of(texts[0])):
                if builder is not None:
                    found.append(_done(builder))
                builder = _Builder(profiles, *title)
                continue
            if builder is None:
                continue
            if len(texts) == 1 and any(w in row.joined for w in (*TARGET_TITLE_WORDS, *MONITOR_TITLE_WORDS)):
                found.append(_done(builder))  # a 申报表 or 监控表 follows in the same document
                builder = None
                continue
            if len(texts) == 1 and builder.year is None and (y := _YEAR.match(key(texts[0]))):
                builder.year = int(y[1])
                continue
            builder.feed(row)
    if builder is not None:
        found.append(_done(builder))
    return found


def is_dept_document(grids: Iterable[Grid], rows: int = 12) -> bool:
    """A document that opens with a department-wide form's title (among its first non-empty rows)."""
    seen = 0
    for index, grid in enumerate(grids):
        for row in rows_of(grid, index):
            if not row.texts:
                continue
            if len(row.texts) == 1 and title_of(row.texts[0]):
                return True
            seen += 1
            if seen >= rows:
                return False
    return False


def read_dept(data: bytes, name: str, profiles: Mapping[str, DeptProfile]) -> list[Recognised]:
    """The department-wide forms of a file of any format the registry reads; ReadError when there is none."""
    from jixiao.formats.registry import read_grids

    found = recognise_dept(read_grids(data, name), profiles)
    if not found:
        raise ReadError(f"{name}：{NO_FORM}")
    return found
