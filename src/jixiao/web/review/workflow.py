"""The stage machine of a stored form: draft → submitted → returned/approved → rechecked → published,
and back (a submission withdrawn before its review, a publication withdrawn with a reason); who may take
each step, what a step needs (errors fixed, warnings explained, a return's comment), the same step on
many forms at once, deleting a draft, and what the review page and API show beside a form (its events,
open cell comments, history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jixiao.web.forms.access import User, holds, holds_any, roles, user_or_none, visible_forms
from jixiao.web.forms.errors import Refused
from jixiao.web.forms.history import change_json, field_label, finding_field, label, local_time
from jixiao.web.forms.store import keep_baseline, record_step
from jixiao.web.models import PHASE_LABELS, STAGE_LABELS, FormFinding, PerformanceForm, Role, Stage
from jixiao.web.review.models import FieldChange, FormVersion, ReviewEvent
from jixiao.web.review.recheck import RECORDABLE_STAGES, item_dict, open_item

ACTIONS = ("submit", "withdraw", "return", "approve", "recheck", "publish", "unpublish")
ACTION_LABELS = {
    "submit": "提交",
    "withdraw": "撤回",
    "unpublish": "撤销公开",
    "return": "退回",
    "approve": "审核通过",
    "recheck": "复核完成",
    "publish": "公开",
    "create": "创建",
    "edit": "修改",
    "baseline": "建档",
}
# action → (stages it starts from, the stage it leads to, the role that takes it)
STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((Stage.DRAFT, Stage.RETURNED), Stage.SUBMITTED, Role.FILLER),
    "return": ((Stage.SUBMITTED,), Stage.RETURNED, Role.REVIEWER),
    "approve": ((Stage.SUBMITTED,), Stage.APPROVED, Role.REVIEWER),
    "recheck": ((Stage.APPROVED,), Stage.RECHECKED, Role.FINANCE),
    "publish": ((Stage.APPROVED, Stage.RECHECKED), Stage.PUBLISHED, Role.FINANCE),
    # Back to the stage the form was published from (approved or rechecked: _target).
    "unpublish": ((Stage.PUBLISHED,), Stage.APPROVED, Role.FINANCE),
    # The unit takes its submission back before the review begins (no decision, not drawn for re-check).
    "withdraw": ((Stage.SUBMITTED,), Stage.DRAFT, Role.FILLER),
}
# The actions that need a comment: what to change, why a publication is withdrawn (kept on record).
NEEDS_COMMENT = {"return": "退回时请填写意见，说明需要修改的地方。",
                 "unpublish": "撤销公开时请填写原因；原因会留在此表的办理记录和公开页上。"}
# The finance bureau may also send back a form it re-checks and finds wanting.
FINANCE_RETURNS_FROM = (Stage.APPROVED, Stage.RECHECKED)
WHO = {Role.FILLER: "本表所属单位的填报人", Role.REVIEWER: "本表主管部门的审核人", Role.FINANCE: "财政局的复核人员"}
def allowed_actions(user: User, form: PerformanceForm) -> list[str]:
    """The actions the user may take on the form in its current stage (for buttons and the API)."""
    return [a for a in ACTIONS if _refusal(user, form, a) is None]


def _refusal(user: User, form: PerformanceForm, action: str) -> str | None:
    """Why the user may not take `action` now, or None when they may (findings are checked later)."""
    if action not in STEPS:
        return f"未知的操作「{action}」，可选：{'、'.join(ACTIONS)}。"
    sources, _, role = STEPS[action]
    finance_return = action == "return" and form.stage in FINANCE_RETURNS_FROM
    if finance_return:
        role = Role.FINANCE
    elif form.stage not in sources:
        return f"此表当前状态为「{STAGE_LABELS[form.stage]}」，不能{ACTION_LABELS[action]}。"
    if not holds(user, role, form):
        return f"只有{WHO[role]}可以{ACTION_LABELS[action]}此表。"
    if action == "withdraw" and open_item(form) is not None:
        return "此表已被抽中复核，审核已经开始，不能撤回。"
    if action == "recheck" or (action == "publish" and form.stage == Stage.APPROVED):
        item = open_item(form)
        if action == "publish" and item is not None:
            return "此表已被抽中复核，请先完成复核再公开。"
        if action == "recheck" and item is None:
            return "此表未被抽中复核，不需要复核；可直接公开。"
        if action == "recheck" and item is not None and item.own_score is None:
            return "请先录入复核得分和发现的问题，再完成复核。"
    return None


def _findings(form: PerformanceForm, severity: str) -> list[dict[str, Any]]:
    rows = FormFinding.objects.filter(form=form, severity=severity).order_by("position")
    return [
        {"code": f.code, "severity": f.severity, "message": f.message, "location": f.location,
         "field": finding_field(f.location), "found": f.found, "expected": f.expected}
        for f in rows
    ]


@dataclass
class Cell:
    field: str
    comment: str


def transition(
    form: PerformanceForm,
    user: User,
    action: str,
    comment: str = "",
    cells: Sequence[Cell] = (),
) -> PerformanceForm:
    """Move a form one step through draft → submitted → returned/approved → rechecked → published.

    Who may take each step is in STEPS; a submission with error-level findings is refused with their
    list, one with warnings needs an explanation (the comment), a return needs a comment. The change is
    one conditional UPDATE on (stage, version), so of two concurrent transitions only one can win.
    """
    form = _fresh(form)
    why = _refusal(user, form, action)
    if why is not None:
        raise Refused(why, status=400 if action in STEPS and holds_any(user, form) else 403)
    warnings: list[dict[str, Any]] = []
    comment = (comment or "").strip()
    if action == "submit":
        errors = _findings(form, FormFinding.Severity.ERROR)
        if errors:
            raise Refused(f"此表有 {len(errors)} 处错误，请改正后再提交。", errors)
        warnings = _findings(form, FormFinding.Severity.WARNING)
        if warnings and not comment:
            raise Refused(f"此表有 {len(warnings)} 条警告，请在说明中解释原因后再提交。", warnings)
    checked = [_checked_cell(form, c) for c in cells if c.comment.strip()]
    if action in NEEDS_COMMENT and not comment and not (action == "return" and checked):
        raise Refused(NEEDS_COMMENT[action])
    target = _target(form, action)
    with transaction.atomic():
        claimed = PerformanceForm.objects.filter(pk=form.pk, stage=form.stage, version=form.version).update(
            stage=target, version=F("version") + 1, updated_at=timezone.now(), updated_by=user_or_none(user)
        )
        if claimed == 0:
            now = PerformanceForm.objects.get(pk=form.pk)
            raise Refused(
                f"此表刚被他人处理，现为「{STAGE_LABELS[now.stage]}」（第 {now.version} 版），请刷新后再操作。",
                status=409,
            )
        keep_baseline(form)
        version = form.version + 1
        ReviewEvent.objects.create(
            form=form, action=action, from_stage=form.stage, to_stage=target, phase=form.phase, version=version,
            user=user_or_none(user), comment=comment, cells=[c.__dict__ for c in checked], warnings=warnings,
        )
        record_step(form, user, version, action, form.stage, target)
    return _fresh(form)


def _target(form: PerformanceForm, action: str) -> str:
    """The stage an action leads to; a withdrawn publication goes back to the stage it was published from."""
    if action == "unpublish":
        published = ReviewEvent.objects.filter(form=form, action="publish").order_by("-at", "-id").first()
        if published is not None:
            return published.from_stage
    return STEPS[action][1]


def _fresh(form: PerformanceForm) -> PerformanceForm:
    return PerformanceForm.objects.select_related("unit", "department").get(pk=form.pk)


def _checked_cell(form: PerformanceForm, cell: Cell) -> Cell:
    """A cell comment whose path names a cell of this form's record; else a refusal naming the path."""
    if field_label(form.record, cell.field) is None:
        raise Refused(f"单元格「{cell.field}」不在此表中，请重新选择要批注的单元格。")
    return Cell(cell.field, cell.comment.strip())


