"""Variants of the year's other forms — 绩效目标申报表, 运行监控表 and 部门整体支出绩效自评表 — as provinces print them
(issue 9; docs/cycle.md §2.4, §3.3, §4.3): the readers are built for the kinds of form, not for jixiao's own layout.

Each kind has a known-good record (tests/core/year_cases/target_clean.toml and monitor_clean.toml, the demo
department's 2019 form filled from the seed's projects). A variant lays it out as a publication would: the title
with its year before, after or on a line of its own; the header as label | value pairs or "label：value" lines,
with the labels other templates use (主管部门（单位）, 项目实施单位, 部门（单位）名称, 财政归口科室…); the fund rows by
source, their captions reworded (全年预算数 / 调整后预算数, 1-X月执行数 / 截至X月底执行数, 执行率权重 / 分值); the
goals under 年度总体目标 / 年度绩效目标 / 总体目标, as a caption row above the texts or as label | text rows; the
indicators with 指标值 / 年度指标值 / 目标值 whole or split into 指标性质 | 指标值 | 度量单位, optional columns left out,
level-1 and level-2 labels merged over their rows or repeated, 偏差原因 in five columns or one; then the changes
variants.py makes to any form (blanks inside words, a column merged wider, blank rows and columns, the title and
unit lines inside the table, note rows). What the layout does not print is blanked in the record it must read
back as.

`python tests/formats/year_variants.py [N]` prints the share of cells read right and of forms found over N variants
of every kind in every format.
"""

from __future__ import annotations

import copy
import random
import sys
import tomllib
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import variants
from variants import FORMATS, Cell, Layout, leaves

CORE = Path(__file__).resolve().parents[1] / "core"
KINDS = ("target", "monitor", "dept")


def _pick(rng: random.Random, *words: str) -> str:
    return rng.choice(words)


class _Rows:
    """Cells placed row by row on a grid `width` wide."""

    def __init__(self, width: int) -> None:
        self.width, self.cells, self.r = width, [], 0

    def put(self, text: str, c: int, cs: int = 1, rs: int = 1, r: int | None = None) -> None:
        self.cells.append(Cell(text, self.r if r is None else r, c, rs, cs))

    def next(self) -> int:
        self.r += 1
        return self.r - 1

    def banner(self, text: str) -> None:
        self.put(text, 0, self.width)
        self.next()

    def pairs(self, pairs: list[tuple[str, str]], per_row: int, inline: bool) -> None:
        """Header pairs: label | value cells, `per_row` pairs a row, or one "label：value　　label：value" cell."""
        for at in range(0, len(pairs), per_row):
            chunk = pairs[at:at + per_row]
            if inline:
                self.put("　　".join(f"{label}：{value}" for label, value in chunk), 0, self.width)
            else:
                span = self.width // per_row
                for n, (label, value) in enumerate(chunk):
                    last = n == len(chunk) - 1
                    self.put(label, n * span, 2)
                    self.put(value, n * span + 2, (self.width - n * span - 2) if last else span - 2)
            self.next()


    def above(self, pairs: list[tuple[str, str]]) -> None:
        """Labels in a row, each value under its label in the next (the 重庆 form's header and goals)."""
        span = self.width // len(pairs)
        for line in (0, 1):
            for n, pair in enumerate(pairs):
                self.put(pair[line], n * span, span if n < len(pairs) - 1 else self.width - n * span)
            self.next()


def _title(rows_before: list[str], title: str, year: int | None, rng: random.Random, record: dict[str, Any],
           keep_prefix: bool) -> None:
    """The title with its year: a line of its own after it, inside it in brackets, or before it."""
    style = rng.choice(("line", "brackets", "prefix"))
    if style == "line":
        rows_before += [title, f"（{year}年度）"]
        record["title"] = title
    elif style == "brackets":
        rows_before.append(f"{title}（{year}年度）" if rng.random() < 0.5 else f"{title}({year}年)")
        record["title"] = title
    else:
        rows_before.append(f"{year}年度{title}")
        record["title"] = f"{year}年度{title}" if keep_prefix else title


def _levels(b: _Rows, rows: list[dict[str, Any]], cols: dict[str, int], merge1: bool, merge2: bool,
            top: int) -> None:
    """Level-1 and level-2 labels of indicator rows starting at row `top`: merged over their runs or repeated."""
    for name, merge, group in (("level1", merge1, lambda i: (i["level1"],)),
                               ("level2", merge2, lambda i: (i["level1"], i["level2"]))):
        if name not in cols:
            continue
        n = 0
        while n < len(rows):
            end = n + 1
            while merge and end < len(rows) and group(rows[end]) == group(rows[n]):
                end += 1
            b.put(rows[n][name], cols[name], 1, end - n, top + n)
            n = end


