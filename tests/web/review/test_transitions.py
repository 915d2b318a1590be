"""Every stage change by every role, allowed and refused, through the service, the pages and the API."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from jixiao.web.forms import errors
from jixiao.web.models import PerformanceForm, Stage
from jixiao.web.review import workflow
from jixiao.web.review.models import Draw, DrawItem, FieldChange, ReviewEvent

ROLES = ("admin", "finance", "reviewer", "clerk", "clerk2", "outsider", "anonymous")
PROJECT = "信息化建设"  # at 鄂尔多斯市司法局: clerk fills it, reviewer reviews it; warnings but no errors

# (stage, action) → the one role that may take it; every other pair and role is refused.
ALLOWED = {
    (Stage.DRAFT, "submit"): "clerk",
    (Stage.RETURNED, "submit"): "clerk",
    (Stage.SUBMITTED, "return"): "reviewer",
    (Stage.SUBMITTED, "approve"): "reviewer",
    (Stage.APPROVED, "return"): "finance",
    (Stage.RECHECKED, "return"): "finance",
    (Stage.APPROVED, "recheck"): "finance",  # the form is in a draw with a score recorded
    (Stage.APPROVED, "publish"): "finance",  # not in a draw
    (Stage.RECHECKED, "publish"): "finance",
    (Stage.SUBMITTED, "withdraw"): "clerk",  # not drawn for re-check: the review has not begun
    (Stage.PUBLISHED, "unpublish"): "finance",  # with a reason (the comment)
}
TARGET = {"submit": Stage.SUBMITTED, "return": Stage.RETURNED, "approve": Stage.APPROVED,
          "recheck": Stage.RECHECKED, "publish": Stage.PUBLISHED, "withdraw": Stage.DRAFT,
          "unpublish": Stage.APPROVED}
CASES = [(s, a) for s in Stage.values for a in workflow.ACTIONS]


def _put_in(form: PerformanceForm, stage: str, sampled: bool) -> None:
    PerformanceForm.objects.filter(pk=form.pk).update(stage=stage)
    if sampled:
        draw = Draw.objects.create(year=form.year, phase=form.phase, count=1, seed=1, population=[form.pk])
        DrawItem.objects.create(draw=draw, form=form, own_score=Decimal("95"), problems="抽查无误")


def _take(channel: str, cast: Any, role: str, form: PerformanceForm, action: str) -> bool:
    """Try the action as role through a channel; True when it was done."""
    if channel == "service":
        if role == "anonymous":
            from django.contrib.auth.models import AnonymousUser

            user: Any = AnonymousUser()
        else:
            user = cast.user(role)
        try:
            workflow.transition(form, user, action, "已核实，说明见附件")
        except errors.Refused as e:
            assert e.status in (400, 403, 409)
            return False
        return True
    if channel == "page":
        response = cast.page(role).post(f"/review/forms/{form.pk}/transition/",
                                        {"action": action, "comment": "已核实，说明见附件"})
        if response.status_code == 302:
            return True
        assert response.status_code in (302, 400, 403, 404) or (role == "anonymous" and response.status_code == 302)
        return False
    response = cast.api(role).post(f"/api/forms/{form.pk}/transition",
                                   json.dumps({"action": action, "comment": "已核实，说明见附件"}),
                                   content_type="application/json")
    if response.status_code == 200:
        assert response.json()["stage"] == TARGET[action]
        return True
    assert response.status_code in (400, 401, 403, 404), response.content
    return False


def _reset(form: PerformanceForm, stage: str, sampled: bool) -> None:
    """The form back in `stage` with no review events, as at the start of each channel's run."""
    ReviewEvent.objects.filter(form=form).delete()
    FieldChange.objects.filter(form=form, path="stage").delete()
    Draw.objects.all().delete()
    _put_in(form, stage, sampled)


