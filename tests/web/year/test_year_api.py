"""The Done-when story of issue 11 through the API, and the year app's permission matrix both ways."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from django.test import Client

from jixiao.web.models import PerformanceForm
from jixiao.web.year.models import MonitorWarning, TargetDecl, TargetStage

POINTS = ("规范完整性", "明确清晰性", "目标相关性", "指标科学性", "绩效合理性", "资金匹配性", "实现可能性", "条件充分性")


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def put(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(url, data, content_type="application/json")


def grades(overall: str, worst: str | None = None) -> dict[str, str]:
    items = dict.fromkeys(POINTS, overall)
    if worst:
        items["资金匹配性"] = worst
    return items


def declare(cast: Any, record: dict[str, Any]) -> dict[str, Any]:
    response = post(cast.client("clerk_a"), "/api/year/targets", {"unit": cast.unit_a.pk, "target": record})
    assert response.status_code == 201, response.json()
    return response.json()


def approve(cast: Any, target_id: int) -> None:
    """Submitted, passed up by the 主管部门 and approved by the finance bureau (review-88's [chain])."""
    clerk, reviewer, finance = cast.client("clerk_a"), cast.client("reviewer"), cast.client("finance")
    assert post(clerk, f"/api/year/targets/{target_id}/submit").status_code == 200
    assert post(reviewer, f"/api/year/targets/{target_id}/review", {"items": grades("优")}).json()["stage"] == "to_finance"
    assert post(finance, f"/api/year/targets/{target_id}/review", {"items": grades("优")}).json()["stage"] == "approved"


def monitoring_round(cast: Any, month: int = 7) -> int:
    response = post(cast.client("finance"), "/api/year/rounds", {
        "kind": "monitor", "year": 2026, "title": "2026年1-7月运行监控", "deadline": "2026-08-15", "to_month": month})
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def test_the_year_of_a_project_through_the_api(web_cast: Any, target_record: dict[str, Any]) -> None:
    clerk, reviewer, finance = web_cast.client("clerk_a"), web_cast.client("reviewer"), web_cast.client("finance")
    # A clerk declares a target; it has no finding and is not titled or checked as a self-evaluation.
    created = declare(web_cast, target_record)
    pk = created["id"]
    assert created["findings"] == [] and created["target"]["title"] == "项目支出绩效目标申报表"
    assert post(clerk, f"/api/year/targets/{pk}/submit").json()["stage"] == "submitted"
    # The reviewer grades it 中 (worst of the points under the 88号 profile): it comes back returned.
    returned = post(reviewer, f"/api/year/targets/{pk}/review",
                    {"items": grades("优", worst="中"), "opinion": "资金测算依据不足",
                     "cells": [{"field": "funds.annual[0].amount", "comment": "请附测算依据"}]}).json()
    assert (returned["grade"], returned["outcome"], returned["stage"]) == ("中", "returned", "returned")
    # The clerk edits and resubmits; it is graded 优, approved and locked.
    edited = copy.deepcopy(returned["target"])
    edited["narratives"]["basis"] = "按 2025 年实际话务量测算"
    assert put(clerk, f"/api/year/targets/{pk}", {"target": edited, "edit": returned["edit"]}).status_code == 200
    post(clerk, f"/api/year/targets/{pk}/submit")
    passed = post(reviewer, f"/api/year/targets/{pk}/review", {"items": grades("优")}).json()
    assert (passed["outcome"], passed["stage"]) == ("forward", "to_finance")
    approved = post(finance, f"/api/year/targets/{pk}/review", {"items": grades("优")}).json()
    assert (approved["grade"], approved["stage"]) == ("优", "approved")
    assert put(clerk, f"/api/year/targets/{pk}", {"target": edited}).status_code == 403  # locked
    assert [(r["level"], r["grade"]) for r in approved["target"]["review"]] == \
        [("department", "中"), ("department", "优"), ("finance", "优")]
    # The clerk fills the July monitoring form from it: indicators copied, execution behind → M04.
    round_id = monitoring_round(web_cast)
    opened = post(clerk, f"/api/year/targets/{pk}/monitor", {"round": round_id}).json()
    record = opened["monitor"]
    assert [i["target"] for i in record["indicators"]] == \
        [i["target"] for i in target_record["indicators"] if i["set"] == "annual"]
    for row, spent in zip(record["funds"], ("40", "36", "4"), strict=True):
        row.update(adjusted=row["initial"], executed=spent, rate="40%", forecast=row["initial"])
    for ind in record["indicators"]:
        ind.update(to_date="", forecast=ind["target"].lstrip("≥≤"), likelihood="确定能")
    record["indicators"][0]["target"] = "≥1人次"  # read-only: put back from the approved target
    saved = put(clerk, f"/api/year/monitors/{opened['id']}", {"monitor": record}).json()
    assert saved["monitor"]["indicators"][0]["target"] == "≥30000人次"
    assert "M04" in {f["code"] for f in saved["findings"]}
    submitted = post(clerk, f"/api/year/monitors/{opened['id']}/submit").json()
    assert [w["kind"] for w in submitted["warnings"]] == ["execution"]
    # The finance bureau sees the warning in its view; the clerk answers it.
    view = finance.get(f"/api/year/rounds/{round_id}/warnings").json()
    assert [(w["project"], w["kind"]) for w in view["warnings"]] == [("公共法律服务平台运行维护", "execution")]
    warning_id = view["warnings"][0]["id"]
    answered = post(clerk, f"/api/year/warnings/{warning_id}/answer", {"answer": "continue", "note": "下半年集中支付"})
    assert answered.json()["answer_label"] == "继续执行"
    # After the year the self-evaluation opens with the approved indicators; changing a target gives Y01.
    started = post(clerk, f"/api/year/targets/{pk}/self").json()
    assert "form" in started, started
    form = PerformanceForm.objects.get(pk=started["form"])
    assert [i["target"] for i in form.record["indicators"]] == \
        [i["target"] for i in target_record["indicators"] if i["set"] == "annual"]
    assert started["differences"] == []
    changed = copy.deepcopy(form.record)
    changed["indicators"][0]["target"] = "≥20000人次"
    response = put(clerk, f"/api/forms/{form.pk}", {"form": changed, "version": form.version})
    assert response.status_code == 200, response.json()
    differences = clerk.get(f"/api/year/forms/{form.pk}/differences").json()["differences"]
    assert [(d["code"], d["found"], d["expected"]) for d in differences] == [("Y01", "≥20000人次", "≥30000人次")]
    stored = clerk.get(f"/api/forms/{form.pk}").json()  # the finding is the self-evaluation's own
    assert [f["message"] for f in stored["findings"] if f["code"] == "Y01"] == [differences[0]["message"]]
    # Publication of the approved target with the budget: public page and JSON, no login.
    assert post(finance, f"/api/year/targets/{pk}/publish").json()["published"] is True
    public = Client().get("/public/targets.json").json()["results"]
    assert [t["project"] for t in public] == ["公共法律服务平台运行维护"]
    assert "热线接听量" in Client().get(f"/public/targets/{pk}/").content.decode()


def test_grade_zha_rejects_and_the_target_cannot_be_edited(web_cast: Any, target_record: dict[str, Any]) -> None:
    pk = declare(web_cast, target_record)["id"]
    post(web_cast.client("clerk_a"), f"/api/year/targets/{pk}/submit")
    post(web_cast.client("reviewer"), f"/api/year/targets/{pk}/review", {"items": grades("优")})
    done = post(web_cast.client("finance"), f"/api/year/targets/{pk}/review",
                {"items": grades("良", worst="差"), "opinion": "与部门职能无关"}).json()
    assert (done["grade"], done["stage"]) == ("差", "rejected")
    assert put(web_cast.client("clerk_a"), f"/api/year/targets/{pk}", {"target": target_record}).status_code == 403
    assert post(web_cast.client("clerk_a"), f"/api/year/targets/{pk}/submit").status_code == 400


def test_a_review_needs_every_point_graded(web_cast: Any, target_record: dict[str, Any]) -> None:
    pk = declare(web_cast, target_record)["id"]
    post(web_cast.client("clerk_a"), f"/api/year/targets/{pk}/submit")
    items = grades("优")
    del items["条件充分性"]
    response = post(web_cast.client("reviewer"), f"/api/year/targets/{pk}/review", {"items": items})
    assert response.status_code == 400 and "条件充分性" in response.json()["error"]


def test_adjustment_makes_a_new_version_reviewed_again_and_both_are_kept(web_cast: Any,
                                                                        target_record: dict[str, Any]) -> None:
    clerk = web_cast.client("clerk_a")
    pk = declare(web_cast, target_record)["id"]
    approve(web_cast, pk)
    assert post(clerk, f"/api/year/targets/{pk}/adjust", {"reason": ""}).status_code == 400
    new = post(clerk, f"/api/year/targets/{pk}/adjust", {"reason": "年中追加培训任务"}).json()
    assert (new["version"], new["stage"], new["target"]["version_note"]) == (2, "draft", "目标调整：年中追加培训任务")
    record = copy.deepcopy(new["target"])
    record["indicators"][0]["target"] = "≥35000人次"
    put(clerk, f"/api/year/targets/{new['id']}", {"target": record})
    diff = clerk.get(f"/api/year/targets/{new['id']}/diff?from=1&to=2").json()["changes"]
    assert {"field": "indicators[0].target", "old": "≥30000人次", "new": "≥35000人次"} in diff
    approve(web_cast, new["id"])
    stages = dict(TargetDecl.objects.filter(lineage=pk).values_list("version", "stage"))
    assert stages == {1: TargetStage.SUPERSEDED, 2: TargetStage.APPROVED}


def test_an_unanswered_warning_past_its_deadline_is_listed_as_overdue(web_cast: Any,
                                                                     target_record: dict[str, Any]) -> None:
    pk = declare(web_cast, target_record)["id"]
    approve(web_cast, pk)
    clerk = web_cast.client("clerk_a")
    opened = post(clerk, f"/api/year/targets/{pk}/monitor", {"round": monitoring_round(web_cast)}).json()
    record = opened["monitor"]
    record["indicators"][4]["likelihood"] = "有可能"
    for ind in record["indicators"][:4]:
        ind["likelihood"] = "确定能"
    put(clerk, f"/api/year/monitors/{opened['id']}", {"monitor": record})
    post(clerk, f"/api/year/monitors/{opened['id']}/submit")
    MonitorWarning.objects.update(deadline=datetime.date(2020, 1, 1))
    view = web_cast.client("finance").get(f"/api/year/rounds/{opened['round']}/warnings").json()
    assert [w["kind"] for w in view["overdue"]] == ["unlikely"]


def test_the_live_check_reports_t_findings_of_an_unsaved_record(web_cast: Any, target_record: dict[str, Any]) -> None:
    record = copy.deepcopy(target_record)
    record["funds"]["annual"][0]["amount"] = "120"
    result = post(web_cast.client("clerk_a"), "/api/year/check/target", {"target": record}).json()
    assert [f["code"] for f in result["findings"]] == ["T01"] and result["errors"] == 1


# ---------------------------------------------------------------- the permission matrix, both ways


@pytest.mark.parametrize(("who", "status"), [
    ("clerk_a", 201), ("clerk_b", 403), ("outsider", 403), ("reviewer", 403), ("finance", 403), ("anonymous", 401)])
def test_who_may_declare_for_unit_a(web_cast: Any, target_record: dict[str, Any], who: str, status: int) -> None:
    response = post(web_cast.client(who), "/api/year/targets", {"unit": web_cast.unit_a.pk, "target": target_record})
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("clerk_a", 200), ("reviewer", 200), ("finance", 200), ("admin", 200), ("clerk_b", 404), ("outsider", 404)])
def test_who_sees_a_target_of_unit_a(web_cast: Any, target_record: dict[str, Any], who: str, status: int) -> None:
    pk = declare(web_cast, target_record)["id"]
    assert web_cast.client(who).get(f"/api/year/targets/{pk}").status_code == status
    page = web_cast.client(who).get(f"/year/targets/{pk}/")
    assert page.status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("reviewer", 200), ("finance", 403), ("clerk_a", 403), ("clerk_b", 404), ("outsider", 404)])
