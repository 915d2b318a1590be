"""The department-wide form in the web app: filled in from the department's stored project forms, scored,
checked, exported, and its 自评报告 generated and edited in the browser."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db.models import Avg, Count, Sum
from django.utils import timezone

from jixiao.core.dept import DeptForm, ProjectFigures, fill_from_projects, from_record, to_record
from jixiao.core.dept_checks import check_dept
from jixiao.core.dept_rules import DeptProfile, score_dept
from jixiao.core.selfreport import facts_from_dept
from jixiao.dept_files import demo_dept_record, load_dept_profile
from jixiao.web.after import dept_rows, narrative
from jixiao.web.after.access import User, holds_any
from jixiao.web.after.models import DeptSelfEvaluation
from jixiao.web.content_types import content_type
from jixiao.web.forms.access import visible_orgs
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import Org, PerformanceForm, Phase, Role

FORMATS = ("xlsx", "docx", "pdf")  # the department-wide form's exports (content types: jixiao.web.content_types)


def project_figures(department: Org, year: int) -> ProjectFigures:
    """What the department's stored project self-evaluations of the year say (count, average, money)."""
    forms = PerformanceForm.objects.filter(department=department, year=year, phase=Phase.SELF)
    agg = forms.aggregate(n=Count("pk"), avg=Avg("computed_total"), budget=Sum("budget"), executed=Sum("executed"))
    average = agg["avg"]
    return ProjectFigures(
        count=agg["n"], average=round(average, 2) if average is not None else None,
        budget=agg["budget"].normalize() if agg["budget"] is not None else None,
        executed=agg["executed"].normalize() if agg["executed"] is not None else None,
    )


def create_from_record(department: Org, year: int, record: Mapping[str, Any], profile: str = "dept-53"
                       ) -> DeptSelfEvaluation:
    """A department-wide form stored for the year, its blanks filled in from the stored project forms."""
    form = fill_from_projects(from_record(record), project_figures(department, year))
    stored, _ = DeptSelfEvaluation.objects.update_or_create(
        department=department, year=year, defaults={"record": to_record(form), "profile": profile})
    return stored


def load_demo(department: Org, year: int) -> DeptSelfEvaluation:
    """The demo department's form (jixiao/data/dept/demo-2019.json) filled from its project forms, once."""
    found = DeptSelfEvaluation.objects.filter(department=department, year=year).first()
    return found or create_from_record(department, year, demo_dept_record())


def visible_dept_forms(user: User) -> list[DeptSelfEvaluation]:
    return list(DeptSelfEvaluation.objects.filter(department__in=visible_orgs(user))  # type: ignore[arg-type]
                .select_related("department").order_by("-year", "department__name"))


def get_dept(user: User, pk: int) -> DeptSelfEvaluation:
    found = DeptSelfEvaluation.objects.filter(pk=pk, department__in=visible_orgs(user)).first()  # type: ignore[arg-type]
    if found is None:
        raise ServiceError("没有找到此部门整体自评表，或您无权查看。", status=404)
    return found


def _evaluated(stored: DeptSelfEvaluation) -> tuple[DeptForm, DeptProfile, Any, list[Any]]:
    form = from_record(stored.record)
    profile = load_dept_profile(stored.profile)
    card = score_dept(form, profile)
    findings = check_dept(form, profile, card, project_figures(stored.department, stored.year))
    return form, profile, card, findings


def dept_page(stored: DeptSelfEvaluation) -> dict[str, Any]:
    from jixiao.reports.dept import build_dept_layout

    form, profile, card, findings = _evaluated(stored)
    layout = build_dept_layout(form, profile)
    return {
        "stored": stored, "form": form, "profile": profile, "card": card, "labels": STEP_LABELS,
        "findings": [f.as_dict() for f in findings], "rows": layout.rows, "width": layout.width,
        "figures": project_figures(stored.department, stored.year),
    }


def export(stored: DeptSelfEvaluation, fmt: str) -> tuple[bytes, str, str]:
    from jixiao.reports.dept import write_dept

    if fmt not in FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(FORMATS)}。", status=404)
    form, profile, _, _ = _evaluated(stored)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"dept.{fmt}"
        write_dept(form, profile, path)
        return path.read_bytes(), f"{stored.year}_{stored.department.name}_部门整体自评表.{fmt}", content_type(fmt)


def _facts(stored: DeptSelfEvaluation) -> Any:
    form, profile, card, _ = _evaluated(stored)
    return facts_from_dept(form, profile, card)


def report_page(stored: DeptSelfEvaluation) -> dict[str, Any]:
    return {"stored": stored, **narrative.page(stored.report, _facts(stored))}


def save_report(user: User, stored: DeptSelfEvaluation, data: Mapping[str, str]) -> None:
    """The unit's texts and cover, from the editor's fields "section:<number>" and "cover:<field>"."""
    if not holds_any(user, (Role.FILLER, Role.ADMIN), stored.department):
        raise ServiceError("只有本部门的填报人可以编写自评报告。", status=403)
    stored.report = narrative.edited(stored.report, _facts(stored), data)
    stored.updated_by = user if user.is_authenticated else None
    stored.save(update_fields=["report", "updated_by", "updated_at"])


