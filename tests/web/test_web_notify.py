"""Issue 10, friction 14: a clerk hears that a form came back, a comment or a deadline; a reviewer that forms
wait; rectification items reach their unit and their issuer. In the app, and by e-mail when a mail host is set."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from jixiao.web.after import rectify
from jixiao.web.models import Membership, Org, Role
from jixiao.web.notify import services
from jixiao.web.notify.models import Notification
from jixiao.web.notify.services import remind
from jixiao.web.review import rounds, workflow

Kind = Notification.Kind
REMIND_DAYS = settings.JIXIAO_REMIND_DAYS


def _titles(user: Any, kind: str | None = None) -> list[str]:
    rows = Notification.objects.filter(user=user)
    return list((rows.filter(kind=kind) if kind else rows).values_list("title", flat=True))


def _submitted(cast: Any) -> Any:
    return workflow.transition(cast.form_a, cast.clerk_a, "submit", "已说明")


def test_a_returned_form_tells_its_units_clerks_and_nobody_else(web_cast: Any) -> None:
    form = _submitted(web_cast)
    workflow.transition(form, web_cast.reviewer, "return", "请核实资金执行数。")
    [title] = _titles(web_cast.clerk_a, Kind.RETURNED)
    assert form.project in title and "请核实资金执行数" in title
    assert not _titles(web_cast.clerk_b) and not _titles(web_cast.outsider)


def test_a_submitted_form_waits_for_the_reviewers_of_its_department(web_cast: Any) -> None:
    other_reviewer = Membership.objects.create(user=web_cast.outsider, org=web_cast.unit_c.parent, role=Role.REVIEWER)
    _submitted(web_cast)
    [title] = _titles(web_cast.reviewer, Kind.WAITING)
    assert "单位甲" in title and "等待审核" in title
    assert not _titles(other_reviewer.user)


def test_a_comment_on_an_approval_reaches_the_clerk(web_cast: Any) -> None:
    form = _submitted(web_cast)
    workflow.transition(form, web_cast.reviewer, "approve", "指标值请下次写明单位。")
    [title] = _titles(web_cast.clerk_a, Kind.COMMENT)
    assert "指标值请下次写明单位" in title


def test_an_approval_without_a_comment_says_nothing(web_cast: Any) -> None:
    workflow.transition(_submitted(web_cast), web_cast.reviewer, "approve")
    assert not _titles(web_cast.clerk_a)


def _issued(web_cast: Any, **item: Any) -> Any:
    """An item written by finance as a draft and issued after the internal review (by admin, another person)."""
    draft = rectify.write(web_cast.finance, **item)
    return rectify.release(web_cast.admin, draft.pk, approve=True)


def test_a_draft_item_tells_the_unit_nothing(web_cast: Any) -> None:
    rectify.write(web_cast.finance, unit=web_cast.unit_a, source="fin_eval", problem="草稿中的问题",
                  requirement="细化目标", deadline="2030-06-30")
    assert not _titles(web_cast.clerk_a, Kind.RECTIFICATION)
    remind(datetime.date(2030, 6, 29))
    assert not _titles(web_cast.clerk_a, Kind.DEADLINE)  # nor is it reminded of a draft's deadline


def test_rectification_items_reach_the_unit_and_the_answer_its_issuer(web_cast: Any) -> None:
    item = _issued(web_cast, unit=web_cast.unit_a, source="fin_eval", problem="绩效目标不明确",
                   requirement="细化目标", deadline="2030-06-30")
    [title] = _titles(web_cast.clerk_a, Kind.RECTIFICATION)
    assert "绩效目标不明确" in title and "2030-06-30" in title
    rectify.answer(web_cast.clerk_a, item.pk, "已细化")
    [answered] = _titles(web_cast.finance, Kind.RECTIFICATION)
    assert "单位甲" in answered and "待审核" in answered
    rectify.decide(web_cast.finance, item.pk, accept=False, opinion="证据不足")
    assert any("证据不足" in t for t in _titles(web_cast.clerk_a, Kind.RECTIFICATION))


def test_a_near_round_deadline_reminds_the_clerks_who_owe_once(web_cast: Any) -> None:
    today = datetime.date(2020, 3, 1)
    near = rounds.create_round(web_cast.finance, year=2019, phase="self", title="2019 年度自评",
                               deadline=today + datetime.timedelta(days=REMIND_DAYS - 1))
    rounds.create_round(web_cast.finance, year=2019, phase="target", title="远期任务",
                        deadline=today + datetime.timedelta(days=REMIND_DAYS + 10))
    assert remind(today) > 0
    [title] = _titles(web_cast.clerk_a, Kind.DEADLINE)
    assert "2019 年度自评" in title and f"还有 {REMIND_DAYS - 1} 天" in title
    assert Notification.objects.get(user=web_cast.clerk_a, kind=Kind.DEADLINE).url == f"/review/rounds/{near.pk}/"
    before = Notification.objects.count()
    remind(today)
    remind(today + datetime.timedelta(days=1))
    assert Notification.objects.count() == before  # idempotent: one reminder per round and clerk


def test_a_unit_that_submitted_everything_is_not_reminded(web_cast: Any) -> None:
    today = datetime.date(2020, 3, 1)
    _submitted(web_cast)
    rounds.create_round(web_cast.finance, year=2019, phase="self", title="2019 年度自评", deadline=today,
                        departments=[web_cast.department.pk])
    remind(today)
    assert not _titles(web_cast.clerk_a, Kind.DEADLINE)
    assert _titles(web_cast.clerk_b, Kind.DEADLINE)  # unit B's form is still a draft


def test_a_near_rectification_deadline_and_waiting_forms_are_reminded_daily(web_cast: Any) -> None:
    today = datetime.date(2030, 6, 28)
    _issued(web_cast, unit=web_cast.unit_b, source="fin_eval", problem="台账不全", requirement="补齐",
            deadline="2030-06-30")
    _submitted(web_cast)
    remind(today)
    assert any("台账不全" in t and "到期" in t for t in _titles(web_cast.clerk_b, Kind.DEADLINE))
    waiting = _titles(web_cast.reviewer, Kind.WAITING)
    assert any("1 张表已提交" in t for t in waiting)
    remind(today)
    assert _titles(web_cast.reviewer, Kind.WAITING) == waiting
    remind(today + datetime.timedelta(days=1))
    assert len(_titles(web_cast.reviewer, Kind.WAITING)) == len(waiting) + 1  # the next day, again


def test_the_sweeper_reminds_once_a_day(web_cast: Any, monkeypatch: Any) -> None:
    days = iter([datetime.date(2030, 1, 1), datetime.date(2030, 1, 1), datetime.date(2030, 1, 2)])
    monkeypatch.setattr(services.timezone, "localdate", lambda: next(days))
    monkeypatch.setattr(services, "_reminded_on", [])
    ran: list[datetime.date] = []
    monkeypatch.setattr(services, "remind", lambda today: ran.append(today) or 0)
    for _ in range(3):
        services.remind_daily()
    assert ran == [datetime.date(2030, 1, 1), datetime.date(2030, 1, 2)]


def test_the_remind_command_runs_the_reminders(web_cast: Any, capsys: Any) -> None:
    _submitted(web_cast)
    call_command("remind")
    assert "条提醒消息" in capsys.readouterr().out
    assert _titles(web_cast.reviewer, Kind.WAITING)


def test_the_header_counts_unread_and_opening_a_message_marks_it_read(web_cast: Any) -> None:
    form = _submitted(web_cast)
    workflow.transition(form, web_cast.reviewer, "return", "请修改。")
    client = web_cast.client("clerk_a")
    page = client.get("/notifications/").content.decode()
    assert 'class="notice-count"' in page and ">1</span>" in page and "被退回" in page
    note = Notification.objects.get(user=web_cast.clerk_a)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/forms/{form.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="notice-count"' not in client.get("/").content.decode()


def test_mark_all_read_and_nobody_opens_anothers_message(web_cast: Any) -> None:
    workflow.transition(_submitted(web_cast), web_cast.reviewer, "return", "请修改。")
    note = Notification.objects.get(user=web_cast.clerk_a)
    assert web_cast.client("clerk_b").post(f"/notifications/{note.pk}/open/").status_code == 404
    assert web_cast.client("clerk_a").post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(user=web_cast.clerk_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=web_cast.reviewer, read_at__isnull=True).exists()  # theirs stays unread
    assert web_cast.client("anonymous").get("/notifications/").status_code == 302


@override_settings(EMAIL_HOST="smtp.example.cn", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_with_a_mail_host_a_clerk_with_an_address_gets_an_email(web_cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    web_cast.clerk_a.email = "clerk_a@example.cn"
    web_cast.clerk_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(_submitted(web_cast), web_cast.reviewer, "return", "请修改。")
    [message] = [m for m in mail.outbox if m.to == ["clerk_a@example.cn"]]
    assert "被退回" in message.subject and "请修改" in message.body


@override_settings(EMAIL_HOST="", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_without_a_mail_host_no_email_is_sent(web_cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    web_cast.clerk_a.email = "clerk_a@example.cn"
    web_cast.clerk_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(_submitted(web_cast), web_cast.reviewer, "return", "请修改。")
    assert not mail.outbox
    assert _titles(web_cast.clerk_a)  # the message in the app all the same


def test_an_org_kind_is_not_needed_to_receive(web_cast: Any) -> None:
    """A clerk placed at a department that fills in forms itself is told too (memberships, not kinds)."""
    dept_clerk = Membership.objects.create(user=web_cast.outsider, org=web_cast.department, role=Role.FILLER).user
    item = _issued(web_cast, unit=web_cast.department, source="fin_eval", problem="问题", requirement="要求",
                   deadline="2030-01-01")
    assert Org.objects.get(pk=item.unit_id).kind == Org.Kind.DEPARTMENT
    assert _titles(dept_clerk, Kind.RECTIFICATION)
