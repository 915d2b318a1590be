"""The overview of the demo year, checked against figures computed here from the records themselves
(the seed's forms re-read and re-scored with jixiao.core), not from the overview's queries."""

from __future__ import annotations

import io
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao import services as core_services
from jixiao.core.model import from_record
from jixiao.web.models import PerformanceForm, Stage
from jixiao.web.review import overview, workflow

SUBMIT = ("信息化建设", "司法鉴定专项经费", "法律顾问专项经费")


def _move(cast: Any) -> dict[str, str]:
    """Some forms through review, so that stages differ: 3 submitted, then 1 approved, 1 published."""
    clerk, reviewer, finance = cast.user("clerk"), cast.user("reviewer"), cast.user("finance")
    for p in SUBMIT:
        workflow.transition(cast.form(p), clerk, "submit", "已说明")
    workflow.transition(cast.form(SUBMIT[1]), reviewer, "approve")
    workflow.transition(cast.form(SUBMIT[2]), reviewer, "approve")
    workflow.transition(cast.form(SUBMIT[2]), finance, "publish")
    return {SUBMIT[0]: "submitted", SUBMIT[1]: "approved", SUBMIT[2]: "published"}


def _rate(record: dict[str, Any]) -> Decimal | None:
    """全年执行数 / 全年预算数 of the total row, the executed amount taken from the sub-rows when blank."""
    def number(text: str) -> Decimal | None:
        m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*", text or "")
        return Decimal(m.group(1)) if m else None

    total = next(f for f in record["funds"] if f["kind"] == "total")
    parts = [number(f["executed"]) for f in record["funds"] if f["kind"] != "total"]
    executed = number(total["executed"])
    if executed is None and any(p is not None for p in parts):
        executed = sum((p for p in parts if p is not None), Decimal(0))
    budget = number(total["annual"])
    return None if executed is None or not budget else executed / budget


def _band(rate: Decimal | None) -> str:
    if rate is None:
        return "none"
    if rate < Decimal("0.6"):
        return "lt60"
    if rate < Decimal("0.8"):
        return "60-80"
    if rate < Decimal("0.9"):
        return "80-90"
    return "90-100" if rate < 1 else "100"


def _expected(cast: Any, stages: dict[str, str]) -> dict[str, Any]:
    records = [f.record for f in cast.forms]
    evaluations = core_services.evaluate_batch([from_record(r) for r in records])
    printed = [Decimal(r["total"]["score"]) for r in records]
    computed = [e.scorecard.total for e in evaluations]
    codes = Counter(f.code for e in evaluations for f in e.findings)
    return {
        "total": len(records),
        "stages": Counter(stages.get(r["project"], "draft") for r in records),
        "grades": Counter(e.scorecard.grade for e in evaluations),
        "rates": Counter(_band(_rate(r)) for r in records),
        "errors": sum(1 for e in evaluations if any(f.severity == "error" for f in e.findings)),
        "codes": sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "higher": sum(1 for p, c in zip(printed, computed, strict=True) if p > c),
        "equal": sum(1 for p, c in zip(printed, computed, strict=True) if p == c),
        "lower": sum(1 for p, c in zip(printed, computed, strict=True) if p < c),
        "avg_printed": (sum(printed) / len(printed)).quantize(Decimal("0.01")),
        "avg_computed": (sum(computed) / len(computed)).quantize(Decimal("0.01")),
        "units": Counter(r["unit"] or "鄂尔多斯市司法局" for r in records),
    }


def test_overview_figures_match_the_records(cast: Any) -> None:
    stages = _move(cast)
    want = _expected(cast, stages)
    got = overview.overview(cast.user("finance"), 2019)
    assert got["total"] == want["total"] == 11
    assert {s["key"]: s["count"] for s in got["stages"]} == {s: want["stages"].get(s, 0) for s in Stage.values}
    assert {g["key"]: g["count"] for g in got["grades"] if g["count"]} == {
        ("none" if k is None else k): v for k, v in want["grades"].items()}
    assert {r["key"]: r["count"] for r in got["rates"] if r["count"]} == dict(want["rates"])
    assert got["with_errors"] == want["errors"] == 3
    assert [(c["code"], c["findings"]) for c in got["codes"]] == want["codes"]
    s = got["scores"]
    assert (s["higher"], s["equal"], s["lower"]) == (want["higher"], want["equal"], want["lower"])
    assert Decimal(s["avg_printed"]) == want["avg_printed"]
    assert Decimal(s["avg_computed"]) == want["avg_computed"]
    assert {r["unit__name"]: r["forms"] for r in got["per_unit"]} == {
        "鄂尔多斯市司法局": 10, "鄂尔多斯市法律援助中心": 1}
    assert sum(r["forms"] for r in got["per_unit"]) == want["total"]
    assert [(r["department__name"], r["forms"], r["published"]) for r in got["per_department"]] == [
        ("鄂尔多斯市司法局", 11, 1)]