def _indicator_rows(b: _Rows, rows: list[dict[str, Any]], fields: list[tuple[str, str]], texts: Callable[..., str],
                    rng: random.Random) -> None:
    """A caption row of `fields` (field, caption) and a row per indicator; levels merged or repeated."""
    cols = {f: n for n, (f, _) in enumerate(fields)}
    for n, (_, caption) in enumerate(fields):
        b.put(caption, n, 1 if n < len(fields) - 1 else b.width - n)
    b.next()
    top = b.r
    for ind in rows:
        r = b.next()
        for n, (f, _) in enumerate(fields):
            if f not in ("level1", "level2"):
                b.put(texts(ind, f), n, 1 if n < len(fields) - 1 else b.width - n, 1, r)
    _levels(b, rows, cols, rng.random() < 0.6, rng.random() < 0.4, top)


def _layout(kind: str, before: list[str], b: _Rows, record: dict[str, Any], changes: list[str]) -> Layout:
    return Layout(before, b.cells, [], record, kind, changes)


# ------------------------------------------------------------------------------------------------ 申报表


@cache
def _target_source() -> dict[str, Any]:
    from jixiao.core import target as tgt

    clean = tomllib.loads((CORE / "year_cases" / "target_clean.toml").read_text(encoding="utf-8"))
    return tgt.to_record(tgt.from_record(clean))


TARGET_TITLES = ("项目支出绩效目标申报表", "项目绩效目标申报表", "财政支出项目绩效目标申报表", "项目支出绩效目标表")
TARGET_HEADER = {  # field: the labels templates print it under (docs/cycle.md §2.2, §2.4)
    "project": ("项目名称",),
    "project_code": ("项目代码", "项目编码"),
    "department": ("主管部门", "主管部门（单位）", "主管单位"),
    "department_code": ("主管部门代码", "主管部门编码"),
    "unit": ("实施单位", "项目实施单位", "实施单位（盖章）", "预算单位"),
    "leader": ("项目负责人", "负责人"),
    "phone": ("联系电话", "电话"),
    "category": ("项目类别", "项目类型"),
    "attribute": ("项目属性",),
    "nature": ("项目性质",),
    "period": ("项目期", "起止时间", "项目起止时间", "实施期限"),
}
TARGET_FUND_LABELS = {"total": {"medium": ("中期资金总额", "资金总额"), "annual": ("年度资金总额", "资金总额")},
                      "appropriation": ("其中：财政拨款", "财政拨款", "其中：当年财政拨款"),
                      "carryover": ("上年结转资金", "其中：上年结转"),
                      "other": ("其他资金", "其中：其他资金")}
GOAL_CAPTIONS = {"medium": ("中期目标", "长期目标", "总目标", "项目总目标"),
                 "annual": ("年度目标", "年度绩效目标", "本年度目标", "年度总体目标")}
TARGET_WHOLE = ("指标值", "年度指标值", "目标值", "预期指标值")
TARGET_OPTIONAL = {  # field: captions; each column printed or not
    "weight": ("权重", "分值"),
    "history": ("上年度实际水平", "上年实际完成值"),
    "explanation": ("指标解释", "指标内容", "指标说明"),
    "standard": ("评（扣）分标准", "评(扣)分标准", "评分标准", "评分细则"),
    "core": ("是否核心指标", "核心指标"),
    "remark": ("备注",),
}
PERIOD_DASHES = ("—", "至", "-", "～")


