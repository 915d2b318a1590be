"""The standard layout of a self-evaluation form: ONE description that every writer renders.

A form becomes a FormLayout: heading lines (title, year) and a table given as rows of the cells
that start in them, with their spans, as jixiao.formats.grid does, so that what a writer draws is
what a reader gives back. Each cell has a role (caption or value), an alignment and the record
key it shows ("indicators[2].score"), so writers style cells without knowing the templates and
tests find cells by key. The two templates (docs/domain.md §2) are data in reports/templates.py, each
worded as a form's profile prints it.

With a Scorecard and rescore=True, the computed scores replace the printed ones where they differ
beyond the printed-rounding tolerance of docs/domain.md §5, and those cells are marked `changed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from jixiao.core.model import Form
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import joined_target, parse_number
from jixiao.reports.templates import (
    Template,
    Wording,
    choose_template,
    fitted,
    split_title,
    worded,
)

if TYPE_CHECKING:
    from jixiao.core.scoring import Scorecard

HIGHLIGHT = "FCE4D6"  # fill of a rescored cell (light orange), RGB hex
HIGHLIGHT_TEXT = "C00000"  # text colour of a rescored cell where a writer colours text
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
RESCORE_NOTE = "注：底色标出的单元格为按评分规则重新计算、与原表印制值不同的数值。"

# Record keys whose values are numbers on most forms: a spreadsheet may store them as numbers.
_NUMERIC_FIELDS = frozenset(
    {"initial", "annual", "executed", "weight", "weight_repeat", "rate", "score", "target", "actual"}
)


@dataclass(frozen=True)
class LayoutCell:
    text: str
    row: int  # 0-based row of the table
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"  # "caption": printed by the template; "value": the form's text
    align: str = "center"  # "center" | "left"
    key: str = ""  # record key of a value cell: "project", "funds[0].score", "indicators[3].target"
    changed: bool = False  # rescore: the computed value differs from the printed one
    printed: str = ""  # rescore: the printed text that `text` replaced
    filled: bool = False  # the form left the cell blank and `text` is the computed value

    @property
    def numeric(self) -> bool:
        """A value a spreadsheet may keep as a number (万元, 分值, 执行率, indicator values)."""
        return self.role == "value" and self.key.rsplit(".", 1)[-1] in _NUMERIC_FIELDS


@dataclass(frozen=True)
class FormLayout:
    template: Template
    title: str
    subtitle: str  # "（2019年度）", or "" when the form has no year
    rows: tuple[tuple[LayoutCell, ...], ...]  # cells starting in each table row
    project: str
    note: str = ""  # a line under the table (the rescore note), or ""

    @property
    def width(self) -> int:
        return self.template.width

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(t for t in (self.title, self.subtitle) if t)

    @property
    def cells(self) -> Iterable[LayoutCell]:
        for row in self.rows:
            yield from row

    def cell(self, key: str) -> LayoutCell:
        """The value cell showing a record key (KeyError when the layout has none)."""
        for c in self.cells:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.cells)


# ---------------------------------------------------------------------------------------------
# Building a layout


@dataclass
class LayoutBuilder:
    """A layout being built row by row: the project forms' here, the year's and others' in their modules."""

    template: Template
    rows: list[list[LayoutCell]] = field(default_factory=list)

    def new_row(self) -> int:
        self.rows.append([])
        return len(self.rows) - 1

    def add(self, row: int, col: int, text: str, *, rowspan: int = 1, colspan: int = 1,
            role: str = "value", align: str = "center", key: str = "") -> None:
        self.rows[row].append(LayoutCell(text, row, col, rowspan, colspan, role, align, key))

    def caption(self, row: int, col: int, text: str, *, rowspan: int = 1, colspan: int = 1) -> None:
        self.add(row, col, text, rowspan=rowspan, colspan=colspan, role="caption")


def points_label(level1: str, points: str) -> str:
    """The level-1 cell as printed: "产出指标(75分)", or the bare name when there are no points."""
    return f"{level1}({points}分)" if level1 and points else level1


