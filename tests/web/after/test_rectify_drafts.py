"""整改通知 are drafts until reviewed inside the issuing side (docs/cycle.md §6.5: 待下达 → 审核 → 下达): the unit
sees no draft (pages, API, export, results); the writer cannot issue their own draft unless
JIXIAO_RECTIFY_SELF_RELEASE allows it; a draft returned to its writer is revised and reviewed again."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from jixiao.web.after import rectify, results
from jixiao.web.after.models import Rectification
from jixiao.web.forms.errors import ServiceError

PROBLEM = "绩效目标未细化量化"


def _draft(cast: Any, who: str = "finance", source: str = "fin_eval") -> Rectification:
    form = cast.form("离退休干部专项经费")
    response = cast.page(who).post("/after/rectifications/new/", {
        "form": str(form.pk), "source": source, "problem": PROBLEM, "requirement": "细化目标",
        "deadline": "2020-01-31"})  # already past: an issued item would be overdue
    assert response.status_code == 302, response.content.decode()
    return Rectification.objects.get(problem=PROBLEM)


def test_a_new_item_is_a_draft_the_unit_does_not_see(cast: Any) -> None:
    item = _draft(cast)
    assert item.status == "draft" and item.released_by is None
    clerk = cast.page("clerk")
    assert PROBLEM not in clerk.get("/after/rectifications/").content.decode()
    assert clerk.get(f"/after/rectifications/{item.pk}/").status_code == 404
    assert cast.api("clerk").get("/api/after/rectifications").json() == []
    book = load_workbook(io.BytesIO(clerk.get("/after/rectifications.xlsx").content))
    assert book.active.max_row == 1  # the header only
    assert clerk.post(f"/after/rectifications/{item.pk}/answer/", {"measures": "已整改"}).status_code == 404
    # the issuing side sees it, marked as a draft; the other finance user finds it among those waiting for them
    listed = cast.page("finance2").get("/after/rectifications/?release=1").content.decode()
    assert "待我审核下达（1）" in listed and f'href="/after/rectifications/{item.pk}/"' in listed
    assert 'id="to-release"' not in cast.page("finance").get("/after/rectifications/").content.decode()  # the writer
    page = cast.page("finance2").get(f"/after/rectifications/{item.pk}/").content.decode()
    assert "待下达" in page and 'id="draft-note"' in page and 'id="release-form"' in page


def test_a_draft_is_not_overdue_and_does_not_weigh_in_the_results(cast: Any) -> None:
    item = _draft(cast)
    assert not rectify.is_overdue(item, datetime.date(2030, 1, 1))
    row = next(r for r in results.results_list(cast.user("finance"), 2019)["rows"] if r["form"] == item.form_id)
    assert "整改逾期未完成" not in row["reasons"]
    rectify.release(cast.user("finance2"), item.pk, approve=True)
    row = next(r for r in results.results_list(cast.user("finance"), 2019)["rows"] if r["form"] == item.form_id)
    assert "整改逾期未完成" in row["reasons"]  # issued, and its deadline has passed


def test_the_writer_cannot_issue_their_own_draft(cast: Any) -> None:
    item = _draft(cast)
    page = cast.page("finance").get(f"/after/rectifications/{item.pk}/").content.decode()
    assert 'id="release-form"' not in page and 'id="revise-form"' in page  # may correct it, not issue it
    refused = cast.page("finance").post(f"/after/rectifications/{item.pk}/release/", {"decision": "issue"})
    assert refused.status_code == 403 and "起草人不能审核下达自己起草的整改事项" in refused.content.decode()
    with pytest.raises(ServiceError, match="起草人不能"):
        rectify.release(cast.user("finance"), item.pk, approve=True)
    item.refresh_from_db()
    assert item.status == "draft"


def test_another_finance_user_issues_it_and_then_the_unit_sees_it(cast: Any) -> None:
    item = _draft(cast)
    response = cast.page("finance2").post(f"/after/rectifications/{item.pk}/release/", {"decision": "issue"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.released_by.username, item.released_at is not None) == ("issued", "finance2", True)
    page = cast.page("clerk").get(f"/after/rectifications/{item.pk}/").content.decode()
    assert PROBLEM in page and "反馈整改情况" in page and "审核并下达" in page  # the step is in its record
    assert [r["id"] for r in cast.api("clerk").get("/api/after/rectifications").json()] == [item.pk]
    again = cast.page("finance2").post(f"/after/rectifications/{item.pk}/release/", {"decision": "issue"},
                                       follow=True)
    assert "不是待审核下达的草稿" in again.content.decode()


def test_the_setting_lets_the_writer_issue_their_own_draft(cast: Any, settings: Any) -> None:
    settings.JIXIAO_RECTIFY_SELF_RELEASE = True
    item = _draft(cast)
    assert 'id="release-form"' in cast.page("finance").get(f"/after/rectifications/{item.pk}/").content.decode()
    assert rectify.release(cast.user("finance"), item.pk, approve=True).status == "issued"


@pytest.mark.parametrize("who", ["clerk", "clerk2", "outsider"])
def test_who_may_not_issue_it_cannot_see_or_release_it(cast: Any, who: str) -> None:
    item = _draft(cast)
    assert cast.page(who).post(f"/after/rectifications/{item.pk}/release/", {"decision": "issue"}).status_code == 404
    item.refresh_from_db()
    assert item.status == "draft"


def test_the_departments_reviewer_does_not_see_a_finance_draft_but_reviews_a_review_draft(cast: Any) -> None:
    """A 财政评价 draft is the finance bureau's; a draft of a review problem may be issued by the reviewer too."""
    fin = _draft(cast)
    assert cast.page("reviewer").get(f"/after/rectifications/{fin.pk}/").status_code == 404
    Rectification.objects.all().delete()
    review = _draft(cast, source="review")
    assert cast.page("reviewer").get(f"/after/rectifications/{review.pk}/").status_code == 200
    assert rectify.release(cast.user("reviewer"), review.pk, approve=True).status == "issued"


