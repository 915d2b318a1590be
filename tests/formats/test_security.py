"""Untrusted files: bombs, entities, encryption, damage. Every failure is a ReadError that names
the file; nothing else escapes a reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES

from jixiao.formats import ReadError
from jixiao.formats.registry import Limits, iter_inputs, read_grids


def _error(path: Path) -> ReadError:
    with pytest.raises(ReadError) as err:
        read_grids(path.read_bytes(), path.name)
    assert err.value.file == path.name
    assert str(err.value).startswith(path.name + "：")
    return err.value


def test_zip_bomb_refused_before_unpacking(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_unpacking(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    (item,) = list(iter_inputs([FIXTURES / "zip_bomb.zip"]))
    assert isinstance(item, ReadError) and "压缩炸弹" in item.message


def test_total_unpacked_size_limit() -> None:
    items = list(iter_inputs([FIXTURES / "zip_nested.zip"], limits=Limits(max_unpacked_size=10_000)))
    assert len(items) == 1 and isinstance(items[0], ReadError) and "超过" in items[0].message


def test_office_bomb_inside_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>" + " " * (3 * 1024 * 1024))
    assert "压缩炸弹" in _error(path).message


@pytest.mark.parametrize("name", ["docx_entity_expansion.docx", "xlsx_entity_expansion.xlsx"])
def test_entity_expansion_refused(name: str) -> None:
    assert "DTD" in _error(FIXTURES / name).message


def test_encrypted_xlsx() -> None:
    assert "加密" in _error(FIXTURES / "xlsx_encrypted.xlsx").message


def test_encrypted_zip() -> None:
    (item,) = list(iter_inputs([FIXTURES / "zip_encrypted.zip"]))
    assert isinstance(item, ReadError) and "加密" in item.message


def test_corrupt_zip() -> None:
    (item,) = list(iter_inputs([FIXTURES / "zip_corrupt.zip"]))
    assert isinstance(item, ReadError) and "损坏" in item.message


def test_legacy_word_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.formats.office as office

    monkeypatch.setattr(office, "soffice", lambda: None)
    data = b"{\\rtf1\\ansi form}"
    with pytest.raises(ReadError, match="另存为") as err:
        read_grids(data, "form.doc")
    assert "LibreOffice" in err.value.message


def _damaged(data: bytes) -> list[bytes]:
    n = len(data)
    flipped = bytearray(data)
    for i in range(64, n, max(n // 50, 1)):
        flipped[i] ^= 0xFF
    return [data[: n // 2], data[: n // 5], bytes(flipped), data[:64]]


@pytest.mark.parametrize(
    "name", ["seed.docx", "mof2020-a.xlsx", "mof2020-b.pdf", "mof2020-b.html", "mof2020-b.txt"]
)
def test_damaged_files_give_read_errors_only(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    for variant in _damaged(data):
        try:
            read_grids(variant, name)
        except ReadError as err:
            assert err.file == name and err.message


def test_pdf_stream_bomb_refused_before_pdfminer(monkeypatch: pytest.MonkeyPatch) -> None:
    import pdfplumber

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("pdfplumber was called")

    monkeypatch.setattr(pdfplumber, "open", no_parsing)
    data = (FIXTURES / "pdf_stream_bomb.pdf").read_bytes()  # 2.5 KB inflating to 2 MB
    with pytest.raises(ReadError, match="解压后超过 1 MB"):
        read_grids(data, "bomb.pdf", limits=Limits(max_unpacked_size=1024 * 1024))


def test_sheet_merged_over_the_whole_grid_is_refused(tmp_path: Path) -> None:
    """One merged range A1:XFD1048576 would be 17 billion cells: refused, not allocated."""
    src = FIXTURES / "xlsx_percent_format.xlsx"
    path = tmp_path / "huge_merge.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A4:A6"', b'ref="A1:XFD1048576"')
            zout.writestr(info, data)
    assert "范围过大" in _error(path).message


def test_html_spans_over_a_huge_area_are_refused() -> None:
    cell = '<td rowspan="1000" colspan="1000">x</td>'
    page = f"<table><tr>{cell * 3}</tr></table>".encode()
    with pytest.raises(ReadError, match="范围过大"):
        read_grids(page, "spans.html")