def test_who_may_review_a_target_waiting_for_its_department(web_cast: Any, target_record: dict[str, Any], who: str,
                                                            status: int) -> None:
    pk = declare(web_cast, target_record)["id"]
    post(web_cast.client("clerk_a"), f"/api/year/targets/{pk}/submit")
    _may_review(web_cast, who, pk, status)


def _may_review(cast: Any, who: str, pk: int, status: int) -> None:
    """The same answer in the page (its button, its POST) and the API (actions, the review)."""
    client = cast.client(who)
    shown = client.get(f"/api/year/targets/{pk}")
    assert ("review" in shown.json().get("actions", [])) == (status == 200)
    assert ('id="review-form"' in client.get(f"/year/targets/{pk}/").content.decode()) == (status == 200)
    if status != 200:
        page = client.post(f"/year/targets/{pk}/review/", {f"grade-{p}": "优" for p in POINTS})
        assert page.status_code == status
    response = post(client, f"/api/year/targets/{pk}/review", {"items": grades("优")})
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("finance", 200), ("reviewer", 403), ("clerk_a", 403), ("clerk_b", 404), ("outsider", 404)])
def test_who_may_review_a_target_the_department_passed_up(web_cast: Any, target_record: dict[str, Any], who: str,
                                                          status: int) -> None:
    pk = declare(web_cast, target_record)["id"]
    post(web_cast.client("clerk_a"), f"/api/year/targets/{pk}/submit")
    post(web_cast.client("reviewer"), f"/api/year/targets/{pk}/review", {"items": grades("优")})
    _may_review(web_cast, who, pk, status)


