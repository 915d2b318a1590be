"""Rows added and removed in the department-wide form's editor: indicator rows, the inputs of computed
indicators and fund rows; the cells of the rows kept land on their rows' new places."""

from __future__ import annotations

from typing import Any

from jixiao.dept_files import demo_dept_record
from jixiao.web.after.models import DeptSelfEvaluation


def _stored() -> DeptSelfEvaluation:
    return DeptSelfEvaluation.objects.get(year=2019)


def _post(cast: Any, data: dict[str, Any], follow: bool = False) -> Any:
    return cast.page("clerk").post(f"/after/dept/{_stored().pk}/edit/", data, follow=follow)


def test_an_indicator_row_is_removed_another_added_and_the_kept_cells_follow_their_rows(cast: Any) -> None:
    before = _stored().record["indicators"]
    response = _post(cast, {
        "remove": ["indicators[0]"],
        "cell:indicators[2].actual": "改后的完成值",  # the third row, which becomes the second
        "cell:indicators[+1].level1": "产出", "cell:indicators[+1].name": "普法宣传场次",
        "cell:indicators[+1].initial_target": "≥20场", "cell:indicators[+1].actual": "24场",
        "cell:indicators[+1].weight": "2", "cell:indicators[+1].score": "2",
    })
    assert response.status_code == 302
    after = _stored().record["indicators"]
    assert len(after) == len(before)  # one out, one in
    assert [i["name"] for i in after[:-1]] == [i["name"] for i in before[1:]]
    assert after[1]["name"] == before[2]["name"] and after[1]["actual"] == "改后的完成值"
    assert (after[-1]["name"], after[-1]["level1"], after[-1]["actual"], after[-1]["core"]) == \
        ("普法宣传场次", "产出", "24场", "")


def test_an_input_row_is_added_and_a_fund_row_removed(cast: Any) -> None:
    _post(cast, {"remove": ["funds[4]", "inputs[6]"], "cell:inputs[+1].name": "政府采购预算",
                 "cell:inputs[+1].value": "80"})
    record = _stored().record
    assert [f["kind"] for f in record["funds"]] == ["total", "basic", "project", "appropriation"]
    assert record["inputs"][-1] == {"name": "政府采购预算", "value": "80"}
    assert [i["name"] for i in record["inputs"]][:-1] == [i["name"] for i in demo_dept_record()["inputs"]][:-1]


def test_a_fund_row_is_added_with_a_kind_not_yet_on_the_form(cast: Any) -> None:
    _post(cast, {"remove": ["funds[4]"]})
    page = cast.page("clerk").get(f"/after/dept/{_stored().pk}/edit/").content.decode()
    assert '<option value="other">' in page and '<option value="basic">' not in page  # the kinds left
    _post(cast, {"cell:funds[+1].kind": "other", "cell:funds[+1].initial": "10", "cell:funds[+1].adjusted": "12",
                 "cell:funds[+1].executed": "11"})
    fund = _stored().record["funds"][-1]
    assert (fund["kind"], fund["initial"], fund["adjusted"], fund["executed"]) == ("other", "10", "12", "11")


def test_a_second_row_of_a_fund_kind_is_refused_by_name(cast: Any) -> None:
    before = _stored().record
    page = _post(cast, {"cell:funds[+1].kind": "basic", "cell:funds[+1].initial": "1"}, follow=True)
    assert "资金类别「基本支出」已有一行" in page.content.decode()
    assert _stored().record == before


def test_a_blank_added_row_is_not_saved_and_a_stale_removal_is_refused(cast: Any) -> None:
    before = _stored().record
    _post(cast, {"cell:indicators[+1].name": "", "cell:indicators[+1].score": " "})
    assert _stored().record == before
    page = _post(cast, {"remove": ["indicators[40]"], "cell:total": "1"}, follow=True)
    assert "要删除的行“indicators[40]”不在表中" in page.content.decode()
    assert _stored().record == before  # nothing of the post is saved


def test_the_editor_offers_the_rows_through_a_script_file_not_inline_handlers(cast: Any) -> None:
    response = cast.page("clerk").get(f"/after/dept/{_stored().pk}/edit/")
    page = response.content.decode()
    assert 'data-remove="indicators[13]"' in page and 'data-remove="inputs[0]"' in page
    assert '<template id="new-indicators">' in page and 'name="cell:indicators[+__n__].name"' in page
    assert 'data-anchor="indicators"' in page and 'id="add-indicators"' in page and "after/dept_edit.js" in page
    assert 'id="add-funds"' not in page  # every fund kind is on the form already
    assert " onclick=" not in page and "'unsafe-inline'" not in response.get("Content-Security-Policy", "")


def test_only_the_departments_filler_adds_or_removes_rows(cast: Any) -> None:
    before = _stored().record
    for who in ("reviewer", "finance", "clerk2"):
        response = cast.page(who).post(f"/after/dept/{_stored().pk}/edit/", {"remove": ["indicators[0]"]})
        assert response.status_code in (403, 404)
    assert _stored().record == before
