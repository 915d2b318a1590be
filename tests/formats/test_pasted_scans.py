"""A Word document or a workbook of pasted scans (a unit's scanned, stamped form put into Word or Excel to send
it): its page images are read as a scan is, in order. They used to be "文档中没有表格" and "没有找到自评表"."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Cm
from lxml import etree
from PIL import Image

from jixiao import services
from jixiao.core.model import to_record
from jixiao.formats import ReadError, scan
from jixiao.formats.docx import _pasted_pages, read

PHOTO = Path(__file__).resolve().parents[1] / "fixtures" / "scans" / "mof2020-a_p1_150dpi_sideways.jpg"
needs_ocr = pytest.mark.skipif(not scan.available() and os.environ.get("JIXIAO_REQUIRE_OCR") != "1",
                               reason="the ocr extra (rapidocr_onnxruntime) is not installed")


def _logo() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (240, 240), "red").save(out, "PNG")
    out.seek(0)
    return out


def _document(*pictures: Path | io.BytesIO) -> bytes:
    d = docx.Document()
    d.add_paragraph("附件：项目支出绩效自评表（盖章扫描件）")
    for picture in pictures:
        d.add_picture(picture if isinstance(picture, io.BytesIO) else str(picture), width=Cm(4))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _workbook(*pictures: Path | io.BytesIO) -> bytes:
    import openpyxl
    from openpyxl.drawing.image import Image as Picture

    wb = openpyxl.Workbook()
    for n, picture in enumerate(pictures):
        wb.active.add_image(Picture(picture if isinstance(picture, io.BytesIO) else str(picture)), f"A{1 + 40 * n}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def alone() -> list[dict]:
    return [to_record(f) for f in services.read_upload(PHOTO.read_bytes(), "photo.jpg").forms]


@needs_ocr
@pytest.mark.parametrize(("make", "name"), [(_document, "pasted.docx"), (_workbook, "pasted.xlsx")])
def test_pasted_scans_read_as_the_scan_itself_and_a_logo_is_no_page(alone, make, name: str) -> None:
    pasted = services.read_upload(make(_logo(), PHOTO), name)
    assert not pasted.problems
    assert [to_record(f) for f in pasted.forms] == alone
    assert [f.project for f in pasted.forms] == ["委托业务项目"]


@pytest.mark.parametrize(("make", "name"), [(_document, "pasted.docx"), (_workbook, "pasted.xlsx")])
def test_without_the_engine_the_pictures_are_named_with_what_to_install(monkeypatch: pytest.MonkeyPatch, make,
                                                                        name: str) -> None:
    monkeypatch.setattr(scan, "available", lambda: False)
    batch = services.read_upload(make(PHOTO), name)
    (problem,) = batch.problems
    assert "只有 1 张图片" in problem.message and scan.OCR_MISSING in problem.message


def test_a_document_with_only_a_small_picture_still_says_it_has_no_table() -> None:
    batch = services.read_upload(_document(_logo()), "logo.docx")
    (problem,) = batch.problems
    assert "文档中没有表格" in problem.message and "图片" in problem.message


def test_the_pages_are_the_big_pictures_each_once() -> None:
    data = _document(_logo(), PHOTO, PHOTO)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    pages = _pasted_pages(data, "x.docx", "word/document.xml", root)
    assert len(pages) == 1 and pages[0] == PHOTO.read_bytes()  # the same image twice is one part, read once


def test_a_damaged_image_part_is_skipped_not_crashed() -> None:
    data = _document(PHOTO)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body[:100] if item.filename.startswith("word/media/") else body)
    with pytest.raises(ReadError, match="文档中没有表格"):
        read(out.getvalue(), "damaged.docx")
