"""The department-wide forms on the review side: in the review queue beside the project forms (narrowed by the
same filters, jixiao.web.forms.filters), and per department in the year's overview (handed in, approved, score).

Who sees one is who sees its department (jixiao.web.forms.access.visible_orgs), as for project forms; who may
act on one is jixiao.web.after.dept.STEPS (the department submits, the finance bureau approves or returns).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from jixiao.core.dept import from_record
from jixiao.core.dept_rules import score_dept
from jixiao.core.model import RecordError
from jixiao.dept_files import load_dept_profile
from jixiao.web.after import dept
from jixiao.web.after.access import User
from jixiao.web.after.models import DeptSelfEvaluation
from jixiao.web.forms.access import visible_orgs
from jixiao.web.models import Org, Phase
from jixiao.web.ops.params import is_id

KIND_LABEL = "部门整体"
# Filters of the project list that a department-wide form has no value for: with one of them given, the queue
# shows no department-wide form (none matches), rather than ignoring the filter.
PROJECT_ONLY = ("unit", "grade", "errors", "rate", "code", "diff", "sampled")
HANDED_IN = (dept.Stage.SUBMITTED, dept.Stage.APPROVED, dept.Stage.PUBLISHED)
APPROVED = (dept.Stage.APPROVED, dept.Stage.PUBLISHED)


def _score(stored: DeptSelfEvaluation) -> tuple[str, str]:
    """The computed total and grade (the rule library of the form's profile; no query)."""
    try:
        card = score_dept(from_record(stored.record), load_dept_profile(stored.profile))
    except (RecordError, ValueError):
        return "", ""
    return ("" if card.total is None else str(card.total)), card.grade


def row(user: User, stored: DeptSelfEvaluation) -> dict[str, Any]:
    total, grade = _score(stored)
    printed = stored.record.get("total", "") if isinstance(stored.record, Mapping) else ""
    return {
        "id": stored.pk, "kind": "dept", "kind_label": KIND_LABEL, "year": stored.year,
        "department_id": stored.department_id, "department": stored.department.name,
        "stage": stored.stage, "stage_label": stored.get_stage_display(),
        "printed_total": printed if isinstance(printed, str) else "", "computed_total": total, "grade": grade,
        "handed_in": stored.stage in HANDED_IN, "approved": stored.stage in APPROVED,
        "actions": dept.actions(user, stored), "url": reverse("after-dept", args=[stored.pk]),
    }


def queue(user: User, params: Mapping[str, str], waiting: bool = False) -> list[dict[str, Any]]:
    """The department-wide forms a review list with these filters shows (year, department, phase, stage, q);
    `waiting`: the list the user opens without filters, i.e. the forms that wait for one of the user's steps."""
    given = {k: str(v).strip() for k, v in params.items() if str(v).strip()}
    if any(k in given for k in PROJECT_ONLY) or given.get("phase", Phase.SELF) != Phase.SELF:
        return []
    qs = DeptSelfEvaluation.objects.filter(department__in=visible_orgs(user)).select_related("department")  # type: ignore[arg-type]
    if is_id(given.get("year", "")):
        qs = qs.filter(year=int(given["year"]))
    if is_id(given.get("department", "")):
        qs = qs.filter(department_id=int(given["department"]))
    if "stage" in given and not waiting:
        qs = qs.filter(stage__in=given["stage"].split(","))
    if q := given.get("q", "")[:100]:
        qs = qs.filter(department__name__icontains=q)
    rows = [row(user, s) for s in qs.order_by("-year", "department__path", "pk")]
    return [r for r in rows if r["actions"]] if waiting else rows


def overview(user: User, year: int, department: int | None = None) -> dict[str, Any]:
    """Per visible department of the year: its department-wide form's stage, whether handed in and approved,
    and its score; and the counts (departments, handed in, approved). Not kept with the project overview:
    its data version follows project forms and orgs only, and this is one small query."""
    departments = visible_orgs(user).filter(kind=Org.Kind.DEPARTMENT)  # type: ignore[arg-type]
    if department:
        departments = departments.filter(pk=department)
    stored = {s.department_id: s for s in DeptSelfEvaluation.objects.filter(
        year=year, department__in=departments).select_related("department")}
    rows = []
    for org in departments.order_by("path"):
        found = stored.get(org.pk)
        rows.append(row(user, found) if found else {
            "id": None, "kind": "dept", "kind_label": KIND_LABEL, "year": year, "department_id": org.pk,
            "department": org.name, "stage": "", "stage_label": "未填报", "printed_total": "", "computed_total": "",
            "grade": "", "handed_in": False, "approved": False, "actions": [], "url": ""})
    return {"departments": len(rows), "filled": len(stored), "handed_in": sum(r["handed_in"] for r in rows),
            "approved": sum(r["approved"] for r in rows), "rows": rows}