@pytest.mark.parametrize(("who", "status"), [("finance", 201), ("reviewer", 403), ("clerk_a", 403)])
def test_only_the_finance_bureau_opens_rounds(web_cast: Any, who: str, status: int) -> None:
    response = post(web_cast.client(who), "/api/year/rounds",
                    {"kind": "monitor", "year": 2026, "deadline": "2026-08-15", "to_month": 7})
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("finance", 200), ("reviewer", 403), ("clerk_a", 403)])
def test_only_the_finance_bureau_sees_the_monitoring_view(web_cast: Any, who: str, status: int) -> None:
    round_id = monitoring_round(web_cast)
    assert web_cast.client(who).get(f"/api/year/rounds/{round_id}/warnings").status_code == status
    assert web_cast.client(who).get(f"/year/rounds/{round_id}/warnings/").status_code == status


@pytest.mark.parametrize(("who", "status"), [("clerk_a", 201), ("clerk_b", 404), ("reviewer", 403)])
def test_who_may_open_a_monitoring_form(web_cast: Any, target_record: dict[str, Any], who: str, status: int) -> None:
    pk = declare(web_cast, target_record)["id"]
    approve(web_cast, pk)
    response = post(web_cast.client(who), f"/api/year/targets/{pk}/monitor", {"round": monitoring_round(web_cast)})
    assert response.status_code == status


