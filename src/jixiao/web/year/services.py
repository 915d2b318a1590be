"""The year's workflows for pages and API alike: declare, review, adjust and publish targets; open rounds;
fill and submit monitoring forms; list and answer 预警; start the self-evaluation from the approved target.

Who may do what (the permission matrix, tested both ways in pages and API):

| action | who |
|---|---|
| see a target / monitoring form | anyone who sees its unit (填报人 their unit; 审核人, 财政复核, 管理员 their subtree) |
| declare, edit, submit, adjust a target; finish the edits a 良 review asked for; fill, submit a monitoring form; answer a 预警; 新建自评 | the unit's 填报人 (管理员 above it) |
| review a target waiting for its 主管部门 (grades → forward or return) | 审核人 at or above the unit (its department's units only) |
| review a target waiting for the finance bureau (grades → outcome) | 财政复核 at or above the unit |
| open rounds; the monitoring view of 预警; publish approved targets | 财政复核 (管理员) |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from jixiao.core import target as tgt
from jixiao.core import target_checks
from jixiao.core.findings import Finding
from jixiao.core.model import Form, RecordError
from jixiao.web.forms import access, errors
from jixiao.web.forms.evaluation import parse_record
from jixiao.web.forms.history import diff_records, flatten
from jixiao.web.forms.store import save_form
from jixiao.web.models import Org, PerformanceForm, Phase, Role
from jixiao.web.year.models import (
    TARGET_EDITABLE,
    TARGET_IN_REVIEW,
    Answer,
    MonitorForm,
    TargetDecl,
    TargetReview,
    TargetStage,
)
from jixiao.web.year.signals import target_step
from jixiao.year_files import review_profile
from jixiao.year_services import check_target

User = access.User
STAGE_LABELS = dict(TargetStage.choices)
ANSWERS = dict(Answer.choices)


def _holds(user: User, roles: tuple[str, ...], unit: Org) -> bool:
    """The user has one of the roles at the unit: exactly it for 填报人, at or above it otherwise."""
    if user.is_superuser:
        return True
    for m in access.memberships(user):
        if m.role not in roles:
            continue
        if m.role == Role.FILLER and m.org_id == unit.pk:
            return True
        if m.role != Role.FILLER and unit.path.startswith(m.org.path):
            return True
    return False


def can_fill(user: User, unit: Org) -> bool:
    return _holds(user, (Role.FILLER, Role.ADMIN), unit)


def can_review(user: User, unit: Org) -> bool:
    return _holds(user, (Role.REVIEWER, Role.FINANCE), unit)


# The level that reviews a target in each stage, and the role that holds it (cycle.md §2.6 Procedure).
REVIEW_LEVEL_OF_STAGE: dict[str, str] = {TargetStage.SUBMITTED.value: "department",
                                         TargetStage.TO_FINANCE.value: "finance"}
LEVEL_ROLES = {"department": Role.REVIEWER, "finance": Role.FINANCE}
LEVEL_NAMES = {"department": "主管部门", "finance": "财政局"}


def can_review_now(user: User, decl: TargetDecl) -> bool:
    """The user holds the role of the level the target waits for: its 主管部门's 审核人, or the finance bureau."""
    level = REVIEW_LEVEL_OF_STAGE.get(str(decl.stage))
    return level is not None and _holds(user, (LEVEL_ROLES[level],), decl.unit)


def first_review_stage(decl: TargetDecl, after_finance_return: bool = False) -> TargetStage:
    """Where a submission goes: to the unit's 主管部门 when the review profile asks for its review and the unit
    has one; else (or, by the profile, after the finance bureau returned it) straight to the finance bureau."""
    profile = review_profile()
    if not profile.department_review or decl.department_id is None:
        return TargetStage.TO_FINANCE
    if after_finance_return and profile.after_finance_return == "finance":
        return TargetStage.TO_FINANCE
    return TargetStage.SUBMITTED


def is_finance(user: User) -> bool:
    return user.is_superuser or any(m.role in (Role.FINANCE, Role.ADMIN) for m in access.memberships(user))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise errors.PermissionDenied(message)


def visible_targets(user: User) -> QuerySet[TargetDecl]:
    return TargetDecl.objects.filter(unit__in=access.visible_orgs(user)).select_related("unit", "department")


