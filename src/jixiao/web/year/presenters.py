"""The year app's stored forms as the API gives them."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jixiao.core import target as tgt
from jixiao.core.yearrules import DEPARTMENT_OUTCOME_NAMES, OUTCOME_NAMES
from jixiao.web.forms import access
from jixiao.web.year.models import MonitorForm, TargetDecl, TargetReview
from jixiao.web.year.monitoring import warning_json
from jixiao.web.year.services import LEVEL_NAMES, STAGE_LABELS, target_actions


def target_json(decl: TargetDecl, user: access.User | None = None) -> dict[str, Any]:
    data = {"id": decl.pk, "unit": {"id": decl.unit_id, "name": decl.unit.name}, "year": decl.year,
            "project": decl.project, "lineage": decl.lineage, "version": decl.version, "reason": decl.reason,
            "stage": decl.stage, "stage_label": STAGE_LABELS[decl.stage], "rounds": decl.rounds,
            "published": decl.published, "edit": decl.edit, "target": decl.record, "findings": decl.findings}
    if user is not None:
        data["actions"] = target_actions(user, decl)
    return data


def monitor_json(form: MonitorForm) -> dict[str, Any]:
    return {"id": form.pk, "target": form.target_id, "round": form.round_id, "unit": form.unit.name,
            "submitted": form.submitted, "edit": form.edit, "monitor": form.record, "findings": form.findings,
            "warnings": [warning_json(w, timezone.localdate()) for w in form.warnings.all()]}


_REVIEWER_KEY = re.compile(r"^review\[\d+\]\.reviewer$")


def paper(layout: Any, comments: dict[str, list[str]] | None = None, public: bool = False
          ) -> list[list[dict[str, Any]]]:
    """A form's layout as rows of cells for the page, each value cell with the reviewers' comments on it. On the
    public page the reviewers' accounts are left out: the public reads which level reviewed, not who logged in."""
    notes = comments or {}
    return [[{"tag": "th" if c.role == "caption" else "td",
              "text": "" if public and _REVIEWER_KEY.match(c.key) else c.text, "rowspan": c.rowspan,
              "colspan": c.colspan, "key": c.key, "left": c.align == "left", "comments": notes.get(c.key, [])}
             for c in row] for row in layout.rows]


_ROW_OF_INDICATOR = re.compile(r"^indicators\[(\d+)\]\.")


def cell_choices(layout: Any) -> list[tuple[str, str]]:
    """The value cells a reviewer can comment on, each named as the form names it: by the caption just before it
    in its row (项目代码, 年度), else by its column's heading (度量单位, 审核意见) with its indicator's name, or by
    the fund row's name; then its text. Never by its record path."""
    names = {m.group(1): c.text for row in layout.rows for c in row
             if c.key.endswith(".name") and (m := _ROW_OF_INDICATOR.match(c.key))}
    headings: dict[int, str] = {}
    choices = []
    for row in layout.rows:
        if len(row) > 1 and all(c.role == "caption" for c in row):  # a table's heading row
            headings = {col: c.text for c in row for col in range(c.col, c.col + c.colspan)}
            continue
        caption, before = "", None
        for c in row:
            if c.role == "caption":
                caption, before = c.text, c
                continue
            if c.key:
                label = caption if before is not None and before.role == "caption" else ""
                if not label and before is not None and before.key.endswith(".label"):
                    label = before.text
                if not label:
                    label = headings.get(c.col, "") or caption
                    m = _ROW_OF_INDICATOR.match(c.key)
                    if m and names.get(m.group(1)) and not c.key.endswith(".name"):
                        label = f"{names[m.group(1)]} · {label}" if label else names[m.group(1)]
                text = c.text if len(c.text) <= 16 else c.text[:15] + "…"
                choices.append((c.key, f"{label} · {text}" if label and text else label or text or "（空白单元格）"))
            before = c
    return choices


_WHERE_IT_STANDS = {  # a declaration's stage, for a user with no step to take on it: who takes the next one
    "draft": "此申报表尚在单位填写中，由实施单位的填报人修改并提交审核。",
    "returned": "此申报表已退回实施单位修改，由单位的填报人修改后重新提交。",
    "edits": "此申报表审核为“良”，由实施单位按审核意见修改后完成。",
    "submitted": "此申报表正等待主管部门审核，您暂无需操作。",
    "to_finance": "此申报表正等待财政局审核，您暂无需操作。",
    "approved": "绩效目标已批复。",
    "rejected": "此申报表审核不予通过，不能再修改或提交。",
    "superseded": "此版本已被调整后的新版本取代，请查看下方最新版本。",
}


def where_it_stands(decl: TargetDecl, actions: list[str]) -> str:
    """What the page says under 操作 when the user has no step to take (the section is not left empty)."""
    if set(actions) - {"edit"}:
        return ""
    said = _WHERE_IT_STANDS.get(str(decl.stage), "")
    return f"{said[:-1]}，已随部门预算公开。" if decl.stage == "approved" and decl.published else said


