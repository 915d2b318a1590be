"""The workflow's events become messages: the review side and the rectification items write their events,
this module listens (post_save), so neither imports it; the year's workflows send theirs (jixiao.web.year.signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from jixiao.web.after.models import Rectification, RectificationEvent
from jixiao.web.library.models import EntryChange
from jixiao.web.models import Role
from jixiao.web.notify.services import Kind, clerks, holders_above, notify
from jixiao.web.review.models import ReviewEvent
from jixiao.web.year.models import MonitorForm, MonitorWarning, TargetDecl, TargetReview, TargetStage
from jixiao.web.year.signals import monitor_submitted, target_step, warning_answered


def _said(event: ReviewEvent) -> str:
    """The event's comment, else its first cell comment, shortened for a one-line message."""
    text = event.comment or next((c.get("comment", "") for c in event.cells), "")
    return text if len(text) <= 80 else text[:79] + "…"


@receiver(post_save, sender=ReviewEvent)
def review_event(sender: Any, instance: ReviewEvent, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    form, said = instance.form, _said(instance)
    cells = f"（{len(instance.cells)} 处单元格意见）" if instance.cells else ""
    if instance.action == "return":
        notify(clerks(form.unit), Kind.RETURNED, f"「{form.project}」被退回：{said}{cells}",
               reverse("form-detail", args=[form.pk]))
    elif instance.action == "submit":
        notify(holders_above(form.unit, Role.REVIEWER), Kind.WAITING,
               f"「{form.unit.name}」提交了「{form.project}」，等待审核。", reverse("review-form", args=[form.pk]))
    elif said:
        notify(clerks(form.unit), Kind.COMMENT, f"「{form.project}」有新的审核意见：{said}{cells}",
               reverse("form-detail", args=[form.pk]))


RECTIFICATION_NEWS = {  # action → what the unit's clerks are told
    "issue": "新的整改事项「{problem}」，请于 {deadline} 前反馈整改情况。",
    "return": "整改事项「{problem}」的整改情况被退回：{text}",
    "accept": "整改事项「{problem}」已审核通过。",
}


@receiver(post_save, sender=RectificationEvent)
def rectification_event(sender: Any, instance: RectificationEvent, created: bool, raw: bool = False,
                        **kwargs: Any) -> None:
    if not created or raw:
        return
    item: Rectification = instance.item
    url = reverse("after-rectification", args=[item.pk])
    problem = item.problem if len(item.problem) <= 60 else item.problem[:59] + "…"
    if instance.action == "answer":
        notify([item.issued_by], Kind.RECTIFICATION, f"「{item.unit.name}」反馈了整改事项「{problem}」的整改情况，待审核。", url)
    elif instance.action in RECTIFICATION_NEWS:
        title = RECTIFICATION_NEWS[instance.action].format(problem=problem, deadline=item.deadline, text=instance.text)
        notify(clerks(item.unit), Kind.RECTIFICATION, title, url)


# ---------------------------------------------------------------- the year: target declarations and monitoring

TARGET_NEWS = {  # a review's outcome → what the unit's clerks are told ({level}: 主管部门 / 财政局)
    "forward": "「{project}」的绩效目标申报表已通过主管部门审核（{grade}），已报财政局审核。",
    "returned": "绩效目标申报表「{project}」被{level}退回修改：{said}",
    "approved_after_edits": "绩效目标申报表「{project}」审核为“{grade}”，请按意见修改后点“完成修改”：{said}",
    "approved": "「{project}」的绩效目标已批复（{grade}）。",
    "rejected": "绩效目标申报表「{project}」经{level}审核不予通过：{said}",
}


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


@receiver(target_step)
def target_event(sender: Any, decl: TargetDecl, action: str, review: TargetReview | None, user: Any,
                 **kwargs: Any) -> None:
    """A declaration's step, told to whose step is next: the reviewers of the level it waits for, the unit's
    clerks when it comes back to them or is decided, the reviewer who asked for edits once they are made."""
    url, unit = reverse("year-target", args=[decl.pk]), decl.unit
    waiting = {TargetStage.SUBMITTED: (Role.REVIEWER, "主管部门"), TargetStage.TO_FINANCE: (Role.FINANCE, "财政")}
    if action in ("submit", "review") and decl.stage in waiting:
        role, level = waiting[TargetStage(decl.stage)]
        notify(holders_above(unit, role), Kind.WAITING,
               f"「{unit.name}」的绩效目标申报表「{decl.project}」等待{level}审核。", url)
    if action == "review" and review is not None and review.outcome in TARGET_NEWS:
        said = _short(review.opinion or next((c.get("comment", "") for c in review.cells), "")) or "（未写意见）"
        level = "主管部门" if review.level == "department" else "财政局"
        notify(clerks(unit), Kind.RETURNED if review.outcome in ("returned", "rejected") else Kind.COMMENT,
               TARGET_NEWS[review.outcome].format(project=decl.project, grade=review.grade, level=level, said=said), url)
    elif action == "finish_edits":
        last = decl.reviews.select_related("reviewer").order_by("-at", "-id").first()
        notify([last.reviewer] if last is not None else [], Kind.COMMENT,
               f"「{unit.name}」已按审核意见修改绩效目标申报表「{decl.project}」，目标已批复。", url)
    elif action == "publish":
        notify(clerks(unit), Kind.COMMENT, f"「{decl.project}」的绩效目标已随部门预算公开。",
               reverse("public-target", args=[decl.pk]))


@receiver(monitor_submitted)
def monitor_event(sender: Any, form: MonitorForm, warnings: list[Any], user: Any, **kwargs: Any) -> None:
    """A monitoring form reported with 预警: the unit is told what to answer by when, the finance bureau what waits."""
    if not warnings:
        return
    url, deadline = reverse("year-monitor", args=[form.pk]), min(w.deadline for w in warnings).isoformat()
    project = form.target.project
    notify(clerks(form.unit), Kind.DEADLINE,
           f"运行监控表「{project}」有 {len(warnings)} 条预警，请于 {deadline} 前逐条答复（继续执行、调剂或取消）。", url)
    notify(holders_above(form.unit, Role.FINANCE), Kind.WAITING,
           f"「{form.unit.name}」报送了「{project}」的运行监控表，有 {len(warnings)} 条预警待单位答复。", url)


@receiver(warning_answered)
def warning_event(sender: Any, warning: MonitorWarning, user: Any, **kwargs: Any) -> None:
    """A 预警 answered by the unit: the finance bureau, which tracks the answers, is told how."""
    form = warning.monitor
    note = f"：{_short(warning.note)}" if warning.note else ""
    notify(holders_above(form.unit, Role.FINANCE), Kind.COMMENT,
           f"「{form.unit.name}」答复了「{form.target.project}」的预警：{warning.get_answer_display()}{note}",
           reverse("year-monitor", args=[form.pk]))


# ---------------------------------------------------------------- the indicator library

LIBRARY_MANAGERS = (Role.FINANCE, Role.ADMIN)  # who decide a change (jixiao.web.library.services.MANAGERS)


@receiver(post_save, sender=EntryChange)
def library_change(sender: Any, instance: EntryChange, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A proposed change waits for the library's managers above the proposer; a decision is told to the proposer."""
    if raw:
        return
    name = instance.record.get("name", "") if isinstance(instance.record, dict) else ""
    what = f"{instance.get_action_display()}指标「{name or instance.code}」"
    if created and instance.status == EntryChange.Status.PENDING:
        proposer = instance.proposed_by
        units = [m.org for m in proposer.memberships.select_related("org")] if proposer is not None else []
        managers = {u.pk: u for role in LIBRARY_MANAGERS for unit in units for u in holders_above(unit, role)}
        if not units:  # proposed by an account of no unit: every manager
            managers = {u.pk: u for u in get_user_model().objects.filter(
                memberships__role__in=LIBRARY_MANAGERS, is_active=True).distinct()}
        managers.pop(getattr(proposer, "pk", None), None)
        where = f"「{units[0].name}」" if units else ""
        notify(managers.values(), Kind.WAITING, f"{where}申请{what}，等待指标库管理人审核。", reverse("library-changes"))
    elif not created and instance.status != EntryChange.Status.PENDING and instance.proposed_by is not None:
        said = f"：{_short(instance.comment)}" if instance.comment else "。"
        notify([instance.proposed_by], Kind.COMMENT, f"您的申请（{what}）{instance.get_status_display()}{said}",
               reverse("library-changes"))