def test_the_openapi_schema_describes_the_year_endpoints_and_records() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert {"/api/year/targets", "/api/year/targets/{id}/{action}", "/api/year/rounds/{id}/warnings",
            "/api/year/monitors/{id}", "/public/targets.json", "/api/year/publication"} <= set(schema["paths"])
    assert schema["components"]["schemas"]["TargetRecord"]["properties"]["schema"] == {"const": "jixiao.target/1"}


def test_grade_liang_asks_for_edits_and_the_unit_finishes_them_without_a_new_review(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    """cycle.md §2 (88号 art. 25): 良 — the unit edits as the reviewer asked and the target is approved directly."""
    clerk, reviewer = web_cast.client("clerk_a"), web_cast.client("finance")
    pk = declare(web_cast, target_record)["id"]
    post(clerk, f"/api/year/targets/{pk}/submit")
    post(web_cast.client("reviewer"), f"/api/year/targets/{pk}/review", {"items": grades("优")})
    no_opinion = post(reviewer, f"/api/year/targets/{pk}/review", {"items": grades("良")})
    assert no_opinion.status_code == 400 and "要修改什么" in no_opinion.json()["error"]
    done = post(reviewer, f"/api/year/targets/{pk}/review",
                {"items": grades("良"), "opinion": "热线接听量目标偏低，请提高到 32000 人次"}).json()
    assert (done["grade"], done["outcome"], done["stage"]) == ("良", "approved_after_edits", "edits")
    # Not approved yet: nothing follows from it until the edits are done.
    assert post(clerk, f"/api/year/targets/{pk}/self").status_code == 400
    assert post(clerk, f"/api/year/targets/{pk}/submit").status_code == 400  # no new review round

    stored = clerk.get(f"/api/year/targets/{pk}").json()
    edited = copy.deepcopy(stored["target"])
    edited["indicators"][0]["target"] = "≥32000人次"
    broken = copy.deepcopy(edited)
    broken["funds"]["annual"][1]["amount"] = "95"  # 90 + 10 ≠ 100 once more: T01
    assert put(clerk, f"/api/year/targets/{pk}", {"target": broken, "edit": stored["edit"]}).status_code == 200
    refused = post(clerk, f"/api/year/targets/{pk}/finish")
    assert refused.status_code == 400 and "错误" in refused.json()["error"]
    current = clerk.get(f"/api/year/targets/{pk}").json()
    assert put(clerk, f"/api/year/targets/{pk}", {"target": edited, "edit": current["edit"]}).status_code == 200
    assert post(reviewer, f"/api/year/targets/{pk}/finish").status_code == 403  # the unit's, not the reviewer's
    finished = post(clerk, f"/api/year/targets/{pk}/finish").json()
    assert finished["stage"] == "approved" and finished["target"]["indicators"][0]["target"] == "≥32000人次"
    assert [r["grade"] for r in clerk.get(f"/api/year/targets/{pk}").json()["reviews"]] == ["优", "良"]  # no new round
    assert put(clerk, f"/api/year/targets/{pk}", {"target": edited, "edit": finished["edit"]}).status_code == 403


def test_a_round_covers_the_departments_it_names_and_says_how_far_it_has_got(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    """Issue 11 point 6: a round is opened for some departments (their units) or all; the units outside it
    cannot fill in its forms, and the list shows each round's forms due and handed in."""
    pk = declare(web_cast, target_record)["id"]
    approve(web_cast, pk)
    finance, clerk = web_cast.client("finance"), web_cast.client("clerk_a")
    other = post(finance, "/api/year/rounds", {"kind": "monitor", "year": 2026, "title": "教育局1-7月监控",
                                              "deadline": "2026-08-15", "to_month": 7,
                                              "departments": [web_cast.unit_c.parent_id]})
    assert other.status_code == 201, other.json()
    assert [d["name"] for d in other.json()["departments"]] == ["鄂尔多斯市教育局"]
    refused = post(clerk, f"/api/year/targets/{pk}/monitor", {"round": other.json()["id"]})
    assert refused.status_code == 403 and "不含单位甲所属的主管部门" in refused.json()["error"]
    assert "教育局1-7月监控" not in clerk.get(f"/year/targets/{pk}/").content.decode()

    ours = monitoring_round(web_cast)  # all departments
    assert post(clerk, f"/api/year/targets/{pk}/monitor", {"round": ours}).status_code == 201
    rounds = {r["id"]: r for r in finance.get("/api/year/rounds").json()["results"]}
    assert rounds[ours]["coverage"]["due"] == 1 and rounds[ours]["coverage"]["done"] == 0
    assert rounds[other.json()["id"]]["coverage"]["due"] == 0  # 单位丙 declared nothing
    page = finance.get("/year/rounds/").content.decode()
    assert "已报送 0 / 应报 1" in page and "全部主管部门" in page
    bad = post(finance, "/api/year/rounds", {"kind": "monitor", "year": 2026, "deadline": "2026-08-15",
                                            "to_month": 7, "departments": [web_cast.unit_a.pk]})
    assert bad.status_code == 400 and "主管部门有误" in bad.json()["error"]
