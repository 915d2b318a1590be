"""The year app's stored forms as the API gives them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.web.forms import access
from jixiao.web.year.models import MonitorForm, TargetDecl
from jixiao.web.year.monitoring import warning_json
from jixiao.web.year.services import STAGE_LABELS, target_actions


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


def paper(layout: Any, comments: dict[str, list[str]] | None = None) -> list[list[dict[str, Any]]]:
    """A form's layout as rows of cells for the page, each value cell with the reviewers' comments on it."""
    notes = comments or {}
    return [[{"tag": "th" if c.role == "caption" else "td", "text": c.text, "rowspan": c.rowspan,
              "colspan": c.colspan, "key": c.key, "left": c.align == "left", "comments": notes.get(c.key, [])}
             for c in row] for row in layout.rows]


def cell_choices(layout: Any) -> list[tuple[str, str]]:
    """The value cells a reviewer can comment on, each named by its row's caption and its text."""
    choices = []
    for row in layout.rows:
        caption = next((c.text for c in row if c.role == "caption" and c.text), "")
        for c in row:
            if c.role == "value" and c.key:
                text = c.text if len(c.text) <= 16 else c.text[:15] + "…"
                choices.append((c.key, f"{caption} · {text}" if caption else text or c.key))
    return choices


def cell_comments(decl: TargetDecl) -> dict[str, list[str]]:
    """The reviewers' comments on the cells of this version, by cell."""
    found: dict[str, list[str]] = {}
    for review in decl.reviews.all():
        for cell in review.cells or []:
            if isinstance(cell, dict) and cell.get("field"):
                found.setdefault(str(cell["field"]), []).append(str(cell.get("comment", "")))
    return found


def reviews_with_labels(decl: TargetDecl, layout: Any) -> list[Any]:
    """The version's reviews, each cell comment named as the reviewer chose its cell (not by its record path)."""
    labels = dict(cell_choices(layout))
    reviews = list(decl.reviews.all())
    for review in reviews:
        review.cell_notes = [(str(c.get("field", "")), labels.get(str(c.get("field", "")), str(c.get("field", ""))),
                              str(c.get("comment", ""))) for c in review.cells or [] if isinstance(c, dict)]
    return reviews
