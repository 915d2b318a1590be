"""The department-wide form (部门整体) on the review side: in the review queue beside the project forms, under the
same filters and the same visibility; opened to its page and approved or returned there (and in the API); and
counted per department in the year's overview (handed in, approved, score)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from jixiao.web.after import dept
from jixiao.web.after.models import DeptSelfEvaluation


def _demo() -> DeptSelfEvaluation:
    return DeptSelfEvaluation.objects.get(year=2019)


def _submitted(cast: Any) -> DeptSelfEvaluation:
    return dept.transition(cast.user("clerk"), _demo(), "submit")


def _queue_rows(page: str) -> list[str]:
    """The department-wide rows of a review list page (their links)."""
    table = re.search(r'<table class="list" id="dept-queue">(.*?)</table>', page, re.S)
    return re.findall(r'<tr data-dept="(\d+)"', table.group(1)) if table else []


def test_a_submitted_department_form_waits_in_the_finance_bureaus_queue(cast: Any) -> None:
    stored = _submitted(cast)
    page = cast.page("finance").get("/review/").content.decode()
    assert _queue_rows(page) == [str(stored.pk)]
    assert "部门整体" in page and f'href="/after/dept/{stored.pk}/"' in page and "去审核" in page
    assert "已提交" in page and "95.59" in page  # the stage and the computed score beside it


def test_a_draft_waits_for_its_department_not_for_the_finance_bureau(cast: Any) -> None:
    assert _queue_rows(cast.page("finance").get("/review/").content.decode()) == []
    assert _queue_rows(cast.page("clerk").get("/review/").content.decode()) == [str(_demo().pk)]
    assert _queue_rows(cast.page("reviewer").get("/review/").content.decode()) == []  # nothing of theirs to do


@pytest.mark.parametrize(("query", "shown"), [
    ("stage=submitted", True), ("stage=draft", False), ("stage=approved,submitted", True), ("year=2019", True),
    ("year=2018", False), ("q=司法", True), ("q=教育", False), ("grade=优", False), ("errors=yes", False),
    ("phase=self", True), ("phase=target", False),
])
def test_the_queues_filters_apply_to_the_department_forms(cast: Any, query: str, shown: bool) -> None:
    stored = _submitted(cast)
    page = cast.page("finance").get(f"/review/?{query}").content.decode()
    assert _queue_rows(page) == ([str(stored.pk)] if shown else [])


def test_the_department_filter_and_who_sees_the_department(cast: Any) -> None:
    stored = _submitted(cast)
    finance = cast.page("finance")
    assert _queue_rows(finance.get(f"/review/?department={cast.department.pk}").content.decode()) == [str(stored.pk)]
    assert _queue_rows(finance.get(f"/review/?department={cast.other_department.pk}").content.decode()) == []
    assert _queue_rows(cast.page("outsider").get("/review/?stage=submitted").content.decode()) == []
    assert _queue_rows(cast.page("clerk2").get("/review/?stage=submitted").content.decode()) == []
    assert _queue_rows(cast.page("reviewer").get("/review/?stage=submitted").content.decode()) == [str(stored.pk)]


def test_it_opens_to_its_page_and_is_approved_or_returned_there(cast: Any) -> None:
    stored = _submitted(cast)
    finance = cast.page("finance")
    page = finance.get(f"/after/dept/{stored.pk}/").content.decode()
    assert 'id="dept-do-approve"' in page and 'id="dept-do-return"' in page
    refused = finance.post(f"/after/dept/{stored.pk}/transition/", {"action": "return"}, follow=True).content.decode()
    assert "退回时请填写意见" in refused
    assert cast.page("reviewer").post(f"/after/dept/{stored.pk}/transition/", {"action": "approve"}).status_code == 403
    assert cast.page("outsider").post(f"/after/dept/{stored.pk}/transition/", {"action": "approve"}).status_code == 404
    finance.post(f"/after/dept/{stored.pk}/transition/", {"action": "return", "comment": "目标完成情况写得太笼统"})
    assert _demo().stage == "returned" and _demo().comment == "目标完成情况写得太笼统"
    assert _queue_rows(cast.page("clerk").get("/review/").content.decode()) == [str(stored.pk)]  # back to the clerk
    dept.transition(cast.user("clerk"), _demo(), "submit")
    finance.post(f"/after/dept/{stored.pk}/transition/", {"action": "approve"})
    assert _demo().stage == "approved"
    assert "已审核" in cast.page("finance").get("/review/?stage=approved").content.decode()


def test_the_api_lists_it_beside_the_project_forms_and_takes_its_steps(cast: Any) -> None:
    stored = _submitted(cast)
    data = cast.api("finance").get("/api/review/forms?stage=submitted").json()
    [row] = data["dept_forms"]
    assert (row["id"], row["kind"], row["kind_label"], row["stage"], row["computed_total"]) == \
        (stored.pk, "dept", "部门整体", "submitted", "95.59")
    assert row["actions"] == ["return", "approve"]
    assert cast.api("outsider").get("/api/review/forms?stage=submitted").json()["dept_forms"] == []
    assert cast.api("finance").get("/api/review/forms?grade=优").json()["dept_forms"] == []
    url = f"/api/after/dept/{stored.pk}/transition"
    assert cast.api("clerk").post(url, {"action": "approve"}, content_type="application/json").status_code == 403
    assert cast.api("outsider").post(url, {"action": "approve"}, content_type="application/json").status_code == 404
    done = cast.api("finance").post(url, {"action": "approve"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["stage"] == "approved" and _demo().stage == "approved"
    assert cast.api("finance").get(f"/api/after/dept/{stored.pk}").json()["record"] == _demo().record


def _counts(page: str) -> str:
    found = re.search(r'<p class="count" id="dept-counts">(.*?)</p>', page)
    return found.group(1) if found else ""


def test_the_overview_counts_and_lists_the_department_forms(cast: Any) -> None:
    finance = cast.page("finance")
    # two departments seen by finance (司法局 with its draft, 教育局 with none)
    assert _counts(finance.get("/review/overview/?year=2019").content.decode()) == \
        "主管部门 2 个，已填报 1 个，已提交 0 个，已审核 0 个"
    _submitted(cast)
    page = finance.get("/review/overview/?year=2019").content.decode()
    assert _counts(page) == "主管部门 2 个，已填报 1 个，已提交 1 个，已审核 0 个"
    dept.transition(cast.user("finance"), _demo(), "approve")
    page = finance.get("/review/overview/?year=2019").content.decode()
    assert _counts(page) == "主管部门 2 个，已填报 1 个，已提交 1 个，已审核 1 个"
    table = re.search(r'id="per-department-dept">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "鄂尔多斯市司法局" in table and "95.59" in table and "未填报" in table  # 教育局 has none
    data = cast.api("finance").get("/api/overview?year=2019").json()["dept"]
    assert (data["handed_in"], data["approved"]) == (1, 1)
    assert [r["department"] for r in data["rows"] if r["approved"]] == ["鄂尔多斯市司法局"]
    only = cast.api("outsider").get("/api/overview?year=2019").json()["dept"]
    assert (only["departments"], only["filled"]) == (1, 0)  # the outsider sees its own department only


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_overview_files_list_the_department_forms(cast: Any, fmt: str) -> None:
    _submitted(cast)
    for client, url in ((cast.page("finance"), "/review/overview"), (cast.api("finance"), "/api/overview")):
        response = client.get(f"{url}.{fmt}?year=2019")
        assert response.status_code == 200
        if fmt == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(response.content))["总览"]
            text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
        else:
            import pdfplumber

            with pdfplumber.open(io.BytesIO(response.content)) as pdf:
                text = "".join(p.extract_text() or "" for p in pdf.pages)
        assert "部门整体自评表" in text and "鄂尔多斯市司法局" in text and "鄂尔多斯市教育局" in text
