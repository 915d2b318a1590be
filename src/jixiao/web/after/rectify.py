"""整改 (docs/cycle.md §6.5): a problem found by a review, a re-check, a monitoring warning or the finance bureau's
own evaluation becomes an item with a requirement, a responsible unit and a deadline. It is written as a draft
(待下达), reviewed inside the issuing side by another person who may issue it (or returned to its writer, who
revises it), and only then issued to the unit, which never sees a draft; whether a writer may issue their own
draft is the setting JIXIAO_RECTIFY_SELF_RELEASE (default no: cycle.md names the review step, not who takes it).
The unit answers with measures and evidence; the issuer (the finance bureau, or the reviewer for review
problems) accepts or returns the answer. Issued items past their deadline and not accepted are overdue.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jixiao.web.after.access import User, holds, holds_any, orgs_with, workbook
from jixiao.web.after.models import Rectification, RectificationEvent
from jixiao.web.forms.access import get_visible, visible_orgs
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import Org, PerformanceForm, Role
from jixiao.web.review.models import DrawItem

Status = Rectification.Status
ISSUERS = {  # source → the roles that may open (and decide) an item of it
    Rectification.Source.REVIEW: (Role.REVIEWER, Role.FINANCE),
    Rectification.Source.RECHECK: (Role.FINANCE,),
    Rectification.Source.MONITOR: (Role.FINANCE, Role.REVIEWER),
    Rectification.Source.FINANCE_EVALUATION: (Role.FINANCE,),
}
ACTION_LABELS = {"draft": "起草", "revise": "修改草稿", "draft_return": "退回草稿", "issue": "审核并下达",
                 "answer": "反馈整改情况", "accept": "通过", "return": "退回"}
DRAFTS = (Status.DRAFT, Status.DRAFT_RETURNED)
OPEN = (Status.ISSUED, Status.ANSWERED, Status.RETURNED)  # issued to the unit and not yet accepted


def self_release_allowed() -> bool:
    """Whether the writer of a draft may issue it themselves (JIXIAO_RECTIFY_SELF_RELEASE; default no)."""
    return bool(getattr(settings, "JIXIAO_RECTIFY_SELF_RELEASE", False))


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError("整改期限应为日期，如 2020-06-30。", {"deadline": ["整改期限应为日期，如 2020-06-30"]}) from None


def problems_of(text: str) -> list[str]:
    """The problems of a re-check, one per line (or per "；"), numbering removed."""
    parts = re.split(r"[\n；;]", text or "")
    return [re.sub(r"^\s*(?:\d+[、.．)）]|[（(]\d+[)）])\s*", "", p).strip() for p in parts if p.strip()]


def recheck_problems(form: PerformanceForm) -> list[str]:
    item = DrawItem.objects.filter(form=form, own_score__isnull=False).order_by("-recorded_at", "-id").first()
    return problems_of(item.problems) if item else []


def review_problems(form: PerformanceForm) -> list[str]:
    """What a review found on a form, to choose an item's problem from: the checker's findings, the reviewers'
    comments on cells and their return comments, and the re-check's problems."""
    from jixiao.web.models import FormFinding
    from jixiao.web.review.models import ReviewEvent

    found = [f.message for f in FormFinding.objects.filter(form=form).exclude(severity="info").order_by("position")]
    for event in ReviewEvent.objects.filter(form=form, action="return").order_by("at"):
        found += [c.get("comment", "") for c in event.cells] + ([event.comment] if event.comment else [])
    return [p for p in dict.fromkeys(found + recheck_problems(form)) if p]


def _texts(problem: str, requirement: str, deadline: Any) -> tuple[str, str, datetime.date]:
    if not problem.strip() or not requirement.strip():
        raise ServiceError("请写明问题和整改要求。", {"problem": ["请写明问题"], "requirement": ["请写明整改要求"]})
    return problem.strip(), requirement.strip(), _date(deadline)