@pytest.mark.parametrize(("stage", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_every_role_for_every_step(cast: Any, stage: str, action: str) -> None:
    """For each channel (service, pages, API): every role but the right one is refused and nothing changes;
    the right one succeeds and the step is recorded."""
    form = cast.form(PROJECT)
    allowed = ALLOWED.get((stage, action))
    for channel in ("service", "page", "api"):
        _reset(form, stage, sampled=action == "recheck")
        for role in ROLES:
            if role == allowed:
                continue
            if channel == "page" and role == "anonymous":
                response = cast.page(role).post(f"/review/forms/{form.pk}/transition/", {"action": action})
                assert response.status_code == 302 and "/login/" in response["Location"]
                continue
            assert not _take(channel, cast, role, form, action), f"{channel}: {role} must not {action} a {stage} form"
            assert PerformanceForm.objects.get(pk=form.pk).stage == stage
        assert not ReviewEvent.objects.filter(form=form).exists()
        if allowed:
            assert _take(channel, cast, allowed, form, action), f"{channel}: {allowed} may {action} a {stage} form"
            done = PerformanceForm.objects.get(pk=form.pk)
            assert done.stage == TARGET[action]
            event = ReviewEvent.objects.get(form=form)
            assert (event.action, event.from_stage, event.to_stage, event.user.username) == (
                action, stage, TARGET[action], allowed)
            assert FieldChange.objects.filter(form=form, path="stage", old=stage, new=TARGET[action]).count() == 1


def test_publish_after_approval_when_not_sampled(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.APPROVED, sampled=False)
    form.refresh_from_db()
    assert workflow.allowed_actions(cast.user("finance"), form) == ["return", "publish"]
    assert workflow.transition(form, cast.user("finance"), "publish").stage == Stage.PUBLISHED


def test_sampled_form_is_rechecked_before_it_is_published(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.APPROVED, sampled=True)
    with pytest.raises(errors.Refused, match="请先完成复核"):
        workflow.transition(form, cast.user("finance"), "publish")


def test_recheck_needs_a_sample_and_a_score(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.APPROVED, sampled=False)
    with pytest.raises(errors.Refused, match="未被抽中"):
        workflow.transition(form, cast.user("finance"), "recheck")
    draw = Draw.objects.create(year=2019, phase=form.phase, count=1, seed=1)
    DrawItem.objects.create(draw=draw, form=form)
    with pytest.raises(errors.Refused, match="复核得分"):
        workflow.transition(form, cast.user("finance"), "recheck")


def test_return_needs_a_comment(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.SUBMITTED, sampled=False)
    with pytest.raises(errors.Refused, match="请填写意见"):
        workflow.transition(form, cast.user("reviewer"), "return", "")


def test_return_with_a_comment_on_a_cell(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.SUBMITTED, sampled=False)
    response = cast.api("reviewer").post(
        f"/api/forms/{form.pk}/transition",
        json.dumps({"action": "return", "comment": "请核对得分", "field": "indicators[2].score",
                    "field_comment": "得分与完成值不符"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    state = response.json()["review"]
    assert state["stage"] == "returned"
    assert state["returned_cells"][0]["field"] == "indicators[2].score"
    assert state["returned_cells"][0]["comment"] == "得分与完成值不符"
    assert "第3项指标" in state["returned_cells"][0]["label"]
    page = cast.page("clerk").get(f"/review/forms/{form.pk}/").content.decode()
    assert "得分与完成值不符" in page and 'data-field="indicators[2].score"' in page


def test_a_comment_on_a_cell_that_is_not_there_is_refused(cast: Any) -> None:
    form = cast.form(PROJECT)
    _put_in(form, Stage.SUBMITTED, sampled=False)
    with pytest.raises(errors.Refused, match="不在此表中"):
        workflow.transition(form, cast.user("reviewer"), "return", "x", [workflow.Cell("indicators[99].score", "x")])


def test_a_stale_transition_loses_to_the_one_that_claimed_the_row(cast: Any, monkeypatch: Any) -> None:
    """Both read the form as submitted; the reviewer approves first; the second UPDATE matches no row."""
    form = cast.form(PROJECT)
    _put_in(form, Stage.SUBMITTED, sampled=False)
    stale = PerformanceForm.objects.select_related("unit").get(pk=form.pk)
    workflow.transition(form, cast.user("reviewer"), "approve")
    monkeypatch.setattr(workflow, "_fresh", lambda f: stale)
    with pytest.raises(errors.Refused, match="刚被他人处理") as refused:
        workflow.transition(stale, cast.user("reviewer"), "return", "晚了一步")
    assert refused.value.status == 409
    assert PerformanceForm.objects.get(pk=form.pk).stage == Stage.APPROVED
    assert list(ReviewEvent.objects.filter(form=form).values_list("action", flat=True)) == ["approve"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_only_one_wins(cast: Any) -> None:
    """Two threads (two connections) take conflicting steps at once; exactly one succeeds."""
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database can't be shared by threads; the test above covers SQLite")
    form = cast.form(PROJECT)
    _put_in(form, Stage.SUBMITTED, sampled=False)
    reviewer = cast.user("reviewer")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str) -> None:
        try:
            barrier.wait()
            workflow.transition(form, reviewer, action, "并发")
            outcomes.append("ok")
        except errors.Refused as e:
            outcomes.append(f"refused {e.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(a,)) for a in ("approve", "return")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and outcomes.count("ok") == 1, outcomes
    assert ReviewEvent.objects.filter(form=form).count() == 1