def report_file(stored: DeptSelfEvaluation, fmt: str) -> tuple[bytes, str, str]:
    data = narrative.document(stored.report, _facts(stored), fmt)
    return data, f"{stored.year}_{stored.department.name}_自评报告.{fmt}", content_type(fmt)


# ---------------------------------------------------------------- editing, review and publication

Stage = DeptSelfEvaluation.Stage
EDITABLE = (Stage.DRAFT, Stage.RETURNED)
# action → (stages it starts from, the stage it leads to, who takes it): the department fills in and submits,
# the finance bureau reviews and publishes (the department-wide form has no 主管部门 above it).
STEPS = {
    "submit": ((Stage.DRAFT, Stage.RETURNED), Stage.SUBMITTED, Role.FILLER),
    "return": ((Stage.SUBMITTED, Stage.APPROVED), Stage.RETURNED, Role.FINANCE),
    "approve": ((Stage.SUBMITTED,), Stage.APPROVED, Role.FINANCE),
    "publish": ((Stage.APPROVED,), Stage.PUBLISHED, Role.FINANCE),
}
STEP_LABELS = {"submit": "提交", "return": "退回", "approve": "审核通过", "publish": "公开"}


def can_edit(user: User, stored: DeptSelfEvaluation) -> bool:
    return stored.stage in EDITABLE and holds_any(user, (Role.FILLER, Role.ADMIN), stored.department)


def actions(user: User, stored: DeptSelfEvaluation) -> list[str]:
    return [a for a, (sources, _, role) in STEPS.items()
            if stored.stage in sources and holds_any(user, (role,), stored.department)]


def editor_page(stored: DeptSelfEvaluation) -> dict[str, Any]:
    """The editor: the form's layout with its repeatable rows marked, and a blank row of each block to add."""
    page = dept_page(stored)
    return {**page, "editor_rows": dept_rows.editor_rows(page["rows"], page["profile"]),
            "new_rows": dept_rows.new_row_templates(page["form"], page["profile"])}


def save_cells(user: User, stored: DeptSelfEvaluation, data: Mapping[str, str],
               removed: Sequence[str] = ()) -> DeptSelfEvaluation:
    """The editor's cells ("cell:<record path>") written into the record, with the rows removed (`removed`:
    "indicators[3]" …) and added in the browser (jixiao.web.after.dept_rows); re-scored when shown."""
    from jixiao.core.dept import with_cells
    from jixiao.core.model import RecordError

    if not can_edit(user, stored):
        raise ServiceError("只有本部门的填报人可以在草稿或退回状态下修改部门整体自评表。", status=403)
    cells = {k.removeprefix("cell:"): v.strip() for k, v in data.items() if k.startswith("cell:")}
    base, cells = dept_rows.rows_applied(stored.record, cells, removed)
    try:
        record = to_record(from_record(with_cells(base, cells)))
    except RecordError as e:
        raise ServiceError(f"{e}，请刷新后重新填写。") from None
    stored.record = record
    stored.updated_by = user if user.is_authenticated else None
    stored.save(update_fields=["record", "updated_by", "updated_at"])
    return stored


def transition(user: User, stored: DeptSelfEvaluation, action: str, comment: str = "") -> DeptSelfEvaluation:
    if action not in STEPS:
        raise ServiceError(f"未知的操作「{action}」。")
    sources, target, role = STEPS[action]
    if stored.stage not in sources:
        raise ServiceError(f"此表当前为「{stored.get_stage_display()}」，不能{STEP_LABELS[action]}。")
    if not holds_any(user, (role,), stored.department):
        who = "本部门的填报人" if role == Role.FILLER else "财政复核人员"
        raise ServiceError(f"只有{who}可以{STEP_LABELS[action]}部门整体自评表。", status=403)
    if action == "submit":
        errors = [f for f in _evaluated(stored)[3] if f.severity == "error"]
        if errors:
            raise ServiceError(f"此表有 {len(errors)} 处错误（{errors[0].code} {errors[0].message}），请改正后再提交。")
    if action == "return" and not comment.strip():
        raise ServiceError("退回时请填写意见。")
    times = {"approve": {"approved_at": timezone.now()}, "publish": {"published_at": timezone.now()},
             "return": {"approved_at": None, "published_at": None}}.get(action, {})
    done = DeptSelfEvaluation.objects.filter(pk=stored.pk, stage=stored.stage).update(
        stage=target, comment=comment.strip() if action == "return" else stored.comment, **times)
    if not done:
        raise ServiceError("此表刚被他人处理，请刷新后再操作。", status=409)
    stored.refresh_from_db()
    return stored


def public_dept(pk: int) -> DeptSelfEvaluation:
    found = DeptSelfEvaluation.objects.filter(pk=pk, stage=Stage.PUBLISHED).select_related("department").first()
    if found is None:
        raise ServiceError("没有找到此公开表。", status=404)
    return found