def write(user: User, *, unit: Org, source: str, problem: str, requirement: str, deadline: Any,
          form: PerformanceForm | None = None) -> Rectification:
    """A draft item (待下达), seen only by the issuing side until another person of it issues it (release)."""
    if source not in ISSUERS:
        raise ServiceError(f"未知的问题来源「{source}」，可选：{'、'.join(Rectification.Source.values)}。")
    if not holds_any(user, ISSUERS[Rectification.Source(source)], unit):
        raise ServiceError("只有财政复核人员（审核发现的问题也可由主管部门审核人）可以起草整改。", status=403)
    problem, requirement, day = _texts(problem, requirement, deadline)
    with transaction.atomic():
        item = Rectification.objects.create(
            form=form, unit=unit, source=source, problem=problem, requirement=requirement, deadline=day,
            status=Status.DRAFT, issued_by=user if user.is_authenticated else None,
        )
        RectificationEvent.objects.create(item=item, action="draft", text=requirement, user=item.issued_by)
    return item


def write_from_recheck(user: User, form_id: int, problems: Sequence[str], requirement: str,
                       deadline: Any) -> list[Rectification]:
    """One draft item per chosen problem of the form's re-check (finance only); the unit is the form's."""
    form = get_visible(user, form_id)  # type: ignore[arg-type]
    known = recheck_problems(form)
    chosen = [p for p in problems if p.strip()]
    if not chosen:
        raise ServiceError("请至少选择一个复核发现的问题。", {"problems": ["请至少选择一个问题"]})
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise ServiceError(f"「{unknown[0]}」不是此表复核发现的问题。")
    with transaction.atomic():
        return [write(user, unit=form.unit, source=Rectification.Source.RECHECK, problem=p,
                      requirement=requirement, deadline=deadline, form=form) for p in chosen]


def _issuer(user: User, item: Rectification) -> bool:
    return holds_any(user, ISSUERS[Rectification.Source(item.source)], item.unit)


def _writer(user: User, item: Rectification) -> bool:
    return user.is_authenticated and item.issued_by_id == user.pk


def may_release(user: User, item: Rectification) -> bool:
    return item.status == Status.DRAFT and _issuer(user, item) and (not _writer(user, item) or self_release_allowed())


def release(user: User, pk: int, approve: bool, opinion: str = "") -> Rectification:
    """The internal review of a draft: issued to the unit (approve), or returned to its writer with an opinion."""
    item = get_item(user, pk)
    if item.status != Status.DRAFT:
        raise ServiceError(f"此事项{item.get_status_display()}，不是待审核下达的草稿。")
    if not _issuer(user, item):
        raise ServiceError("只有有权下达此类整改的人员可以审核整改草稿。", status=403)
    if _writer(user, item) and not self_release_allowed():
        raise ServiceError("起草人不能审核下达自己起草的整改事项，请由另一位有下达权限的人员审核。", status=403)
    if approve:
        return _step(item, user, "issue", opinion.strip(), Status.ISSUED,
                     released_by=user if user.is_authenticated else None, released_at=timezone.now())
    if not opinion.strip():
        raise ServiceError("退回草稿时请写明意见。", {"opinion": ["请写明退回意见"]})
    return _step(item, user, "draft_return", opinion.strip(), Status.DRAFT_RETURNED)


def may_revise(user: User, item: Rectification) -> bool:
    return item.status in DRAFTS and _issuer(user, item)


def revise(user: User, pk: int, problem: str, requirement: str, deadline: Any) -> Rectification:
    """A draft corrected (by its writer or another of the issuing side) and put back for review."""
    item = get_item(user, pk)
    if item.status not in DRAFTS:
        raise ServiceError(f"此事项{item.get_status_display()}，已下达的整改事项不能再修改。")
    if not _issuer(user, item):
        raise ServiceError("只有有权下达此类整改的人员可以修改整改草稿。", status=403)
    problem, requirement, day = _texts(problem, requirement, deadline)
    return _step(item, user, "revise", requirement, Status.DRAFT, problem=problem, requirement=requirement,
                 deadline=day)


def visible_items(user: User) -> QuerySet[Rectification]:
    """The items of the units the user sees; drafts only to their writer and to those who may issue them."""
    drafts_seen = Q(issued_by=user.pk) if user.is_authenticated else Q(pk__in=[])
    for role in (Role.FINANCE, Role.REVIEWER):
        sources = [s for s, roles in ISSUERS.items() if role in roles]
        drafts_seen |= Q(source__in=sources, unit__in=orgs_with(user, role))
    return (Rectification.objects.filter(unit__in=visible_orgs(user))  # type: ignore[arg-type]
            .filter(~Q(status__in=DRAFTS) | drafts_seen).select_related("unit", "form", "issued_by", "released_by"))