def build_layout(form: Form, scorecard: Scorecard | None = None, *, rescore: bool = False,
                 template: Template | None = None) -> FormLayout:
    """The layout of a form in its template's columns (with any column the form prints and the template
    lacks); with rescore, the scorecard's scores where they differ."""
    t = fitted(template or choose_template(form), form)
    b = LayoutBuilder(t)
    _header(b, form)
    if form.funds or t.fund_block:
        _funds(b, form)
    if form.goals.planned or form.goals.achieved or t.goals_block:
        _goals(b, form)
    _indicators(b, form)
    _total(b, form)
    rows = tuple(tuple(sorted(r, key=lambda c: c.col)) for r in b.rows)
    title, year = split_title(form.title, form.year)
    layout = FormLayout(
        template=t,
        title=title or t.title,
        subtitle=f"（{year}年度）" if year is not None else "",
        rows=rows,
        project=form.project,
    )
    if scorecard is not None:
        layout = _rescore(layout, form, scorecard) if rescore else _fill(layout, form, scorecard)
    return layout


def _header(b: LayoutBuilder, form: Form) -> None:
    """The header fields two to a row: label, value, label, value; of an odd number, the first (项目名称)
    takes a row of its own."""
    t = b.template
    width = t.width
    label, value = (2, 4) if width >= 9 else (1, (width - 2) // 2)
    labels = t.header_labels
    rows = [labels[:1]] if len(labels) % 2 else []
    rows += [labels[n:n + 2] for n in range(len(labels) % 2, len(labels), 2)]
    for pair in rows:
        r = b.new_row()
        (key1, label1) = pair[0]
        b.caption(r, 0, label1, colspan=label)
        if len(pair) == 1:
            b.add(r, label, getattr(form, key1), colspan=width - label, key=key1)
            continue
        (key2, label2) = pair[1]
        b.add(r, label, getattr(form, key1), colspan=value, key=key1)
        b.caption(r, label + value, label2, colspan=label)
        b.add(r, 2 * label + value, getattr(form, key2), colspan=width - 2 * label - value, key=key2)


def _funds(b: LayoutBuilder, form: Form) -> None:
    t = b.template
    r = b.new_row()
    span = t.funds_caption_span
    b.caption(r, 0, t.funds_caption, rowspan=1 + len(form.funds), colspan=span)
    b.caption(r, span, "", colspan=t.fund_label_span)
    first = span + t.fund_label_span
    for i, caption in enumerate(t.fund_captions):
        b.caption(r, first + i, caption)
    for n, fund in enumerate(form.funds):
        r = b.new_row()
        b.add(r, span, fund.label, colspan=t.fund_label_span, align="left", key=f"funds[{n}].label")
        for i, name in enumerate(t.fund_fields):
            b.add(r, first + i, getattr(fund, name), key=f"funds[{n}].{name}")


def _goals(b: LayoutBuilder, form: Form) -> None:
    t = b.template
    spans = t.goal_spans
    r = b.new_row()
    b.caption(r, 0, t.goals_caption, rowspan=2, colspan=2)
    b.caption(r, 2, t.goal_captions[0], colspan=spans[0])
    b.caption(r, 2 + spans[0], t.goal_captions[1], colspan=spans[1])
    r = b.new_row()
    b.add(r, 2, form.goals.planned, colspan=spans[0], align="left", key="goals.planned")
    b.add(r, 2 + spans[0], form.goals.achieved, colspan=spans[1], align="left", key="goals.achieved")


def run_spans(values: Sequence[tuple[str, ...]]) -> list[int]:
    """For each position, how many rows a cell starting there spans (0 when covered by the one above)."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            spans[start] = i - start
            start = i
    return spans


def goal_heading(form: Form, block: str) -> str:
    """A goal block's heading as printed: "年度绩效目标1(40分)：完成饮水工程建设", or "name(N分)"."""
    return dict(form.category_labels).get(block) or points_label(block, dict(form.category_points).get(block, ""))


def _orphan_blocks(form: Form, words: Sequence[str]) -> list[str]:
    """Goal blocks with points and no indicator under them: their headings close the indicator block."""
    used = {i.block for i in form.indicators} | {i.level1 for i in form.indicators}
    return [name for name, _ in form.category_points if name not in used and name.startswith(tuple(words))] \
        if words else []


def _indicators(b: LayoutBuilder, form: Form) -> None:
    t = b.template
    indicators = form.indicators
    columns = t.indicator_positions
    orphans = _orphan_blocks(form, t.goal_words)
    headings = sum(1 for n, i in enumerate(indicators) if i.block and (n == 0 or indicators[n - 1].block != i.block))
    r0 = b.new_row()
    b.caption(r0, 0, t.indicators_caption, rowspan=1 + len(indicators) + headings + len(orphans))
    for _, caption, c, span in columns:
        b.caption(r0, c, caption, colspan=span)
    points = dict(form.category_points)
    printed = dict(form.category_labels)  # a level-1 cell printed otherwise than "name(N分)" stays as printed
    # Level-1 and level-2 cells merge over the consecutive rows that share them; a level-2 run never
    # crosses into another level-1, and neither crosses a goal block's heading.
    level1_spans = run_spans([(i.block, i.level1) for i in indicators])
    level2_spans = run_spans([(i.block, i.level1, i.level2) for i in indicators])
    for n, ind in enumerate(indicators):
        if ind.block and (n == 0 or indicators[n - 1].block != ind.block):
            b.add(b.new_row(), 1, goal_heading(form, ind.block), colspan=t.width - 1, align="left",
                  key=f"indicators[{n}].block")
        r = b.new_row()
        for name, _, c, span in columns:
            key = f"indicators[{n}].{name}"
            if name == "level1":
                if level1_spans[n]:
                    b.add(r, c, printed.get(ind.level1) or points_label(ind.level1, points.get(ind.level1, "")),
                          rowspan=level1_spans[n], colspan=span, key=key)
            elif name == "level2":
                if level2_spans[n]:
                    b.add(r, c, ind.level2, rowspan=level2_spans[n], colspan=span, key=key)
            elif name == "weight_repeat":
                b.add(r, c, ind.weight if ind.weight_repeat is None else ind.weight_repeat, colspan=span, key=key)
            elif name == "target_op":
                b.add(r, c, ind.target_nature, colspan=span, key=key)
            elif name == "target" and "target_op" in dict(t.indicator_columns):
                b.add(r, c, ind.target, colspan=span, key=key)
            elif name == "target" and (ind.target_nature or ind.target_unit):  # split: printed in one cell
                b.add(r, c, joined_target(ind.target_nature, ind.target, ind.target_unit), colspan=span, key=key)
            else:
                value = ind.target_unit if name == "target_unit" else getattr(ind, name)
                align = "left" if name in ("name", "reason", "formula") else "center"
                b.add(r, c, value, align=align, colspan=span, key=key)
    for block in orphans:
        b.add(b.new_row(), 1, goal_heading(form, block), colspan=t.width - 1, align="left")


def _total(b: LayoutBuilder, form: Form) -> None:
    """总分 over the columns before the first 分值 or 得分, then 分值 and 得分 under theirs; blanks merged.
    A template with neither column prints no total row, unless the form prints a total."""
    t = b.template
    columns = [(name, c, span) for name, _, c, span in t.indicator_positions]
    scored = [c for name, c, _ in columns if name in ("weight", "weight_repeat", "score")]
    if not scored:
        if form.total.weight or form.total.score:
            r = b.new_row()
            b.caption(r, 0, "总分", colspan=t.width - 1)
            b.add(r, t.width - 1, form.total.score, key="total.score")
        return
    first = min(scored)
    r = b.new_row()
    b.caption(r, 0, "总分", colspan=first)
    blank_from: int | None = None
    for name, c, span in columns:
        if c < first:
            continue
        text = {"weight": form.total.weight, "weight_repeat": form.total.weight, "score": form.total.score}.get(name)
        if text is None:
            if blank_from is None:
                blank_from = c
            continue
        if blank_from is not None:
            b.add(r, blank_from, "", colspan=c - blank_from, key="")
            blank_from = None
        b.add(r, c, text, colspan=span, key="total.score" if name == "score" else f"total.{name}")
    if blank_from is not None:
        b.add(r, blank_from, "", colspan=t.width - blank_from, key="")


# ---------------------------------------------------------------------------------------------
# Rescoring


def format_decimal(number: Decimal, places: int = 2) -> str:
    """A computed number as a form prints it: rounded to `places`, no trailing zeros ("5.6", "24")."""
    q = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_rate(rate: Decimal) -> str:
    """An execution rate (a fraction) as a percentage: 0.756 → "75.6%"."""
    return format_decimal(rate * 100) + "%"


def agrees(printed: str, computed: Decimal, *, percent: bool = False) -> bool:
    """The printed number is the computed one within the printed-rounding tolerance (core.tolerance.printed_matches)."""
    number = parse_number(printed)
    if number is None or (percent and not printed.strip().endswith(("%", "％"))):
        return False
    return printed_matches(number, computed * 100 if percent else computed)


def _rate_row(form: Form) -> int:
    """Where the form prints its execution rate: the first fund row with a number there, else the total row."""
    return next((n for n, f in enumerate(form.funds) if parse_number(f.rate) is not None), fund_row_index(form))


def fund_row_index(form: Form) -> int:
    return next((n for n, f in enumerate(form.funds) if f.kind == "total"), 0)


@dataclass(frozen=True)
class Computed:
    """A value the scorecard computes for a cell of the form: as printed, with its formula."""

    text: str  # "75.6%", "7.56"
    value: Decimal
    formula: str
    printed: str  # what the form prints in that cell
    percent: bool = False

    @property
    def agrees(self) -> bool:
        return agrees(self.printed, self.value, percent=self.percent)


def computed_values(form: Form, scorecard: Scorecard) -> dict[str, Computed]:
    """Record key → the computed value of each cell the scorecard computes (rate, fund score, scores, total)."""
    out: dict[str, Computed] = {}

    def put(key: str, printed: str, value: Decimal | None, formula: str, percent: bool = False) -> None:
        if value is not None:
            text = format_rate(value) if percent else format_decimal(value)
            out[key] = Computed(text, value, formula, printed, percent)

    if form.funds:
        n = _rate_row(form)
        put(f"funds[{n}].rate", form.funds[n].rate, scorecard.execution_rate, scorecard.execution_formula, True)
        k = fund_row_index(form)
        put(f"funds[{k}].score", form.funds[k].score, scorecard.fund_score, scorecard.fund_formula)
    for s in scorecard.indicators:
        if s.applicable and 0 <= s.index < len(form.indicators):
            put(f"indicators[{s.index}].score", form.indicators[s.index].score, s.score, s.formula)
    put("total.score", form.total.score, scorecard.total, scorecard.total_formula)
    return out


def rescored_values(form: Form, scorecard: Scorecard) -> dict[str, str]:
    """Record key → computed text, for the computed values that disagree with the printed ones."""
    return {k: c.text for k, c in computed_values(form, scorecard).items() if not c.agrees}


FILLED_KEYS = ("rate", "score")  # of the fund rows: the form's own arithmetic, which a unit may leave to us


def _fill(layout: FormLayout, form: Form, scorecard: Scorecard) -> FormLayout:
    """The fund block's 执行率 and 得分 computed where the form leaves them blank, as the editor shows them."""
    values = {k: c.text for k, c in computed_values(form, scorecard).items()
              if k.startswith("funds[") and k.rsplit(".", 1)[1] in FILLED_KEYS and not c.printed.strip()}
    if not values:
        return layout
    rows = tuple(
        tuple(replace(c, text=values[c.key], filled=True) if c.key in values else c for c in row)
        for row in layout.rows
    )
    return replace(layout, rows=rows)


def _rescore(layout: FormLayout, form: Form, scorecard: Scorecard) -> FormLayout:
    values = rescored_values(form, scorecard)
    if not values:
        return layout
    rows = tuple(
        tuple(
            replace(c, text=values[c.key], changed=True, printed=c.text) if c.key in values else c
            for c in row
        )
        for row in layout.rows
    )
    return replace(layout, rows=rows, note=RESCORE_NOTE)


def build_layouts(forms: Sequence[Form], scorecards: Sequence[Scorecard | None] | None = None, *,
                  rescore: bool = False, wordings: Sequence[Wording | None] | None = None) -> list[FormLayout]:
    """The layouts of a batch; scorecards and wordings (each form's profile's template), when given, pair with
    the forms in order."""
    if not forms:
        raise ValueError("没有可写出的表单：请至少提供一张自评表。")
    if scorecards is not None and len(scorecards) != len(forms):
        raise ValueError(f"计分结果有 {len(scorecards)} 份，表单有 {len(forms)} 张，两者应一一对应。")
    cards = list(scorecards) if scorecards is not None else [None] * len(forms)
    words = list(wordings) if wordings is not None else [None] * len(forms)
    return [build_layout(f, s, rescore=rescore, template=worded(choose_template(f), w))
            for f, s, w in zip(forms, cards, words, strict=True)]
