"""Who is told what: the recipients of a form's or a unit's news, the messages, their e-mail copies, and the
daily reminders (deadlines near, forms waiting), which are idempotent: a key names each reminder once."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from jixiao.web.models import Membership, Org, PerformanceForm, Role, Stage
from jixiao.web.notify.models import Notification

Kind = Notification.Kind


def _active(users: QuerySet[Any]) -> QuerySet[Any]:
    return users.filter(is_active=True).distinct()


def clerks(unit: Org) -> QuerySet[Any]:
    """The unit's 填报人."""
    return _active(get_user_model().objects.filter(memberships__org=unit, memberships__role=Role.FILLER))


def holders_above(unit: Org, role: str) -> QuerySet[Any]:
    """Users with `role` at the unit or an org above it (a department's 审核人, the finance bureau)."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i]
    return _active(get_user_model().objects.filter(memberships__org_id__in=ids, memberships__role=role))


def notify(users: Iterable[Any], kind: str, title: str, url: str = "", key: str = "") -> list[Notification]:
    """One message per user (none again for a user who has one under `key`), and an e-mail copy to those
    with an address when the server has a mail host (JIXIAO_EMAIL_HOST), sent once the change commits."""
    users = [u for u in users if u is not None and u.is_active]
    if key:
        have = set(Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
        users = [u for u in users if u.pk not in have]
    rows = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title[:300], url=url, key=key) for u in users], ignore_conflicts=bool(key)
    )
    addresses = [u.email for u in users if u.email]
    if settings.EMAIL_HOST and addresses:
        transaction.on_commit(lambda: _mail(title, url, addresses))
    return rows


def _mail(title: str, url: str, addresses: list[str]) -> None:
    body = f"{title}\n\n{url}\n\n（本邮件由预算绩效自评系统发出，登录系统可查看全部消息。）"
    for address in addresses:  # one each: recipients do not see one another's address
        send_mail(f"预算绩效自评：{title}"[:150], body, None, [address], fail_silently=True)


def unread(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def unread_count(user: Any) -> int:
    """unread(user).count(), for the header of every page: the same indexed count (notify_unread), in SQL
    made once from the model's names, because building the query through the ORM cost ten times running it."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_count_sql(connection.vendor), [user.pk])
        return int(cursor.fetchone()[0])


@functools.cache
def _unread_count_sql(vendor: str) -> str:
    quote, meta = connection.ops.quote_name, Notification._meta
    return (f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('user').column)} = %s"
            f" AND {quote(meta.get_field('read_at').column)} IS NULL")


def mark_read(user: Any, pk: int | None = None) -> int:
    """Mark one of the user's messages (or all of them) read; the number marked."""
    rows = unread(user) if pk is None else unread(user).filter(pk=pk)
    return rows.update(read_at=timezone.now())


# ---------------------------------------------------------------- the daily reminders


def remind(today: datetime.date | None = None) -> int:
    """Create today's reminders: rounds and rectification items due within JIXIAO_REMIND_DAYS, forms waiting
    for review. Running it again creates nothing new; the number of messages created."""
    today = today or timezone.localdate()
    return _round_deadlines(today) + _rectification_deadlines(today) + _waiting(today)


def _horizon(today: datetime.date) -> datetime.date:
    """The last deadline reminded of today (JIXIAO_REMIND_DAYS ahead)."""
    return today + datetime.timedelta(days=settings.JIXIAO_REMIND_DAYS)


def _round_deadlines(today: datetime.date) -> int:
    from jixiao.web.review.models import Round
    from jixiao.web.review.rounds import obligations

    due = set(Round.objects.filter(deadline__gte=today, deadline__lte=_horizon(today))
              .values_list("pk", flat=True))
    if not due:
        return 0
    made = 0
    fillers = get_user_model().objects.filter(memberships__role=Role.FILLER)
    for user in _active(fillers):
        for status in obligations(user, today):
            r, owed = status["round"], status["owed"]
            if r["id"] in due and owed:
                title = (f"填报任务「{r['title']}」将于 {r['deadline']} 截止（还有 {r['days_left']} 天），"
                         f"您的单位还有 {owed} 张表未提交。")
                made += len(notify([user], Kind.DEADLINE, title, reverse("review-round", args=[r["id"]]), f"round-deadline:{r['id']}"))
    return made


def _rectification_deadlines(today: datetime.date) -> int:
    from jixiao.web.after.models import Rectification

    made = 0
    done_or_draft = (Rectification.Status.ACCEPTED, Rectification.Status.DRAFT, Rectification.Status.DRAFT_RETURNED)
    items = Rectification.objects.exclude(status__in=done_or_draft).filter(  # a draft is not the unit's yet
        deadline__gte=today, deadline__lte=_horizon(today)).select_related("unit")
    for item in items:
        title = f"整改事项「{item.problem[:60]}」将于 {item.deadline.isoformat()} 到期，请及时反馈整改情况。"
        made += len(notify(clerks(item.unit), Kind.DEADLINE, title, reverse("after-rectification", args=[item.pk]),
                           f"rectification-deadline:{item.pk}"))
    return made


def _waiting(today: datetime.date) -> int:
    """A reviewer with submitted forms in their departments hears how many, once a day."""
    made = 0
    for m in Membership.objects.filter(role=Role.REVIEWER, user__is_active=True).select_related("org", "user"):
        count = PerformanceForm.objects.filter(stage=Stage.SUBMITTED, unit__path__startswith=m.org.path).count()
        if count:
            title = f"「{m.org.name}」有 {count} 张表已提交，等待您审核。"
            made += len(notify([m.user], Kind.WAITING, title, reverse("review-forms"), f"waiting:{m.org_id}:{today.isoformat()}"))
    return made


_reminded_on: list[datetime.date] = []  # the day this process last ran remind()


def remind_daily() -> int:
    """remind() once per local day of this process (the worker's sweeper calls it every few minutes)."""
    today = timezone.localdate()
    if _reminded_on and _reminded_on[-1] == today:
        return 0
    made = remind(today)
    _reminded_on[:] = [today]
    return made
