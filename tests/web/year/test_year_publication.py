"""Publication per kind within its days after approval (docs/cycle.md §6.7; jixiao/data/year/publication.toml):
approved targets 随预算公开, self-evaluations 随决算公开; the finance bureau sees what is overdue."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.utils import timezone

from jixiao.web.review.models import ReviewEvent
from jixiao.web.review.workflow import transition
from jixiao.web.year import disclosure
from jixiao.web.year import services as year
from jixiao.web.year.models import TargetDecl
from jixiao.year_files import publication_rules, review_profile

GRADES = dict.fromkeys(review_profile().point_names, "优")


def approved_target(cast: Any, record: dict[str, Any]) -> TargetDecl:
    decl = year.submit_target(cast.clerk_a, year.save_target(cast.clerk_a, record, unit=cast.unit_a))
    decl = year.review_target(cast.reviewer, decl, GRADES).target
    return year.review_target(cast.finance, decl, GRADES).target


def test_the_rules_file_gives_each_kind_its_channel_and_20_days_with_a_source() -> None:
    rules = publication_rules()
    assert [(k.kind, k.channel, k.days) for k in rules.kinds] == [
        ("target", "随预算公开", 20), ("self", "随决算公开", 20), ("dept", "随决算公开", 20)]
    assert all("预算法" in k.source for k in rules.kinds)


def test_a_target_unpublished_20_days_after_approval_is_overdue(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = approved_target(web_cast, target_record)
    approved = timezone.localtime(decl.approved_at).date()
    on_day_20 = disclosure.publication_view(web_cast.finance, approved + datetime.timedelta(days=20))
    targets = on_day_20["kinds"][0]
    assert targets["rows"][0]["deadline"] == (approved + datetime.timedelta(days=20)).isoformat()
    assert targets["overdue"] == [] and targets["short_of_share"] is True  # 0 of 1 published < 60 %
    day_21 = disclosure.publication_view(web_cast.finance, approved + datetime.timedelta(days=21))["kinds"][0]
    assert [r["project"] for r in day_21["overdue"]] == [decl.project]
    year.publish_target(web_cast.finance, decl)
    after = disclosure.publication_view(web_cast.finance, approved + datetime.timedelta(days=21))["kinds"][0]
    assert after["overdue"] == [] and after["rows"][0]["status"] == "published" and after["share"] == "100.00%"


def test_a_self_evaluation_counts_from_the_finance_bureaus_last_step(web_cast: Any) -> None:
    form = web_cast.form_a
    form = transition(form, web_cast.clerk_a, "submit", "说明")
    form = transition(form, web_cast.reviewer, "approve")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    ReviewEvent.objects.filter(form=form, action="approve").update(at=long_ago)
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    assert [r["project"] for r in kinds["self"]["overdue"]] == [form.project]
    assert kinds["self"]["channel"] == "随决算公开"
    transition(form, web_cast.finance, "publish")
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    assert kinds["self"]["overdue"] == [] and kinds["self"]["rows"][0]["status"] == "late"


def test_the_days_are_the_rules_file_s(web_cast: Any, target_record: dict[str, Any], monkeypatch: Any) -> None:
    rules = publication_rules()
    longer = dataclasses.replace(rules, kinds=tuple(dataclasses.replace(k, days=60) for k in rules.kinds))
    monkeypatch.setattr(disclosure, "publication_rules", lambda: longer)
    decl = approved_target(web_cast, target_record)
    day_30 = timezone.localtime(decl.approved_at).date() + datetime.timedelta(days=30)
    assert disclosure.publication_view(web_cast.finance, day_30)["kinds"][0]["overdue"] == []


@pytest.mark.parametrize(("who", "status"), [("finance", 200), ("reviewer", 403), ("clerk_a", 403),
                                             ("anonymous", 401)])
def test_only_the_finance_bureau_sees_the_disclosure_list(web_cast: Any, target_record: dict[str, Any], who: str,
                                                          status: int) -> None:
    decl = approved_target(web_cast, target_record)
    TargetDecl.objects.filter(pk=decl.pk).update(approved_at=timezone.now() - datetime.timedelta(days=40))
    client = web_cast.client(who)
    api = client.get("/api/year/publication")
    assert api.status_code == status
    page = client.get("/year/publication/")
    assert page.status_code == (302 if who == "anonymous" else status)
    if status == 200:
        assert api.json()["kinds"][0]["overdue"][0]["project"] == decl.project
        html = page.content.decode()
        assert "逾期未公开" in html and "随预算公开" in html and "随决算公开" in html and "预算法" in html


def test_a_department_wide_form_is_listed_with_its_rule_but_no_deadline_without_an_approval_time(
        web_cast: Any) -> None:
    from jixiao.web.after.models import DeptSelfEvaluation

    DeptSelfEvaluation.objects.create(department=web_cast.department, year=2025, record={},
                                      stage=DeptSelfEvaluation.Stage.APPROVED)
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    assert kinds["dept"]["channel"] == "随决算公开" and kinds["dept"]["days"] == 20
    assert [(r["unit"], r["status_label"], r["deadline"]) for r in kinds["dept"]["rows"]] == \
        [("鄂尔多斯市司法局", "未记录批复时间", "")]
    assert kinds["dept"]["overdue"] == []


def test_a_department_wide_form_counts_its_days_from_the_finance_bureaus_approval(web_cast: Any) -> None:
    from jixiao.web.after import dept
    from jixiao.web.after.models import DeptSelfEvaluation

    stored = DeptSelfEvaluation.objects.create(department=web_cast.department, year=2025, record={},
                                               stage=DeptSelfEvaluation.Stage.SUBMITTED)
    dept.transition(web_cast.finance, stored, "approve")
    stored.refresh_from_db()
    assert stored.approved_at is not None and stored.published_at is None
    approved = timezone.localtime(stored.approved_at).date()
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    (row,) = kinds["dept"]["rows"]
    assert (row["deadline"], row["status_label"], row["url"]) == \
        ((approved + datetime.timedelta(days=20)).isoformat(), "待公开", f"/after/dept/{stored.pk}/")
    # 21 days later, still unpublished: overdue; then published late
    later = DeptSelfEvaluation.objects.filter(pk=stored.pk)
    later.update(approved_at=stored.approved_at - datetime.timedelta(days=21))
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    assert [r["status_label"] for r in kinds["dept"]["overdue"]] == ["逾期未公开"]
    dept.transition(web_cast.finance, later.get(), "publish")
    kinds = {k["kind"]: k for k in disclosure.publication_view(web_cast.finance)["kinds"]}
    assert [r["status_label"] for r in kinds["dept"]["rows"]] == ["逾期后公开"]
