"""The recogniser of the year's other forms: 绩效目标申报表 and 运行监控表, from any reader's grids.

Like formats.layout for the self-evaluation, it goes by the words of the captions, never by fixed
rows or columns: header cells name the field of the cell after them, a block's header row gives
the columns of the rows below, a level-1 or level-2 cell merged over several rows is filled down.
It reads the standard layouts of jixiao.reports.year and local layouts that use the same captions
(docs/cycle.md §2.4: 长期/总目标 for 中期, the 指标值 whole or split into 指标性质 | 指标值 | 度量单位,
分值 for 权重, 指标内容 for 指标解释, 评分细则 for 评（扣）分标准).

`kind_of(grids)` says which kind a document is; services dispatch on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jixiao.core import monitor as mon
from jixiao.core import target as tgt
from jixiao.formats.grid import Grid
from jixiao.formats.layout_form import inline_pairs
from jixiao.formats.layout_rows import Row, RowCell, rows_of
from jixiao.formats.layout_words import fund_kind, key, label_key
from jixiao.formats.year_words import (
    ANNUAL_WORDS,
    DEPT_TITLE_WORDS,
    FUND_BLOCKS,
    GOAL_BLOCKS,
    MEDIUM_WORDS,
    MONITOR_COLUMNS,
    MONITOR_FUND_COLUMNS,
    MONITOR_GOAL_ANNUAL,
    MONITOR_GOAL_BLOCKS,
    MONITOR_GOAL_PROGRESS,
    MONITOR_HEADER,
    MONITOR_TITLE_WORDS,
    NARRATIVES,
    REVIEW_COLUMNS,
    TARGET_COLUMNS,
    TARGET_HEADER,
    TARGET_TITLE_WORDS,
    TRUE_WORDS,
    month_of,
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
CAPTION_LENGTH = 14  # 全年目标实际完成情况, 1-10月实际完成情况: longer text is a value
TITLE_ROWS = 12  # a title stands among the first rows of a document


def kind_of(grids: Sequence[Grid]) -> str | None:
    """"target" or "monitor" when a document is one of the year's forms (by its title), else None."""
    seen = 0
    for row in _rows(grids):
        if not row.texts:
            continue
        seen += 1
        if seen > TITLE_ROWS:
            return None
        joined = row.joined
        if any(w in joined for w in MONITOR_TITLE_WORDS):
            return "monitor"
        if any(w in joined for w in TARGET_TITLE_WORDS):
            return "target"
        if "自评" in joined:
            return None
    return None


def _rows(grids: Sequence[Grid]) -> Iterable[Row]:
    for index, grid in enumerate(grids):
        yield from rows_of(grid, index)


def _is_title(row: Row, words: Sequence[str]) -> bool:
    return len(row.texts) == 1 and any(w in row.joined for w in words)


