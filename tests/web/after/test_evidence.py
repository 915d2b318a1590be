"""佐证材料: requested on a cell, attached by the clerk, listed with uploader and time, readable only by those
who see the form (pages and API), refused with a Chinese message (and nothing stored) when too big or of a
refused type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.after.models import Evidence, EvidenceRequest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "签到表.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def stored_files(root: Path) -> list[Path]:
    return [p for p in (root / "evidence").rglob("*") if p.is_file()] if (root / "evidence").exists() else []


def test_a_reviewer_asks_for_evidence_on_a_cell_and_the_clerk_answers(cast: Any, settings: Any) -> None:
    form = cast.form("信息化建设")
    page = cast.page("reviewer").post(f"/after/forms/{form.pk}/evidence/request/",
                                      {"field": "indicators[0].actual", "message": "请提供培训签到表"})
    assert page.status_code == 302
    request = EvidenceRequest.objects.get(form=form)
    assert request.field == "indicators[0].actual" and request.answered_at is None
    answer = cast.page("clerk").post(f"/after/forms/{form.pk}/evidence/upload/",
                                     {"file": pdf(), "field": "", "request": str(request.pk)})
    assert answer.status_code == 302
    request.refresh_from_db()
    evidence = Evidence.objects.get(form=form)
    assert request.answered_at is not None
    assert (evidence.field, evidence.name, evidence.form_version) == ("indicators[0].actual", "签到表.pdf", form.version)
    listing = cast.page("reviewer").get(f"/after/forms/{form.pk}/evidence/").content.decode()
    assert "签到表.pdf" in listing and "clerk" in listing and "已补充" in listing
    download = cast.page("reviewer").get(f"/after/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert stored_files(settings.DATA_DIR)


def test_only_reviewers_and_finance_ask_for_evidence(cast: Any) -> None:
    form = cast.form("信息化建设")
    response = cast.page("clerk").post(f"/after/forms/{form.pk}/evidence/request/", {"message": "x"})
    assert response.status_code == 403 and not EvidenceRequest.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "clerk2", "anonymous"])
def test_an_attachment_cannot_be_read_by_who_cannot_see_its_form(cast: Any, who: str) -> None:
    form = cast.form("信息化建设")  # a form of 司法局 itself: clerk2 (法律援助中心) does not see it
    cast.page("clerk").post(f"/after/forms/{form.pk}/evidence/upload/", {"file": pdf()})
    evidence = Evidence.objects.get(form=form)
    page = cast.page(who).get(f"/after/evidence/{evidence.pk}/")
    api = cast.api(who).get(f"/api/after/evidence/{evidence.pk}")
    listing = cast.api(who).get(f"/api/after/forms/{form.pk}/evidence")
    if who == "anonymous":
        assert page.status_code == 302 and api.status_code == 401 and listing.status_code == 401
    else:
        assert page.status_code == 404 and "没有找到此佐证材料" in page.content.decode()
        assert api.status_code == 404 and api.json()["error"] == "没有找到此佐证材料，或您无权查看。"
        assert listing.status_code == 404
    assert cast.api("finance").get(f"/api/after/evidence/{evidence.pk}").status_code == 200


def test_the_api_lists_and_accepts_evidence(cast: Any) -> None:
    form = cast.form("信息化建设")
    created = cast.api("clerk").post(f"/api/after/forms/{form.pk}/evidence",
                                     {"file": pdf("合同.pdf"), "field": "funds[0].executed"})
    assert created.status_code == 201, created.content
    assert created.json()["field_label"].startswith("资金") and created.json()["uploaded_by"] == "clerk"
    listed = cast.api("reviewer").get(f"/api/after/forms/{form.pk}/evidence").json()
    assert [f["name"] for f in listed["files"]] == ["合同.pdf"]


@pytest.mark.parametrize(("name", "data", "words"), [
    ("病毒.exe", b"MZ\x90\x00", "不接受“.exe”类型的文件"),
    ("伪装.pdf", b"MZ\x90\x00this is not a pdf", "内容不是 PDF 文件"),
    ("大文件.pdf", PDF + b"0" * 2048, "超过上限 1 KB"),
])
def test_a_refused_upload_gets_a_chinese_message_and_stores_nothing(cast: Any, settings: Any, name: str,
                                                                   data: bytes, words: str) -> None:
    settings.JIXIAO_EVIDENCE_MAX_BYTES = 1024
    form = cast.form("信息化建设")
    page = cast.page("clerk").post(f"/after/forms/{form.pk}/evidence/upload/", {"file": pdf(name, data)}, follow=True)
    assert words in page.content.decode() and "未保存" in page.content.decode()
    api = cast.api("clerk").post(f"/api/after/forms/{form.pk}/evidence", {"file": pdf(name, data)})
    assert api.status_code == 400 and words in api.json()["error"]
    assert not Evidence.objects.exists()
    assert stored_files(settings.DATA_DIR) == []


def test_a_cell_that_is_not_in_the_form_is_refused(cast: Any) -> None:
    form = cast.form("信息化建设")
    api = cast.api("clerk").post(f"/api/after/forms/{form.pk}/evidence", {"file": pdf(), "field": "indicators[99].x"})
    assert api.status_code == 400 and "不在此表中" in api.json()["error"]


def test_evidence_stays_with_its_version_when_the_form_changes(cast: Any) -> None:
    from jixiao.web.forms.store import save_form

    form = cast.form("信息化建设")
    before = form.version
    cast.api("clerk").post(f"/api/after/forms/{form.pk}/evidence", {"file": pdf()})
    record = dict(form.record)
    record["goals"] = {**record["goals"], "achieved": record["goals"]["achieved"] + "（补充）"}
    save_form(cast.user("clerk"), record, form=form, version=before)
    listed = cast.api("clerk").get(f"/api/after/forms/{form.pk}/evidence").json()
    assert listed["version"] == before + 1
    assert [f["form_version"] for f in listed["files"]] == [before]


def test_openapi_lists_the_after_endpoints(cast: Any) -> None:
    schema = cast.api("anonymous").get("/api/openapi.json").json()
    for path in ("/api/after/forms/{id}/evidence", "/api/after/evidence/{id}", "/api/after/rectifications",
                 "/api/after/results/{year}"):
        assert path in schema["paths"], path