# The steps a reviewer or the finance bureau takes on many forms at once, with one comment for all.
BATCH_ACTIONS = ("approve", "return", "publish")


@dataclass
class BatchResult:
    action: str
    done: list[PerformanceForm]
    failed: list[tuple[str, str]]  # (the form as a person names it, why it was refused)

    def message(self) -> str:
        """One sentence for the page: how many succeeded, and which failed and why."""
        label = ACTION_LABELS[self.action]
        text = f"批量{label}：成功 {len(self.done)} 张"
        if not self.failed:
            return text + "。"
        return text + f"，失败 {len(self.failed)} 张——" + "；".join(f"{name}：{why}" for name, why in self.failed)


def batch_actions(user: User) -> list[str]:
    """The batch steps the user's roles may take on some form (the buttons of the review list)."""
    mine = roles(user)
    return [a for a in BATCH_ACTIONS if STEPS[a][2] in mine or (a == "return" and Role.FINANCE in mine)]


def transition_many(user: User, form_ids: Sequence[int], action: str, comment: str = "") -> BatchResult:
    """Take one step on each form as a single transition would (its rights checked per form): one form
    refused does not stop the others, and each refusal is named on its form."""
    if action not in BATCH_ACTIONS:
        raise Refused(f"批量操作只能是：{'、'.join(ACTION_LABELS[a] for a in BATCH_ACTIONS)}。")
    if not form_ids:
        raise Refused("请先勾选要处理的表。")
    forms = visible_forms(user).select_related("unit").in_bulk(list(form_ids))
    result = BatchResult(action, [], [])
    for pk in dict.fromkeys(form_ids):
        form = forms.get(pk)
        if form is None:
            result.failed.append((f"第 {pk} 号表", "没有找到这张表，或您无权查看。"))
            continue
        try:
            result.done.append(transition(form, user, action, comment))
        except Refused as e:
            result.failed.append((f"「{form.project}」（{form.unit.name}）", e.message))
    return result


