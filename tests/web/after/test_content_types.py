"""One map of content types (jixiao.web.content_types) for every file the web app sends or stores: it was
written out in pages.download, after.dept, after.evidence and library.transfer, and they disagreed (a Word
or Excel evidence file was stored as application/octet-stream)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.after import evidence
from jixiao.web.after.models import DeptSelfEvaluation
from jixiao.web.content_types import CONTENT_TYPES, content_type

WEB = Path(__file__).resolve().parents[3] / "src" / "jixiao" / "web"


def test_a_content_type_is_written_in_one_module_only() -> None:
    written = sorted(str(p.relative_to(WEB)) for p in WEB.rglob("*.py")
                     if "spreadsheetml.sheet" in p.read_text(encoding="utf-8"))
    assert written == ["content_types.py"]


@pytest.mark.parametrize(("path", "fmt"), [(".xlsx", "xlsx"), (".docx", "docx"), (".pdf", "pdf"),
                                           ("/report.docx", "docx"), ("/report.pdf", "pdf")])
def test_the_department_forms_files_carry_the_maps_type(cast: Any, path: str, fmt: str) -> None:
    pk = DeptSelfEvaluation.objects.get(year=2019).pk
    response = cast.page("clerk").get(f"/after/dept/{pk}{path}")
    assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPES[fmt]


def test_an_evidence_file_is_stored_with_its_type(cast: Any) -> None:
    form = cast.form("信息化建设")
    docx = SimpleUploadedFile("验收报告.docx", b"PK\x03\x04rest", content_type="application/octet-stream")
    stored = evidence.attach(cast.user("clerk"), form.pk, docx)
    assert stored.content_type == content_type("docx") == CONTENT_TYPES["docx"]
    response = cast.page("reviewer").get(f"/after/evidence/{stored.pk}/")
    assert response["Content-Type"] == CONTENT_TYPES["docx"]


def test_names_extensions_and_formats_map_alike() -> None:
    assert content_type("表.XLSX") == content_type(".xlsx") == content_type("xlsx") == CONTENT_TYPES["xlsx"]
    assert content_type("无扩展名") == "application/octet-stream"
