"""The demo department's department-wide form in the web app: filled in from its stored project forms, clean,
exported and read back; its 自评报告 edited in the browser's form and checked."""

from __future__ import annotations

from typing import Any

import pytest

from jixiao.core.dept import to_record
from jixiao.dept_files import builtin_dept_profiles
from jixiao.dept_services import demo_dept_form
from jixiao.formats.dept import read_dept
from jixiao.web.after.models import DeptSelfEvaluation


def stored() -> DeptSelfEvaluation:
    return DeptSelfEvaluation.objects.get(year=2019)


def test_the_demo_form_is_filled_from_the_stored_project_forms(cast: Any) -> None:
    record = stored().record
    assert record["projects"] == {"count": "11", "average": "97.71"}
    project = next(f for f in record["funds"] if f["kind"] == "project")
    assert (project["adjusted"], project["executed"], project["rate"]) == ("335", "311.99", "93.13%")
    assert record == to_record(demo_dept_form())  # the same record as from the seed file itself


def test_the_page_shows_the_score_and_no_finding(cast: Any) -> None:
    page = cast.page("reviewer").get(f"/after/dept/{stored().pk}/").content.decode()
    assert 'id="dept-total">95.59<' in page and "未发现问题" in page and "部门预算执行情况（万元）" in page


def test_a_printed_figure_that_disagrees_with_the_projects_is_shown(cast: Any) -> None:
    dept = stored()
    dept.record = {**dept.record, "projects": {"count": "10", "average": "97.71"}}
    dept.save()
    page = cast.page("reviewer").get(f"/after/dept/{dept.pk}/").content.decode()
    assert "D07" in page and "本部门在系统中的项目自评表为 11 张" in page


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_the_exported_form_reads_back_to_the_stored_record(cast: Any, fmt: str) -> None:
    response = cast.page("clerk").get(f"/after/dept/{stored().pk}.{fmt}")
    assert response.status_code == 200
    (found,) = read_dept(response.content, f"dept.{fmt}", builtin_dept_profiles())
    assert to_record(found.form) == stored().record


@pytest.mark.parametrize("who", ["outsider", "clerk2"])
def test_who_cannot_see_the_department_cannot_see_its_form(cast: Any, who: str) -> None:
    assert cast.page(who).get(f"/after/dept/{stored().pk}/").status_code == 404
    assert cast.page(who).get(f"/after/dept/{stored().pk}/report/").status_code == 404


def test_the_report_is_generated_edited_and_checked(cast: Any) -> None:
    pk = stored().pk
    page = cast.page("clerk").get(f"/after/dept/{pk}/report/").content.decode()
    assert "一（一） 项目概况" in page and "全年预算数 1050 万元" in page and "N01" in page
    cast.page("clerk").post(f"/after/dept/{pk}/report/", {
        "section:二（一）": "评价本部门 2019 年度整体支出。", "section:二（二）": "按 53 号框架评分。",
        "section:二（三）": "成立自评小组逐项核对。", "section:六": "建议细化预算编制。",
        "section:三": "本部门自评得分 95.59 分，评价等级为“良”。", "cover:filler": "王敏", "cover:leader": "李强"})
    report = stored().report
    assert report["cover"]["filler"] == "王敏"
    page = cast.page("clerk").get(f"/after/dept/{pk}/report/").content.decode()
    assert "N04" in page and "N01" not in page
    docx = cast.page("clerk").get(f"/after/dept/{pk}/report.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_only_the_department_clerk_writes_the_report(cast: Any) -> None:
    response = cast.page("reviewer").post(f"/after/dept/{stored().pk}/report/", {"section:六": "x"})
    assert response.status_code == 403 and stored().report is None


def test_the_clerk_edits_a_cell_and_the_form_is_checked_again(cast: Any) -> None:
    pk = stored().pk
    editor = cast.page("clerk").get(f"/after/dept/{pk}/edit/").content.decode()
    assert 'name="cell:indicators[9].score"' in editor and 'value="9.47"' in editor
    cast.page("clerk").post(f"/after/dept/{pk}/edit/", {"cell:indicators[9].score": "9.9"})
    assert stored().record["indicators"][9]["score"] == "9.9"
    page = cast.page("clerk").get(f"/after/dept/{pk}/").content.decode()
    assert "D02" in page and "D04" in page
    bad = cast.page("clerk").post(f"/after/dept/{pk}/edit/", {"cell:indicators[99].score": "1"}, follow=True)
    assert "不是部门整体自评表中的单元格" in bad.content.decode()
    assert cast.page("reviewer").post(f"/after/dept/{pk}/edit/", {"cell:total": "1"}).status_code == 403


def test_submit_review_and_publish(cast: Any) -> None:
    pk = stored().pk
    assert cast.page("anonymous").get(f"/public/dept/{pk}/").status_code == 404
    assert cast.page("finance").post(f"/after/dept/{pk}/transition/", {"action": "approve"}, follow=True) \
        .content.decode().count("不能审核通过") == 1
    cast.page("clerk").post(f"/after/dept/{pk}/transition/", {"action": "submit"})
    assert stored().stage == "submitted"
    assert cast.page("clerk").post(f"/after/dept/{pk}/edit/", {"cell:total": "1"}).status_code == 403
    cast.page("finance").post(f"/after/dept/{pk}/transition/", {"action": "return", "comment": "请补充依据"})
    assert (stored().stage, stored().comment) == ("returned", "请补充依据")
    cast.page("clerk").post(f"/after/dept/{pk}/transition/", {"action": "submit"})
    cast.page("finance").post(f"/after/dept/{pk}/transition/", {"action": "approve"})
    cast.page("finance").post(f"/after/dept/{pk}/transition/", {"action": "publish"})
    public = cast.page("anonymous").get(f"/public/dept/{pk}/").content.decode()
    assert 'id="public-dept-total">95.59<' in public and "部门预算执行情况（万元）" in public
    assert cast.page("anonymous").get(f"/public/dept/{pk}.json").json() == stored().record


def test_a_form_with_errors_cannot_be_submitted(cast: Any) -> None:
    dept = stored()
    dept.record = {**dept.record, "total": "99"}
    dept.save()
    page = cast.page("clerk").post(f"/after/dept/{dept.pk}/transition/", {"action": "submit"}, follow=True)
    assert "D04" in page.content.decode() and stored().stage == "draft"
