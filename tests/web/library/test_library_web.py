"""The indicator library in the web application: usage linked on save, statistics, suggestions and comparisons,
stored library findings, review of changes, import/export with a dry run, pages and the API."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from library_helpers import AID, aid_form
from web_helpers import record_for

from jixiao.web.forms.store import save_form
from jixiao.web.library import services, transfer
from jixiao.web.library.models import Entry, EntryChange, EntryStats, Usage
from jixiao.web.models import FormFinding, Org, Phase


def test_saving_a_form_links_its_rows_and_an_edit_relinks(web_cast: Any, seed_records: Any, library: Entry) -> None:
    assert Usage.objects.filter(form=web_cast.form_b, entry=library, how="exact").count() == 1  # relinked on apply
    stored = aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥320", "330")
    usage = Usage.objects.get(form=stored, entry=library)
    assert (usage.target_number, usage.actual_number, usage.met, usage.year) == (320, 330, True, 2020)
    record = dict(stored.record, indicators=[dict(i) for i in stored.record["indicators"]])
    record["indicators"][0]["name"] = "指标1：法律援助 案件数量"  # normalised: still the entry
    save_form(web_cast.admin, record, form=stored, version=stored.version)
    assert Usage.objects.get(form=stored, index=0).how == "normalised"
    assert Usage.objects.filter(form=stored).count() == len(record["indicators"])


def test_statistics_are_kept_and_dropped_when_usage_changes(web_cast: Any, seed_records: Any, library: Entry) -> None:
    first = services.statistics(library)
    assert first["rows"] == 1 and EntryStats.objects.filter(entry=library).exists()
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥500", "520")
    assert not EntryStats.objects.filter(entry=library).exists()
    second = services.statistics(library)
    assert second["rows"] == 2 and second["units"] == 2 and second["overall"]["targets"]["median"] == "400"
    assert [g["key"] for g in second["by_year"]] == ["2019", "2020"]
    assert second["by_region"][0]["key"] == "鄂尔多斯市财政局"


def test_a_target_below_last_years_actual_is_stored_as_t10(web_cast: Any, seed_records: Any, library: Entry) -> None:
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    stored = aid_form(web_cast, seed_records, web_cast.unit_a, 2021, "≥320")
    t10 = FormFinding.objects.get(form=stored, code="T10")
    assert "2020年" in t10.message and "360" in t10.message and t10.location["index"] == 0
    stored.refresh_from_db()
    assert stored.warning_count == FormFinding.objects.filter(form=stored, severity="warning").count()
    clean = aid_form(web_cast, seed_records, web_cast.unit_b, 2021, "≥400")  # another unit: no history of its own
    assert not FormFinding.objects.filter(form=clean, code="T10").exists()


def test_suggestions_offer_explanation_operator_unit_and_median(web_cast: Any, seed_records: Any,
                                                                library: Entry) -> None:
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥500", "520")
    services.statistics(library)
    response = web_cast.client("clerk_a").get("/api/library/suggest", {"q": "援助案件", "year": "2021"})
    [item] = response.json()["items"]
    assert item["code"] == "T-AJ" and item["explanation"] == AID["explanation"] and item["op"] == "≥"
    assert item["median_target"] == "400" and item["units"] == 2
    assert web_cast.client("anonymous").get("/api/library/suggest", {"q": "援助"}).status_code == 401


def test_compare_gives_peers_and_last_year_for_the_editor(web_cast: Any, seed_records: Any, library: Entry) -> None:
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    record = dict(record_for(seed_records, 4, web_cast.unit_a), year=2021)
    response = web_cast.client("clerk_a").post("/api/library/compare", {"form": record, "unit": web_cast.unit_a.pk},
                                               content_type="application/json")
    data = response.json()
    row = data["rows"][0]
    assert row["entry"]["code"] == "T-AJ" and row["last_year"] == {"year": 2020, "target": "≥300", "actual": "360"}
    assert row["peers"]["units"] == 1 and row["peers"]["median"] == "300"  # unit B's 2019 form
    assert [f["code"] for f in data["findings"]] == ["T10"]
    other = web_cast.client("outsider").post("/api/library/compare", {"form": record, "unit": web_cast.unit_a.pk},
                                             content_type="application/json")
    assert other.status_code == 403 and "不能查看" in other.json()["error"]


def test_changes_go_through_review_with_history(web_cast: Any) -> None:
    clerk, finance = web_cast.client("clerk_a"), web_cast.client("finance")
    record = {"code": "T-NEW", "name": "培训人次", "level2": "数量指标", "unit": "人次", "op": "≥"}
    made = clerk.post("/api/library/changes", {"action": "add", "record": record, "reason": "常用"},
                      content_type="application/json")
    assert made.status_code == 201 and not Entry.objects.filter(code="T-NEW").exists()
    pk = made.json()["id"]
    assert clerk.post(f"/api/library/changes/{pk}/decide", {"decision": "approve"},
                      content_type="application/json").status_code == 403
    assert finance.post(f"/api/library/changes/{pk}/decide", {"decision": "approve"},
                        content_type="application/json").json()["status"] == "approved"
    entry = Entry.objects.get(code="T-NEW")
    retire = services.propose(web_cast.clerk_a, "retire", services.record_of(entry), "不再使用")
    services.decide(web_cast.finance, retire.pk, approve=True)
    entry.refresh_from_db()
    assert entry.status == "retired"
    assert [c.action for c in services.history(entry)] == ["retire", "add"]
    again = finance.post(f"/api/library/changes/{pk}/decide", {"decision": "reject"}, content_type="application/json")
    assert again.status_code == 409
    bad = clerk.post("/api/library/changes", {"action": "add", "record": {"name": "x"}}, content_type="application/json")
    assert bad.status_code == 400 and "指标代码" in bad.json()["error"]


@pytest.mark.parametrize("fmt", transfer.FORMATS)
def test_export_then_import_changes_nothing(web_cast: Any, library: Entry, fmt: str) -> None:
    data = transfer.export(fmt)
    report = transfer.import_entries(web_cast.finance, f"库.{fmt}", data, confirm=True)
    assert [r.action for r in report.rows] == ["不变"] and report.confirmed


def test_import_is_a_dry_run_until_confirmed_and_atomic(web_cast: Any, library: Entry) -> None:
    rows = [{**AID, "explanation": "新的解释"}, {"code": "T-B", "name": "培训人次", "unit": "人次"}]
    data = json.dumps(rows, ensure_ascii=False).encode()
    preview = transfer.import_entries(web_cast.finance, "库.json", data)
    assert [r.action for r in preview.rows] == ["修改", "新增"] and preview.rows[0].changed == ["指标解释"]
    assert not preview.confirmed and not Entry.objects.filter(code="T-B").exists()
    assert Entry.objects.get(code="T-AJ").explanation == AID["explanation"]
    broken = json.dumps([*rows, {"code": "T-C", "name": "x", "valid_from": "明年"}], ensure_ascii=False).encode()
    refused = transfer.import_entries(web_cast.finance, "库.json", broken, confirm=True)
    assert not refused.confirmed and "第3条" in refused.rows[2].error and not Entry.objects.filter(code="T-B").exists()
    done = transfer.import_entries(web_cast.finance, "库.json", data, confirm=True)
    assert done.confirmed and Entry.objects.get(code="T-B").unit == "人次"
    assert EntryChange.objects.filter(code="T-AJ", status="approved", before__isnull=False).exists()


def test_import_errors_name_file_and_row(web_cast: Any) -> None:
    with pytest.raises(transfer.FileError, match="第1行应为表头"):
        transfer.import_entries(web_cast.finance, "库.csv", "名称,单位\n满意度,%\n".encode())
    with pytest.raises(transfer.FileError, match="不支持的文件类型"):
        transfer.import_entries(web_cast.finance, "库.doc", b"x")
    report = transfer.import_entries(web_cast.finance, "库.csv",
                                     "指标代码,三级指标名称,定量/定性\nA,满意度,量化\n".encode("gb18030"))
    assert report.rows[0].action == "错误" and "库.csv 第2行" in report.rows[0].error
    with pytest.raises(Exception, match="财政部门"):
        transfer.import_entries(web_cast.clerk_a, "库.json", b"[]")


def test_a_formula_in_a_cell_stays_text(web_cast: Any) -> None:
    services.apply({"code": "T-F", "name": "=1+1", "unit": ""})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(transfer.export("xlsx"))).active
    assert sheet.cell(2, 2).value == "=1+1" and sheet.cell(2, 2).data_type == "s"
    assert "'=1+1" in transfer.export("csv").decode("utf-8-sig")
    assert transfer.import_entries(web_cast.finance, "x.csv", transfer.export("csv")).rows[0].action == "不变"


def test_pages_list_benchmark_department_and_xlsx(web_cast: Any, seed_records: Any, library: Entry) -> None:
    for n, (unit, target) in enumerate([(web_cast.unit_a, "≥310"), (web_cast.unit_c, "≥2000")]):
        aid_form(web_cast, seed_records, unit, 2019 + n, target, "320")
    finance = web_cast.client("finance")
    page = finance.get("/library/").content.decode()
    assert "法律援助案件数量" in page and "指标库" in page
    detail = finance.get(f"/library/entries/T-AJ/?unit={web_cast.unit_a.pk}").content.decode()
    assert "<svg" in detail and 'data-mine="1"' in detail and "https://" not in detail.split("<svg", 1)[1][:200]
    assert finance.get(f"/library/departments/{web_cast.department.pk}/").status_code == 200
    xlsx = finance.get("/library/entries/T-AJ/benchmark.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 1).value == "年度" and sheet.max_row == 4
    missing = finance.get("/library/entries/NOPE/")
    assert missing.status_code == 404
    bench = finance.get("/api/library/entries/T-AJ/benchmark").json()
    assert len(bench["points"]) == 3 and bench["years"] == [2019, 2020]


def test_outliers_are_targets_far_outside_the_years_range(web_cast: Any, seed_records: Any, library: Entry) -> None:
    from jixiao.web.library import benchmark

    for n, target in enumerate(["≥300", "≥320", "≥340", "≥3000"]):
        unit = Org.objects.create(name=f"单位{n}", kind=Org.Kind.UNIT, parent=web_cast.department)
        aid_form(web_cast, seed_records, unit, 2022, target)
    bench = benchmark.build(library)
    assert [p.target_text for p in bench.outliers] == ["≥3000"] and bench.outliers[0].outlier == "目标偏高"


def test_the_import_page_previews_then_confirms(web_cast: Any, library: Entry) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    finance = web_cast.client("finance")
    rows = json.dumps([{"code": "T-P", "name": "培训人次"}], ensure_ascii=False).encode()
    preview = finance.post("/library/import/", {"file": SimpleUploadedFile("库.json", rows)})
    assert "确认导入" in preview.content.decode() and not Entry.objects.filter(code="T-P").exists()
    done = finance.post("/library/import/confirm/", {"filename": "库.json", "payload": rows.hex()})
    assert done.status_code == 302 and Entry.objects.filter(code="T-P").exists()
    assert web_cast.client("clerk_a").get("/library/import/").status_code == 403


def test_candidates_group_unmatched_names(web_cast: Any) -> None:
    page = web_cast.client("finance").get("/library/candidates/").content.decode()
    assert "申请入库" in page and "法律援助案件数量" in page  # no entries yet: every name is a candidate


def test_openapi_describes_every_library_endpoint(web_cast: Any) -> None:
    import re

    from jixiao.web.library.api import urlpatterns

    paths = web_cast.client("clerk_a").get("/api/openapi.json").json()["paths"]
    routes = {"/api/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}",
                               str(p.pattern)) for p in urlpatterns}
    assert routes <= set(paths), routes - set(paths)


def test_a_similar_name_counts_only_once_confirmed(web_cast: Any, seed_records: Any, library: Entry) -> None:
    record = record_for(seed_records, 4, web_cast.unit_a)
    record["indicators"] = [dict(i) for i in record["indicators"]]
    record["indicators"][0]["name"] = "法律援助案件办结数量"  # alike, not the same name
    stored = save_form(web_cast.admin, record, unit=web_cast.unit_a, phase=Phase.SELF)
    usage = Usage.objects.get(form=stored, index=0)
    assert usage.how == "similar" and usage.entry == library
    assert services.statistics(library)["rows"] == 1  # unit B's exact row only
    [pending] = services.similar_links()
    assert pending["name"] == "法律援助案件办结数量" and pending["entry__code"] == "T-AJ"
    clerk = web_cast.client("clerk_a")
    assert clerk.post("/library/candidates/confirm/", {"name": usage.name, "entry": "T-AJ"}).status_code == 403
    done = clerk.post(f"/api/library/usages/{usage.pk}/confirm", {"entry": "T-AJ"}, content_type="application/json")
    assert done.json()["how"] == "confirmed" and services.statistics(library)["rows"] == 2
    save_form(web_cast.admin, stored.record, form=stored)  # saved again: the confirmation is kept
    assert Usage.objects.get(form=stored, index=0).how == "confirmed"


def test_the_page_of_an_entry_with_qualitative_targets_shows(web_cast: Any, seed_records: Any, library: Entry) -> None:
    for n, target in enumerate(["效果明显", "≥310", "按时完成"]):
        aid_form(web_cast, seed_records, web_cast.unit_a, 2020 + n, target, "达成预期指标")
    finance = web_cast.client("finance")
    first = finance.get("/library/entries/T-AJ/")
    assert first.status_code == 200 and "<svg" in first.content.decode()
    assert EntryStats.objects.get(entry=library).chart["svg"].startswith("<svg")  # kept beside the statistics
    assert "chart" not in finance.get("/api/library/entries/T-AJ/statistics").json()
    aid_form(web_cast, seed_records, web_cast.unit_b, 2023, "≥999", "1000")  # a save drops statistics and chart
    assert "≥999" in finance.get("/api/library/entries/T-AJ/benchmark").content.decode()
    assert finance.get("/library/entries/T-AJ/").status_code == 200