def get_target(user: User, pk: int) -> TargetDecl:
    found = visible_targets(user).filter(pk=pk).first()
    if found is None:
        raise errors.ServiceError("没有找到这张申报表，或您无权查看。", status=404)
    return found


def visible_monitors(user: User) -> QuerySet[MonitorForm]:
    return MonitorForm.objects.filter(unit__in=access.visible_orgs(user)).select_related("unit", "target", "round")


def get_monitor(user: User, pk: int) -> MonitorForm:
    found = visible_monitors(user).filter(pk=pk).first()
    if found is None:
        raise errors.ServiceError("没有找到这张监控表，或您无权查看。", status=404)
    return found


def findings_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in findings]


def _department(unit: Org) -> Org | None:
    return unit.department()


# ---------------------------------------------------------------- targets


def parse_target(record: Any) -> tgt.Target:
    try:
        return tgt.from_record(record)
    except RecordError as e:
        raise errors.ServiceError(f"申报表内容有误：{e}") from e


def check_target_record(record: Any) -> dict[str, Any]:
    """The live check of the editor: T-findings of an unsaved record."""
    findings = check_target(parse_target(record))
    return {"findings": findings_json(findings), "errors": sum(f.severity == "error" for f in findings)}


def _store_checked(decl: TargetDecl, target: tgt.Target) -> None:
    findings = check_target(target)
    decl.record = tgt.to_record(target)
    decl.project = target.project
    decl.findings = findings_json(findings)
    decl.error_count = sum(f.severity == "error" for f in findings)


def save_target(user: User, record: Mapping[str, Any], *, unit: Org | None = None, decl: TargetDecl | None = None,
                edit: int | None = None) -> TargetDecl:
    """Create (decl None) or update a declaration; only drafts and returned versions can change."""
    if decl is None:
        if unit is None:
            raise errors.ServiceError("请选择实施单位。", {"unit": ["请选择实施单位。"]})
        _require(can_fill(user, unit), "您不能为该单位申报绩效目标。")
    else:
        _require(can_fill(user, decl.unit), "只有本单位的填报人可以修改申报表。")
        if decl.stage not in TARGET_EDITABLE:
            raise errors.ServiceError(f"此申报表当前为「{STAGE_LABELS[decl.stage]}」，不能修改"
                                   + ("；如需调整，请发起目标调整。" if decl.stage == TargetStage.APPROVED else "。"),
                                   status=403)
        if edit is not None and edit != decl.edit:
            raise errors.ServiceError("此申报表已被他人修改，您的修改未保存。请刷新后重新填写。", status=409)
        unit = decl.unit
    assert unit is not None
    department = _department(unit)
    fixed: dict[str, Any] = {"unit": unit.name, "department": department.name if department else ""}
    if decl is not None:  # the version and its reviews are the system's, not the unit's to edit
        fixed.update(version=decl.version, review=decl.record.get("review", []))
        fixed["version_note"] = decl.record.get("version_note", "") if "version_note" not in record else \
            record["version_note"]
    else:
        fixed.update(version=1, review=[])
    target = parse_target({**record, **fixed})
    if not target.project.strip():
        raise errors.ServiceError("请填写项目名称。", {"project": ["请填写项目名称。"]})
    if target.year is None:
        raise errors.ServiceError("请填写年度。", {"year": ["请填写年度。"]})
    with transaction.atomic():
        if decl is None:
            decl = TargetDecl(unit=unit, department=department, year=target.year,
                              created_by=user if user.is_authenticated else None)
        else:
            decl.edit += 1
        decl.year = target.year
        _store_checked(decl, target)
        decl.save()
        if decl.lineage is None:
            decl.lineage = decl.pk
            decl.save(update_fields=["lineage"])
    return decl