@dataclass(frozen=True)
class CellNote:
    field: str  # the cell's key in the layout (or a record path, given through the API)
    label: str  # the cell as the reviewer chose it: its row's caption and its text
    comment: str


@dataclass(frozen=True)
class ReviewRow:
    """A review of a version as its pages show it: who, when, at which level, the grades and the cell notes."""

    level: str
    level_label: str
    reviewer: str
    at: datetime.datetime
    grade: str
    outcome: str
    outcome_label: str
    opinion: str
    items: tuple[tuple[str, str], ...]
    notes: tuple[CellNote, ...]


def _cells(review: TargetReview) -> list[dict[str, str]]:
    return [c for c in review.cells or [] if isinstance(c, dict) and c.get("field")]


def cell_comments(decl: TargetDecl) -> dict[str, list[str]]:
    """The reviewers' comments on the cells of this version, by cell."""
    found: dict[str, list[str]] = {}
    for review in decl.reviews.all():
        for cell in _cells(review):
            found.setdefault(str(cell["field"]), []).append(str(cell.get("comment", "")))
    return found


def review_row(review: TargetReview, labels: dict[str, str]) -> ReviewRow:
    outcome_label = OUTCOME_NAMES.get(review.outcome) or DEPARTMENT_OUTCOME_NAMES.get(review.outcome, review.outcome)
    return ReviewRow(
        level=review.level, level_label=LEVEL_NAMES.get(review.level, review.level),
        reviewer=str(review.reviewer) if review.reviewer_id else "", at=review.at, grade=review.grade,
        outcome=review.outcome, outcome_label=outcome_label, opinion=review.opinion,
        items=tuple((str(k), str(v)) for k, v in (review.items or {}).items()),
        notes=tuple(CellNote(str(c["field"]), labels.get(str(c["field"]), str(c["field"])), str(c.get("comment", "")))
                    for c in _cells(review)))


def reviews_with_labels(decl: TargetDecl, layout: Any) -> list[ReviewRow]:
    """The version's reviews, each cell comment named as the reviewer chose its cell (not by its record path)."""
    labels = dict(cell_choices(layout))
    return [review_row(r, labels) for r in decl.reviews.select_related("reviewer")]


# Editor inputs a layout cell is shown beside: the split 指标性质/指标值/度量单位 are typed as one 指标值;
# 项目期 as its start; a goal line in its set's text box.
_INDICATOR_KEY = re.compile(r"^indicators\[(\d+)\]\.(\w+)$")
_FUND_KEY = re.compile(r"^funds\[(\d+)\]\.\w+$")
_RECORD_FUND_KEY = re.compile(r"^funds\.(medium|annual)\[(\d+)\]\.\w+$")
_GOAL_KEY = re.compile(r"^goals\.(medium|annual)(?:\[\d+\])?$")
SPLIT_TARGET = ("op", "value", "unit", "target")
HEADER_INPUTS = ("project", "project_code", "year", "attribute", "nature", "category", "leader", "phone")


def editor_input(field: str, record: dict[str, Any], fund_kinds: tuple[str, ...]) -> str | None:
    """The name of the editor's input a cell comment is about (None for a cell the editor has no input for)."""
    if m := _INDICATOR_KEY.match(field):
        n, name = m.groups()
        return f"indicators[{n}].{'target' if name in SPLIT_TARGET else name}"
    target = tgt.from_record(record)
    fund = None
    if m := _FUND_KEY.match(field):
        n = int(m.group(1))
        fund = target.funds[n] if n < len(target.funds) else None
    elif m := _RECORD_FUND_KEY.match(field):
        rows = target.fund_set(m.group(1))
        fund = rows[int(m.group(2))] if int(m.group(2)) < len(rows) else None
    if fund is not None:
        return f"funds.{fund.set}[{fund_kinds.index(fund.kind)}].amount" if fund.kind in fund_kinds else None
    if m := _GOAL_KEY.match(field):
        return f"goals.{m.group(1)}"
    if field in ("period", "period.start", "period.end"):
        return "period.start" if field == "period" else field
    if field.startswith("narratives.") and field.removeprefix("narratives.") in tgt.NARRATIVE_FIELDS:
        return field
    return field if field in HEADER_INPUTS else None


def editor_notes(reviews: list[ReviewRow], record: dict[str, Any], fund_kinds: tuple[str, ...]
                 ) -> dict[str, list[dict[str, str]]]:
    """Each reviewer's cell comments by the editor input they are shown beside."""
    found: dict[str, list[dict[str, str]]] = {}
    for review in reviews:
        for note in review.notes:
            name = editor_input(note.field, record, fund_kinds)
            if name is not None:
                found.setdefault(name, []).append({"who": f"{review.level_label}·{review.reviewer}".rstrip("·"),
                                                   "comment": note.comment, "field": note.field})
    return found
