"""Variants of the template families' published layouts, as other provinces' publications of the same
families print them (issue 9): the recogniser is built for the families, not for the samples.

Each family's sample (tests/fixtures/templates/make_templates.py, its record in <family>.json) is laid
out as placed cells, then varied the ways real publications vary: header-word synonyms, full-/half-width
brackets, blanks inside words (项 目 名 称), line breaks inside captions, label cells merged over 2–3
columns, blank columns and rows, the title and unit lines inside the table, note rows at the bottom
(填表人 / 联系电话 / 说明), amounts with thousands separators or their unit (1,234万元), and the weight column
moved (分值 before the target, or after the actual value). Each change is mirrored in the record the
variant must read back as (only the printed values and level-1 labels are in the record; captions are not).

Also varied: the level columns' captions (一级 / 指标类别 / 绩效指标（一级）…), level-1 names (产出指标 50分,
一、产出指标, without points where weights carry them), level-1 and level-2 labels on their first row only or on
every row, and scores and weights printed with 分 or trailing zeros (9.5分, 10.00). A change names itself in
Layout.changes only when it changed the form (test_family_variants checks that it then prints another one).

Written to html, xlsx and docx by the small builders below, and to PDF (the Word file through LibreOffice).
`python tests/formats/variants.py [N] [html,xlsx,docx,pdf]` prints the share of the records' cells read right
over N variants of every family, in every format given (html, xlsx and docx by default).
"""

from __future__ import annotations

import atexit
import copy
import html
import importlib.util
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
_spec = importlib.util.spec_from_file_location("make_templates", TEMPLATES / "make_templates.py")
assert _spec is not None and _spec.loader is not None
_make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make)
FAMILIES: dict[str, Any] = _make.FAMILIES
FORMATS = ("html", "xlsx", "docx")


@dataclass
class Cell:
    text: str
    r: int
    c: int
    rs: int = 1
    cs: int = 1


@dataclass
class Layout:
    before: list[str]
    cells: list[Cell]
    after: list[str]
    record: dict[str, Any]
    family: str = ""
    changes: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max(c.r + c.rs for c in self.cells)

    @property
    def width(self) -> int:
        return max(c.c + c.cs for c in self.cells)

    def row(self, r: int) -> list[Cell]:
        return sorted((c for c in self.cells if c.r == r), key=lambda c: c.c)

    def covers(self, r: int, col: int) -> Cell | None:
        return next((c for c in self.cells if c.r <= r < c.r + c.rs and c.c <= col < c.c + c.cs), None)


def sample(family: str) -> Layout:
    before, rows, after = FAMILIES[family]
    cells = [Cell(*placed) for row in _make._cells(rows) for placed in row]
    (record,) = json.loads((TEMPLATES / f"{family}.json").read_text(encoding="utf-8"))
    return Layout(list(before), cells, list(after), record, family)


# ------------------------------------------------------------------------------------------------ words


def _state(layout: Layout) -> tuple[Any, ...]:
    return (tuple(layout.before), sorted((c.text, c.r, c.c, c.rs, c.cs) for c in layout.cells), tuple(layout.after))


def applied(change: Any) -> Any:
    """A change names itself in Layout.changes only when it changed the form (a family may have nothing it
    changes: no dash, no fund block); test_family_variants checks that a change so named prints another form."""
    def wrapper(layout: Layout, rng: random.Random) -> None:
        before, said = _state(layout), len(layout.changes)
        change(layout, rng)
        if _state(layout) == before:
            del layout.changes[said:]
    wrapper.__name__ = change.__name__
    wrapper.__doc__ = change.__doc__
    return wrapper

INDICATOR_WORDS = {
    "target": ["年度指标值", "年初目标值", "预期指标值", "目标值", "指标值(A)", "年度目标值", "年初目标值(A)"],
    "actual": ["实际完成值", "全年实际值", "实际值(B)", "实际完成值(B)", "完成值", "实际完成情况"],
    "weight": ["分值", "权重", "分值(权重)"],
    "score": ["得分", "自评得分", "评分"],
    "reason": ["偏差原因", "未完成原因分析", "原因分析及改进措施", "偏差原因分析及改进措施", "未完成原因",
               "偏差原因分析"],
}
FUND_WORDS = {
    "initial": ["年初预算数", "年初预算"],
    "annual": ["全年预算数", "全年预算数(A)", "全年预算数（A）", "调整后预算数", "预算数"],
    "executed": ["全年执行数", "全年执行数(B)", "全年执行数（B）", "实际执行数", "执行数"],
    "rate": ["执行率", "执行率(B/A)", "执行率（B/A）", "预算执行率"],
    "weight": ["分值", "权重"],
    "score": ["得分", "自评得分"],
}
GOAL_WORDS = {"预期目标": ["预期目标", "年初设定目标", "年度目标", "设定目标"],
              "实际完成情况": ["实际完成情况", "全年实际完成情况", "目标完成情况", "年度总体目标完成情况"]}
