"""Issue 10's friction 13: batch steps on the review list (each form through the same transition, its
rights checked per form), withdrawing a submission, deleting a draft, and unpublishing with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import DELETION, LogEntry

from jixiao.web.forms import errors
from jixiao.web.models import PerformanceForm, Stage
from jixiao.web.review import recheck, workflow
from jixiao.web.review.models import ReviewEvent


def _submitted(cast: Any, n: int) -> list[PerformanceForm]:
    ready = [f for f in cast.forms if f.error_count == 0 and f.unit_id == cast.department.pk][:n]
    return [workflow.transition(f, cast.user("clerk"), "submit", "已说明") for f in ready]


def test_approving_several_forms_is_one_post_with_one_message(cast: Any) -> None:
    forms = _submitted(cast, 3)
    draft = next(f for f in cast.forms if f.stage == Stage.DRAFT and f.pk not in {x.pk for x in forms})
    ids = [str(f.pk) for f in forms] + [str(draft.pk)]
    response = cast.page("reviewer").post("/review/batch/", {"ids": ids, "action": "approve", "comment": "同意"},
                                          follow=True)
    page = response.content.decode()
    assert f"批量审核通过：成功 3 张，失败 1 张——「{draft.project}」（{draft.unit.name}）" in page
    assert "此表当前状态为「草稿」，不能审核通过。" in page
    assert [PerformanceForm.objects.get(pk=f.pk).stage for f in forms] == [Stage.APPROVED] * 3
    # Each went through the one transition: its own event with the one comment.
    assert list(ReviewEvent.objects.filter(action="approve").values_list("comment", flat=True)) == ["同意"] * 3


def test_a_batch_checks_the_rights_on_every_form(cast: Any) -> None:
    forms = _submitted(cast, 2)
    result = workflow.transition_many(cast.user("outsider"), [f.pk for f in forms], "approve")
    assert result.done == [] and len(result.failed) == 2
    assert all("没有找到" in why for _, why in result.failed)  # another department's forms: not even seen
    result = workflow.transition_many(cast.user("clerk"), [f.pk for f in forms], "approve")
    assert result.done == [] and all("只有本表主管部门的审核人可以审核通过此表" in why for _, why in result.failed)
    assert {PerformanceForm.objects.get(pk=f.pk).stage for f in forms} == {Stage.SUBMITTED}


def test_a_batch_return_needs_its_one_comment(cast: Any) -> None:
    forms = _submitted(cast, 2)
    result = workflow.transition_many(cast.user("reviewer"), [f.pk for f in forms], "return", "")
    assert len(result.failed) == 2 and "退回时请填写意见" in result.failed[0][1]
    result = workflow.transition_many(cast.user("reviewer"), [f.pk for f in forms], "return", "请补充佐证")
    assert len(result.done) == 2 and result.message() == "批量退回：成功 2 张。"


def test_batch_publish_and_the_list_offers_only_the_roles_buttons(cast: Any) -> None:
    forms = _submitted(cast, 2)
    workflow.transition_many(cast.user("reviewer"), [f.pk for f in forms], "approve")
    result = workflow.transition_many(cast.user("finance"), [f.pk for f in forms], "publish", "")
    assert len(result.done) == 2
    reviewer = cast.page("reviewer").get("/review/").content.decode()
    assert 'id="batch-approve"' in reviewer and 'id="batch-return"' in reviewer and 'id="batch-publish"' not in reviewer
    finance = cast.page("finance").get("/review/").content.decode()
    assert 'id="batch-publish"' in finance and 'id="batch-approve"' not in finance
    assert 'id="batch-form"' not in cast.page("clerk").get("/review/").content.decode()
    with pytest.raises(errors.Refused, match="批量操作只能是"):
        workflow.transition_many(cast.user("finance"), [forms[0].pk], "unpublish", "x")


def test_a_clerk_withdraws_a_submission_before_the_review_begins(cast: Any) -> None:
    form, other = _submitted(cast, 2)
    response = cast.page("clerk").post(f"/review/forms/{form.pk}/transition/", {"action": "withdraw"})
    assert response.status_code == 302
    assert PerformanceForm.objects.get(pk=form.pk).stage == Stage.DRAFT
    assert 'id="do-withdraw"' in cast.page("clerk").get(f"/forms/{other.pk}/").content.decode()
    recheck.draw_sample(cast.user("finance"), year=2019, share="100%", seed=3)  # the finance bureau draws it
    with pytest.raises(errors.Refused, match="已被抽中复核"):
        workflow.transition(other, cast.user("clerk"), "withdraw")
    workflow.transition(other, cast.user("reviewer"), "approve")
    assert "withdraw" not in workflow.allowed_actions(cast.user("clerk"), other)


def test_a_clerk_deletes_a_draft_after_a_confirm_page_and_it_is_logged(cast: Any) -> None:
    form = cast.form("信息化建设")
    clerk = cast.page("clerk")
    assert 'id="delete-draft"' in clerk.get(f"/forms/{form.pk}/").content.decode()
    confirm = clerk.get(f"/review/forms/{form.pk}/delete/").content.decode()
    assert "确定要删除草稿「信息化建设」" in confirm
    assert PerformanceForm.objects.filter(pk=form.pk).exists()  # the page only asks
    response = clerk.post(f"/review/forms/{form.pk}/delete/", follow=True)
    assert "已删除草稿「信息化建设」" in response.content.decode()
    assert not PerformanceForm.objects.filter(pk=form.pk).exists()
    entry = LogEntry.objects.get(object_id=str(form.pk), action_flag=DELETION)
    assert entry.user.username == "clerk" and "信息化建设" in entry.change_message


def test_only_a_draft_and_only_by_its_clerk_can_be_deleted(cast: Any) -> None:
    form = cast.form("信息化建设")
    assert cast.page("reviewer").post(f"/review/forms/{form.pk}/delete/").status_code == 403
    (submitted,) = _submitted(cast, 1)
    assert cast.page("clerk").post(f"/review/forms/{submitted.pk}/delete/").status_code == 400
    assert PerformanceForm.objects.filter(pk__in=[form.pk, submitted.pk]).count() == 2
    assert not LogEntry.objects.exists()


def test_unpublishing_needs_a_reason_that_stays_on_record(cast: Any) -> None:
    (form,) = _submitted(cast, 1)
    workflow.transition(form, cast.user("reviewer"), "approve")
    workflow.transition(form, cast.user("finance"), "publish")
    assert cast.page("anonymous").get(f"/public/forms/{form.pk}/").status_code == 200
    with pytest.raises(errors.Refused, match="撤销公开时请填写原因"):
        workflow.transition(form, cast.user("finance"), "unpublish", " ")
    with pytest.raises(errors.Refused):
        workflow.transition(form, cast.user("reviewer"), "unpublish", "数据有误")
    done = workflow.transition(form, cast.user("finance"), "unpublish", "项目资金数据有误，待单位更正")
    assert done.stage == Stage.APPROVED  # back to where it was published from
    public = cast.page("anonymous").get(f"/public/forms/{form.pk}/")
    assert public.status_code == 410 and "撤销原因：项目资金数据有误，待单位更正" in public.content.decode()
    history = cast.page("finance").get(f"/review/forms/{form.pk}/history/").content.decode()
    assert "撤销公开" in history and "项目资金数据有误，待单位更正" in history
    workflow.transition(form, cast.user("finance"), "publish")
    again = cast.page("anonymous").get(f"/public/forms/{form.pk}/").content.decode()
    assert "撤销公开，原因：项目资金数据有误，待单位更正；现已重新公开" in again


def test_a_batch_goes_back_to_the_list_with_its_filters(cast: Any) -> None:
    (form,) = _submitted(cast, 1)
    response = cast.page("reviewer").post("/review/batch/", {"ids": [str(form.pk)], "action": "approve",
                                                            "back": "stage=submitted&year=2019\r\nX: y"})
    assert response.status_code == 302
    assert response["Location"] == "/review/?stage=submitted&year=2019%0D%0AX%3A+y"
    assert cast.page("reviewer").post("/review/batch/", {"action": "approve"}, follow=True).content.decode().count(
        "请先勾选要处理的表。") == 1


def test_the_api_takes_the_same_batch(cast: Any) -> None:
    import json

    forms = _submitted(cast, 2)
    draft = next(f for f in cast.forms if f.stage == Stage.DRAFT and f.pk not in {x.pk for x in forms})
    response = cast.api("reviewer").post("/api/review/batch", json.dumps(
        {"ids": [forms[0].pk, forms[1].pk, draft.pk], "action": "approve", "comment": "同意"}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] == [forms[0].pk, forms[1].pk]
    assert body["failed"] == [{"form": f"「{draft.project}」（{draft.unit.name}）",
                               "error": "此表当前状态为「草稿」，不能审核通过。"}]
    assert body["message"].startswith("批量审核通过：成功 2 张，失败 1 张")
