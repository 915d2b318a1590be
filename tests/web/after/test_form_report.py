"""Issue 12 point 2: the 自评报告 of a project's self-evaluation in the browser — generated from the form on
the outline (report-10), written by its unit while the form can change, checked (N-codes) on every save,
downloaded as docx and pdf; those who can't see the form can't see its report."""

from __future__ import annotations

from typing import Any

from jixiao.web.after.models import FormReport
from jixiao.web.review import workflow


def test_a_project_report_is_generated_from_the_form_edited_checked_and_downloaded(cast: Any) -> None:
    form = cast.form("信息化建设")
    clerk = cast.page("clerk")
    assert 'id="report-link"' in clerk.get(f"/forms/{form.pk}/").content.decode()
    page = clerk.get(f"/after/forms/{form.pk}/report/").content.decode()
    # Filled in from the form: the project, its funds and the score table; the unit's own sections are empty.
    assert "信息化建设" in page and "一（一） 项目概况" in page and "N01" in page
    assert not FormReport.objects.exists()  # nothing stored until the unit saves

    response = clerk.post(f"/after/forms/{form.pk}/report/", {
        "section:二（一）": "评价信息化建设项目 2019 年度资金使用和目标完成。", "section:二（二）": "按自评表逐项评分。",
        "section:二（三）": "成立自评小组逐项核对。", "section:六": "建议加强运维考核。",
        "section:三": "本项目自评得分 100 分，评价等级为“差”。", "cover:filler": "王敏"})
    assert response.status_code == 302
    stored = FormReport.objects.get(form=form)
    assert stored.record["cover"]["filler"] == "王敏"
    page = clerk.get(f"/after/forms/{form.pk}/report/").content.decode()
    assert "N04" in page  # "差" in the text disagrees with the form's grade
    assert "评价信息化建设项目 2019 年度资金使用和目标完成。" in page
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        file = clerk.get(f"/after/forms/{form.pk}/report.{fmt}")
        assert file.status_code == 200 and file.content.startswith(magic)
    assert clerk.get(f"/after/forms/{form.pk}/report.txt").status_code == 404


def test_the_report_is_written_by_the_unit_while_the_form_can_change(cast: Any) -> None:
    form = cast.form("信息化建设")
    refused = cast.page("reviewer").post(f"/after/forms/{form.pk}/report/", {"section:六": "审核人写的"})
    assert refused.status_code == 403 and not FormReport.objects.exists()
    assert cast.page("reviewer").get(f"/after/forms/{form.pk}/report/").status_code == 200  # may read it
    workflow.transition(form, cast.user("clerk"), "submit", "已说明")
    after_submit = cast.page("clerk").post(f"/after/forms/{form.pk}/report/", {"section:六": "提交后改的"})
    assert after_submit.status_code == 403 and not FormReport.objects.exists()
    page = cast.page("clerk").get(f"/after/forms/{form.pk}/report/").content.decode()
    assert "报告只读" in page and 'id="save-report"' not in page


def test_who_cannot_see_the_form_cannot_see_its_report(cast: Any) -> None:
    form = cast.form("信息化建设")
    for who in ("outsider", "anonymous"):
        response = cast.page(who).get(f"/after/forms/{form.pk}/report/")
        assert response.status_code in (302, 404), who
        assert cast.page(who).get(f"/after/forms/{form.pk}/report.docx").status_code in (302, 404), who