def test_department_filter_and_scope(cast: Any) -> None:
    assert overview.overview(cast.user("finance"), 2019, cast.department.pk)["total"] == 11
    assert overview.overview(cast.user("finance"), 2019, cast.other_department.pk)["total"] == 0
    assert overview.overview(cast.user("clerk2"), 2019)["total"] == 1  # sees only its unit
    assert overview.overview(cast.user("outsider"), 2019)["total"] == 0


def test_every_number_links_to_the_forms_behind_it(cast: Any) -> None:
    _move(cast)
    client = cast.page("finance")
    page = client.get("/review/overview/?year=2019").content.decode()
    links = re.findall(r'href="(/review/\?[^"]+)"[^>]*>\s*(?:<g[^>]*>\s*<text[^>]*>[^<]*</text>\s*<rect[^>]*></rect>\s*'
                       r'<text[^>]*>)?(\d+)<', page)
    assert len(links) > 30
    # Averages and rates link to the forms they are taken over.
    assert f'<a href="/review/?year=2019&amp;department={cast.department.pk}">96.91</a>' in page
    assert f'<a href="/review/?year=2019&amp;unit={cast.centre.pk}">100.00%</a>' in page
    for href, count in links:
        listed = client.get(href.replace("&amp;", "&")).content.decode()
        assert f"共 {count} 张表" in listed, href


def test_the_overview_queries_do_not_grow_with_the_forms(cast: Any) -> None:
    from django.core.cache import cache

    client = cast.page("finance")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/review/overview/?year=2019").status_code == 200
    base = PerformanceForm.objects.get(pk=cast.forms[0].pk)
    for n in range(40):
        base.pk = None
        base.project = f"复制 {n}"
        base.save()
    cache.clear()  # count every query of a computed overview again, with 40 more forms
    with CaptureQueriesContext(connection) as many:
        page = client.get("/review/overview/?year=2019").content.decode()
    assert 'id="n-total">51<' in page
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_overview_exports(cast: Any, fmt: str) -> None:
    response = cast.page("finance").get(f"/review/overview.{fmt}?year=2019")
    assert response.status_code == 200
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["总览", "按单位"]
        assert book["总览"]["A1"].value == "2019 年度绩效自评总览（共 11 张表）"
        units = {row[1]: row[2] for row in book["按单位"].iter_rows(min_row=2, values_only=True)}
        assert units == {"鄂尔多斯市司法局": 10, "鄂尔多斯市法律援助中心": 1}
    else:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            text = "".join(p.extract_text() or "" for p in pdf.pages)
        assert "2019 年度绩效自评总览（共 11 张表）" in text
        assert "鄂尔多斯市法律援助中心" in text


def test_overview_in_the_api(cast: Any) -> None:
    assert cast.api("anonymous").get("/api/overview?year=2019").status_code == 401
    data = cast.api("reviewer").get("/api/overview?year=2019").json()
    assert data["total"] == 11 and data["with_errors"] == 3
    assert cast.api("reviewer").get("/api/overview").status_code == 400
    pdf = cast.api("reviewer").get("/api/overview.pdf?year=2019")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = cast.api("reviewer").get("/api/overview.xlsx?year=2019")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert cast.api("anonymous").get("/api/overview.pdf?year=2019").status_code == 401


@pytest.mark.django_db(transaction=True)  # kept only outside a transaction: committed data
def test_a_kept_overview_is_never_stale(cast: Any) -> None:
    finance = cast.user("finance")
    first = overview.overview(finance, 2019)
    with CaptureQueriesContext(connection) as kept:
        assert overview.overview(finance, 2019) == first
    assert len(kept.captured_queries) == 1  # the data version only
    workflow.transition(cast.form("信息化建设"), cast.user("clerk"), "submit", "已说明")
    after = overview.overview(finance, 2019)
    assert {s["key"]: s["count"] for s in after["stages"]}["submitted"] == 1
    assert overview.overview(cast.user("clerk2"), 2019)["total"] == 1  # another scope, another entry
