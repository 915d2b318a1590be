"""The department-wide form (jixiao.dept-self/1) in its profile's layout, written as .xlsx, .docx or .pdf.

The layout is one description (a jixiao.reports.layout.FormLayout, as for project forms), so the
same renderers draw it and the same readers read it back (jixiao.formats.dept recognises it). The
captions and column order are the profile's (DeptProfile.layout); the profile's name is printed in
the header ("评分规则"), so that a reader knows which layout it reads. No cell is merged over rows:
every indicator row repeats its level names, which keeps the form readable from any format.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jixiao.core.dept import (
    FUND_CAPTIONS,
    FUND_COLUMNS,
    FUND_LABEL_CAPTION,
    FUND_LABELS,
    GOAL_ROWS,
    HEADER_PAIRS,
    INPUT_CAPTIONS,
    PROJECT_PAIRS,
    DeptForm,
)
from jixiao.core.dept_rules import DeptProfile
from jixiao.reports.layout import FormLayout, LayoutCell, Template

DEFAULT_TITLE = "部门整体支出绩效自评表"


class _Rows:
    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[list[LayoutCell]] = []

    def row(self) -> int:
        self.rows.append([])
        return len(self.rows) - 1

    def cell(self, r: int, col: int, span: int, text: str, key: str = "", *, align: str = "center") -> None:
        role = "value" if key else "caption"
        self.rows[r].append(LayoutCell(text, r, col, 1, span, role, align, key))

    def banner(self, text: str) -> None:
        self.cell(self.row(), 0, self.width, text)

    def pairs(self, pairs: Sequence[tuple[str, str]], values: dict[str, str]) -> None:
        """A row of caption | value pairs across the width (the second pair takes what is left)."""
        r, half = self.row(), self.width // 2
        spans = [(0, 2, 2, half - 2), (half, 2, half + 2, self.width - half - 2)]
        for (caption, key), (c0, s0, c1, s1) in zip(pairs, spans, strict=False):
            self.cell(r, c0, s0, caption)
            self.cell(r, c1, s1, values.get(key, ""), key)


def _values(form: DeptForm, profile: DeptProfile) -> dict[str, str]:
    return {
        "department": form.department, "finance_office": form.finance_office, "contact": form.contact,
        "phone": form.phone, "total": form.total, "profile": profile.title or profile.name,
        "projects.count": form.projects.count, "projects.average": form.projects.average,
        "goals.initial": form.goals.initial, "goals.adjusted": form.goals.adjusted,
        "goals.achieved": form.goals.achieved,
    }


def _template(profile: DeptProfile) -> Template:
    layout = profile.layout
    return Template(
        key=profile.name, title=profile.title, widths=layout.widths, landscape=True,
        funds_caption=layout.fund_caption, fund_label_span=len(layout.widths) - len(FUND_COLUMNS),
        fund_captions=tuple(FUND_CAPTIONS[c] for c in FUND_COLUMNS), goals_caption=layout.goals_caption,
        goal_captions=(GOAL_ROWS[0][0], GOAL_ROWS[2][0]), goal_spans=(2, len(layout.widths) - 2),
        indicators_caption=layout.indicators_caption, indicator_columns=layout.indicator_columns,
    )


def build_dept_layout(form: DeptForm, profile: DeptProfile) -> FormLayout:
    """The printed form: header, funds, project summary, goals, inputs, indicators."""
    layout = profile.layout
    b = _Rows(len(layout.widths))
    values = _values(form, profile)
    for pairs in HEADER_PAIRS:
        b.pairs(pairs, values)
    b.banner(layout.fund_caption)
    label_span = b.width - len(FUND_COLUMNS)
    r = b.row()
    b.cell(r, 0, label_span, FUND_LABEL_CAPTION)
    for n, column in enumerate(FUND_COLUMNS):
        b.cell(r, label_span + n, 1, FUND_CAPTIONS[column])
    labels = dict(layout.fund_rows)
    for i, fund in enumerate(form.funds):
        r = b.row()
        b.cell(r, 0, label_span, fund.label or labels.get(fund.kind, FUND_LABELS[fund.kind]), f"funds[{i}].label",
               align="left")
        for n, column in enumerate(FUND_COLUMNS):
            b.cell(r, label_span + n, 1, getattr(fund, column), f"funds[{i}].{column}")
    b.banner(layout.projects_caption)
    b.pairs(PROJECT_PAIRS, values)
    b.banner(layout.goals_caption)
    for caption, key in GOAL_ROWS:
        r = b.row()
        b.cell(r, 0, 2, caption)
        b.cell(r, 2, b.width - 2, values[key], key, align="left")
    b.banner(layout.inputs_caption)
    half = b.width // 2
    if form.inputs:
        r = b.row()
        b.cell(r, 0, half, INPUT_CAPTIONS[0])
        b.cell(r, half, b.width - half, INPUT_CAPTIONS[1])
    for i, (name, value) in enumerate(form.inputs):
        r = b.row()
        b.cell(r, 0, half, name, f"inputs[{i}].name")
        b.cell(r, half, b.width - half, value, f"inputs[{i}].value")
    b.banner(layout.indicators_caption)
    r = b.row()
    for n, (_, caption) in enumerate(layout.indicator_columns):
        b.cell(r, n, 1, caption)
    for i, ind in enumerate(form.indicators):
        r = b.row()
        for n, (field, _) in enumerate(layout.indicator_columns):
            b.cell(r, n, 1, getattr(ind, field), f"indicators[{i}].{field}",
                   align="left" if field in ("name", "reason") else "center")
    title = form.title or DEFAULT_TITLE
    return FormLayout(template=_template(profile), title=title,
                      subtitle=f"（{form.year}年度）" if form.year is not None else "",
                      rows=tuple(tuple(row) for row in b.rows), project=form.department)


def write_dept(form: DeptForm, profile: DeptProfile, path: str | Path) -> None:
    """Write the form to path (.xlsx, .docx or .pdf), atomically; ValueError for another extension."""
    from jixiao.reports import write_layouts

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".docx", ".pdf"):
        raise ValueError(f"不支持的输出格式“{path.suffix or '（无扩展名）'}”：{path.name}。部门整体自评表可写为 .xlsx、.docx 或 .pdf。")
    write_layouts([build_dept_layout(form, profile)], path, title=DEFAULT_TITLE)
