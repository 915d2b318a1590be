"""Forms in the pages and the API: editing, live evaluation, validation, concurrency, export, check."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from web_helpers import SEED, editor_post

from jixiao import services as core_services
from jixiao.web.models import PerformanceForm


def test_the_detail_page_shows_printed_and_computed_values_and_marks_findings(web_cast):
    page = web_cast.client("clerk_b").get(f"/forms/{web_cast.form_b.pk}/").content.decode()
    assert "法律援助专项经费" in page
    assert f"计算 {web_cast.form_b.computed_total.normalize():f}" in page  # beside the printed 总分 96
    assert 'class="computed differs"' in page
    assert 'class="badge sev-error" href="#finding-' in page
    assert "A03" in page


def test_the_editor_saves_a_changed_score_and_recomputes_the_columns(web_cast):
    form = web_cast.form_a
    data = editor_post(form.record, form.unit_id, form.version, **{"total-score": "90"})
    response = web_cast.client("clerk_a").post(f"/forms/{form.pk}/edit/", data)
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.record["total"]["score"] == "90"
    assert str(form.printed_total) == "90.00"
    assert form.findings.filter(code="A03").exists()
    assert form.version == 2


def test_the_editor_reports_problems_next_to_their_fields(web_cast):
    form = web_cast.form_a
    data = editor_post(form.record, form.unit_id, form.version, project="", year="二〇一九", **{"ind-0-weight": "二十"})
    response = web_cast.client("clerk_a").post(f"/forms/{form.pk}/edit/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="year-error"' in page
    assert 'id="ind-0-weight-error"' in page
    form.refresh_from_db()
    assert form.version == 1


def test_a_missing_project_name_is_refused_next_to_the_field(web_cast):
    form = web_cast.form_a
    response = web_cast.client("clerk_a").post(f"/forms/{form.pk}/edit/", editor_post(form.record, form.unit_id, 1, project=""))
    assert response.status_code == 400
    assert 'id="project-error"' in response.content.decode()
    assert "请填写项目名称" in response.content.decode()


def test_a_stale_version_is_refused_and_nothing_is_overwritten(web_cast):
    form = web_cast.form_a
    client = web_cast.client("clerk_a")
    first = {"form": dict(form.record, project="第一次"), "version": 1}
    second = {"form": dict(form.record, project="第二次"), "version": 1}
    assert client.put(f"/api/forms/{form.pk}", json.dumps(first), content_type="application/json").status_code == 200
    response = client.put(f"/api/forms/{form.pk}", json.dumps(second), content_type="application/json")
    assert response.status_code == 409
    assert "第一次" in response.json()["error"]  # the message says what changed meanwhile
    form.refresh_from_db()
    assert form.project == "第一次"


def test_creating_a_form_in_the_page_from_nothing(web_cast):
    data = {"unit_id": str(web_cast.unit_a.pk), "phase": "target", "year": "2024", "project": "新建项目",
            "cat-0-name": "产出指标", "cat-0-points": "50", "ind-0-level1": "产出指标", "ind-0-level2": "数量指标",
            "ind-0-name": "培训人次", "ind-0-weight": "50", "ind-0-target": "≥100人次",
            "fund-0-kind": "total", "fund-0-annual": "10", "total-weight": "100"}
    response = web_cast.client("clerk_a").post("/forms/new/", data)
    assert response.status_code == 302
    stored = PerformanceForm.objects.get(project="新建项目")
    assert (stored.unit, stored.year, stored.phase, stored.stage) == (web_cast.unit_a, 2024, "target", "draft")
    assert stored.record["unit"] == "单位甲"
    assert stored.record["indicators"][0]["target"] == "≥100人次"


def test_the_live_evaluation_scores_what_is_typed(web_cast):
    form = web_cast.form_a
    client = web_cast.client("clerk_a")
    data = editor_post(form.record, form.unit_id, form.version)
    before = client.post("/forms/evaluate/", data).json()
    data["ind-0-actual"] = "0"  # 驻村帮扶项目 ≥1, now none
    after = client.post("/forms/evaluate/", data).json()
    assert before["scorecard"]["indicators"][0]["score"] != after["scorecard"]["indicators"][0]["score"]
    assert float(after["scorecard"]["total"]) < float(before["scorecard"]["total"])
    assert before["indicator_rows"] == list(range(len(form.record["indicators"])))
    form.refresh_from_db()
    assert form.version == 1  # nothing stored


def test_the_api_evaluate_matches_the_core(web_cast):
    form = web_cast.form_b
    body = web_cast.client("clerk_b").post("/api/evaluate", json.dumps({"form": form.record}),
                                            content_type="application/json").json()
    from jixiao.core.model import from_record

    core = core_services.evaluate(from_record(form.record))
    assert body["scorecard"]["total"] == str(core.scorecard.total)
    assert [f["code"] for f in body["findings"]] == [f.code for f in core.findings]


def test_api_check_returns_exactly_the_check_report(web_cast):
    data = SEED.read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = web_cast.client("outsider").post("/api/check", {"file": SimpleUploadedFile("seed.txt", data)})
    batch = core_services.read_upload(data, "seed.txt")
    expected = core_services.check_report(core_services.evaluate_batch(batch.forms), batch.problems)
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(expected, ensure_ascii=False))


def test_api_form_carries_record_phase_stage_and_scorecard(web_cast):
    body = web_cast.client("clerk_a").get(f"/api/forms/{web_cast.form_a.pk}").json()
    assert body["form"]["schema"] == "jixiao.form/1"
    assert body["form"] == web_cast.form_a.record
    assert (body["phase"], body["stage"], body["version"]) == ("self", "draft", 1)
    assert body["scorecard"]["total"] is not None
    assert {f["code"] for f in body["findings"]} >= {"R01", "R07"}


def test_openapi_schema_names_every_route(web_cast, client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/forms", "/api/forms/{id}", "/api/check", "/api/forms/{id}/export.{format}"} <= set(schema["paths"])


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_a_form_exports_in_each_format(web_cast, fmt):
    response = web_cast.client("clerk_a").get(f"/forms/{web_cast.form_a.pk}/export.{fmt}")
    assert response.status_code == 200
    magic = {"xlsx": b"PK", "docx": b"PK", "pdf": b"%PDF"}[fmt]
    assert response.content.startswith(magic)
    assert f".{fmt}" in response.headers["Content-Disposition"]


def test_the_exported_pdf_holds_the_form_text(web_cast):
    import pdfplumber

    response = web_cast.client("clerk_a").get(f"/api/forms/{web_cast.form_a.pk}/export.pdf")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "包联驻村专项经费" in text


def test_the_filtered_list_exports_as_a_summary_spreadsheet(web_cast):
    from openpyxl import load_workbook

    response = web_cast.client("reviewer").get("/forms/summary.xlsx?errors=yes")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The batch files' summary columns, with the stored form's number first and its place and stage after.
    assert rows[0][:4] == ("编号", "项目", "实施单位", "年度")
    assert rows[0][-6:] == ("警告数", "主管部门", "阶段", "状态", "评分规则", "提示数")
    assert [r[1] for r in rows[1:]] == ["法律援助专项经费"]  # only form B has errors (A03)


def test_a_selection_exports_as_a_zip(web_cast, django_capture_on_commit_callbacks):
    client = web_cast.client("reviewer")
    with django_capture_on_commit_callbacks(execute=True):  # the background task, run at once
        job_page = client.post("/forms/export.zip", {"ids": [web_cast.form_a.pk, web_cast.form_b.pk], "format": "xlsx"})
    response = client.get(job_page.headers["Location"] + "download/")
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 2
    assert all(n.endswith(".xlsx") for n in names)


def test_a_selection_never_exports_forms_one_cannot_see(web_cast):
    response = web_cast.client("clerk_a").post("/forms/export.zip", {"ids": [web_cast.form_b.pk], "format": "xlsx"})
    assert response.status_code == 302  # nothing selected that clerk_a may see


@pytest.mark.parametrize(("query", "expected"), [
    ("year=2019", {"a", "b"}), ("year=2018", set()), ("errors=yes", {"b"}), ("errors=no", {"a"}),
    ("q=法律援助", {"b"}), ("q=单位甲", {"a"}), ("phase=target", set()), ("stage=draft", {"a", "b"}),
])
def test_list_filters(web_cast, query, expected):
    ids = {web_cast.form_a.pk: "a", web_cast.form_b.pk: "b"}
    found = {ids[f["id"]] for f in web_cast.client("finance").get(f"/api/forms?{query}").json()["results"]}
    assert found == expected


def test_list_filter_by_unit_and_department(web_cast):
    client = web_cast.client("finance")
    assert client.get(f"/api/forms?unit={web_cast.unit_a.pk}").json()["count"] == 1
    assert client.get(f"/api/forms?department={web_cast.department.pk}").json()["count"] == 2


def test_the_token_command_prints_a_token_that_authenticates(web_cast, capsys):
    from django.test import Client

    from jixiao.cli import main

    assert main(["token", "create", "clerk_a"]) == 0
    token = capsys.readouterr().out.strip()
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/forms")
    assert [f["id"] for f in response.json()["results"]] == [web_cast.form_a.pk]


def test_the_token_command_refuses_an_unknown_user(web_cast, capsys):
    from jixiao.cli import main

    assert main(["token", "create", "nobody"]) == 1
    assert "没有用户「nobody」" in capsys.readouterr().err


def test_a_form_in_the_api_list_is_the_form_read_alone_without_its_findings(web_cast):
    client = web_cast.client("reviewer")
    listed = {f["id"]: f for f in client.get("/api/forms").json()["results"]}
    alone = client.get(f"/api/forms/{web_cast.form_b.pk}").json()
    alone.pop("findings")
    assert listed[web_cast.form_b.pk] == alone


def test_absurd_printed_numbers_are_stored_without_overflowing_their_columns(web_cast):
    from jixiao.web.forms.store import save_form

    record = dict(web_cast.form_a.record)
    record["funds"] = [dict(f) for f in record["funds"]]
    record["funds"][1]["annual"] = "0.00001"
    record["funds"][1]["executed"] = "99999999999999999"
    record["total"] = {"weight": "100", "score": "1e30"}
    stored = save_form(web_cast.clerk_a, record, form=web_cast.form_a)
    stored.refresh_from_db()
    assert stored.executed is None and stored.printed_total is None
    assert stored.record["funds"][1]["executed"] == "99999999999999999"  # the record keeps what was printed


def test_the_detail_page_escapes_what_the_form_says_in_every_cell_and_finding(web_cast):
    """The paper form's rows and the findings table are built in Python: everything typed is escaped."""
    from jixiao.web.forms.store import save_form

    form = web_cast.form_a
    record = json.loads(json.dumps(form.record))
    record["indicators"][0]["name"] = '<script>alert("名")</script>'
    record["indicators"][0]["reason"] = "a & b < c"
    record["funds"][0]["label"] = "<b>资金</b>"
    save_form(web_cast.clerk_a, record, form=form)
    page = web_cast.client("clerk_a").get(f"/forms/{form.pk}/").content.decode()
    assert "<script>alert" not in page and "<b>资金" not in page
    assert "&lt;script&gt;alert(&quot;名&quot;)&lt;/script&gt;" in page
    assert "a &amp; b &lt; c" in page and "&lt;b&gt;资金&lt;/b&gt;" in page
    assert page.count('<tr id="finding-') == form.findings.count() > 0


def test_every_form_in_the_api_list_reads_as_its_detail_with_the_same_key_order(web_cast):
    """The list passes the stored JSON through as text; parsed with key order kept, each result is the
    detail response without its findings, and the results come in the list's order."""
    def ordered(body: bytes):
        return json.loads(body, object_pairs_hook=lambda pairs: [(k, v) for k, v in pairs])

    client = web_cast.client("finance")
    listed = ordered(client.get("/api/forms?page_size=200").content)
    results = dict(listed)["results"]
    assert len(results) == dict(listed)["count"] >= 2
    for item in results:
        pk = dict(item)["id"]
        alone = [(k, v) for k, v in ordered(client.get(f"/api/forms/{pk}").content) if k != "findings"]
        assert item == alone
    page = client.get("/api/forms?page_size=1&page=2").json()["results"]
    assert [dict(i)["id"] for i in results][1] == page[0]["id"]