def get_item(user: User, pk: int) -> Rectification:
    item = visible_items(user).filter(pk=pk).first()
    if item is None:
        raise ServiceError("没有找到此整改事项，或您无权查看。", status=404)
    return item


def answer(user: User, pk: int, measures: str) -> Rectification:
    """The responsible unit's 填报人 reports what was done (evidence is attached beside it)."""
    item = get_item(user, pk)
    if not holds(user, Role.FILLER, item.unit):
        raise ServiceError("只有责任单位的填报人可以反馈整改情况。", status=403)
    if item.status not in (Status.ISSUED, Status.RETURNED):
        raise ServiceError(f"此事项{item.get_status_display()}，不能再反馈。")
    if not measures.strip():
        raise ServiceError("请写明采取的整改措施。", {"measures": ["请写明整改措施"]})
    return _step(item, user, "answer", measures.strip(), Status.ANSWERED, measures=measures.strip())


def decide(user: User, pk: int, accept: bool, opinion: str = "") -> Rectification:
    """The issuer's side accepts the answer (closing the item) or returns it with an opinion."""
    item = get_item(user, pk)
    if not _issuer(user, item):
        raise ServiceError("只有下达整改的一方可以审核整改情况。", status=403)
    if item.status != Status.ANSWERED:
        raise ServiceError(f"此事项{item.get_status_display()}，尚无待审核的整改情况。")
    if not accept and not opinion.strip():
        raise ServiceError("退回时请写明意见。", {"opinion": ["请写明退回意见"]})
    if accept:
        return _step(item, user, "accept", opinion.strip(), Status.ACCEPTED, closed_at=timezone.now())
    return _step(item, user, "return", opinion.strip(), Status.RETURNED)


def _step(item: Rectification, user: User, action: str, text: str, status: str, **changes: Any) -> Rectification:
    with transaction.atomic():
        done = Rectification.objects.filter(pk=item.pk, status=item.status).update(status=status, **changes)
        if not done:
            raise ServiceError("此事项刚被他人处理，请刷新后再操作。", status=409)
        RectificationEvent.objects.create(item=item, action=action, text=text,
                                          user=user if user.is_authenticated else None)
    item.refresh_from_db()
    return item


def is_overdue(item: Rectification, today: datetime.date | None = None) -> bool:
    return item.status in OPEN and item.deadline < (today or timezone.localdate())


def item_dict(item: Rectification, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    return {
        "id": item.pk, "form": item.form_id, "project": item.form.project if item.form else "",
        "unit": item.unit.name, "source": item.source, "source_label": item.get_source_display(),
        "problem": item.problem, "requirement": item.requirement, "deadline": item.deadline.isoformat(),
        "status": item.status, "status_label": item.get_status_display(), "measures": item.measures,
        "overdue": is_overdue(item, today), "issued_by": str(item.issued_by or ""),
        "draft": item.status in DRAFTS, "released_by": str(item.released_by or ""),
        "may_release": may_release(user, item), "may_revise": may_revise(user, item),
        "may_answer": item.status in (Status.ISSUED, Status.RETURNED) and holds(user, Role.FILLER, item.unit),
        "may_decide": item.status == Status.ANSWERED and _issuer(user, item),
        "events": [{"action": e.action, "label": ACTION_LABELS[e.action], "text": e.text, "user": str(e.user or ""),
                    "at": timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M")} for e in item.events.select_related("user")],
    }


EXPORT_HEADER = ("编号", "项目", "责任单位", "来源", "问题", "整改要求", "整改期限", "状态", "是否逾期", "整改措施")


def export_xlsx(items: Sequence[Rectification], today: datetime.date | None = None) -> bytes:
    rows = [(i.pk, i.form.project if i.form else "", i.unit.name, i.get_source_display(), i.problem, i.requirement,
             i.deadline.isoformat(), i.get_status_display(), "逾期" if is_overdue(i, today) else "", i.measures)
            for i in items]
    return workbook("整改清单", EXPORT_HEADER, rows, (6, 24, 20, 10, 40, 40, 12, 8, 8, 40))
