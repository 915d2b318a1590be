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
from jixiao.formats.layout_rows import Row, RowCell, rows_of
from jixiao.formats.layout_words import fund_kind, key

TARGET_TITLE_WORDS = ("绩效目标申报表", "绩效目标表", "绩效目标申报")
MONITOR_TITLE_WORDS = ("运行监控表", "执行监控表", "绩效监控表", "监控情况表")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_MONTH = re.compile(r"1\s*[-—~至]\s*(\d{1,2})\s*月")

TARGET_HEADER = {
    "项目名称": "project", "项目代码": "project_code", "项目编码": "project_code", "主管部门": "department",
    "主管部门及代码": "department", "主管部门代码": "department_code", "主管部门编码": "department_code",
    "实施单位": "unit", "项目负责人": "leader", "负责人": "leader", "联系电话": "phone", "电话": "phone",
    "项目类别": "category", "项目类型": "category", "项目属性": "attribute", "项目性质": "nature", "项目期": "period",
    "起止时间": "period", "版本说明": "version_note", "版本号": "version", "年度": "year",
}
MONITOR_HEADER = {
    "项目名称": "project", "项目代码": "project_code", "项目编码": "project_code", "主管部门": "department",
    "主管部门及代码": "department", "主管部门代码": "department_code", "实施单位": "unit", "监控期间": "period",
    "监控阶段": "period", "批复目标版本": "target_version",
}
# (keyword, field): the first keyword a caption contains decides; order matters.
TARGET_COLUMNS = (
    ("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"), ("指标名称", "name"), ("指标代码", "code"),
    ("指标性质", "op"), ("度量单位", "unit"), ("计量单位", "unit"), ("上年", "history"), ("指标解释", "explanation"),
    ("指标内容", "explanation"), ("分标准", "standard"), ("评分细则", "standard"), ("核心", "core"),
    ("数据来源", "source"), ("备注", "remark"), ("权重", "weight"), ("分值", "weight"), ("指标值", "value"),
    ("目标值", "value"), ("计划水平", "value"),
)
MONITOR_FUND_COLUMNS = (("年初预算", "initial"), ("调整后", "adjusted"), ("预计", "forecast"), ("执行率", "rate"),
                        ("执行数", "executed"), ("预算数", "adjusted"))
MONITOR_COLUMNS = (
    ("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"), ("指标代码", "code"), ("预计", "forecast"),
    ("执行情况", "to_date"), ("完成情况", "to_date"), ("指标值", "target"), ("偏差原因", "causes"),
    ("可能性", "likelihood"), ("是否需要整改", "needed"), ("整改要求", "requirement"), ("整改结果", "result"),
    ("备注", "remark"),
)
REVIEW_COLUMNS = (("层级", "level"), ("结果", "grade"), ("要点", "items"), ("意见", "opinion"), ("审核人", "reviewer"),
                  ("日期", "date"))
