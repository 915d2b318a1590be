"""Random re-check (reproducible, stratified, own score and difference), rounds with deadlines, and the
public pages that show published forms and nothing else."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.models import Org, PerformanceForm, Phase, Stage
from jixiao.web.review import recheck, rounds, workflow
from jixiao.web.review.models import Draw

# ---------------------------------------------------------------- random re-check


def test_sample_is_reproducible_and_stratified() -> None:
    population = {1: list(range(100, 130)), 2: list(range(200, 210)), 3: [300]}
    a = recheck.sample_ids(population, 42, share=Decimal("0.2"), count=None)
    assert a == recheck.sample_ids(population, 42, share=Decimal("0.2"), count=None)
    assert a != recheck.sample_ids(population, 43, share=Decimal("0.2"), count=None)
    per = {k: [i for i in a if i in ids] for k, ids in population.items()}
    assert [len(v) for v in per.values()] == [6, 2, 1]  # ⌈20% × n⌉ of each department
    b = recheck.sample_ids(population, 7, share=None, count=8)
    assert len(b) == 8 and [len([i for i in b if i in ids]) for ids in population.values()] == [6, 2, 0]


def _submit_all(cast: Any) -> list[PerformanceForm]:
    ready = [f for f in cast.forms if f.error_count == 0 and f.unit_id == cast.department.pk]
    for f in ready:
        workflow.transition(f, cast.user("clerk"), "submit", "已说明")
    return ready


def test_draw_records_its_seed_and_can_be_redrawn(cast: Any) -> None:
    ready = _submit_all(cast)
    draw = recheck.draw_sample(cast.user("finance"), year=2019, share="25%", seed=20190331)
    ids = sorted(draw.items.values_list("form_id", flat=True))
    assert draw.seed == 20190331 and len(ids) == 2  # ⌈25% × 8⌉
    assert sorted(draw.population) == sorted(f.pk for f in ready)
    again = recheck.sample_ids({cast.department.pk: draw.population}, draw.seed, share=draw.share, count=None)
    assert again == ids
    # A second draw of the year leaves out the forms drawn already.
    second = recheck.draw_sample(cast.user("finance"), year=2019, count=3, seed=1)
    assert not set(second.items.values_list("form_id", flat=True)) & set(ids)


@pytest.mark.parametrize("role", ["reviewer", "clerk", "clerk2", "outsider"])
def test_only_the_finance_bureau_draws(cast: Any, role: str) -> None:
    _submit_all(cast)
    with pytest.raises(PermissionDenied):
        recheck.draw_sample(cast.user(role), year=2019, count=1)
    response = cast.api(role).post("/api/draws", json.dumps({"year": 2019, "count": 1}), content_type="application/json")
    assert response.status_code == 403
    assert not Draw.objects.exists()


def test_own_score_and_difference(cast: Any) -> None:
    _submit_all(cast)
    form = cast.form("信息化建设")
    draw = recheck.draw_sample(cast.user("finance"), year=2019, share="100%", seed=5)
    workflow.transition(form, cast.user("reviewer"), "approve")
    with pytest.raises(PermissionDenied):
        recheck.record_recheck(cast.user("reviewer"), form, "90", "x")
    response = cast.api("finance").post(f"/api/forms/{form.pk}/recheck",
                                        json.dumps({"own_score": "92.5", "problems": "满意度无问卷佐证", "finish": True}),
                                        content_type="application/json")
    assert response.status_code == 200, response.content
    state = response.json()
    assert state["stage"] == "rechecked"
    assert state["recheck"] == {**state["recheck"], "own_score": "92.50", "unit_score": "100.00",
                                "difference": "7.50", "problems": "满意度无问卷佐证"}
    detail = cast.api("finance").get(f"/api/draws/{draw.pk}").json()
    row = next(i for i in detail["items"] if i["form"] == form.pk)
    assert (row["own_score"], row["difference"]) == ("92.50", "7.50")
    page = cast.page("finance").get(f"/review/draws/{draw.pk}/").content.decode()
    assert "7.50" in page and str(draw.seed) in page


def test_draw_through_the_page(cast: Any) -> None:
    _submit_all(cast)
    response = cast.page("finance").post("/review/draws/", {"year": "2019", "phase": "self", "count": "2", "seed": "9"})
    assert response.status_code == 302
    draw = Draw.objects.get()
    assert draw.seed == 9 and draw.items.count() == 2


# ---------------------------------------------------------------- rounds and deadlines


def test_rounds_deadlines_and_what_units_owe(cast: Any) -> None:
    today = datetime.date(2020, 3, 20)
    r = rounds.create_round(cast.user("finance"), year=2019, phase=Phase.SELF, title="2019 年度自评",
                            deadline=datetime.date(2020, 3, 31), departments=[cast.department.pk])
    for f in [f for f in cast.forms if f.error_count == 0 and f.unit_id == cast.department.pk][:3]:
        workflow.transition(f, cast.user("clerk"), "submit", "已说明")
    status = rounds.round_status(r, cast.user("finance"), today)
    assert status["round"]["days_left"] == 11 and not status["round"]["overdue"]
    units = {u["name"]: u for u in status["units"]}
    assert (units["鄂尔多斯市司法局"]["total"], units["鄂尔多斯市司法局"]["done"], units["鄂尔多斯市司法局"]["owed"]) == (10, 3, 7)
    assert (units["鄂尔多斯市法律援助中心"]["owed"], units["鄂尔多斯市公证处"]["owed"]) == (1, 1)  # no form yet: owes one
    late = rounds.round_status(r, cast.user("finance"), datetime.date(2020, 4, 2))
    assert late["round"]["days_left"] == -2 and late["round"]["days_overdue"] == 2
    assert {u["name"] for u in late["units"] if u["overdue"]} >= {"鄂尔多斯市司法局", "鄂尔多斯市法律援助中心"}
    # clerk2 sees the round with only its unit; the outsider's department is not in it.
    mine = rounds.obligations(cast.user("clerk2"), today)
    assert [[u["name"] for u in t["units"]] for t in mine] == [["鄂尔多斯市法律援助中心"]]
    assert rounds.obligations(cast.user("outsider"), today) == []
    assert cast.api("clerk2").get("/api/tasks").json()[0]["round"]["title"] == "2019 年度自评"


@pytest.mark.parametrize("role", ["reviewer", "clerk", "clerk2", "outsider"])
def test_only_the_finance_bureau_opens_rounds(cast: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        rounds.create_round(cast.user(role), year=2019, phase="self", title="x", deadline=datetime.date(2020, 1, 1))
    response = cast.api(role).post("/api/rounds", json.dumps({"year": 2019, "phase": "self", "title": "x",
                                                             "deadline": "2020-03-31"}), content_type="application/json")
    assert response.status_code == 403


def test_round_through_the_page_and_api(cast: Any) -> None:
    response = cast.page("finance").post("/review/rounds/", {"title": "2019 年度自评", "year": "2019", "phase": "self",
                                                            "deadline": "2099-03-31"})
    assert response.status_code == 302
    page = cast.page("clerk").get("/review/rounds/").content.decode()
    assert "2019 年度自评" in page and "还剩" in page
    api = cast.api("finance").post("/api/rounds", json.dumps({"year": 2019, "phase": "self", "title": "补报",
                                                             "deadline": "2000-01-01"}), content_type="application/json")
    assert api.status_code == 201 and api.json()["overdue"] is True
    with pytest.raises(ServiceError):
        rounds.create_round(cast.user("finance"), year=2019, phase="self", title="x", deadline=datetime.date(2020, 1, 1),
                            departments=[Org.objects.get(name="鄂尔多斯市法律援助中心").pk])  # a unit, not a department


# ---------------------------------------------------------------- publication


def _publish(cast: Any, project: str) -> PerformanceForm:
    form = cast.form(project)
    workflow.transition(form, cast.user("clerk"), "submit", "已说明")
    workflow.transition(form, cast.user("reviewer"), "approve")
    return workflow.transition(form, cast.user("finance"), "publish")


def test_public_pages_show_published_forms_only(cast: Any) -> None:
    shown = _publish(cast, "信息化建设")
    approved = cast.form("司法鉴定专项经费")
    workflow.transition(approved, cast.user("clerk"), "submit", "已说明")
    workflow.transition(approved, cast.user("reviewer"), "approve")
    visitor = cast.page("anonymous")
    assert "2019 年度" in visitor.get("/public/").content.decode()
    year = visitor.get("/public/2019/").content.decode()
    assert "鄂尔多斯市司法局" in year and "（1 张）" in year
    listing = visitor.get(f"/public/2019/{cast.department.pk}/").content.decode()
    assert "信息化建设" in listing and "司法鉴定专项经费" not in listing
    page = visitor.get(f"/public/forms/{shown.pk}/").content.decode()
    assert "信息化建设" in page and "绩效指标" in page
    record = visitor.get(f"/public/forms/{shown.pk}.json").json()
    assert record == shown.record and record["schema"] == "jixiao.form/1"
    assert visitor.get(f"/api/public/forms/{shown.pk}").json()["form"] == shown.record
    assert [f["id"] for f in visitor.get("/api/public/forms?year=2019").json()["results"]] == [shown.pk]
    for other in cast.forms:
        if other.pk == shown.pk:
            continue
        for url in (f"/public/forms/{other.pk}/", f"/public/forms/{other.pk}.json", f"/public/forms/{other.pk}.pdf",
                    f"/public/forms/{other.pk}.xlsx", f"/api/public/forms/{other.pk}"):
            assert visitor.get(url).status_code == 404, url
    assert visitor.get("/public/2018/").status_code == 404
    assert visitor.get(f"/public/2019/{cast.other_department.pk}/").status_code == 404


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_public_downloads(cast: Any, fmt: str) -> None:
    shown = _publish(cast, "信息化建设")
    response = cast.page("anonymous").get(f"/public/forms/{shown.pk}.{fmt}")
    assert response.status_code == 200
    if fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            assert "信息化建设" in "".join(p.extract_text() or "" for p in pdf.pages)
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        assert any("信息化建设" in str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)


def test_a_published_form_has_its_stage_in_the_api(cast: Any) -> None:
    shown = _publish(cast, "信息化建设")
    assert cast.api("clerk").get(f"/api/forms/{shown.pk}").json()["stage"] == Stage.PUBLISHED


@pytest.mark.parametrize("role", ["reviewer", "clerk", "clerk2", "outsider"])
def test_only_the_finance_bureau_draws_and_opens_rounds_through_the_pages(cast: Any, role: str) -> None:
    from jixiao.web.review.models import Round

    _submit_all(cast)
    client = cast.page(role)
    page = client.post("/review/draws/", {"year": "2019", "phase": "self", "count": "2"}, follow=True)
    assert "只有财政复核可以进行此操作" in page.content.decode()
    page = client.post("/review/rounds/", {"title": "x", "year": "2019", "phase": "self", "deadline": "2030-01-01"},
                       follow=True)
    assert "只有财政复核可以进行此操作" in page.content.decode()
    assert not Draw.objects.exists() and not Round.objects.exists()
    assert client.get("/review/draws/1/").status_code == 404
