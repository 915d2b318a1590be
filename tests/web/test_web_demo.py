"""The demo of `jixiao serve --demo`: who sees which of the seed's eleven forms, in the pages and the API, and
the year in motion it shows (the forms' stages, their history, the re-check, the messages of each role)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from web_helpers import PASSWORD

from jixiao.web.after.models import DeptSelfEvaluation, Rectification
from jixiao.web.demo import demo_story, load_demo
from jixiao.web.models import FormFinding, PerformanceForm
from jixiao.web.notify.models import Notification
from jixiao.web.review.models import Draw, ReviewEvent, Round

SEEN = {"clerk": 10, "clerk2": 1, "reviewer": 11, "finance": 11}


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize(("username", "count"), SEEN.items())
def test_each_demo_account_sees_its_forms_in_the_api(demo_passwords, username, count):
    body = _login(username).get("/api/forms").json()
    assert body["count"] == count
    assert len(body["results"]) == count


@pytest.mark.parametrize(("username", "count"), SEEN.items())
def test_each_demo_account_sees_its_forms_in_the_list_page(demo_passwords, username, count):
    page = _login(username).get("/").content.decode()
    assert f"共 {count} 张表" in page
    assert len(set(re.findall(r'href="/forms/(\d+)/"', page))) == count


def test_clerk2_sees_the_legal_aid_form_and_clerk_the_ten_others(demo_passwords):
    clerk2 = [f["project"] for f in _login("clerk2").get("/api/forms").json()["results"]]
    clerk = [f["project"] for f in _login("clerk").get("/api/forms").json()["results"]]
    assert clerk2 == ["法律援助专项经费"]
    assert "法律援助专项经费" not in clerk


def test_demo_forms_are_the_2019_self_evaluation_with_their_findings(demo_passwords):
    forms = PerformanceForm.objects.all()
    assert {(f.year, f.phase) for f in forms} == {(2019, "self")}
    assert forms.get(project="法律援助专项经费").findings.filter(code="A03").exists()
    assert FormFinding.objects.filter(code="A06").count() == 11


def _stages() -> list[str]:
    return list(PerformanceForm.objects.order_by("id").values_list("stage", flat=True))


def test_the_demo_forms_stand_where_the_story_leaves_them(demo_passwords):
    # Of the approved ones, the draw (seed 2019) picked the second, re-checked; the first two others are published.
    assert _stages() == ["published", "rechecked", "published", "draft", "draft", "approved", "approved",
                         "returned", "draft", "submitted", "submitted"]
    assert [s for s in _stages() if s in ("draft", "returned", "submitted")] == \
        [s for s in demo_story()["self"]["story"] if s in ("draft", "returned", "submitted")]
    # The drafts are those the checker finds an error in: they cannot be submitted yet.
    drafts = PerformanceForm.objects.filter(stage="draft")
    assert all(f.findings.filter(severity="error").exists() for f in drafts)


def test_every_step_of_the_demo_is_on_record_as_the_workflow_keeps_it(demo_passwords):
    for form in PerformanceForm.objects.exclude(stage="draft"):
        actions = list(ReviewEvent.objects.filter(form=form).order_by("id").values_list("action", flat=True))
        expected = {"submitted": ["submit"], "returned": ["submit", "return"], "approved": ["submit", "approve"],
                    "rechecked": ["submit", "approve", "recheck"], "published": ["submit", "approve", "publish"]}
        assert actions == expected[form.stage], form.project
        assert form.version == 1 + len(actions)
    returned = ReviewEvent.objects.get(action="return")
    assert returned.comment and returned.cells[0]["field"] == "indicators[0].actual"


def test_the_drawn_form_has_its_recheck_and_two_rectification_items(demo_passwords):
    draw = Draw.objects.get()
    (item,) = draw.items.all()
    assert item.form.stage == "rechecked" and item.own_score is not None
    items = Rectification.objects.filter(form=item.form).order_by("id")
    assert [(r.status, r.source) for r in items] == [("answered", "recheck"), ("issued", "recheck")]
    assert all(r.released_by.username == "admin" and r.issued_by.username == "finance" for r in items)
    assert DeptSelfEvaluation.objects.get().stage == "submitted"
    assert Round.objects.get().deadline > draw.created_at.date()  # the round is still open: reminders are due


def test_each_role_has_messages_of_what_happened(demo_passwords):
    kinds = {u: set(Notification.objects.filter(user__username=u).values_list("kind", flat=True))
             for u in ("clerk", "clerk2", "reviewer", "finance")}
    assert kinds["clerk"] == {"returned", "comment", "rectify", "deadline"}
    # clerk2's one form is a draft with an error (the round's deadline is near); its 2020 declaration came back.
    assert kinds["clerk2"] == {"deadline", "returned"}
    assert kinds["reviewer"] >= {"waiting"}
    # The unit answered an item: finance decides; a 2020 declaration and a library proposal wait for it.
    assert kinds["finance"] == {"rectify", "waiting"}
    waiting = Notification.objects.filter(user__username="reviewer", kind="waiting", key="",
                                          url__startswith="/review/").count()
    assert waiting == ReviewEvent.objects.filter(action="submit").count()


def test_loading_the_demo_again_adds_nothing(demo_passwords):
    def counts() -> tuple[int, ...]:
        return tuple(m.objects.count() for m in (PerformanceForm, FormFinding, ReviewEvent, Notification,
                                                 Rectification, Draw, Round, DeptSelfEvaluation))

    before, stages = counts(), _stages()
    passwords = load_demo()
    assert counts() == before and before[0] == 11 and _stages() == stages
    assert Client().login(username="clerk", password=passwords["clerk"])  # new passwords at every start


def test_without_its_story_the_demo_forms_are_all_drafts(demo_drafts):
    assert set(_stages()) == {"draft"} and len(_stages()) == 11
    assert not ReviewEvent.objects.exists() and not Notification.objects.exists()


def test_the_department_wide_form_agrees_with_the_department_s_project_forms_with_the_library_history(db):
    """`make run` adds generated peer forms for the library; they belong to another city's department, so the demo
    department's own figures (its department-wide form's D07) still count just its eleven project forms."""
    from jixiao.web.after.dept import _evaluated, project_figures
    from jixiao.web.library.demo import PEER_DEPARTMENT

    load_demo(dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD), library_history=True)
    stored = DeptSelfEvaluation.objects.get()
    assert PerformanceForm.objects.filter(department__name=PEER_DEPARTMENT, year=2019).exists()
    assert project_figures(stored.department, 2019).count == 11
    assert [f for f in _evaluated(stored)[3] if f.code == "D07"] == []