MEDIUM_WORDS = ("中期", "长期", "总目标", "总体绩效目标（中期）", "项目总目标")
NARRATIVES = {key(caption): name for name, caption in tgt.NARRATIVE_CAPTIONS.items()}
TRUE_WORDS = frozenset({"是", "√", "✓", "Y", "y", "yes", "核心"})


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
    """(field, value) of every caption cell of a header row and the cell after it."""
    found = []
    cells = row.cells
    for n, cell in enumerate(cells):
        name = labels.get(key(cell.text))
        if name is None:
            continue
        value = cells[n + 1].text if n + 1 < len(cells) and key(cells[n + 1].text) not in labels else ""
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
    last: tuple[str, str] = ("", "")

    def feed(self, row: Row) -> None:
        joined = row.joined
        first = key(row.cells[0].text) if row.cells else ""
        if len(row.texts) == 1 and joined.endswith("绩效指标"):  # the set's caption row
            self.indicator_set = "medium" if any(w in joined for w in MEDIUM_WORDS) else "annual"
            return
        if "一级指标" in joined and ("三级指标" in joined or "二级指标" in joined):
            self.block, self.last = "indicators", ("", "")
            if any(w in joined for w in MEDIUM_WORDS):  # a set named in the header row itself
                self.indicator_set = "medium"
            elif "年度绩效指标" in joined or "年度指标" in joined:
                self.indicator_set = "annual"
            self.columns = _columns(row, TARGET_COLUMNS)
            return
        if "审核层级" in joined or ("审核意见" in first and "审核人" in joined):
            self.block, self.columns = "review", _columns(row, REVIEW_COLUMNS)
            return
        if first in NARRATIVES and len(row.cells) > 1:
            self.narratives[NARRATIVES[first]] = row.cells[1].text
            return
        for cell in row.cells[:-1]:  # a caption has its data after it
            k = key(cell.text)
            if k.endswith("资金") and ("中期" in k or "年度" in k or "长期" in k) and len(k) <= 6:
                self.block, self.which, self.data_from = "funds", "medium" if "年度" not in k else "annual", cell.end
            elif k.endswith("目标") and len(k) <= 8 and (any(w in k for w in MEDIUM_WORDS) or "年度" in k):
                self.block, self.data_from = "goals", cell.end
                self.which = "medium" if any(w in k for w in MEDIUM_WORDS) else "annual"
        if self.block == "header":
            self.header.update((f, v) for f, v in _header_values(row, TARGET_HEADER) if f not in self.header)
            return
        data = [c.text for c in row.cells if c.col >= self.data_from]
        if self.block == "funds":
            label, amount = ([*data, "", ""])[:2] if len(data) < 2 else (data[0], data[-1])
            if label or amount:
                self.funds.append(tgt.TargetFund(self.which, fund_kind(label) or "other", label, amount))
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
        level2 = cells.get("level2") or (self.last[1] if not cells.get("level1") else "")
        self.last = (level1, level2)
        texts = {f: cells.get(f, "") for f in ("code", "op", "value", "unit", "weight", "explanation", "standard",
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
    """The sign between the two ends of a 项目期: — – - ~ 至."""
    return next((d for d in ("—", "–", "至", "~", "－") if d in period), "—")


def recognise_targets(grids: Sequence[Grid]) -> list[tgt.Target]:
    """Every 绩效目标申报表 in a document's grids, in order."""
    return [t for t in _recognise(grids, TARGET_TITLE_WORDS, _TargetBuilder) if t.project or t.indicators]


def _recognise(grids: Sequence[Grid], titles: Sequence[str], make: Any) -> list[Any]:
    """The forms of a document: a title row or a second 项目名称 row starts the next one; `make(title, year)`
    gives the builder of a form (its feed(row) and build())."""
    found: list[Any] = []
    builder: Any = None
    title, year = "", None
    for row in _rows(grids):
        if not row.texts:
            continue
        if _is_title(row, titles):
            if builder is not None:
                found.append(builder.build())
                builder = None
            title, year = row.texts[0].split("（")[0].split("(")[0].strip(), _year(row.texts[0])
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
    goal_columns: _Columns | None = None
    goals: dict[str, str] = field(default_factory=dict)
    indicators: list[mon.MonitorIndicator] = field(default_factory=list)
    block: str = "header"
    columns: _Columns = field(default_factory=_Columns)
    last: tuple[str, str] = ("", "")

    def feed(self, row: Row) -> None:
        joined = row.joined
        if "一级指标" in joined and ("三级指标" in joined or "指标值" in joined):
            self.block, self.columns, self.last = "indicators", _columns(row, MONITOR_COLUMNS), ("", "")
            return
        if self.block == "indicators" and row.texts and all(t in mon.CAUSES for t in row.texts):
            for cell in row.cells:
                if cell.text in mon.CAUSES:
                    self.columns.add(cell, "cause:" + cell.text)
            return
        if "执行数" in joined and "预算" in joined:
            self.block, self.columns = "funds", _columns(row, MONITOR_FUND_COLUMNS)
            return
        if "总体目标" in joined and "全年目标" in joined:
            self.block = "goals"
            self.goal_columns = _Columns()
            for cell in row.cells:
                k = key(cell.text)
                if k == "全年目标":
                    self.goal_columns.add(cell, "annual")
                elif "完成情况" in k:
                    self.goal_columns.add(cell, "progress")
            return
        if self.block == "header":
            self.header.update((f, v) for f, v in _header_values(row, MONITOR_HEADER) if f not in self.header)
        elif self.block == "funds":
            cells = {f: t for f, t in self.columns.of(row) if f}
            label = row.cells[0].text if row.cells else ""
            if label or any(cells.values()):
                self.funds.append(mon.MonitorFund(fund_kind(label) or "other", label,
                                                  *(cells.get(c, "") for c in mon.FUND_FIELDS)))
        elif self.block == "goals" and self.goal_columns is not None:
            for f, t in self.goal_columns.of(row):
                if f:
                    self.goals[f] = t
        elif self.block == "indicators":
            self._indicator(row)

    def _indicator(self, row: Row) -> None:
        cells = {f: t for f, t in self.columns.of(row) if f}
        if not any(cells.get(f) for f in ("name", "target", "to_date", "forecast")):
            return
        level1 = cells.get("level1") or self.last[0]
        level2 = cells.get("level2") or (self.last[1] if not cells.get("level1") else "")
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
        month = _MONTH.search(h.get("period", ""))
        version = h.get("target_version", "")
        return mon.Monitor(
            project=h.get("project", ""), title=self.title or mon.TITLE, year=self.year,
            to_month=int(month.group(1)) if month and 1 <= int(month.group(1)) <= 12 else 7,
            target_version=int(version) if version.isdigit() and int(version) >= 1 else None,
            **{f: h.get(f, "") for f in ("project_code", "department", "department_code", "unit")},
            funds=tuple(self.funds), goal_annual=self.goals.get("annual", ""),
            goal_progress=self.goals.get("progress", ""), indicators=tuple(self.indicators),
        )


def recognise_monitors(grids: Sequence[Grid]) -> list[mon.Monitor]:
    """Every 运行监控表 in a document's grids, in order."""
    return [m for m in _recognise(grids, MONITOR_TITLE_WORDS, _MonitorBuilder) if m.project or m.indicators]


def recognise_year(grids: Sequence[Grid]) -> tuple[str, list[tgt.Target] | list[mon.Monitor]] | None:
    """The kind of a document and its forms, when it holds 申报表 or 监控表; None otherwise."""
    kind = kind_of(grids)
    if kind == "target":
        return kind, recognise_targets(grids)
    if kind == "monitor":
        return kind, recognise_monitors(grids)
    return None


