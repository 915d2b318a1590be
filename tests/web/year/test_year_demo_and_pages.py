"""The demo's year (an approved target and a July monitoring form per seed project, the next year's declarations
in each state), and the year pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.web.demo import demo_story
from jixiao.web.models import PerformanceForm
from jixiao.web.year.models import MonitorForm, TargetDecl, TargetStage, YearRound


def test_the_next_years_declarations_stand_in_each_state_of_the_review(demo_passwords: Any) -> None:
    stages = list(TargetDecl.objects.filter(year=2020).order_by("id").values_list("stage", flat=True))
    assert stages == ["approved", "to_finance", "submitted", "returned", "edits", "draft"]
    assert len(stages) == len(demo_story()["year"]["next_year"])
    returned = TargetDecl.objects.get(year=2020, stage=TargetStage.RETURNED)
    (review,) = returned.reviews.all()
    assert (review.level, review.reviewer.username, review.grade) == ("department", "reviewer", "中")
    assert review.opinion  # the unit is told what to change
    approved = TargetDecl.objects.get(year=2020, stage=TargetStage.APPROVED)
    assert [r.reviewer.username for r in approved.reviews.order_by("id")] == ["reviewer", "finance"]


POINTS = ("规范完整性", "明确清晰性", "目标相关性", "指标科学性", "绩效合理性", "资金匹配性", "实现可能性", "条件充分性")


def test_the_demo_holds_an_approved_target_and_a_july_monitoring_form_per_seed_project(demo_passwords: Any) -> None:
    projects = sorted(PerformanceForm.objects.values_list("project", flat=True))
    targets = TargetDecl.objects.filter(year=2019)
    assert sorted(targets.filter(stage=TargetStage.APPROVED).values_list("project", flat=True)) == projects
    assert all([r["level"] for r in t.record["review"]] == ["department", "finance"] for t in targets)
    assert all(t.published for t in targets)  # with the budget: the public page lists them
    assert "包联驻村专项经费" in Client().get("/public/targets/").content.decode()
    monitors = MonitorForm.objects.select_related("round")
    assert sorted(m.target.project for m in monitors) == projects
    assert {m.record["period"]["to_month"] for m in monitors} == {7}
    assert YearRound.objects.filter(kind="monitor", to_month=7).count() == 1
    assert monitors.filter(submitted=False).count() == demo_story()["year"]["unreported"]  # still to report: the round's view shows who
    # The seed's forms are the self-evaluations of these targets: none differs from its target.
    assert not any(f.code == "Y01" for form in PerformanceForm.objects.all() for f in form.findings.all())


def test_the_demo_finance_view_lists_the_warnings_of_late_execution(demo_passwords: Any) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="finance"))
    round_id = YearRound.objects.get(kind="monitor").pk
    view = client.get(f"/api/year/rounds/{round_id}/warnings").json()
    # 7/12 of each project's spending in the year: those that spent little are behind the time progress.
    assert {w["project"] for w in view["warnings"] if w["kind"] == "execution"} >= {"离退休干部专项经费"}
    page = client.get(f"/year/rounds/{round_id}/warnings/").content.decode()
    assert "预算执行预警" in page


def test_a_declaration_through_the_editor_page_is_checked_and_reviewed_on_pages(web_cast: Any) -> None:
    clerk, reviewer = web_cast.client("clerk_a"), web_cast.client("reviewer")
    fields = {
        "unit_id": str(web_cast.unit_a.pk), "project": "人民调解员培训", "year": "2026", "attribute": "新增",
        "funds.annual[0].kind": "total", "funds.annual[0].label": "年度资金总额", "funds.annual[0].amount": "20",
        "funds.annual[1].kind": "appropriation", "funds.annual[1].label": "其中：财政拨款",
        "funds.annual[1].amount": "15",
        "goals.annual": "培训人民调解员 300 人次\n调解成功率不低于 95%",
        "indicators[0].set": "annual", "indicators[0].level1": "产出指标", "indicators[0].level2": "数量指标",
        "indicators[0].name": "培训人民调解员", "indicators[0].target": "≥300人次", "indicators[0].core": "on",
        "indicators[1].set": "annual", "indicators[1].name": "", "indicators[1].target": "",  # a blank row
    }
    response = clerk.post("/year/targets/new/", fields)
    assert response.status_code == 302
    decl = TargetDecl.objects.get(project="人民调解员培训")
    assert decl.record["goals"]["annual"] == ["培训人民调解员 300 人次", "调解成功率不低于 95%"]
    assert [(i["level1"], i["level2"], i["name"]) for i in decl.record["indicators"]] == \
        [("产出指标", "数量指标", "培训人民调解员")]
    assert decl.record["indicators"][0]["core"] is True
    page = clerk.get(f"/year/targets/{decl.pk}/").content.decode()
    assert "T01" in page and "T03" in page  # 20 ≠ 15, and no 效益/满意度 indicators
    assert clerk.post(f"/year/targets/{decl.pk}/submit/").status_code == 400  # T01 is an error
    fields["funds.annual[0].amount"] = "15"
    fields["edit"] = str(decl.edit)
    assert clerk.post(f"/year/targets/{decl.pk}/", fields).status_code == 302
    assert clerk.post(f"/year/targets/{decl.pk}/submit/").status_code == 302
    review_page = reviewer.get(f"/year/targets/{decl.pk}/").content.decode()
    assert all(point in review_page for point in POINTS)
    grades = {f"grade-{p}": "优" for p in POINTS}
    assert reviewer.post(f"/year/targets/{decl.pk}/review/", {**grades, "opinion": "同意报送"}).status_code == 302
    decl.refresh_from_db()
    assert decl.stage == TargetStage.TO_FINANCE  # the 主管部门 passed it up (review-88 [chain])
    assert reviewer.post(f"/year/targets/{decl.pk}/review/", grades).status_code == 403  # not its level now
    finance = web_cast.client("finance")
    finance_page = finance.get(f"/year/targets/{decl.pk}/").content.decode()
    opinion = finance_page.split('id="department-opinion"')[1].split("</div>")[0]
    assert "reviewer" in opinion and "同意报送" in opinion and "规范完整性：优" in opinion
    assert finance.post(f"/year/targets/{decl.pk}/review/", grades).status_code == 302
    decl.refresh_from_db()
    assert decl.stage == TargetStage.APPROVED
    assert [(r["level"], r["grade"]) for r in decl.record["review"]] == [("department", "优"), ("finance", "优")]
    assert decl.record["indicators"][0]["level1"] == "产出指标"  # kept through the edit
    approved_page = clerk.get(f"/year/targets/{decl.pk}/").content.decode()
    assert 'name="project"' not in approved_page  # locked: the form in its layout, no editor
    assert "项目支出绩效目标申报表" in approved_page and "目标调整" in approved_page
    assert web_cast.client("clerk_b").get(f"/year/targets/{decl.pk}/").status_code == 404
    line = clerk.get(f"/year/project/{decl.pk}/").content.decode()
    assert "第 1 版" in line and "运行监控" in line and "自评" in line


def test_a_reviewer_picks_the_cell_to_comment_on_and_the_comment_is_drawn_on_it(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    from jixiao.web.year.services import save_target, submit_target

    decl = submit_target(web_cast.clerk_a, save_target(web_cast.clerk_a, target_record, unit=web_cast.unit_a))
    reviewer = web_cast.client("reviewer")
    page = reviewer.get(f"/year/targets/{decl.pk}/").content.decode()
    # The cells are offered by what they show, not as record paths to type.
    assert '<option value="indicators[0].value">' in page and "热线接听量" in page
    grades = {f"grade-{p}": "优" for p in POINTS}
    response = reviewer.post(f"/year/targets/{decl.pk}/review/", {
        **grades, "grade-资金匹配性": "中", "opinion": "目标偏低", "field": "indicators[0].value",
        "cell_comment": "请按上年实际提高"})
    assert response.status_code == 302
    page = reviewer.get(f"/year/targets/{decl.pk}/").content.decode()
    assert 'data-field="indicators[0].value" class=" commented" title="审核意见：请按上年实际提高"' in page
    assert '<span class="cell-comment">审核意见：请按上年实际提高</span>' in page
    # The clerk, editing the returned version, reads the comment by the cell it is on, not its record path.
    clerk = web_cast.client("clerk_a").get(f"/year/targets/{decl.pk}/").content.decode()
    assert '<span data-field="indicators[0].value">' in clerk and "indicators[0].value：" not in clerk
    assert "30000" in clerk.split('<span data-field="indicators[0].value">')[1].split("</span>")[0]


def test_each_cell_comment_is_shown_beside_the_editor_input_of_its_cell(
        web_cast: Any, target_record: dict[str, Any]) -> None:
    """A comment on a split 指标值 goes by the whole 指标值 input, one on a fund row by that set's and kind's
    amount, on a goal line by its set's text box, on a 项目说明 by its text box; none beside other inputs."""
    import re

    from jixiao.web.year.services import review_target, save_target, submit_target

    record = {**target_record, "narratives": {"basis": "依据《公共法律服务体系建设规划》"}}
    decl = submit_target(web_cast.clerk_a, save_target(web_cast.clerk_a, record, unit=web_cast.unit_a))
    cells = [{"field": "indicators[0].value", "comment": "目标偏低"}, {"field": "funds[5].amount", "comment": "其他资金来源？"},
             {"field": "goals.annual[0]", "comment": "请量化"}, {"field": "narratives.basis", "comment": "请注明文号"}]
    review_target(web_cast.reviewer, decl, dict.fromkeys(POINTS, "中"), "请修改", cells)
    page = web_cast.client("clerk_a").get(f"/year/targets/{decl.pk}/").content.decode()

    def beside(name: str) -> list[str]:
        """The notes after the input (or text box) named `name` and before the next named field."""
        chunk = page.split(f'name="{name}"', 1)[1].split('name="', 1)[0]
        return re.findall(r'<span class="cell-note" data-field="[^"]+">([^<]+)</span>', chunk)

    assert beside("indicators[0].target") == ["主管部门·reviewer：目标偏低"]
    assert beside("funds.annual[3].amount") == ["主管部门·reviewer：其他资金来源？"]
    assert beside("goals.annual") == ["主管部门·reviewer：请量化"]
    assert beside("narratives.basis") == ["主管部门·reviewer：请注明文号"]
    assert page.count('class="cell-note"') == 4  # nowhere else
    assert "依据《公共法律服务体系建设规划》</textarea>" in page  # the 项目说明 is in the editor, so a save keeps it