SPACED = ("项目名称", "主管部门", "实施单位", "一级指标", "二级指标", "三级指标", "总分", "分值", "得分", "权重")


# The captions of the level columns as templates print them (一级 / 指标类别 / 绩效指标（一级）…).
LEVEL_CAPTIONS = {
    "一级指标": ["一级指标", "一级", "指标类别", "绩效指标（一级）", "一级指标名称"],
    "二级指标": ["二级指标", "二级", "指标类型", "绩效指标（二级）", "二级指标名称"],
    "三级指标": ["三级指标", "三级", "指标名称", "具体指标", "三级指标名称", "绩效指标（三级）"],
}
_LEVEL1_KEYS = {w.replace("（", "(").replace("）", ")") for w in LEVEL_CAPTIONS["一级指标"]}


def _plain(text: str) -> str:
    """A cell's text without blanks and line breaks, brackets as ASCII: for finding captions after other changes."""
    return re.sub(r"\s", "", text).replace("（", "(").replace("）", ")")


def _header_rows(layout: Layout) -> tuple[set[int], set[int]]:
    """The rows of the fund block's and the indicator block's captions."""
    funds, indicators = set(), set()
    for c in layout.cells:
        if _plain(c.text) in _LEVEL1_KEYS:
            indicators.add(c.r)
        elif _plain(c.text) in ("年初预算数", "年初预算", "全年预算数", "全年预算数(A)"):
            funds.add(c.r)
    return funds, indicators


def _level_column(layout: Layout, caption: str) -> tuple[int, Cell] | None:
    """(header row, header cell) of the indicator block's column captioned caption (一级指标…), None if none."""
    _, indicators = _header_rows(layout)
    if len(indicators) != 1:
        return None
    (top,) = indicators
    keys = {_plain(w) for w in LEVEL_CAPTIONS[caption]}
    head = next((c for c in layout.row(top) if _plain(c.text) in keys), None)
    return (top, head) if head is not None else None


def _below(layout: Layout, top: int, head: Cell) -> list[Cell]:
    """The cells of the indicator rows in a header cell's column, above the total row."""
    totals = [c.r for c in layout.cells if c.r > top and _plain(c.text) in TOTAL_WORDS]
    bottom = min(totals) if totals else layout.height
    return [c for c in layout.cells if top < c.r < bottom and c.c == head.c and c.cs == head.cs]


@applied
def synonyms(layout: Layout, rng: random.Random) -> None:
    funds, indicators = _header_rows(layout)
    split = any(c.text == "指标性质" for c in layout.cells)
    for c in layout.cells:
        if c.text in GOAL_WORDS:
            c.text = _pick(rng, GOAL_WORDS[c.text], c.text)
        table = INDICATOR_WORDS if c.r in indicators else FUND_WORDS if c.r in funds else None
        if table is None or c.cs > 1:
            continue
        for name, words in table.items():
            if c.text in words and not (split and name == "target"):
                c.text = _pick(rng, words, c.text)
    layout.changes.append("synonyms")


_BRACKETED = re.compile(r"^[^()（）]{1,12}[（(][^()（）]{1,8}[)）]$")
_POINTS = re.compile(r"^(.+?)[（(](\d+(?:\.\d+)?)分[)）]$")


@applied
def brackets(layout: Layout, rng: random.Random) -> None:
    """Full-width brackets half-width or the other way, in captions and level-1 labels."""
    table = str.maketrans("()", "（）") if rng.random() < 0.5 else str.maketrans("（）", "()")
    printed = _level1_printed(layout.record)
    labels = dict(layout.record.get("category_labels", {}))
    for c in layout.cells:
        if not _BRACKETED.match(c.text):
            continue
        new = c.text.translate(table)
        for fund in layout.record["funds"]:
            if fund["label"] == c.text:
                fund["label"] = new
        joined, new_joined = c.text.replace("\n", ""), new.replace("\n", "")
        if joined in printed and new != c.text:
            name, points = printed[joined]
            if new_joined == f"{name}({points}分)":
                labels.pop(name, None)
            else:
                labels[name] = new_joined
        c.text = new
    if labels:
        layout.record["category_labels"] = labels
    else:
        layout.record.pop("category_labels", None)
    layout.changes.append("brackets")


