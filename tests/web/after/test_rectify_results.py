"""整改 from a re-check's problems, answered with evidence, accepted or returned, overdue listed and exported;
the re-check beside the unit's score in public; 结果应用 per year."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jixiao.web.after import rectify
from jixiao.web.after.models import Evidence, Rectification
from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase, Stage
from jixiao.web.review import workflow

PDF = b"%PDF-1.4\n%%EOF\n"


def opened(cast: Any) -> list[Rectification]:
    form = cast.rechecked()
    response = cast.page("finance").post(f"/after/forms/{form.pk}/rectify/", {
        "problem": ["满意度无问卷佐证", "传送增长率口径不清"], "requirement": "补充问卷并说明口径", "deadline": "2099-06-30"})
    assert response.status_code == 302, response.content.decode()
    for item in Rectification.objects.order_by("pk"):  # another finance user reviews each draft and issues it
        released = cast.page("finance2").post(f"/after/rectifications/{item.pk}/release/", {"decision": "issue"})
        assert released.status_code == 302
    return list(Rectification.objects.order_by("pk"))


def test_the_problems_of_a_recheck_become_items_of_the_unit(cast: Any) -> None:
    items = opened(cast)
    assert [i.problem for i in items] == ["满意度无问卷佐证", "传送增长率口径不清"]
    assert {i.unit.name for i in items} == {"鄂尔多斯市司法局"} and {i.status for i in items} == {"issued"}
    assert {i.source for i in items} == {"recheck"}


def test_only_the_finance_bureau_opens_items_from_a_recheck(cast: Any) -> None:
    form = cast.rechecked()
    for who in ("reviewer", "clerk"):
        with pytest.raises(ServiceError):
            rectify.write_from_recheck(cast.user(who), form.pk, ["满意度无问卷佐证"], "补充", "2020-06-30")
    with pytest.raises(ServiceError, match="不是此表复核发现的问题"):
        rectify.write_from_recheck(cast.user("finance"), form.pk, ["编造的问题"], "补充", "2020-06-30")
    assert not Rectification.objects.exists()


def test_the_unit_answers_with_evidence_and_finance_accepts_one_and_returns_the_other(cast: Any) -> None:
    first, second = opened(cast)
    upload = SimpleUploadedFile("问卷.pdf", PDF, content_type="application/pdf")
    response = cast.page("clerk").post(f"/after/rectifications/{first.pk}/answer/",
                                       {"measures": "已补做满意度问卷 120 份", "file": upload})
    assert response.status_code == 302
    assert Evidence.objects.get().rectification_id == first.pk
    cast.page("clerk").post(f"/after/rectifications/{second.pk}/answer/", {"measures": "已说明"})
    with pytest.raises(ServiceError, match="下达整改的一方"):
        rectify.decide(cast.user("clerk"), first.pk, True)
    cast.page("finance").post(f"/after/rectifications/{first.pk}/decide/", {"decision": "accept"})
    refused = cast.page("finance").post(f"/after/rectifications/{second.pk}/decide/", {"decision": "return"}, follow=True)
    assert "退回时请写明意见" in refused.content.decode()
    cast.page("finance").post(f"/after/rectifications/{second.pk}/decide/", {"decision": "return", "opinion": "口径仍不清"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("accepted", "returned") and first.closed_at is not None
    page = cast.page("clerk").get(f"/after/rectifications/{second.pk}/").content.decode()
    assert "口径仍不清" in page and "反馈整改情况" in page  # returned: the unit may answer again


def test_a_bad_file_with_an_answer_records_nothing(cast: Any) -> None:
    first, _ = opened(cast)
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    page = cast.page("clerk").post(f"/after/rectifications/{first.pk}/answer/", {"measures": "已整改", "file": bad},
                                   follow=True)
    assert "不接受" in page.content.decode()
    first.refresh_from_db()
    assert first.status == "issued" and not Evidence.objects.exists()


def test_overdue_items_are_listed_and_exported(cast: Any) -> None:
    first, second = opened(cast)
    Rectification.objects.filter(pk=first.pk).update(deadline=datetime.date(2000, 1, 1))
    page = cast.page("finance").get("/after/rectifications/?overdue=1").content.decode()
    assert f"#{first.pk}" in page and f"#{second.pk}" not in page
    book = load_workbook(io.BytesIO(cast.page("finance").get("/after/rectifications.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "项目", "责任单位", "来源", "问题")
    assert [(r[0], r[8]) for r in rows[1:]] == [(first.pk, "逾期"), (second.pk, None)]
    assert f"/after/rectifications/{first.pk}/" not in cast.page("outsider").get("/after/rectifications/").content.decode()


def test_the_public_page_and_json_show_both_scores_and_the_problems(cast: Any) -> None:
    form = cast.rechecked()
    workflow.transition(form, cast.user("finance"), "publish")
    page = cast.page("anonymous").get(f"/public/forms/{form.pk}/").content.decode()
    assert "财政抽查复核结果" in page and "93.50" in page and "100.00" in page
    assert "满意度无问卷佐证" in page and "传送增长率口径不清" in page
    data = cast.api("anonymous").get(f"/api/public/forms/{form.pk}").json()
    assert data["recheck"]["score"] == "93.50" and data["recheck"]["unit_score"] == "100.00"
    assert data["recheck"]["problems"] == ["满意度无问卷佐证", "传送增长率口径不清"]
    assert data["form"] == form.record  # the unit's record itself is unchanged
    book = load_workbook(io.BytesIO(cast.page("anonymous").get(f"/public/forms/{form.pk}.xlsx").content))
    sheet = book["财政复核结果"]
    assert [c.value for c in sheet[3]] == ["财政复核", 93.5, "优"] and sheet["A6"].value == "2. 传送增长率口径不清"


def test_the_results_list_gives_each_project_its_recommendation(cast: Any) -> None:
    form = cast.rechecked(score="75")  # 100 self-score, re-checked at 75: 中, cut 10 %
    target = {**form.record, "year": 2020}
    save_form(cast.user("clerk"), target, unit=form.unit, phase=Phase.TARGET, stage=Stage.DRAFT)
    data = cast.api("finance").get("/api/after/results/2019").json()
    row = next(r for r in data["rows"] if r["form"] == form.pk)
    assert (row["own_score"], row["recheck_score"], row["grade"], row["recommendation"]) == \
        ("100.00", "75.00", "中", "按比例核减")
    assert row["requested"] == "20.0000" and row["cut_amount"] == "2.00" and row["large_difference"]
    other = next(r for r in data["rows"] if r["project"] == "法律顾问专项经费")
    assert (other["recheck_score"], other["recommendation"]) == ("", "优先保障")
    # Its requested amount is the demo's 2020 declaration's, made from the 2019 form's annual budget.
    budget = next(f["annual"] for f in cast.form("法律顾问专项经费").record["funds"] if f["kind"] == "total")
    assert Decimal(other["requested"]) == Decimal(budget)
    page = cast.page("finance").get("/after/results/2019/").content.decode()
    assert "按比例核减" in page and "信息化建设" in page and f"/after/forms/{form.pk}/rectify/" in page
    book = load_workbook(io.BytesIO(cast.page("finance").get("/after/results/2019.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][2] == "项目名称"
    mine = next(r for r in rows[1:] if r[2] == "信息化建设")
    assert (mine[3], mine[4], mine[7], mine[9], mine[10]) == (100, 75, "按比例核减", 20, 2)  # numbers, not text
    outsider = cast.api("outsider").get("/api/after/results/2019")
    assert outsider.status_code == 403 and outsider.json()["error"] == "您没有可查看的项目。"


def test_the_api_lists_the_items_the_user_may_see(cast: Any) -> None:
    opened(cast)
    assert len(cast.api("clerk").get("/api/after/rectifications").json()) == 2
    assert cast.api("outsider").get("/api/after/rectifications").json() == []
    assert json.loads(cast.api("anonymous").get("/api/after/rectifications").content)["error"].startswith("请先登录")


@pytest.mark.parametrize(("who", "source", "allowed"), [
    ("reviewer", "review", True), ("finance", "monitor", True), ("finance", "fin_eval", True),
    ("reviewer", "fin_eval", False), ("clerk", "review", False),
])
def test_a_problem_of_any_source_becomes_an_item(cast: Any, who: str, source: str, allowed: bool) -> None:
    form = cast.form("离退休干部专项经费")
    page = cast.page(who).get(f"/after/rectifications/new/?form={form.pk}").content.decode()
    assert "预算执行得分印为 10" in page  # the form's own findings are offered as problems (A02)
    response = cast.page(who).post("/after/rectifications/new/", {
        "form": str(form.pk), "source": source, "problem": "预算执行得分计算有误", "requirement": "更正得分",
        "deadline": "2099-01-01"})
    assert (response.status_code == 302) is allowed
    assert Rectification.objects.filter(source=source, unit=form.unit).exists() is allowed


def test_a_refused_new_item_comes_back_with_the_reason_and_everything_typed(cast: Any) -> None:
    """Like friction point 7 of issue 10: a refusal used to redirect to an empty form, losing what was typed."""
    form = cast.form("离退休干部专项经费")
    typed = {"form": str(form.pk), "source": "monitor", "problem": "   ",
             "requirement": "补充满意度问卷，说明增长率口径", "deadline": "2099-06-30"}
    response = cast.page("finance").post("/after/rectifications/new/", typed)
    page = response.content.decode()
    assert response.status_code == 400 and "请写明问题和整改要求" in page
    assert "补充满意度问卷，说明增长率口径</textarea>" in page and 'value="2099-06-30"' in page
    assert '<option value="monitor" selected>' in page
    assert not Rectification.objects.exists()


def test_the_new_item_page_has_no_inline_script_the_csp_would_block(cast: Any) -> None:
    form = cast.form("离退休干部专项经费")
    response = cast.page("finance").get(f"/after/rectifications/new/?form={form.pk}")
    page = response.content.decode()
    assert "data-fill" in page and "after/rectify.js" in page
    assert " onclick=" not in page and "'unsafe-inline'" not in response.get("Content-Security-Policy", "")


def test_monitoring_answers_rectification_and_next_years_declaration_weigh_in_the_results(cast: Any) -> None:
    """cycle.md §3.5 and §6.4: a warning answered 取消 in the year's monitoring, or a rectification item left
    overdue, makes the recommendation more severe than the grade's; next year's requested amount is the
    annual total of the project's declaration for that year."""
    import datetime

    from jixiao.web.after.models import Rectification
    from jixiao.web.year.models import Answer, MonitorWarning, TargetDecl

    form = cast.form("离退休干部专项经费")
    warnings = MonitorWarning.objects.filter(monitor__unit=form.unit, monitor__target__project=form.project)
    assert warnings.exists()  # the demo's July monitoring warned of late execution
    row = lambda: next(r for r in cast.api("finance").get("/api/after/results/2019").json()["rows"]  # noqa: E731
                       if r["form"] == form.pk)
    warnings.update(answer=Answer.CONTINUE)
    base = row()
    assert base["reasons"] == []
    warnings.update(answer=Answer.CANCEL)
    cancelled = row()
    assert cancelled["recommendation"] == "取消或暂停下一年度预算（监控中已取消）"
    assert cancelled["reasons"] == ["运行监控预警答复为“取消”"]

    warnings.update(answer=Answer.CONTINUE)
    Rectification.objects.create(form=form, unit=form.unit, source="review", problem="得分有误", requirement="更正",
                                 deadline=datetime.date(2020, 1, 1), status=Rectification.Status.ISSUED)
    late = row()
    assert late["reasons"] == ["整改逾期未完成"] and "整改逾期" in late["recommendation"]

    decl = TargetDecl.objects.get(unit=form.unit, project=form.project, year=2019)
    record = {**decl.record, "year": 2020, "funds": {**decl.record["funds"], "annual": [
        {"kind": "total", "label": "年度资金总额", "amount": "30"}]}}
    TargetDecl.objects.create(unit=form.unit, department=decl.department, year=2020, project=form.project,
                              record=record, lineage=None)
    assert row()["requested"] == "30"
    page = cast.page("finance").get("/after/results/2019/").content.decode()
    assert "整改逾期未完成" in page
    book = load_workbook(io.BytesIO(cast.page("finance").get("/after/results/2019.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-1] == "监控与整改情况"
    assert next(r for r in rows[1:] if r[2] == form.project)[-1] == "整改逾期未完成"


def test_the_public_pdf_carries_the_recheck_after_the_form(cast: Any, tmp_path: Any) -> None:
    """Issue 12 point 5: the re-check is part of every published export, the PDF too (it was only in the xlsx)."""
    import subprocess

    form = cast.rechecked()
    workflow.transition(form, cast.user("finance"), "publish")
    response = cast.page("anonymous").get(f"/public/forms/{form.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "public.pdf"
    path.write_bytes(response.content)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    assert "信息化建设" in pages[0] and "财政复核结果" not in pages[0]  # the form as the unit filled it in …
    recheck = next(p for p in pages if "财政复核结果" in p)  # … then the re-check on a page of its own
    assert "93.50" in recheck and "100.00" in recheck and "单位自评" in recheck
    assert "1. 满意度无问卷佐证" in recheck and "2. 传送增长率口径不清" in recheck