def submit_target(user: User, decl: TargetDecl) -> TargetDecl:
    _require(can_fill(user, decl.unit), "只有本单位的填报人可以提交申报表。")
    if decl.stage == TargetStage.EDITS:
        raise errors.ServiceError("审核结果为“良”，无需再次提交审核：请按审核意见修改后点“完成修改”。")
    if decl.stage not in TARGET_EDITABLE:
        raise errors.ServiceError(f"此申报表当前为「{STAGE_LABELS[decl.stage]}」，不能提交。")
    if decl.error_count:
        raise errors.ServiceError(f"申报表还有 {decl.error_count} 个错误，请改正后再提交。")
    last = decl.reviews.order_by("-at", "-id").first() if decl.stage == TargetStage.RETURNED else None
    decl.stage = first_review_stage(decl, after_finance_return=last is not None and last.level == "finance")
    with transaction.atomic():
        decl.save(update_fields=["stage", "updated_at"])
        target_step.send(TargetDecl, decl=decl, action="submit", review=None, user=user)
    return decl


def review_target(user: User, decl: TargetDecl, items: Mapping[str, str], opinion: str = "",
                  cells: list[dict[str, str]] | None = None) -> TargetReview:
    """Grade every review point; the profile's rule gives the overall grade. A 主管部门's grade passes the target
    up to the finance bureau or returns it to the unit; the finance bureau's grade decides the outcome
    (cycle.md §2.6: 88号 arts. 25–26; the chain is the review profile's [chain] table)."""
    if decl.stage not in TARGET_IN_REVIEW:
        raise errors.ServiceError(f"此申报表当前为「{STAGE_LABELS[decl.stage]}」，不在待审核状态。")
    level = REVIEW_LEVEL_OF_STAGE[str(decl.stage)]
    if not can_review_now(user, decl):
        who = "本单位主管部门的审核人" if level == "department" else "财政局"
        raise errors.PermissionDenied(f"此申报表{STAGE_LABELS[decl.stage]}，只有{who}可以审核。")
    profile = review_profile()
    missing = [p for p in profile.point_names if items.get(p) not in profile.grades]
    if missing:
        raise errors.ServiceError(f"请为每个审核要点评定等级（{'/'.join(profile.grades)}），尚缺：{'、'.join(missing)}。",
                               {"items": missing})
    grade = profile.overall(items)
    outcome = profile.outcome(grade) if level == "finance" else profile.department_outcome(grade)
    if outcome in ("returned", "approved_after_edits") and not opinion.strip():
        asked = "退回修改时" if outcome == "returned" else f"评为“{grade}”（修改后通过）时请写明要修改什么；"
        raise errors.ServiceError(f"{asked}请填写审核意见。", {"opinion": [f"{asked}请填写审核意见。"]})
    checked = _checked_cells(decl, cells or [])
    with transaction.atomic():
        record = dict(decl.record)
        record["review"] = [*record.get("review", []), {
            "level": level, "grade": grade, "items": {p: items[p] for p in profile.point_names}, "opinion": opinion,
            "reviewer": user.get_username(), "date": timezone.localdate().isoformat()}]
        decl.record = tgt.to_record(parse_target(record))
        if outcome != "forward":  # a round ends with a return or the finance bureau's decision
            decl.rounds += 1
        decl.stage = {"approved": TargetStage.APPROVED, "approved_after_edits": TargetStage.EDITS,
                      "returned": TargetStage.RETURNED, "rejected": TargetStage.REJECTED,
                      "forward": TargetStage.TO_FINANCE}[outcome]
        if decl.stage == TargetStage.APPROVED:
            _approve(decl)
        decl.save()
        review = TargetReview.objects.create(target=decl, level=level, items={p: items[p] for p in profile.point_names},
                                             grade=grade, outcome=outcome, opinion=opinion, cells=checked,
                                             profile=profile.name, reviewer=user if user.is_authenticated else None)
        target_step.send(TargetDecl, decl=decl, action="review", review=review, user=user)
        return review


def _checked_cells(decl: TargetDecl, cells: list[dict[str, str]]) -> list[dict[str, str]]:
    """The cell comments of a review, each on a cell of this version's layout; else a refusal naming the cell."""
    from jixiao.reports.year import target_layout

    keys = {c.key for row in target_layout(parse_target(decl.record)).rows for c in row if c.key}
    keys |= set(flatten(decl.record))  # the record's own paths too (funds.annual[0].amount)
    out = []
    for cell in cells:
        field, comment = str(cell.get("field", "")).strip(), str(cell.get("comment", "")).strip()
        if not comment:
            continue
        if field not in keys:
            raise errors.ServiceError(f"单元格「{field}」不在此申报表中，请重新选择要批注的单元格。", {"cells": [field]})
        out.append({"field": field, "comment": comment})
    return out