def _level1_printed(record: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Printed level-1 label → (name, points) of the record's categories with points."""
    labels = record.get("category_labels", {})
    return {labels.get(name, f"{name}({points}分)"): (name, points)
            for name, points in record["category_points"].items()}


@applied
def spaces(layout: Layout, rng: random.Random) -> None:
    blank = rng.choice((" ", "\u3000", "  "))
    for c in layout.cells:
        if c.text in SPACED and rng.random() < 0.7:
            c.text = blank.join(c.text)
    layout.changes.append("spaces")


@applied
def line_breaks(layout: Layout, rng: random.Random) -> None:
    funds, indicators = _header_rows(layout)
    for c in layout.cells:
        if c.r in funds | indicators and len(c.text) >= 4 and rng.random() < 0.6:
            cut = rng.randrange(2, len(c.text) - 1)
            c.text = c.text[:cut] + "\n" + c.text[cut:]
    layout.changes.append("line breaks")


# ---------------------------------------------------------------------------------------------- shape


@applied
def widen(layout: Layout, rng: random.Random) -> None:
    """A column printed over 2–3 columns: every cell covering it merged wider (label cells over 2–3 columns)."""
    col, extra = rng.choice((0, 0, 1, 2)), rng.choice((1, 2))
    for c in layout.cells:
        if c.c <= col < c.c + c.cs:
            c.cs += extra
        elif c.c > col:
            c.c += extra
    layout.changes.append(f"widen column {col} by {extra}")


@applied
def blank_column(layout: Layout, rng: random.Random) -> None:
    at = rng.choice((0, layout.width))
    for c in layout.cells:
        if c.c >= at:
            c.c += 1
    layout.cells += [Cell("", r, at) for r in range(layout.height)]
    layout.changes.append(f"blank column at {at}")


def _boundaries(layout: Layout) -> list[int]:
    """Rows before which a row can be put with no merged cell crossing it."""
    return [r for r in range(1, layout.height + 1) if not any(c.r < r < c.r + c.rs for c in layout.cells)]


def insert_row(layout: Layout, at: int, texts: list[str] | None = None) -> None:
    for c in layout.cells:
        if c.r >= at:
            c.r += 1
    width = layout.width
    if texts is None:
        layout.cells += [Cell("", at, col) for col in range(width)]
    else:
        layout.cells.append(Cell(texts[0], at, 0, 1, width))


@applied
def blank_rows(layout: Layout, rng: random.Random) -> None:
    for at in sorted(rng.sample(_boundaries(layout), k=min(2, len(_boundaries(layout)))), reverse=True):
        insert_row(layout, at)
    layout.changes.append("blank rows")


UNIT_LINES = ("单位：万元", "金额单位：万元", "填报单位：（盖章）　　　　单位：万元")
NOTE_LINES = ("填表人：张三　　联系电话：0710-12345678", "说明：本表金额单位为万元。", "填报日期：2023年3月10日",
              "注：得分保留两位小数。")


@applied
def title_in_table(layout: Layout, rng: random.Random) -> None:
    """The title, year and unit lines printed as merged rows at the top of the table (as xlsx forms are)."""
    lines = list(layout.before)
    if not any("单位" in t for t in lines):
        lines.append(rng.choice(UNIT_LINES))
    for n, text in enumerate(lines):
        insert_row(layout, n, [text])
    layout.before = []
    layout.changes.append("title in table")


@applied
def unit_line(layout: Layout, rng: random.Random) -> None:
    if not any("单位" in t for t in layout.before):
        layout.before.append(rng.choice(UNIT_LINES))
    layout.changes.append("unit line")


@applied
def notes(layout: Layout, rng: random.Random) -> None:
    lines = rng.sample(NOTE_LINES, k=rng.choice((1, 2)))
    if rng.random() < 0.5:
        for text in lines:
            insert_row(layout, layout.height, [text])
    else:
        layout.after += lines
    layout.changes.append("notes")


# ---------------------------------------------------------------------------------------------- values


@applied
def amounts(layout: Layout, rng: random.Random) -> None:
    """Fund amounts scaled alike (rates unchanged) and printed with thousands separators, decimals or 万元."""
    funds = [f for f in layout.record["funds"] if all(_number(f[k]) for k in ("initial", "annual", "executed"))]
    rows = []
    for fund in funds:
        found = next((cells for r in range(layout.height) if (cells := layout.row(r))
                      and cells[0].text == fund["label"] and len(cells) > 3
                      and [c.text for c in cells[1:4]] == [fund[k] for k in ("initial", "annual", "executed")]), None)
        if found is None:
            return
        rows.append((fund, found[1:4]))
    if not rows or len(rows) != len([f for f in layout.record["funds"] if any(_number(f[k]) for k in
                                                                              ("initial", "annual", "executed"))]):
        return
    factor = rng.choice((1, 10, 100))
    style = rng.choice(("comma", "decimals", "unit"))
    for fund, cells in rows:
        for key, cell in zip(("initial", "annual", "executed"), cells, strict=True):
            value = float(fund[key]) * factor
            text = f"{value:,.2f}" if style == "decimals" else f"{value:,.0f}" if value == int(value) else f"{value:,}"
            if style == "unit":
                text += "万元"
            fund[key] = cell.text = text
    layout.changes.append(f"amounts ×{factor} {style}")


def _number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", text))


@applied
def move_weight(layout: Layout, rng: random.Random) -> None:
    """The weight column printed elsewhere: the indicators' right after the indicator's name or before its
    score (as 衔接资金 and MoF forms differ), the fund block's before or after its 执行率."""
    funds, indicators = _header_rows(layout)
    if len(indicators) == 1:
        (top,) = indicators
        head = layout.row(top)
        weight = next((c for c in head if c.text in INDICATOR_WORDS["weight"] and c.cs == 1), None)
        name = next((c for c in head if c.text == "三级指标" and c.cs == 1), None)
        score = next((c for c in head if c.text in INDICATOR_WORDS["score"] and c.cs == 1), None)
        if weight is not None and name is not None and score is not None:
            to = rng.choice((name.c + 1, score.c - 1 if score.c > weight.c else score.c))
            totals = [c.r for c in layout.cells if c.r > top and re.sub(r"\s", "", c.text) in TOTAL_WORDS]
            _move_column(layout, top, min(totals) + 1 if totals else layout.height, weight.c, to, "indicators")
    labels = {f["label"] for f in layout.record["funds"]}
    if len(funds) == 1 and rng.random() < 0.5:
        (top,) = funds
        head = layout.row(top)
        weight = next((c for c in head if c.text in FUND_WORDS["weight"] and c.cs == 1), None)
        rate = next((c for c in head if c.text in FUND_WORDS["rate"] and c.cs == 1), None)
        rows = [c.r for c in layout.cells if c.r > top and c.text.strip() in labels]
        if weight is not None and rate is not None and rows:
            to = rate.c  # 分值 | 执行率 ↔ 执行率 | 分值
            _move_column(layout, top, max(rows) + 1, weight.c, to, "funds")


def _move_column(layout: Layout, top: int, bottom: int, w: int, to: int, block: str) -> None:
    """Column w moved to column to in rows top..bottom-1, the columns between shifted by one; unless a merged
    cell would be torn apart (the total row's label is cut short of the moved columns first)."""
    if to == w:
        return
    lo, hi = min(w, to), max(w, to)
    for c in [c for c in layout.cells if top <= c.r < bottom]:
        if c.c < lo < c.c + c.cs and c.rs == 1 and c.r == bottom - 1 and block == "indicators":
            layout.cells += [Cell("", c.r, col) for col in range(lo, c.c + c.cs)]
            c.cs = lo - c.c
    cells = [c for c in layout.cells if top <= c.r < bottom]

    def moved(col: int) -> int:
        if col == w:
            return to
        if lo <= col <= hi:
            return col + (1 if to < w else -1)
        return col

    for c in cells:
        cols = sorted(moved(col) for col in range(c.c, c.c + c.cs))
        if cols != list(range(cols[0], cols[0] + len(cols))) or (c.r + c.rs > bottom and c.c <= hi and
                                                                  c.c + c.cs > lo):
            return
    for c in cells:
        c.c = min(moved(col) for col in range(c.c, c.c + c.cs))
    layout.changes.append(f"{block} weight column {w} → {to}")


HEADER_WORDS = {
    "项目名称": ["项目名称", "项目名称："],
    "主管部门": ["主管部门", "主管部门及代码", "主管部门（单位）"],
    "实施单位": ["实施单位", "实施单位及代码", "项目实施单位", "实施单位（盖章）"],
}
TOTAL_WORDS = ["总分", "合计", "总计", "总得分", "自评总分", "综合得分"]
FUND_LABELS = {
    "年度资金总额": ["年度资金总额", "年度资金总额：", "资金总额", "年度资金总额（万元）"],
    "其中：财政拨款": ["其中：财政拨款", "其中:财政拨款", "财政拨款", "  其中：财政拨款"],
    "其中：当年财政拨款": ["其中：当年财政拨款", "当年财政拨款"],
    "其他资金": ["其他资金", "其中：其他资金", "其他"],
}
DASHES = ("—", "/", "－", "-", "——", "")


@applied
def header_labels(layout: Layout, rng: random.Random) -> None:
    """The header's labels as other templates word them (主管部门及代码, 项目实施单位…)."""
    for c in layout.cells:
        if c.text in HEADER_WORDS:
            c.text = _pick(rng, HEADER_WORDS[c.text], c.text)
    layout.changes.append("header labels")


def _retext(layout: Layout, old: str, new: str, change: str) -> None:
    """Every cell printing old prints new."""
    for c in layout.cells:
        if c.text == old:
            c.text = new
    layout.changes.append(change)


@applied
def total_label(layout: Layout, rng: random.Random) -> None:
    word = _pick(rng, TOTAL_WORDS, "总分")
    _retext(layout, "总分", word, f"total label {word}")


@applied
def fund_labels(layout: Layout, rng: random.Random) -> None:
    """Fund rows labelled as other templates print them; the record keeps the label as printed."""
    funds = layout.record["funds"]
    for c in layout.cells:
        if c.text in FUND_LABELS and c.c <= 2:
            new = _pick(rng, FUND_LABELS[c.text], c.text)
            for fund in funds:
                if fund["label"] == c.text:
                    fund["label"] = new.strip()
            c.text = new
    layout.changes.append("fund labels")


@applied
def dashes(layout: Layout, rng: random.Random) -> None:
    """The cells that print "no value" with another mark (/, －, -, ——) or left blank."""
    mark = _pick(rng, list(DASHES), "—")
    _retext(layout, "—", mark, f"dashes {mark!r}")
    for fund in layout.record["funds"]:
        for name, value in fund.items():
            if value == "—":
                fund[name] = mark


@applied
def inline_header(layout: Layout, rng: random.Random) -> None:
    """The header's label/value rows printed as one merged cell each: "主管部门：某局　　实施单位：某单位"."""
    labels = set(HEADER_WORDS)
    width = layout.width
    for r in range(layout.height):
        cells = layout.row(r)
        if not cells or cells[0].text not in labels or any(c.rs > 1 for c in cells) or len(cells) % 2:
            continue
        if sum(c.cs for c in cells) != width:
            return
        pairs = [(cells[n].text, cells[n + 1].text) for n in range(0, len(cells), 2)]
        if any(label not in labels for label, _ in pairs):
            continue
        text = "　　".join(f"{label}：{value}" for label, value in pairs)
        layout.cells = [c for c in layout.cells if c.r != r] + [Cell(text, r, 0, 1, width)]
    layout.changes.append("inline header")


@applied
def level1_breaks(layout: Layout, rng: random.Random) -> None:
    """Level-1 labels with their points on a second line: "产出指标\n(50分)" (the record keeps it joined)."""
    printed = _level1_printed(layout.record)
    for c in layout.cells:
        if c.text in printed and "(" in c.text:
            at = c.text.index("(")
            c.text = c.text[:at] + "\n" + c.text[at:]
    layout.changes.append("level-1 line breaks")


@applied
def level_captions(layout: Layout, rng: random.Random) -> None:
    """The level columns captioned as other templates caption them: 一级 / 指标类别 / 绩效指标（一级）, 二级 /
    指标类型, 三级 / 指标名称 / 具体指标 (captions are not in the record)."""
    _, indicators = _header_rows(layout)
    for c in layout.cells:
        if c.r in indicators and c.text in LEVEL_CAPTIONS:
            c.text = rng.choice(LEVEL_CAPTIONS[c.text][1:])
    layout.changes.append("level captions")


_NUMERALS = "一二三四五六七八九十"


@applied
def level1_names(layout: Layout, rng: random.Random) -> None:
    """Level-1 names printed another way: "产出指标 50分", "产出指标50分", "一、产出指标（50分）", "一、产出指标", or
    without their points where the indicators' weights carry them; the record keeps the printed label."""
    found = _level_column(layout, "一级指标")
    if found is None:
        return
    top, head = found
    record = layout.record
    printed = _level1_printed(record)
    names = {i["level1"] for i in record["indicators"]}
    weighted = all(i["weight"] for i in record["indicators"]) and not any(
        f["weight"] for f in record["funds"] if f["kind"] == "total" and not _number(f["weight"]))
    cells = [c for c in _below(layout, top, head) if c.text in printed or c.text in names]
    style = rng.choice(("space", "glued", "numbered", "none") if weighted else ("space", "glued", "numbered"))
    if not any(c.text in printed for c in cells):
        style = "numbered"  # no points printed (Hebei's 产出指标): numbering is what can change
    points = dict(record["category_points"])
    labels = dict(record.get("category_labels", {}))
    for n, c in enumerate(cells):
        name, point = printed.get(c.text, (c.text, ""))
        if name not in names:
            continue
        if style == "none" or not point:
            new = f"{_NUMERALS[n]}、{name}" if style == "numbered" else name
            points.pop(name, None)
        else:
            new = {"space": f"{name} {point}分", "glued": f"{name}{point}分",
                   "numbered": f"{_NUMERALS[n]}、{name}（{point}分）"}[style]
        if new == (f"{name}({point}分)" if name in points else name):
            labels.pop(name, None)
        else:
            labels[name] = new
        c.text = new
    record["category_points"] = points
    if labels:
        record["category_labels"] = labels
    else:
        record.pop("category_labels", None)
    layout.changes.append(f"level-1 names {style}")


@applied
def level_cells(layout: Layout, rng: random.Random) -> None:
    """Level-1 and level-2 labels merged over their rows (as the samples print them), printed on their first row
    only, or repeated on every row."""
    done = []
    modes = [rng.choice(("merged", "first", "repeat")) for _ in range(2)]
    if modes == ["merged", "merged"]:
        modes[rng.randrange(2)] = rng.choice(("first", "repeat"))
    for caption, mode in zip(("一级指标", "二级指标"), modes, strict=True):
        found = _level_column(layout, caption)
        if found is None or mode == "merged":
            continue
        top, head = found
        merged = [c for c in _below(layout, top, head) if c.rs > 1]
        for c in merged:
            layout.cells += [Cell(c.text if mode == "repeat" else "", c.r + k, c.c, 1, c.cs) for k in range(1, c.rs)]
            c.rs = 1
        if merged:
            done.append(f"{caption} {mode}")
    layout.changes.append("level cells " + ", ".join(done))


@applied
def score_units(layout: Layout, rng: random.Random) -> None:
    """Scores and weights printed with their unit or with trailing zeros: "9.5分", "10分", "10.00", "9.50";
    a percent weight "30.0%"; in the indicator, fund and total rows alike (the record keeps what is printed)."""
    style = rng.choice(("unit", "decimals", "both"))

    def printed(text: str) -> str:
        percent = text.endswith("%")
        number = text.removesuffix("%")
        if not _number(number):
            return text
        if style != "unit" and not (percent and style == "both"):
            number = f"{float(number):.2f}" if "." not in number or len(number.split(".")[1]) < 2 else number
        return number + ("%" if percent else "分" if style != "decimals" else "")

    funds, indicators = _header_rows(layout)
    for rows, words, records in ((indicators, INDICATOR_WORDS, layout.record["indicators"]),
                                 (funds, FUND_WORDS, layout.record["funds"])):
        if len(rows) != 1:
            continue
        (top,) = rows
        heads = [c for c in layout.row(top) if _plain(c.text) in {_plain(w) for w in words["weight"] + words["score"]}
                 or _plain(c.text) in ("权重占比", "折算得分") or _plain(c.text).startswith("得分(")]
        if not heads:
            continue
        if rows is indicators:
            totals = [c.r for c in layout.cells if c.r > top and _plain(c.text) in TOTAL_WORDS]
            block = set(range(top + 1, min(totals) + 1 if totals else layout.height))
        else:
            labels = {f["label"] for f in records}
            block = {c.r for c in layout.cells if c.r > top and c.c <= 2 and c.text.strip() in labels}
        for head in heads:
            for c in layout.cells:
                if c.r in block and c.c == head.c:
                    c.text = printed(c.text)
        for item in records:
            for name in ("weight", "score"):
                if name in item:
                    item[name] = printed(item[name])
        if rows is indicators:
            total = layout.record["total"]
            for name in ("weight", "score"):
                total[name] = printed(total.get(name, ""))
    layout.changes.append(f"score units {style}")


CHANGES = (level_captions, level1_names, level_cells, score_units, header_labels, total_label, fund_labels, dashes, inline_header, level1_breaks, synonyms, brackets, spaces,
           line_breaks, widen, blank_column, blank_rows, title_in_table, unit_line, notes, amounts, move_weight)


def variant(family: str, rng: random.Random, changes: tuple[Any, ...] = CHANGES,
            force: dict[Any, bool] | None = None) -> Layout:
    """A variant of a family's sample: each change drawn or not (force: drawn or not, whatever the draw), in an
    order that keeps it meaningful. Each change draws its choices from a generator of its own, so a variant with
    a change differs from the same variant without it by that change (and what later changes make of it)."""
    layout = sample(family)
    layout.record = copy.deepcopy(layout.record)
    seed = rng.random()
    for change in changes:
        drawn = rng.random() < 0.5
        if force is not None and change in force:
            drawn = force[change]
        if drawn:
            change(layout, random.Random(f"{seed}-{change.__name__}"))
    return layout


def _pick(rng: random.Random, words: list[str], current: str) -> str:
    """Another word than the current one, if there is one."""
    return rng.choice([w for w in words if w != current] or words)


UNKNOWN_LEVEL1 = {"产出指标": "履职效能", "效益指标": "工作成效", "效果指标": "工作成效", "满意度指标": "社会评价",
                  "成本指标": "成本控制", "决策": "工作谋划", "过程": "工作推进", "产出": "工作成果", "效益": "工作影响"}
UNKNOWN_TITLES = ("重点工作绩效自评表", "专项工作任务绩效自评表", "部门重点任务绩效评价表")


def unknown_template(layout: Layout, rng: random.Random) -> None:
    """The form in a template no profile describes: its level-1 names and its title another region's."""
    record = layout.record
    level1 = {c.c for c in layout.cells if _plain(c.text) in _LEVEL1_KEYS}
    for c in layout.cells:
        if c.c not in level1:
            continue
        for old, new in UNKNOWN_LEVEL1.items():
            name = re.sub(r"\s", "", c.text)
            if name == old or re.fullmatch(f"(?:[{_NUMERALS}]、)?" + re.escape(old) + r"\s*(?:[（(]?\d+(?:\.\d+)?分[)）]?)?",
                                           c.text.replace("\n", "")):
                c.text = c.text.replace(old, new, 1)
                break
    for indicator in record["indicators"]:
        indicator["level1"] = UNKNOWN_LEVEL1.get(indicator["level1"], indicator["level1"])
    for name in ("category_points", "category_labels"):
        if name in record:
            record[name] = {UNKNOWN_LEVEL1.get(k, k): v.replace(k, UNKNOWN_LEVEL1[k], 1) if name == "category_labels"
                            and k in UNKNOWN_LEVEL1 else v for k, v in record[name].items()}
    if record["project"] in record["title"]:
        return  # the title names the project (a county's table): it stays
    title = rng.choice(UNKNOWN_TITLES)
    year = re.match(r"^(?:19|20)\d{2}年度?", record["title"])
    record["title"] = (year.group(0) if year else "") + title
    texts = [c for c in layout.cells if c.text == FAMILIES[layout.family][0][0]]
    if layout.before and layout.before[0] == FAMILIES[layout.family][0][0]:
        layout.before[0] = record["title"]
    elif texts:
        texts[0].text = record["title"]
    layout.changes.append(f"unknown template {title}")


def cut_off(layout: Layout, rng: random.Random) -> bool:
    """The form cut off inside its indicators, before its total (a page or a sheet missing): False if it can't be."""
    _, indicators = _header_rows(layout)
    totals = [c.r for c in layout.cells if re.sub(r"\s", "", c.text) in TOTAL_WORDS]
    if len(indicators) != 1 or not totals:
        return False
    top = max(indicators) + 1
    cuts = [b for b in _boundaries(layout) if top + 1 < b <= max(totals)]
    if not cuts:
        return False
    at = rng.choice(cuts)
    layout.cells = [c for c in layout.cells if c.r < at]
    layout.after = []
    layout.changes.append(f"cut off at row {at}")
    return True


# --------------------------------------------------------------------------------------------- writers


def write(layout: Layout | list[Layout], fmt: str, sheets: bool = False) -> bytes:
    """One document of a layout, or of several forms one after the other (xlsx: stacked on one sheet, or one
    sheet each with sheets). "pdf" is the Word file printed to PDF by LibreOffice (its HTML import drops a page's
    first paragraph, and the workbooks written here have no ruled cells, so neither is printed)."""
    layouts = layout if isinstance(layout, list) else [layout]
    if fmt == "xlsx":
        return write_xlsx(layouts, sheets)
    if fmt == "pdf":
        return write_pdf(layouts)
    return {"html": write_html, "docx": write_docx}[fmt](layouts)


def soffice() -> str | None:
    """LibreOffice's command, None where it isn't installed (the PDF variants are then skipped)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


_OFFICE_PROFILE: list[Path] = []


def write_pdf(layouts: list[Layout]) -> bytes:
    """The forms as a PDF, as units publish them: the Word file printed by LibreOffice, one process
    each time with a profile of this process's own (others may run LibreOffice at the same time)."""
    command = soffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    if not _OFFICE_PROFILE:
        _OFFICE_PROFILE.append(Path(tempfile.mkdtemp(prefix="jixiao-variants-office-")))
        atexit.register(shutil.rmtree, _OFFICE_PROFILE[0], True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "variant.docx"
        path.write_bytes(write_docx(layouts))
        subprocess.run([command, "--headless", "--norestore", f"-env:UserInstallation={_OFFICE_PROFILE[0].as_uri()}",
                        "--convert-to", "pdf", "--outdir", tmp, str(path)], check=True, capture_output=True,
                       timeout=180)
        return (Path(tmp) / "variant.pdf").read_bytes()


def write_html(layouts: list[Layout]) -> bytes:
    lines = ['<!DOCTYPE html>', '<html lang="zh-CN"><head><meta charset="utf-8"><title>自评表</title></head><body>']
    for layout in layouts:
        lines += [f"<p>{html.escape(t)}</p>" for t in layout.before]
        lines.append('<table border="1">')
        for r in range(layout.height):
            tds = []
            for c in layout.row(r):
                attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
                tds.append(f"<td{attrs}>" + "<br>".join(map(html.escape, c.text.split("\n"))) + "</td>")
            lines.append("<tr>" + "".join(tds) + "</tr>")
        lines.append("</table>")
        lines += [f"<p>{html.escape(t)}</p>" for t in layout.after]
    lines.append("</body></html>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_xlsx(layouts: list[Layout], sheets: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    top = 0
    for n, layout in enumerate(layouts):
        if n and sheets:
            sheet, top = book.create_sheet(f"自评表{n + 1}"), 0
        width = layout.width
        for text in layout.before:
            top += 1
            sheet.cell(top, 1, text)
            sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
        for c in layout.cells:
            cell = sheet.cell(top + c.r + 1, c.c + 1, c.text or None)
            if "\n" in c.text:
                cell.alignment = Alignment(wrap_text=True)
            if c.rs > 1 or c.cs > 1:
                sheet.merge_cells(start_row=top + c.r + 1, start_column=c.c + 1, end_row=top + c.r + c.rs,
                                  end_column=c.c + c.cs)
        top += layout.height
        for text in layout.after:
            top += 1
            sheet.cell(top, 1, text)
        top += 2  # a blank row or two between stacked forms
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_docx(layouts: list[Layout]) -> bytes:
    import docx

    doc = docx.Document()
    for layout in layouts:
        for text in layout.before:
            doc.add_paragraph(text)
        table = doc.add_table(rows=layout.height, cols=layout.width)
        table.style = "Table Grid"
        for c in sorted(layout.cells, key=lambda c: (c.r, c.c)):
            cell = table.cell(c.r, c.c)
            if c.rs > 1 or c.cs > 1:
                cell = cell.merge(table.cell(c.r + c.rs - 1, c.c + c.cs - 1))
            lines = c.text.split("\n")
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run = paragraph.add_run(line)
        for text in layout.after:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------- scoring


def read_back(layout: Layout, fmt: str) -> list[dict[str, Any]]:
    from jixiao.core.model import to_record
    from jixiao.formats.layout import recognise
    from jixiao.formats.registry import read_grids

    return [to_record(f) for f in recognise(read_grids(write(layout, fmt), f"variant.{fmt}"))]


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every printed cell of a record by its path: "funds.0.executed", "indicators.3.score"."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in leaves(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for n, item in enumerate(value) for k, v in leaves(item, f"{path}.{n}").items()}
    return {path: value}


def cells_right(expected: dict[str, Any], read: list[dict[str, Any]]) -> tuple[int, int]:
    """(cells read right, cells) of a record against what was read (the first form, none if none was found)."""
    want = leaves(expected)
    got = leaves(read[0]) if read else {}
    return sum(got.get(k) == v for k, v in want.items()), len(want)


def families() -> list[str]:
    return [f for f in FAMILIES if (TEMPLATES / f"{f}.json").exists()]


def main(count: int, formats: tuple[str, ...] = FORMATS) -> None:
    right = total = found = forms = 0
    worst: dict[str, list[tuple[int, int]]] = {}
    for family in families():
        for seed in range(count):
            layout = variant(family, random.Random(f"{family}-{seed}"))
            for fmt in formats:
                read = read_back(layout, fmt)
                good, cells = cells_right(layout.record, read)
                right, total, forms = right + good, total + cells, forms + 1
                found += len(read) == 1
                worst.setdefault(family, []).append((good, cells))
    for family, scores in worst.items():
        print(f"{family:16} {sum(g for g, _ in scores) / sum(c for _, c in scores):7.2%}")
    print(f"cells read right: {right}/{total} = {right / total:.2%}; forms found: {found}/{forms}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else FORMATS)
