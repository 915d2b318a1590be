"""The review chain of a target (docs/cycle.md §2.6 Procedure, 88号 art. 26; review-88's [chain]): its 主管部门
reviews first and passes it up or returns it to the unit; the finance bureau, reading the department's opinion,
reviews next and its grade decides. Both reviews keep their grades, points and cell comments."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jixiao.web.models import Membership, Org, Role
from jixiao.web.year import monitoring
from jixiao.web.year import services as year
from jixiao.web.year.models import TargetReview, TargetStage
from jixiao.year_files import review_profile

POINTS = review_profile().point_names


def grades(overall: str, worst: str | None = None) -> dict[str, str]:
    items = dict.fromkeys(POINTS, overall)
    if worst:
        items["资金匹配性"] = worst
    return items


def submitted(cast: Any, record: dict[str, Any], unit: Org | None = None) -> Any:
    unit = unit or cast.unit_a
    clerk = cast.clerk_a if unit == cast.unit_a else cast.outsider
    return year.submit_target(clerk, year.save_target(clerk, record, unit=unit))


def test_the_department_passes_it_up_and_the_finance_grade_decides(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    assert decl.stage == TargetStage.SUBMITTED
    passed = year.review_target(web_cast.reviewer, decl, grades("良"), "基本可行", [
        {"field": "indicators[0].value", "comment": "目标值偏低"}])
    assert (passed.level, passed.outcome, passed.target.stage) == ("department", "forward", TargetStage.TO_FINANCE)
    assert passed.target.rounds == 0  # the round goes on at the finance bureau
    seen = year.department_opinion(passed.target)
    assert seen is not None and seen.pk == passed.pk
    done = year.review_target(web_cast.finance, passed.target, grades("优"), "", [
        {"field": "funds[1].amount", "comment": "拨款已核"}])
    assert (done.level, done.grade, done.target.stage) == ("finance", "优", TargetStage.APPROVED)
    stored = list(TargetReview.objects.filter(target=decl).order_by("id").values_list("level", "grade", "items", "cells"))
    assert stored == [("department", "良", grades("良"), [{"field": "indicators[0].value", "comment": "目标值偏低"}]),
                      ("finance", "优", grades("优"), [{"field": "funds[1].amount", "comment": "拨款已核"}])]
    assert [(r["level"], r["grade"]) for r in done.target.record["review"]] == [("department", "良"), ("finance", "优")]


def test_a_department_return_sends_it_back_to_the_unit_and_the_resubmission_to_the_department(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    with pytest.raises(year.errors.ServiceError, match="审核意见"):
        year.review_target(web_cast.reviewer, decl, grades("优", worst="中"))
    back = year.review_target(web_cast.reviewer, decl, grades("优", worst="中"), "请补充测算依据").target
    assert (back.stage, back.rounds) == (TargetStage.RETURNED, 1)
    assert "edit" in year.target_actions(web_cast.clerk_a, back)
    assert year.submit_target(web_cast.clerk_a, back).stage == TargetStage.SUBMITTED


@pytest.mark.parametrize(("after", "stage"), [("department", TargetStage.SUBMITTED),
                                              ("finance", TargetStage.TO_FINANCE)])
def test_after_a_finance_return_the_resubmission_goes_where_the_profile_says(
        web_cast: Any, target_record: dict[str, Any], monkeypatch: Any, after: str, stage: str) -> None:
    monkeypatch.setattr(year, "review_profile", lambda: dataclasses.replace(review_profile(), after_finance_return=after))
    decl = year.review_target(web_cast.reviewer, submitted(web_cast, target_record), grades("优")).target
    back = year.review_target(web_cast.finance, decl, grades("中"), "绩效指标不够细化").target
    assert back.stage == TargetStage.RETURNED
    assert year.submit_target(web_cast.clerk_a, back).stage == stage


def test_without_a_department_review_in_the_profile_it_goes_straight_to_the_finance_bureau(
        web_cast: Any, target_record: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(year, "review_profile", lambda: dataclasses.replace(review_profile(), department_review=False))
    decl = submitted(web_cast, target_record)
    assert decl.stage == TargetStage.TO_FINANCE
    with pytest.raises(year.errors.PermissionDenied):
        year.review_target(web_cast.reviewer, decl, grades("优"))
    assert year.review_target(web_cast.finance, decl, grades("优")).target.stage == TargetStage.APPROVED


def test_a_unit_with_no_department_above_it_goes_straight_to_the_finance_bureau(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    direct = Org.objects.create(name="财政直属单位", kind=Org.Kind.UNIT, parent=web_cast.finance_org)
    Membership.objects.create(user=web_cast.outsider, org=direct, role=Role.FILLER)
    web_cast.outsider._jixiao_memberships = None
    assert submitted(web_cast, target_record, unit=direct).stage == TargetStage.TO_FINANCE


def test_a_cell_comment_must_be_on_a_cell_of_the_form(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    with pytest.raises(year.errors.ServiceError, match=r"单元格「indicators\[99\].value」不在此申报表中"):
        year.review_target(web_cast.reviewer, decl, grades("优"), "", [{"field": "indicators[99].value", "comment": "x"}])


def test_a_reviewer_of_another_department_sees_and_reviews_none_of_its_units(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("reviewer_edu", password="x")
    Membership.objects.create(user=other, org=web_cast.unit_c.parent, role=Role.REVIEWER)
    decl = submitted(web_cast, target_record)
    client = Client()
    client.force_login(other)
    assert client.get("/api/year/targets").json()["results"] == []
    assert client.get(f"/api/year/targets/{decl.pk}").status_code == 404
    assert client.get(f"/year/targets/{decl.pk}/").status_code == 404
    assert client.post(f"/api/year/targets/{decl.pk}/review", {"items": grades("优")},
                       content_type="application/json").status_code == 404
    assert "公共法律服务平台运行维护" not in client.get("/year/").content.decode()
    # The finance bureau sees every department's units.
    assert [t["id"] for t in web_cast.client("finance").get("/api/year/targets").json()["results"]] == [decl.pk]


def test_the_api_gives_the_finance_bureau_the_department_opinion(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    year.review_target(web_cast.reviewer, decl, grades("优"), "同意报送",
                       [{"field": "indicators[0].value", "comment": "可再提高"}])
    shown = web_cast.client("finance").get(f"/api/year/targets/{decl.pk}").json()
    assert shown["stage"] == "to_finance" and "review" in shown["actions"]
    assert shown["department_review"]["opinion"] == "同意报送"
    assert shown["department_review"]["items"] == grades("优")
    assert shown["department_review"]["cells"] == [{"field": "indicators[0].value", "comment": "可再提高"}]


def test_round_coverage_is_a_fixed_number_of_queries(web_cast: Any, target_record: dict[str, Any]) -> None:
    """monitoring.coverage on the rounds page and /api/year/rounds: the same count of queries for any round."""
    finance = web_cast.finance
    counts = []
    for kind, month, departments in (("monitor", 7, []), ("target", None, []), ("self", None, []),
                                     ("monitor", 7, [web_cast.department.pk, web_cast.unit_c.parent_id])):
        round_ = monitoring.create_round(finance, kind, 2026, "", datetime.date(2026, 8, 1), month,
                                         14, departments)
        round_ = type(round_).objects.prefetch_related("departments").get(pk=round_.pk)
        with CaptureQueriesContext(connection) as queries:
            monitoring.coverage(round_)
        counts.append(len(queries))
    assert counts == [1, 1, 1, 1]
    client = web_cast.client("finance")
    for url in ("/api/year/rounds", "/year/rounds/"):
        with CaptureQueriesContext(connection) as listed:
            assert client.get(url).status_code == 200
        monitoring.create_round(finance, "self", 2026, "", datetime.date(2026, 9, 1))
        submitted(web_cast, target_record)  # more data in the counts
        with CaptureQueriesContext(connection) as again:
            client.get(url)
        assert len(again) == len(listed) + 1, url  # one more round: its one counting query, nothing else


def test_the_review_list_is_small_rows_not_annotated_model_instances(web_cast: Any,
                                                                     target_record: dict[str, Any]) -> None:
    from jixiao.core import target as tgt
    from jixiao.reports.year import target_layout
    from jixiao.web.year import presenters

    decl = submitted(web_cast, target_record)
    year.review_target(web_cast.reviewer, decl, grades("中"), "请修改", [{"field": "indicators[0].value", "comment": "偏低"}])
    rows = presenters.reviews_with_labels(decl, target_layout(tgt.from_record(decl.record)))
    assert [type(r) for r in rows] == [presenters.ReviewRow]
    assert rows[0].level_label == "主管部门" and rows[0].outcome_label == "退回修改"
    assert [(n.field, n.comment) for n in rows[0].notes] == [("indicators[0].value", "偏低")]
    assert dataclasses.is_dataclass(rows[0]) and not hasattr(decl.reviews.get(), "cell_notes")