def department_opinion(decl: TargetDecl) -> TargetReview | None:
    """What the finance bureau reads before its review: the 主管部门's review that passed this version up."""
    if decl.stage != TargetStage.TO_FINANCE:
        return None
    last = decl.reviews.select_related("reviewer").order_by("-at", "-id").first()
    return last if last is not None and last.level == "department" else None


def _approve(decl: TargetDecl) -> None:
    """The version becomes the approved one (locked); an earlier approved version of the target is superseded."""
    decl.stage = TargetStage.APPROVED
    decl.approved_at = timezone.now()
    TargetDecl.objects.filter(lineage=decl.lineage, stage=TargetStage.APPROVED).exclude(pk=decl.pk) \
        .update(stage=TargetStage.SUPERSEDED)


def finish_edits(user: User, decl: TargetDecl) -> TargetDecl:
    """良: the unit has edited as the review asked; the version is approved without a new review round."""
    _require(can_fill(user, decl.unit), "只有本单位的填报人可以完成按意见修改。")
    if decl.stage != TargetStage.EDITS:
        raise errors.ServiceError(f"此申报表当前为「{STAGE_LABELS[decl.stage]}」，不在按意见修改状态。")
    if decl.error_count:
        raise errors.ServiceError(f"申报表还有 {decl.error_count} 个错误，请改正后再完成修改。")
    with transaction.atomic():
        _approve(decl)
        decl.save(update_fields=["stage", "approved_at", "updated_at"])
        target_step.send(TargetDecl, decl=decl, action="finish_edits", review=None, user=user)
    return decl


def adjust_target(user: User, decl: TargetDecl, reason: str) -> TargetDecl:
    """目标调整: a new version of an approved target, with its reason, to be reviewed again."""
    _require(can_fill(user, decl.unit), "只有本单位的填报人可以发起目标调整。")
    if decl.stage != TargetStage.APPROVED:
        raise errors.ServiceError("只有已批复的绩效目标可以调整。")
    if not reason.strip():
        raise errors.ServiceError("请填写目标调整的原因。", {"reason": ["请填写目标调整的原因。"]})
    if TargetDecl.objects.filter(lineage=decl.lineage, stage__in=[*TARGET_EDITABLE, *TARGET_IN_REVIEW]).exists():
        raise errors.ServiceError("此目标已有一个调整中的版本，请先完成它。", status=409)
    latest = TargetDecl.objects.filter(lineage=decl.lineage).aggregate(v=Max("version"))["v"] or decl.version
    record = {**decl.record, "version": latest + 1, "version_note": f"目标调整：{reason.strip()}", "review": []}
    new = TargetDecl(unit=decl.unit, department=decl.department, year=decl.year, lineage=decl.lineage,
                     version=latest + 1, reason=reason.strip(), created_by=user if user.is_authenticated else None)
    _store_checked(new, parse_target(record))
    new.save()
    return new


def versions(decl: TargetDecl) -> QuerySet[TargetDecl]:
    return TargetDecl.objects.filter(lineage=decl.lineage).order_by("version")


def version_diff(decl: TargetDecl, a: int, b: int) -> list[dict[str, Any]]:
    """The fields that differ between two versions of a target."""
    found = {d.version: d.record for d in versions(decl).filter(version__in=[a, b])}
    if a not in found or b not in found:
        raise errors.ServiceError(f"此目标没有第 {a if a not in found else b} 版。", status=404)
    return [{"field": path, "old": old, "new": new} for path, old, new in diff_records(found[a], found[b])
            if path not in ("version", "version_note") and not path.startswith("review")]


def approved_target(unit: Org, year: int, project: str) -> TargetDecl | None:
    """The latest approved version of a project's target (what monitoring and self-evaluation follow).

    None when there is none, or when two targets of the unit and year share the project's name: which one a
    self-evaluation follows can't be told then (the seed's 社区矫正专项经费, check P05).
    """
    found = list(TargetDecl.objects.filter(unit=unit, year=year, project=project, stage=TargetStage.APPROVED)
                 .order_by("-version")[:2])
    if len(found) == 2 and found[0].lineage != found[1].lineage:
        return None
    return found[0] if found else None


