"""Issue 11: the year's forms in and out of files on the web — a declaration or a monitoring form in Word,
Excel, PDF or HTML is imported (preview first, then confirm, all or nothing), and each form downloads in
the standard layout. Before, `jixiao check` told the user to import such a form "在网页中", and no page could."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.core import monitor as mon
from jixiao.core import target as tgt
from jixiao.reports.year import write_monitors, write_targets
from jixiao.web.year import transfer
from jixiao.web.year.models import MonitorForm, TargetDecl, TargetStage


def _file(tmp_path: Path, record: dict[str, Any], fmt: str = "xlsx") -> tuple[str, bytes]:
    path = tmp_path / f"申报表.{fmt}"
    write_targets([tgt.from_record(record)], path)
    return path.name, path.read_bytes()


def _upload(client: Client, name: str, data: bytes, unit_id: int) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/year/import/", {"file": SimpleUploadedFile(name, data), "unit_id": str(unit_id)})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "html"])
def test_a_declaration_in_a_file_is_previewed_then_imported_as_a_draft_of_the_unit(
        web_cast: Any, target_record: dict[str, Any], tmp_path: Path, fmt: str) -> None:
    clerk = web_cast.client("clerk_a")
    name, data = _file(tmp_path, target_record, fmt)
    page = _upload(clerk, name, data, web_cast.unit_a.pk)
    assert "新建申报表草稿" in page and "公共法律服务平台运行维护" in page and "确认导入 1 张表" in page
    assert not TargetDecl.objects.exists()  # the preview stores nothing

    response = clerk.post("/year/import/confirm/")
    assert response.status_code == 302
    decl = TargetDecl.objects.get()
    assert (decl.unit, decl.stage, decl.year, decl.version) == (web_cast.unit_a, TargetStage.DRAFT, 2026, 1)
    stored = tgt.from_record(decl.record)
    read = tgt.from_record(target_record)
    assert [(i.name, i.target, i.weight) for i in stored.indicators] == \
        [(i.name, i.target, i.weight) for i in read.indicators]
    assert stored.funds == read.funds and stored.goals_annual == read.goals_annual
    assert decl.error_count == 0  # the clean declaration stays clean through the file
    # The confirmation is used up: a second one names what to do.
    again = clerk.post("/year/import/confirm/")
    assert again.status_code == 400 and "请重新上传文件" in again.content.decode()


def test_a_draft_is_replaced_by_the_file_but_an_approved_target_is_never_overwritten(
        web_cast: Any, target_record: dict[str, Any], tmp_path: Path) -> None:
    clerk = web_cast.client("clerk_a")
    name, data = _file(tmp_path, target_record)
    _upload(clerk, name, data, web_cast.unit_a.pk)
    clerk.post("/year/import/confirm/")
    changed = copy.deepcopy(target_record)
    changed["indicators"][0]["target"] = "≥35000人次"
    name, data = _file(tmp_path, changed)
    assert "替换草稿的内容（第 1 版）" in _upload(clerk, name, data, web_cast.unit_a.pk)
    clerk.post("/year/import/confirm/")
    decl = TargetDecl.objects.get()
    assert decl.record["indicators"][0]["target"] == "≥35000人次"

    TargetDecl.objects.filter(pk=decl.pk).update(stage=TargetStage.APPROVED)
    page = _upload(clerk, name, data, web_cast.unit_a.pk)
    assert "不导入" in page and "目标调整" in page and "确认导入" not in page
    refused = clerk.post("/year/import/confirm/")
    assert refused.status_code == 400 and "没有可导入的表" in refused.content.decode()
    assert TargetDecl.objects.get().stage == TargetStage.APPROVED


def test_a_confirmation_after_the_state_changed_imports_nothing_and_names_the_form(
        web_cast: Any, target_record: dict[str, Any], tmp_path: Path) -> None:
    clerk = web_cast.client("clerk_a")
    second = copy.deepcopy(target_record)
    second["project"] = "法律援助案件办理"
    path = tmp_path / "two.xlsx"
    write_targets([tgt.from_record(target_record), tgt.from_record(second)], path)
    assert "确认导入 2 张表" in _upload(clerk, path.name, path.read_bytes(), web_cast.unit_a.pk)
    # Meanwhile the second project is declared and approved by another way.
    from jixiao.web.year.services import save_target

    other = save_target(web_cast.clerk_a, second, unit=web_cast.unit_a)
    TargetDecl.objects.filter(pk=other.pk).update(stage=TargetStage.APPROVED)
    response = clerk.post("/year/import/confirm/")
    text = response.content.decode()
    assert response.status_code == 400 and "第 2 张表" in text and "法律援助案件办理" in text
    assert list(TargetDecl.objects.values_list("project", flat=True)) == ["法律援助案件办理"]  # nothing imported


def test_a_file_with_no_year_form_is_named_and_cannot_be_confirmed(web_cast: Any, tmp_path: Path) -> None:
    clerk = web_cast.client("clerk_a")
    page = _upload(clerk, "note.txt", "这是一份会议纪要。".encode(), web_cast.unit_a.pk)
    assert "没有找到绩效目标申报表或运行监控表" in page and "确认导入" not in page
    # A self-evaluation brought here is sent to its own import.
    seed = Path(__file__).resolve().parents[3] / "src" / "jixiao" / "data" / "seed.txt"
    page = _upload(clerk, "seed.txt", seed.read_bytes(), web_cast.unit_a.pk)
    assert "这是项目支出绩效自评表" in page and "确认导入" not in page


def test_only_a_clerk_can_import_and_only_into_a_unit_it_fills(web_cast: Any, target_record: dict[str, Any],
                                                                tmp_path: Path) -> None:
    name, data = _file(tmp_path, target_record)
    finance = web_cast.client("finance")
    assert finance.get("/year/import/").status_code == 403
    clerk = web_cast.client("clerk_a")
    from django.core.files.uploadedfile import SimpleUploadedFile

    other_unit = clerk.post("/year/import/", {"file": SimpleUploadedFile(name, data), "unit_id": web_cast.unit_b.pk})
    assert other_unit.status_code == 404
    assert not TargetDecl.objects.exists()


def _demo_clerk() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="clerk"))
    return client


def test_a_monitoring_form_in_a_file_fills_the_rounds_form_opened_from_the_approved_target(
        demo_passwords: Any, tmp_path: Path) -> None:
    clerk = _demo_clerk()
    form = MonitorForm.objects.filter(unit__memberships__user__username="clerk").first()
    assert form is not None and form.submitted  # the demo's July forms are reported
    monitor = mon.from_record(form.record)
    record = mon.to_record(monitor)
    record["indicators"] = list(reversed(record["indicators"]))  # another order in the file: matched by name
    record["indicators"][0]["to_date"] = "完成 88%"
    record["indicators"].append({**record["indicators"][0], "name": "目标中没有的指标"})
    path = tmp_path / "监控表.xlsx"
    write_monitors([mon.from_record(record)], path)

    assert "已报送，不能再修改" in _upload(clerk, path.name, path.read_bytes(), form.unit_id)

    MonitorForm.objects.filter(pk=form.pk).update(submitted=False)  # one not reported yet
    page = _upload(clerk, path.name, path.read_bytes(), form.unit_id)
    assert "填入运行监控表" in page and "目标中没有的指标" in page
    clerk.post("/year/import/confirm/")
    form.refresh_from_db()
    by_name = {i["name"]: i for i in form.record["indicators"]}
    assert by_name[record["indicators"][0]["name"]]["to_date"] == "完成 88%"
    assert "目标中没有的指标" not in by_name
    # What the approved target fixes stays the target's.
    assert [i["target"] for i in form.record["indicators"]] == [i.target for i in monitor.indicators]


def test_a_monitoring_form_without_an_approved_target_or_a_round_is_refused_with_the_reason(
        demo_passwords: Any, tmp_path: Path) -> None:
    clerk = _demo_clerk()
    form = MonitorForm.objects.filter(unit__memberships__user__username="clerk").first()
    assert form is not None
    record = copy.deepcopy(form.record)
    record["project"] = "没有申报过的项目"
    path = tmp_path / "a.xlsx"
    write_monitors([mon.from_record(record)], path)
    assert "没有申报过的项目”的已批复绩效目标" in _upload(clerk, path.name, path.read_bytes(), form.unit_id)
    record = copy.deepcopy(form.record)
    record["period"] = {"to_month": 9}
    write_monitors([mon.from_record(record)], path)
    assert "1-9月 的运行监控任务" in _upload(clerk, path.name, path.read_bytes(), form.unit_id)


@pytest.mark.parametrize("fmt", transfer.EXPORT_FORMATS)
def test_a_declaration_and_a_monitoring_form_download_in_each_format_and_read_back_the_same(
        demo_passwords: Any, fmt: str) -> None:
    clerk = _demo_clerk()
    form = MonitorForm.objects.filter(unit__memberships__user__username="clerk").select_related("target").first()
    assert form is not None
    for url, kind, record in ((f"/year/targets/{form.target_id}/export.{fmt}", "target", form.target.record),
                              (f"/year/monitors/{form.pk}/export.{fmt}", "monitor", form.record)):
        response = clerk.get(url)
        assert response.status_code == 200, url
        assert "attachment" in response["Content-Disposition"]
        reading = transfer.read(f"download.{fmt}", response.content)
        assert [e.kind for e in reading.entries] == [kind], reading.problems
        read_back = reading.entries[0].record
        assert read_back["project"] == record["project"]
        assert [i["name"] for i in read_back["indicators"]] == [i["name"] for i in record["indicators"]]
        assert [i["target"] for i in read_back["indicators"]] == [i["target"] for i in record["indicators"]]
    assert clerk.get(f"/year/monitors/{form.pk}/export.exe").status_code == 404
    outsider = Client()
    outsider.force_login(get_user_model().objects.get(username="clerk2"))
    assert outsider.get(f"/year/monitors/{form.pk}/export.{fmt}").status_code in (403, 404)