def target_layout(rng: random.Random) -> Layout:
    """A 申报表 as a province prints it (88号 as commonly cited, 湖南 佳县/宁乡, 上海 2026, 广西 2021)."""
    record = copy.deepcopy(_target_source())
    changes: list[str] = []
    before: list[str] = []
    _title(before, rng.choice(TARGET_TITLES), record["year"], rng, record, keep_prefix=True)
    record["version_note"] = ""  # the version is jixiao's: no province prints it
    width = 12
    b = _Rows(width)
    # header: the fields a template prints, under its labels
    shown = ["project", "department", "unit", *(f for f in TARGET_HEADER if f not in ("project", "department", "unit")
                                                 and rng.random() < 0.6)]
    dash = rng.choice(PERIOD_DASHES)
    period = f"{record['period']['start']}{dash}{record['period']['end']}"
    pairs = [(rng.choice(TARGET_HEADER[f]), period if f == "period" else record[f]) for f in shown]
    for f in TARGET_HEADER:
        if f not in shown:
            if f == "period":
                record["period"] = {"start": "", "end": ""}
            else:
                record[f] = ""
    inline = rng.random() < 0.25
    b.pairs(pairs, 2, inline)
    changes.append(f"header {'inline' if inline else 'pairs'} {shown}")
    # funds: the sets, each a total and its sources
    split = rng.random() < 0.4  # 财政拨款 split into 当年 and 上年结转
    for which in ("medium", "annual"):
        rows = record["funds"][which]
        if split:
            appr = next(f for f in rows if f["kind"] == "appropriation")
            carried = str(Decimal(appr["amount"]) // 9)
            appr["amount"] = str(Decimal(appr["amount"]) - Decimal(carried))
            rows.insert(rows.index(appr) + 1, {"kind": "carryover", "label": "", "amount": carried})
        for f in rows:
            words = TARGET_FUND_LABELS[f["kind"]]
            f["label"] = rng.choice(words[which] if isinstance(words, dict) else words)
    style = rng.choice(("sets", "labels"))
    height = sum(len(record["funds"][w]) for w in ("medium", "annual"))
    first = b.r
    b.put(_pick(rng, "项目资金（万元）", "项目资金", "资金情况（万元）"), 0, 1, height)
    for which in ("medium", "annual"):
        rows = record["funds"][which]
        if style == "sets":
            b.put(_pick(rng, "中期资金", "长期资金") if which == "medium" else "年度资金", 1, 2, len(rows))
        for f in rows:
            r = b.next()
            label = f["label"]
            if style == "labels" and f["kind"] == "total" and label == "资金总额":
                label = f["label"] = "中期资金总额" if which == "medium" else "年度资金总额"
            b.put(label, 1 if style == "labels" else 3, 5 if style == "labels" else 3, 1, r)
            b.put(f["amount"], 6, width - 6, 1, r)
    assert b.r == first + height
    changes.append(f"funds {style}{' split' if split else ''}")
    # goals
    goals_style = rng.choice(("rows", "rows", "joined", "columns"))
    for which in ("medium", "annual"):
        if goals_style in ("joined", "columns") and len(record["goals"][which]) > 1:
            record["goals"][which] = ["".join(record["goals"][which])]
    if goals_style == "columns":  # 88号 as commonly cited: the sets' captions side by side, the texts below
        b.put(_pick(rng, "总体目标", "绩效目标"), 0, 1, 2)
        medium = rng.choice((*GOAL_CAPTIONS["medium"], "中期目标（2026年—2027年）"))
        b.put(medium, 1, 5)
        b.put(rng.choice(GOAL_CAPTIONS["annual"]), 6, width - 6)
        r = b.next() + 1
        b.put(record["goals"]["medium"][0], 1, 5, 1, r)
        b.put(record["goals"]["annual"][0], 6, width - 6, 1, r)
        b.next()
    else:
        height = sum(len(record["goals"][w]) for w in ("medium", "annual"))
        b.put(_pick(rng, "总体目标", "绩效目标", "项目绩效目标"), 0, 1, height)
        for which in ("medium", "annual"):
            goals = record["goals"][which]
            b.put(rng.choice(GOAL_CAPTIONS[which]), 1, 2, len(goals))
            for goal in goals:
                r = b.next()
                b.put(goal, 3, width - 3, 1, r)
    changes.append(f"goals {goals_style}")
    # indicators, a block per set
    split_value = rng.random() < 0.5
    optional = [(f, rng.choice(words)) for f, words in TARGET_OPTIONAL.items() if rng.random() < 0.5]
    unit_word = _pick(rng, "度量单位", "计量单位")
    fields = [("level1", "一级指标"), ("level2", "二级指标"), ("name", _pick(rng, "三级指标", "指标名称"))]
    if split_value:
        fields += [("op", _pick(rng, "指标性质", "计算符号")), ("value", _pick(rng, "指标值", "目标值")), ("unit", unit_word)]
    else:
        fields.append(("target", rng.choice(TARGET_WHOLE)))
    fields += optional
    shown_fields = {f for f, _ in fields}
    core_yes = rng.choice(("是", "√"))
    core_no = "否" if core_yes == "是" else ""
    for ind in record["indicators"]:
        for f in ("explanation", "standard", "history", "remark", "weight"):
            if f not in shown_fields:
                ind[f] = ""
        if "core" not in shown_fields:
            ind["core"] = False
        ind["code"] = ind["source"] = ""

    def text(ind: dict[str, Any], f: str) -> str:
        if f == "core":
            return core_yes if ind["core"] else core_no
        return str(ind[f])

    for which in ("annual", "medium"):
        rows = [i for i in record["indicators"] if i["set"] == which]
        b.banner(("年度" if which == "annual" else _pick(rng, "中期", "长期")) + "绩效指标")
        _indicator_rows(b, rows, fields, text, rng)
    changes.append(f"indicators {'split' if split_value else 'whole'} {[c for _, c in fields]}")
    return _layout("target", before, b, record, changes)


# ------------------------------------------------------------------------------------------------ 监控表


@cache
def _monitor_source() -> dict[str, Any]:
    from jixiao.core import monitor as mon

    clean = tomllib.loads((CORE / "year_cases" / "monitor_clean.toml").read_text(encoding="utf-8"))
    return mon.to_record(mon.from_record(clean))


MONITOR_TITLES = ("项目支出绩效运行监控表", "项目支出绩效目标执行监控表", "项目绩效运行监控表", "绩效运行监控表")
MONITOR_HEADER = {
    "project": ("项目名称",), "project_code": ("项目代码", "项目编码"),
    "department": ("主管部门", "主管部门（单位）", "主管单位"), "department_code": ("主管部门代码", "主管部门编码"),
    "unit": ("实施单位", "项目实施单位", "预算单位"),
}
MONITOR_FUND_LABELS = {"total": ("年度资金总额", "资金总额", "合计"), "appropriation": ("其中：财政拨款", "财政拨款",
                                                                               "其中：财政资金"),
                       "carryover": ("上年结转资金", "其中：上年结转"), "other": ("其他资金", "其中：其他资金")}


def _monitor_fund_captions(month: int, rng: random.Random) -> dict[str, str]:
    return {"initial": "年初预算数",
            "adjusted": _pick(rng, "调整后预算数", "全年预算数", "全年预算数（调整后）"),
            "executed": rng.choice((f"1-{month}月执行数", f"截至{month}月底执行数", f"1—{month}月执行数",
                                    f"1-{month}月累计执行数")),
            "rate": rng.choice((f"1-{month}月执行率", "执行率", f"截至{month}月底执行率", "执行率（%）")),
            "forecast": _pick(rng, "全年预计执行数", "预计全年执行数", "全年预计执行数（万元）")}


def _monitor_indicator_captions(month: int, rng: random.Random) -> dict[str, str]:
    return {"level1": "一级指标", "level2": "二级指标", "name": _pick(rng, "三级指标", "指标名称"),
            "target": _pick(rng, "年度指标值", "指标值", "目标值", "全年指标值"),
            "to_date": rng.choice((f"1-{month}月执行情况", f"1-{month}月完成情况", f"截至{month}月底完成值",
                                   f"1-{month}月实际完成值")),
            "forecast": _pick(rng, "全年预计完成情况", "预计年底完成情况", "全年预计完成值"),
            "likelihood": _pick(rng, "完成目标可能性", "目标完成可能性"), "remark": "备注"}


def monitor_layout(rng: random.Random) -> Layout:
    """A 监控表 as provinces print it (136号 as commonly cited, the 一体化 grids, 兰州 2024, 四川 2025)."""
    from jixiao.core.monitor import CAUSES

    record = copy.deepcopy(_monitor_source())
    changes: list[str] = []
    month = rng.choice((6, 7, 8))
    record["period"]["to_month"] = month
    before: list[str] = []
    _title(before, rng.choice(MONITOR_TITLES), record["year"], rng, record, keep_prefix=True)
    width = 14
    b = _Rows(width)
    shown = ["project", "department", "unit", *(f for f in ("project_code", "department_code") if rng.random() < 0.5)]
    pairs = [(rng.choice(MONITOR_HEADER[f]), record[f]) for f in shown]
    for f in MONITOR_HEADER:
        if f not in shown:
            record[f] = ""
    if rng.random() < 0.5:
        pairs.append((_pick(rng, "监控期间", "监控阶段", "监控时段"), f"1-{month}月"))
    if rng.random() < 0.3:
        pairs.append(("批复目标版本", str(record["target_version"])))
    else:
        record["target_version"] = None
    inline = rng.random() < 0.25
    b.pairs(pairs, 2, inline)
    changes.append(f"header {'inline' if inline else 'pairs'} {[p[0] for p in pairs]} month {month}")
    # funds
    captions = _monitor_fund_captions(month, rng)
    columns = [c for c in ("initial", "adjusted", "executed", "rate", "forecast")
               if c in ("adjusted", "executed", "rate") or rng.random() < 0.7]
    for f in record["funds"]:
        f["label"] = rng.choice(MONITOR_FUND_LABELS[f["kind"]])
        for c in ("initial", "forecast"):
            if c not in columns:
                f[c] = ""
    left = rng.random() < 0.4  # the block's caption merged down its rows, the labels beside it
    label_cs = 4
    top = b.r
    if left:
        b.put(_pick(rng, "项目资金（万元）", "预算执行情况（万元）", "资金情况"), 0, 1, len(record["funds"]) + 1)
        b.put(_pick(rng, "资金来源", "资金类别", ""), 1, 3)
    else:
        b.put(_pick(rng, "项目资金（万元）", "资金类别", "预算资金（万元）"), 0, label_cs)
    span = (width - label_cs) // len(columns)
    at = {c: label_cs + n * span for n, c in enumerate(columns)}

    def cs(c: str) -> int:
        return span if c != columns[-1] else width - at[c]

    for c in columns:
        b.put(captions[c], at[c], cs(c))
    b.next()
    for f in record["funds"]:
        r = b.next()
        b.put(f["label"], 1 if left else 0, 3 if left else label_cs, 1, r)
        for c in columns:
            b.put(f[c], at[c], cs(c), 1, r)
    assert not left or b.r == top + len(record["funds"]) + 1
    changes.append(f"funds {'left' if left else 'top'} {[captions[c] for c in columns]}")
    # goals
    goal_word = _pick(rng, "年度总体目标", "年度绩效目标", "总体目标")
    annual_word = _pick(rng, "全年目标", "年度目标", "全年绩效目标")
    progress_word = rng.choice((f"1-{month}月实际完成情况", "实际完成情况", f"1-{month}月完成情况", "目标完成情况"))
    if rng.random() < 0.5:  # captions above the texts (136号 as cited)
        b.put(goal_word, 0, 4, 2)
        b.put(annual_word, 4, 5)
        b.put(progress_word, 9, 5)
        b.next()
        r = b.next()
        b.put(record["goals"]["annual"], 4, 5, 1, r)
        b.put(record["goals"]["progress"], 9, 5, 1, r)
        changes.append("goals columns")
    else:
        b.put(goal_word, 0, 2, 2)
        for word, name in ((annual_word, "annual"), (progress_word, "progress")):
            r = b.next()
            b.put(word, 2, 3, 1, r)
            b.put(record["goals"][name], 5, width - 5, 1, r)
        changes.append("goals rows")
    # indicators
    ic = _monitor_indicator_captions(month, rng)
    causes_style = rng.choice(("five", "one", "none"))
    rectify = rng.random() < 0.3
    first = ["level1", "level2", "name", "target", "to_date", "forecast"]
    for ind in record["indicators"]:
        if not rectify:
            ind["rectify"] = {"needed": "", "requirement": "", "result": ""}
        if causes_style == "five" and rng.random() < 0.3:
            ind["causes"]["经费保障"] = "资金到位稍晚"
        elif causes_style == "one" and rng.random() < 0.3:
            ind["causes"]["其他"] = "无偏差"
    two_rows = causes_style == "five"
    b.banner(_pick(rng, "绩效指标", "年度绩效指标"))
    col = 0
    for name in first:
        b.put(ic[name], col, 1, 2 if two_rows else 1)
        col += 1
    cause_cols: dict[str, int] = {}
    if causes_style == "five":
        b.put(_pick(rng, "偏差原因分析", "偏差原因"), col, len(CAUSES))
        for n, cause in enumerate(CAUSES):
            b.put(cause, col + n, 1, 1, b.r + 1)
            cause_cols[cause] = col + n
        col += len(CAUSES)
    elif causes_style == "one":
        b.put(_pick(rng, "偏差原因", "原因分析", "偏差原因分析"), col, 1, 1)
        cause_cols["其他"] = col
        col += 1
    tail = ["likelihood", "remark"]
    for name in tail:
        b.put(ic[name], col, 1, 2 if two_rows else 1)
        col += 1
    rect_cols = {}
    if rectify:
        for name, caption in (("needed", "是否需要整改"), ("requirement", "整改要求和建议"), ("result", "整改结果和结论")):
            b.put(caption, col, 1, 2 if two_rows else 1)
            rect_cols[name] = col
            col += 1
    b.next()
    if two_rows:
        b.next()
    top = b.r
    for ind in record["indicators"]:
        r = b.next()
        for n, name in enumerate(first[2:], 2):
            b.put(ind[name], n, 1, 1, r)
        for cause, c in cause_cols.items():
            b.put(ind["causes"][cause], c, 1, 1, r)
        b.put(ind["likelihood"], len(first) + len(cause_cols), 1, 1, r)
        b.put(ind["remark"], len(first) + len(cause_cols) + 1, 1, 1, r)
        for name, c in rect_cols.items():
            b.put(ind["rectify"][name], c, 1, 1, r)
    _levels(b, record["indicators"], {"level1": 0, "level2": 1}, rng.random() < 0.6, rng.random() < 0.4, top)
    b.width = max(c.c + c.cs for c in b.cells)
    changes.append(f"indicators causes {causes_style}{' rectify' if rectify else ''}")
    return _layout("monitor", before, b, record, changes)


# ------------------------------------------------------------------------------------------------ 部门整体


@cache
def _dept_source() -> dict[str, Any]:
    sys.path.insert(0, str(CORE))
    from dept_helpers import demo_form

    from jixiao.core.dept import to_record

    return to_record(demo_form())


DEPT_TITLES = ("部门整体支出绩效自评表", "部门整体绩效自评表", "部门（单位）整体支出绩效自评表", "部门整体支出绩效评价自评表")
DEPT_HEADER = {
    "department": ("主管部门", "部门名称", "部门（单位）名称", "单位名称"),
    "finance_office": ("财政处室", "财政归口处室", "财政归口科室"),
    "contact": ("部门联系人", "联系人"),
    "phone": ("联系电话", "电话"),
    "total": ("自评总分(分)", "自评总分", "自评得分"),
}
DEPT_FUND_CAPTIONS = {"initial": ("年初预算数",), "adjusted": ("全年（调整）预算数", "全年预算数", "调整后预算数"),
                      "executed": ("全年执行数", "执行数"), "rate": ("执行率", "执行率(%)", "预算执行率"),
                      "weight": ("执行率权重", "分值", "权重"), "score": ("执行率得分", "得分", "执行率得分(分)")}
DEPT_FUND_LABELS = {"total": ("年度资金总额", "合计", "资金总额"), "basic": ("其中：基本支出", "基本支出"),
                    "project": ("项目支出", "其中：项目支出"), "appropriation": ("其中：财政拨款", "财政拨款"),
                    "other": ("其他资金", "其中：其他资金")}
DEPT_GOALS = {"initial": ("年初绩效目标", "年初设定目标", "年初目标"),
              "adjusted": ("全年（调整）绩效目标", "调整后绩效目标", "全年绩效目标"),
              "achieved": ("全年目标实际完成情况", "实际完成情况", "全年实际完成情况", "目标完成情况")}
DEPT_INDICATOR = {
    "level1": ("一级指标",), "level2": ("二级指标",), "name": ("三级指标", "指标名称"),
    "unit": ("计量单位", "度量单位"), "nature": ("指标性质",),
    "initial_target": ("年初指标值", "年初目标值", "指标值"), "adjusted_target": ("调整指标值", "调整后指标值"),
    "actual": ("全年完成值", "实际完成值", "全年实际完成值"), "coefficient": ("得分系数(%)", "得分系数", "完成比例"),
    "weight": ("权重(分)", "指标权重(分)", "分值", "权重"), "score": ("得分(分)", "指标得分(分)", "得分", "指标得分"),
    "core": ("是否核心指标", "核心指标"), "reason": ("偏差原因分析及改进措施", "偏差原因", "原因分析"),
}


def dept_layout(rng: random.Random) -> Layout:
    """A 部门整体 form as provinces print it (重庆 2021 10号-style, 53号 local tables, the 天津 export)."""
    record = copy.deepcopy(_dept_source())
    changes: list[str] = []
    profile = rng.choice(("dept-53", "dept-10style"))
    before: list[str] = []
    _title(before, rng.choice(DEPT_TITLES), record["year"], rng, record, keep_prefix=False)
    width = 11
    b = _Rows(width)
    total_at = rng.choice(("header", "bottom"))
    fields = ["department", "finance_office", "contact", "phone"] + (["total"] if total_at == "header" else [])
    shown = [f for f in fields if f == "department" or f == "total" or rng.random() < 0.7]
    for f in ("finance_office", "contact", "phone"):
        if f not in shown:
            record[f] = ""
    pairs = [(rng.choice(DEPT_HEADER[f]), record[f]) for f in shown]
    printed_profile = rng.random() < 0.5
    if printed_profile:
        pairs.append(("评分规则", profile))
    style = rng.choice(("pairs", "pairs", "inline", "above") if len(pairs) > 1 else ("pairs", "inline"))
    if style == "above":
        b.above(pairs)
    else:
        b.pairs(pairs, rng.choice((2, 3)) if style == "pairs" else 2, style == "inline")
    changes.append(f"{profile}{' printed' if printed_profile else ''} header {style} {[p[0] for p in pairs]}")
    # funds
    columns = ["initial", "adjusted", "executed", "rate", "weight", "score"]
    captions = {c: rng.choice(DEPT_FUND_CAPTIONS[c]) for c in columns}
    for f in record["funds"]:
        f["label"] = rng.choice(DEPT_FUND_LABELS[f["kind"]])
    split = rng.random()
    if split < 0.3:  # a province with no source split
        record["funds"] = [f for f in record["funds"] if f["kind"] not in ("appropriation", "other")]
    elif split < 0.45:  # the 重庆 form: one row of the department's whole budget, no label
        record["funds"] = [{**record["funds"][0], "label": ""}]
    left = rng.random() < 0.5
    block = _pick(rng, "部门预算执行情况（万元）", "预算执行情况（万元）", "部门预算执行情况")
    label_cs = width - len(columns)
    top = b.r
    if left:
        b.put(block, 0, 1, len(record["funds"]) + 1)
        b.put(_pick(rng, "资金类别", "项目", ""), 1, label_cs - 1)
    else:
        b.banner(block)
        top = b.r
        b.put(_pick(rng, "资金类别", "项目", "预算资金"), 0, label_cs)
    for n, c in enumerate(columns):
        b.put(captions[c], label_cs + n, 1)
    b.next()
    for f in record["funds"]:
        r = b.next()
        b.put(f["label"], 1 if left else 0, label_cs - 1 if left else label_cs, 1, r)
        for n, c in enumerate(columns):
            b.put(f[c], label_cs + n, 1, 1, r)
    assert not left or b.r == top + len(record["funds"]) + 1
    changes.append(f"funds {'left' if left else 'banner'} {list(captions.values())}")
    # the project summary and the inputs: jixiao's additions, which a province's form may not have
    if rng.random() < 0.5:
        b.banner("本部门项目支出绩效自评情况")
        b.pairs([("项目自评数量", record["projects"]["count"]), ("项目自评平均分", record["projects"]["average"])], 2,
                False)
    else:
        record["projects"] = {"count": "", "average": ""}
    # goals
    goals = [g for g in ("initial", "adjusted", "achieved") if g != "adjusted" or rng.random() < 0.7]
    if "adjusted" not in goals:
        record["goals"]["adjusted"] = ""
    word = _pick(rng, "当年绩效目标", "年度绩效目标", "部门整体绩效目标", "年度总体目标")
    goal_style = rng.choice(("banner", "left", "above"))
    changes.append(f"goals {goal_style}")
    if goal_style == "above":
        b.banner(word)
        b.above([(rng.choice(DEPT_GOALS[g]), record["goals"][g]) for g in goals])
    elif goal_style == "banner":
        b.banner(word)
        for g in goals:
            r = b.next()
            b.put(rng.choice(DEPT_GOALS[g]), 0, 2, 1, r)
            b.put(record["goals"][g], 2, width - 2, 1, r)
    else:
        b.put(word, 0, 1, len(goals))
        for g in goals:
            r = b.next()
            b.put(rng.choice(DEPT_GOALS[g]), 1, 2, 1, r)
            b.put(record["goals"][g], 3, width - 3, 1, r)
    if rng.random() < 0.4:
        b.banner("指标计算依据")
        b.put("依据名称", 0, width // 2)
        b.put("数值", width // 2, width - width // 2)
        b.next()
        for item in record["inputs"]:
            r = b.next()
            b.put(item["name"], 0, width // 2, 1, r)
            b.put(item["value"], width // 2, width - width // 2, 1, r)
    else:
        record["inputs"] = []
    # indicators: the profile's columns, a few optional ones left out
    names = ["level1", "level2", "name"] if profile == "dept-53" else ["name"]
    names += ["unit", "nature"] if profile == "dept-10style" else []
    names += ["initial_target", "adjusted_target", "actual", "coefficient", "weight", "score", "core", "reason"]
    names = [n for n in names if n not in ("unit", "nature", "adjusted_target", "core", "reason") or rng.random() < 0.6]
    for ind in record["indicators"]:
        for f in ("unit", "nature", "adjusted_target", "core", "reason"):
            if f not in names:
                ind[f] = ""
        if profile == "dept-10style":
            ind["level1"] = ind["level2"] = ""
    if rng.random() < 0.7:
        b.banner(_pick(rng, "绩效指标", "部门整体绩效指标", "年度绩效指标"))
    indicator_fields = [(n, rng.choice(DEPT_INDICATOR[n])) for n in names]
    _indicator_rows(b, record["indicators"], indicator_fields, lambda ind, f: ind[f], rng)
    if total_at == "bottom":
        r = b.next()
        b.put(_pick(rng, "总分", "合计", "自评总分", "综合得分"), 0, len(names) - 2, 1, r)
        b.put(record["total"], len(names) - 2, width - len(names) + 2, 1, r)
    changes.append(f"indicators {[c for _, c in indicator_fields]} total {total_at}")
    layout = _layout("dept", before, b, record, changes)
    layout.profile = profile  # type: ignore[attr-defined]
    return layout


# ------------------------------------------------------------------------------------------------ any kind

BUILDERS = {"target": target_layout, "monitor": monitor_layout, "dept": dept_layout}
# The changes variants.py makes to any form that fit these kinds (their fund and indicator helpers read the
# project record, so only the shape changes are reused).
SHAPE_CHANGES = (variants.spaces, variants.widen, variants.blank_column, variants.blank_rows, variants.title_in_table,
                 variants.unit_line, variants.notes)


def variant(kind: str, rng: random.Random) -> Layout:
    layout = BUILDERS[kind](rng)
    for change in SHAPE_CHANGES:
        if rng.random() < 0.4:
            change(layout, rng)
    return layout


def read(data: bytes, fmt: str, kind: str) -> list[Any]:
    """The forms of a kind in a document (their core objects)."""
    from jixiao.formats.registry import read_grids

    grids = read_grids(data, f"variant.{fmt}")
    if kind == "dept":
        from jixiao.dept_files import builtin_dept_profiles
        from jixiao.formats.dept import recognise_dept

        return list(recognise_dept(grids, builtin_dept_profiles()))
    from jixiao.formats.year import recognise_monitors, recognise_targets

    return list(recognise_targets(grids) if kind == "target" else recognise_monitors(grids))


def record_of(kind: str, form: Any) -> dict[str, Any]:
    from jixiao.core import dept, monitor, target

    if kind == "dept":
        return dept.to_record(form.form)
    return (target if kind == "target" else monitor).to_record(form)


def read_back(layout: Layout, fmt: str) -> list[dict[str, Any]]:
    return [record_of(layout.family, f) for f in read(variants.write(layout, fmt), fmt, layout.family)]


def cells_right(expected: dict[str, Any], read: list[dict[str, Any]]) -> tuple[int, int]:
    want = leaves(expected)
    got = leaves(read[0]) if read else {}
    return sum(got.get(k) == v for k, v in want.items()), len(want)


# ------------------------------------------------------------------------------------------------ planted errors


def _cell(layout: Layout, text: str, below: int = 0) -> Cell:
    return next(c for c in sorted(layout.cells, key=lambda c: (c.r, c.c)) if c.text == text and c.r >= below)


def plant(layout: Layout, rng: random.Random, code: str = "") -> str:
    """One error planted in a variant (its cell and its record changed alike): the code that must be found (a
    department-wide form's D01 or D04 at random, or the one asked for)."""
    record = layout.record
    if layout.family == "target":  # T01: the annual total no longer the sum of its sources
        total = next(f for f in record["funds"]["annual"] if f["kind"] == "total")
        label = next(c for c in layout.cells if c.text == total["label"] and
                     any(d.text == total["amount"] and d.r == c.r for d in layout.cells))
        cell = next(d for d in layout.cells if d.r == label.r and d.text == total["amount"])
        cell.text = total["amount"] = str(Decimal(total["amount"]) + 20)
        return "T01"
    if layout.family == "monitor":  # M01: the total's printed rate not its executed ÷ budget
        total = record["funds"][0]
        label = next(c for c in layout.cells if c.text == total["label"])
        cell = next(d for d in layout.cells if d.r == label.r and d.text == total["rate"])
        cell.text = total["rate"] = "65%"
        return "M01"
    if code == "D04" or (not code and rng.random() < 0.5):  # D04: the printed total not the sum of the scores
        total = record["total"]
        cell = next(c for c in layout.cells if c.text == total or f"：{total}" in c.text)  # alone or "自评总分：95.59"
        record["total"] = str(Decimal(total) + 1)
        cell.text = record["total"] if cell.text == total else cell.text.replace(f"：{total}", f"：{record['total']}")
        return "D04"
    # D01: a printed rate wrong (基本支出's, or the one row's of a form with no split)
    row = next((f for f in record["funds"] if f["kind"] == "basic"), record["funds"][0])
    executed = next(c for c in layout.cells if c.text == row["executed"])
    cell = next(d for d in layout.cells if d.r == executed.r and d.text == row["rate"])
    cell.text = row["rate"] = "99%"
    return "D01"


def errors(layout: Layout, form: Any) -> list[str]:
    """The error-level codes the kind's checks find on a form read back (dept: under the variant's profile)."""
    from jixiao.core.findings import Severity

    if layout.family == "target":
        from jixiao.year_services import check_target

        found = check_target(form)
    elif layout.family == "monitor":
        from jixiao.year_services import check_monitor

        found = check_monitor(form)
    else:
        from jixiao.core.dept_checks import check_dept
        from jixiao.core.dept_rules import score_dept
        from jixiao.dept_files import load_dept_profile

        profile = load_dept_profile(form.profile_name or "dept-53")
        found = check_dept(form.form, profile, score_dept(form.form, profile))
    return [f.code for f in found if f.severity is Severity.ERROR]


def main(count: int) -> None:
    right = total = found = forms = 0
    for kind in KINDS:
        good_kind = cells_kind = found_kind = 0
        for seed in range(count):
            layout = variant(kind, random.Random(f"{kind}-{seed}"))
            for fmt in FORMATS:
                try:
                    got = read_back(layout, fmt)
                except Exception as error:  # a reader crash counts as nothing read
                    print(kind, seed, fmt, "crash", error)
                    got = []
                good, cells = cells_right(layout.record, got)
                good_kind, cells_kind = good_kind + good, cells_kind + cells
                found_kind += len(got) == 1
                forms += 1
        right, total, found = right + good_kind, total + cells_kind, found + found_kind
        print(f"{kind:8} {good_kind}/{cells_kind} = {good_kind / cells_kind:7.2%}; forms found {found_kind}/{count * 3}")
    print(f"cells read right: {right}/{total} = {right / total:.2%}; forms found: {found}/{forms}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