def _header_values(row: Row, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(field, value) of every label cell of a header row and the cell after it, or of the "label：value" parts of
    a cell that prints them inline ("项目名称：某项目　　主管部门：某局")."""
    found = []
    cells = row.cells
    for n, cell in enumerate(cells):
        name = labels.get(label_key(cell.text))
        if name is None:
            found += [(f, v) for f, v, _ in inline_pairs(cell.text, labels)]
            continue
        value = cells[n + 1].text if n + 1 < len(cells) and label_key(cells[n + 1].text) not in labels else ""
        found.append((name, value))
    return found


@dataclass
class _Columns:
    """Field of each column, from a block's header row (a caption covers its columns)."""

    by_column: dict[int, str] = field(default_factory=dict)

    def add(self, cell: RowCell, name: str) -> None:
        for c in range(cell.col, cell.end):
            self.by_column[c] = name

    def of(self, row: Row) -> list[tuple[str, str]]:
        return [(self.by_column.get(c.col, ""), c.text) for c in row.cells]


def _columns(row: Row, table: Sequence[tuple[str, str]]) -> _Columns:
    columns = _Columns()
    for cell in row.cells:
        k = key(cell.text)
        name = next((f for word, f in table if word in k), "")
        if name:
            columns.add(cell, name)
    return columns


def _year(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------------------------
# 绩效目标申报表


@dataclass
class _TargetBuilder:
    title: str
    year: int | None
    header: dict[str, str] = field(default_factory=dict)
    funds: list[tgt.TargetFund] = field(default_factory=list)
    goals: dict[str, list[str]] = field(default_factory=lambda: {"medium": [], "annual": []})
    narratives: dict[str, str] = field(default_factory=dict)
    indicators: list[tgt.TargetIndicator] = field(default_factory=list)
    reviews: list[tgt.Review] = field(default_factory=list)
    block: str = "header"  # header | funds | goals | indicators | review
    which: str = "annual"  # the fund or goal set of the rows below
    indicator_set: str = "annual"  # the indicator set of the rows below
    data_from: int = 0  # first column of a fund or goal row's data (after its captions)
    columns: _Columns = field(default_factory=_Columns)
    goal_columns: dict[int, str] = field(default_factory=dict)  # set of each column, for the row of goal texts
    last: tuple[str, str] = ("", "")

    def _goal_captions(self, row: Row) -> bool:
        """A row of the goal sets' captions side by side, their texts in the row below (88号 as commonly cited:
        总体目标 | 中期目标（20××年—20××年） | 年度目标)."""
        sets = []
        for cell in row.cells:
            k = re.sub(r"\(.*?\)", "", label_key(cell.text))
            if cell.text and k not in GOAL_BLOCKS:
                if not (k.endswith("目标") and len(k) <= 8 and _set_named(k)):
                    return False
                sets.append((cell, _set_named(k)))
        if len(sets) < 2:
            return False
        self.block, self.goal_columns = "goals", {c: which for cell, which in sets for c in range(cell.col, cell.end)}
        return True

    def feed(self, row: Row) -> None:
        joined = row.joined
        first = key(row.cells[0].text) if row.cells else ""
        if len(row.texts) == 1 and joined.endswith("绩效指标"):  # the set's caption row
            self.indicator_set = "medium" if any(w in joined for w in MEDIUM_WORDS) else "annual"
            return
        if "一级指标" in joined and ("三级指标" in joined or "二级指标" in joined):
            self.block, self.last = "indicators", ("", "")
            named = [key(c.text) for c in row.cells if key(c.text).endswith("绩效指标")]
            if named:  # a set named in the header row itself (年度绩效指标 merged down the set's rows)
                self.indicator_set = "medium" if any(w in named[0] for w in MEDIUM_WORDS) else "annual"
            self.columns = _columns(row, TARGET_COLUMNS)
            return
        if "审核层级" in joined or ("审核意见" in first and "审核人" in joined):
            self.block, self.columns = "review", _columns(row, REVIEW_COLUMNS)
            return
        texts = [c.text for c in row.cells if c.text]
        if texts and label_key(texts[0]) in NARRATIVES and len(texts) > 1:
            self.narratives[NARRATIVES[label_key(texts[0])]] = texts[1]
            return
        if self.goal_columns:  # the texts under a row of goal captions
            for cell in row.cells:
                if cell.text and (which := self.goal_columns.get(cell.col)):
                    self.goals[which].append(cell.text)
            self.goal_columns = {}
            return
        if self._goal_captions(row):
            return
        for cell in row.cells[:-1]:  # a caption has its data after it
            k = label_key(cell.text)
            if k in FUND_BLOCKS:  # 项目资金（万元） merged down the block: a set's caption or its total's label follows
                self.block, self.which, self.data_from = "funds", "annual", cell.end
            elif k.endswith("资金") and len(k) <= 6 and _set_named(k):
                self.block, self.which, self.data_from = "funds", _set_named(k), cell.end
            elif k in GOAL_BLOCKS:
                self.block, self.which, self.data_from = "goals", "annual", cell.end
            elif k.endswith("目标") and len(k) <= 8 and _set_named(k):
                self.block, self.which, self.data_from = "goals", _set_named(k), cell.end
        if self.block == "header":
            self.header.update((f, v) for f, v in _header_values(row, TARGET_HEADER) if f not in self.header)
            return
        data = [c.text for c in row.cells if c.col >= self.data_from]
        if self.block == "funds":
            while len(data) > 2 and not data[-1]:  # a blank column after the amount
                data.pop()
            label, amount = ([*data, "", ""])[:2] if len(data) < 2 else (data[0], data[-1])
            kind = fund_kind(label) or "other"
            if kind == "total" and _set_named(key(label)):  # 中期资金总额 / 年度资金总额 name their set
                self.which = _set_named(key(label))
            if label or amount:
                self.funds.append(tgt.TargetFund(self.which, kind, label, amount))
        elif self.block == "goals":
            self.goals[self.which].extend(t for t in data if t)
        elif self.block == "indicators":
            self._indicator(row)
        elif self.block == "review":
            self._review(row)

    def _indicator(self, row: Row) -> None:
        cells = {f: t for f, t in self.columns.of(row) if f}
        if not any(cells.get(f) for f in ("name", "value", "op", "unit")):
            return
        level1 = cells.get("level1") or self.last[0]
        level2 = cells.get("level2") or (self.last[1] if level1 == self.last[0] else "")  # merged down its level 1
        self.last = (level1, level2)
        texts = {f: cells.get(f, "") for f in ("code", "op", "value", "unit", "kind", "weight", "explanation", "standard",
                                               "source", "history", "remark")}
        if "op" not in self.columns.by_column.values() and "unit" not in self.columns.by_column.values():
            texts["value"], target = "", cells.get("value", "")  # the 指标值 printed whole
        else:
            target = ""
        ind = tgt.TargetIndicator(set=self.indicator_set, level1=level1, level2=level2, name=cells.get("name", ""),
                                  target=target, core=cells.get("core", "") in TRUE_WORDS, **texts)
        self.indicators.append(tgt.canonical_indicator(ind))

    def _review(self, row: Row) -> None:
        cells = {f: t for f, t in self.columns.of(row) if f}
        level_text = cells.get("level", "")
        level = next((lv for lv, name in tgt.REVIEW_LEVEL_NAMES.items() if key(name) == key(level_text)), "")
        level = level or ("third_party" if "第三方" in level_text else "finance" if "财政" in level_text else
                          "department" if level_text else "")
        if not level:
            return
        items = tuple((p.strip(), g.strip()) for part in re.split("[；;]", cells.get("items", ""))
                      if "：" in part or ":" in part for p, g in [re.split("[：:]", part, maxsplit=1)])
        self.reviews.append(tgt.Review(level, cells.get("grade", ""), items, cells.get("opinion", ""),
                                       cells.get("reviewer", ""), cells.get("date", "")))

    def build(self) -> tgt.Target:
        h = self.header
        start, _, end = h.get("period", "").partition(period_dash(h.get("period", "")))
        version = h.get("version", "")
        return tgt.Target(
            project=h.get("project", ""), title=self.title or tgt.TITLE,
            year=_year(h["year"] + "年") if h.get("year") else self.year,
            version=int(version) if version.isdigit() and int(version) >= 1 else 1,
            version_note=h.get("version_note", ""),
            **{f: h.get(f, "") for f in ("project_code", "department", "department_code", "unit", "attribute",
                                         "nature", "category", "leader", "phone")},
            period_start=start.strip(), period_end=end.strip(),
            funds=tuple(sorted(self.funds, key=lambda f: f.set != "medium")),
            narratives=tuple((k, self.narratives[k]) for k in tgt.NARRATIVE_FIELDS if self.narratives.get(k)),
            goals_medium=tuple(self.goals["medium"]), goals_annual=tuple(self.goals["annual"]),
            indicators=tuple(sorted(self.indicators, key=lambda i: i.set != "annual")),
            reviews=tuple(self.reviews),
        )


def period_dash(period: str) -> str:
    """The sign between the two ends of a 项目期: — – 至 ~ ～ －, or a hyphen when it is the only one."""
    found = next((d for d in ("—", "–", "至", "~", "～", "－") if d in period), "")
    return found or ("-" if period.count("-") == 1 else "—")


def _set_named(k: str) -> str:
    """"medium" or "annual" when a caption names a set (中期资金, 长期目标, 年度目标), else ""."""
    if any(w in k for w in MEDIUM_WORDS):
        return "medium"
    return "annual" if any(w in k for w in ANNUAL_WORDS) else ""


def recognise_targets(grids: Sequence[Grid]) -> list[tgt.Target]:
    """Every 绩效目标申报表 in a document's grids, in order."""
    return [t for t in _recognise(grids, TARGET_TITLE_WORDS, _TargetBuilder, MONITOR_TITLE_WORDS)
            if t.project or t.indicators]


def other_title(row: Row, others: Sequence[str]) -> bool:
    """A title of another kind of form (a 监控表's, a 申报表's, a 部门整体 form's): it ends the form before it."""
    return _is_title(row, others) or (len(row.texts) == 1 and any(w in row.joined for w in DEPT_TITLE_WORDS)
                                      and ("部门" in row.joined or "单位" in row.joined))


def _recognise(grids: Sequence[Grid], titles: Sequence[str], make: Any, others: Sequence[str]) -> list[Any]:
    """The forms of a document: a title row or a second 项目名称 row starts the next one; `make(title, year)`
    gives the builder of a form (its feed(row) and build()). The rows after a title of another kind (`others`, or
    a department-wide form's) belong to that form and are skipped, up to the next title of this kind."""
    found: list[Any] = []
    builder: Any = None
    title, year = "", None
    skipping = False
    for row in _rows(grids):
        if not row.texts:
            continue
        if _is_title(row, titles):
            if builder is not None:
                found.append(builder.build())
                builder = None
            title, year = row.texts[0].split("（")[0].split("(")[0].strip(), _year(row.texts[0])
            skipping = False
            continue
        if other_title(row, others):
            if builder is not None:
                found.append(builder.build())
                builder = None
            skipping = True
            continue
        if skipping:
            continue
        if len(row.texts) == 1 and _year(row.texts[0]) and len(row.joined) <= 12 and builder is None:
            year = _year(row.texts[0])
            continue
        if builder is None:
            builder = make(title, year)
        elif "项目名称" in [key(t) for t in row.texts] and builder.block != "header":
            found.append(builder.build())
            builder = make(title, year)
        builder.feed(row)
    if builder is not None:
        found.append(builder.build())
    return found


# ---------------------------------------------------------------------------------------------
# 运行监控表


@dataclass
class _MonitorBuilder:
    title: str
    year: int | None
    header: dict[str, str] = field(default_factory=dict)
    funds: list[mon.MonitorFund] = field(default_factory=list)
    goal_columns: _Columns | None = None  # the goal texts' columns, from a caption row above them
    goals: dict[str, str] = field(default_factory=dict)
    indicators: list[mon.MonitorIndicator] = field(default_factory=list)
    block: str = "header"
    columns: _Columns = field(default_factory=_Columns)
    data_from: int = 0  # first column of the fund block's data: the label is the last text before it
    month: int | None = None  # the 1–X月 the block captions print
    last: tuple[str, str] = ("", "")

    def feed(self, row: Row) -> None:
        joined = row.joined
        if "一级指标" in joined and ("三级指标" in joined or "指标名称" in joined or "指标值" in joined):
            self.block, self.columns, self.last = "indicators", _columns(row, MONITOR_COLUMNS), ("", "")
            self._month(row)
            return
        if self.block == "indicators" and row.texts and all(t in mon.CAUSES for t in row.texts):
            for cell in row.cells:
                if cell.text in mon.CAUSES:
                    self.columns.add(cell, "cause:" + cell.text)
            return
        if "执行数" in joined and "预算" in joined:
            self.block, self.columns = "funds", _columns(row, MONITOR_FUND_COLUMNS)
            self.data_from = min(self.columns.by_column, default=0)
            self._month(row)
            return
        if self._goal_captions(row):
            return
        if self.block == "header":
            self.header.update((f, v) for f, v in _header_values(row, MONITOR_HEADER) if f not in self.header)
        elif self.block == "funds":
            cells = {f: t for f, t in self.columns.of(row) if f}
            labels = [c.text for c in row.cells if c.end <= self.data_from and c.text]
            label = labels[-1] if labels else ""
            if label or any(cells.values()):
                self.funds.append(mon.MonitorFund(fund_kind(label) or "other", label,
                                                  *(cells.get(c, "") for c in mon.FUND_FIELDS)))
        elif self.block == "goals" and self.goal_columns is not None:
            for f, t in self.goal_columns.of(row):
                if f:
                    self.goals[f] = t
        elif self.block == "indicators":
            self._indicator(row)

    def _goal_name(self, text: str) -> str:
        k = label_key(text)
        if k in MONITOR_GOAL_ANNUAL:
            return "annual"
        # a caption, not a goal's text that says 完成情况: captions are short
        return "progress" if len(k) <= CAPTION_LENGTH and any(w in k for w in MONITOR_GOAL_PROGRESS) else ""

    def _goal_captions(self, row: Row) -> bool:
        """The goal block: its caption (年度总体目标) with the captions of its texts in a row above them, or a
        caption | text row each (全年目标 | …, 1-7月实际完成情况 | …) under the block's caption merged down."""
        opens = any(label_key(c.text) in MONITOR_GOAL_BLOCKS for c in row.cells)
        if not opens and self.block != "goals":
            return False
        named = [(n, c, self._goal_name(c.text)) for n, c in enumerate(row.cells)]
        captions = [(n, c, g) for n, c, g in named if g]
        if not captions:
            return False
        self.block = "goals"
        texts = [c for c in row.cells if c.text and label_key(c.text) not in MONITOR_GOAL_BLOCKS]
        if all(self._goal_name(c.text) for c in texts):  # captions only: the texts are in the row below
            self.goal_columns = _Columns()
            for _, cell, name in captions:
                self.goal_columns.add(cell, name)
        else:
            self.goal_columns = None
            for n, _, name in captions:
                after = [c.text for c in row.cells[n + 1:] if c.text]
                self.goals[name] = after[0] if after else ""
        for _, cell, _ in captions:
            self.month = self.month or month_of(cell.text)
        return True

    def _month(self, row: Row) -> None:
        for text in row.texts:
            self.month = self.month or month_of(text)

    def _indicator(self, row: Row) -> None:
        cells = {f: t for f, t in self.columns.of(row) if f}
        if not any(cells.get(f) for f in ("name", "target", "to_date", "forecast")):
            return
        level1 = cells.get("level1") or self.last[0]
        level2 = cells.get("level2") or (self.last[1] if level1 == self.last[0] else "")  # merged down its level 1
        self.last = (level1, level2)
        causes = tuple((c, t) for c in mon.CAUSES if (t := cells.get("cause:" + c, "")))
        if not causes and cells.get("causes"):  # one 偏差原因 column: its text is the "其他" cause
            causes = (("其他", cells["causes"]),)
        likelihood = cells.get("likelihood", "")
        remark = cells.get("remark", "")
        if likelihood and likelihood not in mon.LIKELIHOODS:  # not a choice: kept in the remark, never dropped
            remark, likelihood = (f"{remark}；完成目标可能性：{likelihood}" if remark else f"完成目标可能性：{likelihood}"), ""
        self.indicators.append(mon.MonitorIndicator(
            level1, level2, cells.get("name", ""), cells.get("code", ""), cells.get("target", ""),
            cells.get("to_date", ""), cells.get("forecast", ""), causes, likelihood, remark,
            mon.Rectify(cells.get("needed", ""), cells.get("requirement", ""), cells.get("result", ""))))

    def build(self) -> mon.Monitor:
        h = self.header
        month = month_of(h.get("period", "")) or month_of(self.title) or self.month
        version = h.get("target_version", "")
        return mon.Monitor(
            project=h.get("project", ""), title=self.title or mon.TITLE, year=self.year,
            to_month=month or 7,
            target_version=int(version) if version.isdigit() and int(version) >= 1 else None,
            **{f: h.get(f, "") for f in ("project_code", "department", "department_code", "unit")},
            funds=tuple(self.funds), goal_annual=self.goals.get("annual", ""),
            goal_progress=self.goals.get("progress", ""), indicators=tuple(self.indicators),
        )


def recognise_monitors(grids: Sequence[Grid]) -> list[mon.Monitor]:
    """Every 运行监控表 in a document's grids, in order."""
    return [m for m in _recognise(grids, MONITOR_TITLE_WORDS, _MonitorBuilder, TARGET_TITLE_WORDS)
            if m.project or m.indicators]


def recognise_year(grids: Sequence[Grid]) -> tuple[str, list[tgt.Target] | list[mon.Monitor]] | None:
    """The kind of a document and its forms, when it holds 申报表 or 监控表; None otherwise."""
    kind = kind_of(grids)
    if kind == "target":
        return kind, recognise_targets(grids)
    if kind == "monitor":
        return kind, recognise_monitors(grids)
    return None


def recognise_both(grids: Sequence[Grid]) -> tuple[list[tgt.Target], list[mon.Monitor]] | None:
    """The 申报表 and the 监控表 of a document that holds either (a file may hold both, and a 部门整体 form, one after
    the other); None when no title of either is in it, nor its first rows say it is one (kind_of)."""
    titled = [row for row in _rows(grids) if _is_title(row, (*TARGET_TITLE_WORDS, *MONITOR_TITLE_WORDS))]
    if not titled and kind_of(grids) is None:
        return None
    return recognise_targets(grids), recognise_monitors(grids)