def test_a_returned_draft_is_revised_by_its_writer_and_reviewed_again(cast: Any) -> None:
    item = _draft(cast)
    reviewer = cast.page("finance2")
    refused = reviewer.post(f"/after/rectifications/{item.pk}/release/", {"decision": "return"}, follow=True)
    assert "退回草稿时请写明意见" in refused.content.decode()
    reviewer.post(f"/after/rectifications/{item.pk}/release/", {"decision": "return", "opinion": "期限过短"})
    item.refresh_from_db()
    assert item.status == "draft_back"
    assert cast.page("clerk").get(f"/after/rectifications/{item.pk}/").status_code == 404  # still not the unit's
    writer = cast.page("finance")
    bad = writer.post(f"/after/rectifications/{item.pk}/revise/", {"problem": PROBLEM, "requirement": "细化目标",
                                                                   "deadline": "六月底"}, follow=True)
    assert "整改期限应为日期" in bad.content.decode()
    writer.post(f"/after/rectifications/{item.pk}/revise/", {"problem": PROBLEM, "requirement": "细化并量化目标",
                                                             "deadline": "2099-06-30"})
    item.refresh_from_db()
    assert (item.status, item.requirement, item.deadline) == ("draft", "细化并量化目标", datetime.date(2099, 6, 30))
    rectify.release(cast.user("finance2"), item.pk, approve=True)
    item.refresh_from_db()
    assert item.status == "issued"
    assert [e.action for e in item.events.all()] == ["draft", "draft_return", "revise", "issue"]
    with pytest.raises(ServiceError, match="已下达的整改事项不能再修改"):
        rectify.revise(cast.user("finance"), item.pk, PROBLEM, "改", "2099-01-01")