def can_delete(user: User, form: PerformanceForm) -> bool:
    """The unit's 填报人 may delete a form while it is a draft (a returned form has a review on record)."""
    return form.stage == Stage.DRAFT and holds(user, Role.FILLER, form)


def delete_draft(user: User, form: PerformanceForm) -> str:
    """Delete a draft (its history goes with it) and keep the deletion in the admin's log; returns its name."""
    from django.contrib.admin.models import DELETION, LogEntry

    form = _fresh(form)
    if form.stage != Stage.DRAFT:
        raise Refused(f"此表当前状态为「{STAGE_LABELS[form.stage]}」，只有草稿可以删除。")
    if not holds(user, Role.FILLER, form):
        raise Refused(f"只有{WHO[Role.FILLER]}可以删除此草稿。", status=403)
    name = f"「{form.project}」（{form.unit.name}，{form.year} 年度）"
    with transaction.atomic():
        LogEntry.objects.log_actions(user.pk, [form], DELETION, change_message=f"删除草稿{name}，第 {form.version} 版",
                                     single_object=True)
        deleted, _ = PerformanceForm.objects.filter(pk=form.pk, stage=Stage.DRAFT, version=form.version).delete()
        if not deleted:
            raise Refused("此表刚被他人修改或提交，请刷新后再操作。", status=409)
    return name


def timeline(form: PerformanceForm) -> list[dict[str, Any]]:
    """Every version of a form, newest first, with who, when, what action, comment and changed fields."""
    versions = list(FormVersion.objects.filter(form=form).defer("record").select_related("user").order_by("-version"))
    changes: dict[int, list[dict[str, Any]]] = {}
    for c in FieldChange.objects.filter(form=form).select_related("user").order_by("version", "id"):
        changes.setdefault(c.version, []).append(change_json(c, form.record))
    events = {e.version: e for e in ReviewEvent.objects.filter(form=form)}
    out = []
    for v in versions:
        event = events.get(v.version)
        out.append(
            {
                "version": v.version,
                "kind": v.kind,
                "label": ACTION_LABELS.get(v.kind, v.kind),
                "user": str(v.user) if v.user_id else "",
                "at": local_time(v.at),
                "stage": v.stage,
                "stage_label": STAGE_LABELS.get(v.stage, v.stage),
                "phase": v.phase,
                "phase_label": PHASE_LABELS.get(v.phase, v.phase),
                "comment": event.comment if event else "",
                "cells": [{**c, "label": label(c["field"], form.record)} for c in event.cells] if event else [],
                "changes": changes.get(v.version, []),
            }
        )
    return out


def review_state(form: PerformanceForm, user: User) -> dict[str, Any]:
    """What the review page and API show beside a form: events, open cell comments, warnings and their
    explanation, the re-check, and the actions the user may take."""
    events = list(ReviewEvent.objects.filter(form=form).select_related("user").order_by("at", "id"))
    last_submit = next((e for e in reversed(events) if e.action == "submit"), None)
    # The comments of the last return stand while the form is returned; afterwards they are history.
    last_return = events[-1] if events and events[-1].action == "return" and form.stage == Stage.RETURNED else None
    item = open_item(form)
    return {
        "stage": form.stage,
        "stage_label": STAGE_LABELS[form.stage],
        "version": form.version,
        "actions": allowed_actions(user, form),
        "events": [
            {"action": e.action, "label": ACTION_LABELS[e.action], "from": e.from_stage, "to": e.to_stage,
             "user": str(e.user) if e.user_id else "", "at": local_time(e.at), "comment": e.comment,
             "cells": [{**c, "label": label(c["field"], form.record)} for c in e.cells]}
            for e in events
        ],
        "returned_cells": (
            [{**c, "label": label(c["field"], form.record)} for c in last_return.cells] if last_return else []
        ),
        "return_comment": last_return.comment if last_return else "",
        "warnings": _findings(form, FormFinding.Severity.WARNING),
        "errors": _findings(form, FormFinding.Severity.ERROR),
        "explanation": last_submit.comment if last_submit else "",
        "recheck": item_dict(item, form) if item else None,
        "can_record": item is not None and holds(user, Role.FINANCE, form) and form.stage in RECORDABLE_STAGES,
    }




def returned(form: PerformanceForm) -> dict[str, Any] | None:
    """The last return's comment and cell comments while the form is returned (for the unit's pages)."""
    if form.stage != Stage.RETURNED:
        return None
    event = ReviewEvent.objects.filter(form=form, action="return").select_related("user").order_by("-at", "-id").first()
    if event is None:
        return None
    return {"comment": event.comment, "by": str(event.user) if event.user_id else "", "at": local_time(event.at),
            "cells": [{**c, "label": label(c["field"], form.record)} for c in event.cells]}