def publish_target(user: User, decl: TargetDecl) -> TargetDecl:
    _require(is_finance(user) and _holds(user, (Role.FINANCE, Role.ADMIN), decl.unit), "只有财政局可以公开绩效目标。")
    if decl.stage != TargetStage.APPROVED:
        raise errors.ServiceError("只有已批复的绩效目标可以随预算公开。")
    decl.published, decl.published_at = True, timezone.now()
    with transaction.atomic():
        decl.save(update_fields=["published", "published_at", "updated_at"])
        target_step.send(TargetDecl, decl=decl, action="publish", review=None, user=user)
    return decl


def published_targets() -> QuerySet[TargetDecl]:
    return TargetDecl.objects.filter(published=True, stage=TargetStage.APPROVED).select_related("unit", "department")


# ---------------------------------------------------------------- the self-evaluation that follows


def self_record(decl: TargetDecl) -> dict[str, Any]:
    """A jixiao.form/1 record started from an approved target: funds, goals, indicators, targets and weights."""
    target = parse_target(decl.record)
    return {
        "schema": "jixiao.form/1", "title": "项目支出绩效自评表", "year": target.year, "project": target.project,
        "leader": target.leader,
        "department": target.department, "unit": target.unit,
        "funds": [{"kind": f.kind, "label": f.label, "initial": f.amount, "annual": f.amount, "executed": "",
                   "weight": "", "rate": "", "score": ""} for f in target.fund_set("annual")],
        "goals": {"planned": "\n".join(target.goals_annual), "achieved": ""},
        "category_points": {},
        "indicators": [{"level1": i.level1, "level2": i.level2, "name": i.name, "weight": i.weight,
                        "target": i.target, "actual": "", "score": "", "reason": ""}
                       for i in target.indicator_set("annual")],
        "total": {"weight": "", "score": ""},
    }


def start_self_evaluation(user: User, decl: TargetDecl) -> PerformanceForm:
    """新建自评: the project's self-evaluation, opened with the approved indicators and targets."""
    _require(can_fill(user, decl.unit), "只有本单位的填报人可以新建自评表。")
    if decl.stage != TargetStage.APPROVED:
        raise errors.ServiceError("只能从已批复的绩效目标新建自评表。")
    existing = PerformanceForm.objects.filter(unit=decl.unit, year=decl.year, project=decl.project,
                                              phase=Phase.SELF).first()
    if existing is not None:
        return existing
    return save_form(user, self_record(decl), unit=decl.unit, phase=Phase.SELF)


def differences_from_target(form: Form, unit: Org, phase: str) -> list[Finding]:
    """Y01 of a self-evaluation being saved (web.services.EXTRA_CHECKS): its differences from the approved target."""
    if phase != Phase.SELF or form.year is None:
        return []
    decl = approved_target(unit, form.year, form.project.strip())
    return target_checks.compare_with_target(form, parse_target(decl.record)) if decl is not None else []


def self_differences(form: PerformanceForm) -> list[dict[str, Any]]:
    """Y01: where a self-evaluation differs from its project's approved target (none without a target)."""
    decl = approved_target(form.unit, form.year, form.project)
    if decl is None:
        return []
    return findings_json(target_checks.compare_with_target(parse_record(form.record), parse_target(decl.record)))


# ---------------------------------------------------------------- JSON


def target_actions(user: User, decl: TargetDecl) -> list[str]:
    fill, review = can_fill(user, decl.unit), can_review(user, decl.unit)
    actions = []
    if fill and decl.stage in TARGET_EDITABLE:
        actions += ["edit", "finish"] if decl.stage == TargetStage.EDITS else ["edit", "submit"]
    if review and can_review_now(user, decl):
        actions.append("review")
    if fill and decl.stage == TargetStage.APPROVED:
        actions += ["adjust", "monitor", "self"]
    if is_finance(user) and decl.stage == TargetStage.APPROVED and not decl.published:
        actions.append("publish")
    return actions
