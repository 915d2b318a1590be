"""OFD (GB/T 33190-2016) documents, the national fixed-layout format in which bodies publish as others do in
PDF: read through the PDF reader's table finding, so an OFD of a form reads as the PDF of the same pages.

The OFD files are written from the project's PDF samples character for character (tests/formats/ofd_writer.py:
TextCode runs with DeltaX and its "g" repeats, paths as AbbreviatedData, CTMs, a template page, page blocks)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from ofd_writer import pdf_to_ofd
from reader_helpers import FIXTURES, SAMPLES, texts

from jixiao import services
from jixiao.core.model import to_record
from jixiao.formats import ReadError
from jixiao.formats.ofd import _deltas, read
from jixiao.formats.registry import detect_format, read_grids


@pytest.mark.parametrize("sample", ["seed", "mof2020-a", "mof2020-b"])
def test_an_ofd_of_a_sample_reads_as_the_same_forms_as_its_pdf(sample: str) -> None:
    pdf = (SAMPLES / f"{sample}.pdf").read_bytes()
    expected = [to_record(f) for f in services.read_upload(pdf, f"{sample}.pdf").forms]
    batch = services.read_upload(pdf_to_ofd(pdf), f"{sample}.ofd")
    assert not batch.problems
    assert [to_record(f) for f in batch.forms] == expected


@pytest.mark.parametrize("fixture", ["pdf_text_positioned.pdf", "pdf_split_row_across_pages.pdf",
                                     "pdf_wrapped_cells.pdf", "pdf_new_row_after_page_break.pdf"])
def test_unruled_tables_rows_cut_by_a_page_break_and_wrapped_cells_as_in_the_pdf(fixture: str) -> None:
    pdf = (FIXTURES / fixture).read_bytes()
    assert [texts(g) for g in read_grids(pdf_to_ofd(pdf), "x.ofd")] == [texts(g) for g in read_grids(pdf, fixture)]


def test_an_ofd_is_known_by_its_content_whatever_its_name() -> None:
    data = (FIXTURES / "ofd_mof2020-b.ofd").read_bytes()
    assert detect_format(data, "附件.bin") == "ofd" and detect_format(data[:300], "附件.ofd") == "ofd"
    assert detect_format((SAMPLES / "seed.docx").read_bytes(), "seed.docx") == "docx"


def test_repeated_advances_are_expanded() -> None:
    assert _deltas("1.5 g 3 2 0.5") == [1.5, 2.0, 2.0, 2.0, 0.5]
    assert _deltas("g x 2 1") == [1.0]  # a damaged repeat is left out, the rest kept


def _without(data: bytes, member: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item, src.read(item))
    return out.getvalue()


def test_a_missing_page_or_root_is_named() -> None:
    data = (FIXTURES / "ofd_mof2020-b.ofd").read_bytes()
    with pytest.raises(ReadError, match=re.escape("缺少“Doc_0/Pages/Page_1/Content.xml”")):
        read(_without(data, "Doc_0/Pages/Page_1/Content.xml"), "x.ofd")
    with pytest.raises(ReadError, match=re.escape("缺少“OFD.xml”")):
        read(_without(data, "OFD.xml"), "x.ofd")


def test_an_ofd_of_images_only_is_told_apart() -> None:
    data = (FIXTURES / "ofd_mof2020-b.ofd").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if "/Pages/" in item.filename:
                body = body.split(b"<ofd:Content>")[0] + b"<ofd:Content></ofd:Content></ofd:Page>"
            dst.writestr(item, body)
    with pytest.raises(ReadError, match="没有文字"):
        read(out.getvalue(), "x.ofd")
