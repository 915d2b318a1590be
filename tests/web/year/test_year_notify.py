"""The year's workflows tell people what waits for them, as the self-evaluation's do (jixiao.web.notify): a
submitted declaration reaches the reviewers of the level it waits for, a return, a 良 to be edited, an approval
or a rejection reaches the unit's clerks, a monitoring form's 预警 reach the unit and the finance bureau, and
the unit's answer to a 预警 the finance bureau."""

from __future__ import annotations

import datetime
from typing import Any

from jixiao.web.notify.models import Notification
from jixiao.web.year import monitoring
from jixiao.web.year import services as year
from jixiao.web.year.models import RoundKind
from jixiao.year_files import review_profile

Kind = Notification.Kind


def grades(grade: str) -> dict[str, str]:
    return dict.fromkeys(review_profile().point_names, grade)


def titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))


def submitted(cast: Any, record: dict[str, Any]) -> Any:
    return year.submit_target(cast.clerk_a, year.save_target(cast.clerk_a, record, unit=cast.unit_a))


def test_a_submitted_declaration_waits_for_the_departments_reviewer_and_then_the_finance_bureau(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    [waiting] = titles(web_cast.reviewer)
    assert decl.project in waiting and "等待主管部门审核" in waiting and web_cast.unit_a.name in waiting
    assert Notification.objects.get(user=web_cast.reviewer).url == f"/year/targets/{decl.pk}/"
    assert not titles(web_cast.finance) and not titles(web_cast.clerk_b) and not titles(web_cast.outsider)
    year.review_target(web_cast.reviewer, decl, grades("优"))
    [to_finance] = titles(web_cast.finance)
    assert "等待财政审核" in to_finance
    [passed] = titles(web_cast.clerk_a)
    assert "已通过主管部门审核" in passed


def test_the_unit_hears_a_return_with_the_opinion_and_an_approval(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = submitted(web_cast, target_record)
    year.review_target(web_cast.reviewer, decl, grades("中"), "请细化数量指标。")
    returned = Notification.objects.filter(user=web_cast.clerk_a, kind=Kind.RETURNED).get()
    assert "被主管部门退回" in returned.title and "请细化数量指标" in returned.title
    decl = year.submit_target(web_cast.clerk_a, decl)
    decl = year.review_target(web_cast.reviewer, decl, grades("优")).target
    year.review_target(web_cast.finance, decl, grades("优"))
    assert any("绩效目标已批复" in t for t in titles(web_cast.clerk_a))
    assert not titles(web_cast.clerk_b)


def test_a_good_grade_asks_for_edits_and_the_edits_are_told_to_the_reviewer(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = year.review_target(web_cast.reviewer, submitted(web_cast, target_record), grades("优")).target
    decl = year.review_target(web_cast.finance, decl, grades("良"), "满意度目标值调为90%。").target
    assert any("请按意见修改" in t and "满意度目标值" in t for t in titles(web_cast.clerk_a))
    year.finish_edits(web_cast.clerk_a, decl)
    assert any("已按审核意见修改" in t for t in titles(web_cast.finance))


def test_a_reported_monitoring_form_with_warnings_asks_the_unit_to_answer(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = year.review_target(web_cast.reviewer, submitted(web_cast, target_record), grades("优")).target
    decl = year.review_target(web_cast.finance, decl, grades("优")).target
    round_ = monitoring.create_round(web_cast.finance, RoundKind.MONITOR, decl.year, "1-7月监控",
                                     datetime.date(decl.year, 8, 15), to_month=7)
    form = monitoring.open_monitor(web_cast.clerk_a, decl, round_)
    record = dict(form.record)
    for row, spent in zip(record["funds"], ("40", "36", "4"), strict=True):  # execution behind by July: 预警
        row.update(adjusted=row["initial"], executed=spent, rate="40%", forecast=row["initial"])
    for ind in record["indicators"]:
        ind.update(to_date="", forecast=ind["target"].lstrip("≥≤"), likelihood="确定能")
    form = monitoring.save_monitor(web_cast.clerk_a, form, record)
    Notification.objects.all().delete()
    form = monitoring.submit_monitor(web_cast.clerk_a, form, today=datetime.date(decl.year, 8, 10))
    count = form.warnings.count()
    assert count
    [told] = titles(web_cast.clerk_a)
    assert f"{count} 条预警" in told and "前逐条答复" in told
    assert any(decl.project in t and "预警" in t for t in titles(web_cast.finance))
    Notification.objects.all().delete()
    warning = form.warnings.first()
    monitoring.answer_warning(web_cast.clerk_a, warning, monitoring.Answer.ADJUST, "调剂至下半年的培训支出")
    [heard] = titles(web_cast.finance)  # the finance bureau tracks the answers
    assert "答复了" in heard and monitoring.ANSWERS[monitoring.Answer.ADJUST] in heard and "调剂至下半年" in heard
    assert titles(web_cast.clerk_a) == []
