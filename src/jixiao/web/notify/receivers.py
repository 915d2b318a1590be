"""The workflow's events become messages: the review side and the rectification items write their events,
this module listens (post_save), so neither imports it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from jixiao.web.after.models import Rectification, RectificationEvent
from jixiao.web.models import Role
from jixiao.web.notify.services import Kind, clerks, holders_above, notify
from jixiao.web.review.models import ReviewEvent


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
