"""PDF reader: ruled cells, wrapped text joined back, tables cut by page breaks, no text layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES, assert_well_formed, read, spans, tables, texts

from jixiao.formats import ReadError
from jixiao.formats.pdf import NO_TEXT, debug_image


def test_wrapped_text_joined_and_real_breaks_kept() -> None:
    grids = read(FIXTURES / "pdf_wrapped_cells.pdf")
    assert texts(grids[0]) == [["绩效目标自评表"]]
    table = grids[1]
    assert_well_formed(table)
    assert texts(table)[0] == [
        "数量\n指标",  # two short lines in a wide cell: a real break
        "=100%",  # "=100" + "%" wrapped in a narrow cell: joined without a space
        "≥1000000",
        "Service rate",  # a Latin phrase wrapped at its space
        "驻村各项任务落实情况",
    ]
    assert spans(table, "产出指标(75分)") == (1, 0, 2, 1)
    assert spans(table, "第一行") == (1, 1, 1, 4)
    assert spans(table, "第二行") == (2, 1, 1, 4)


def test_row_cut_by_page_break_is_one_row() -> None:
    grids = read(FIXTURES / "pdf_split_row_across_pages.pdf")
    assert len(grids) == 1 and grids[0].sheet == "第1–2页"
    rows = texts(grids[0])
    assert rows[-2] == ["满意度指标(25分)", "服务对象满意度指标", "25", "24"]
    assert rows[-1] == ["总分", "", "100", "94"]
    assert_well_formed(grids[0])


def test_new_row_after_page_break_is_not_joined() -> None:
    """Text only under text and the numbers blank, as in a cut row; but the last line above was
    not full, so nothing was cut."""
    grids = read(FIXTURES / "pdf_new_row_after_page_break.pdf")
    assert len(grids) == 1
    assert texts(grids[0])[-3:] == [
        ["质量指标", "合格率", "10", "9"],
        ["时效指标", "及时率", "", ""],
        ["总分", "", "100", "94"],
    ]


def test_seed_pdf_forms_across_pages() -> None:
    grids = read(SAMPLES / "seed.pdf")
    found = tables(grids)
    assert len(found) == 11
    assert found[0].sheet == "第1–2页"
    form1 = found[0]
    assert_well_formed(form1)
    assert spans(form1, "项目负责人及电话") == (0, 6, 1, 2)
    assert spans(form1, "=100%") == (10, 5, 1, 1)
    assert spans(form1, "75.6%") == (4, 8, 1, 1)
    assert spans(form1, "满意度指标(25分)") == (12, 1, 1, 1)  # cut by the page break, rejoined
    assert spans(form1, "村民对驻村工作组的满意度") == (12, 3, 1, 1)


def test_mof_pdf_continuation_without_split_row() -> None:
    form1 = tables(read(SAMPLES / "mof2020-a.pdf"))[0]
    assert form1.sheet == "第1–2页"
    assert spans(form1, "时效指标")[0] + 1 == spans(form1, "成本指标")[0]
    assert [c.text for c in form1.rows[4]][1:4] == ["90", "89.974", "89.974"]  # "89.97" + "4" joined


def test_no_text_layer_goes_to_the_scan_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.formats import scan

    # Ruled boxes and no text at all: the scan reader finds the rules, then no text in them.
    if scan.available():
        with pytest.raises(ReadError) as err:
            read(FIXTURES / "pdf_no_text_layer.pdf")
        assert err.value.message == scan.NO_TEXT_FOUND
    # Without the OCR extra the message says both what the file is and what to install.
    monkeypatch.setattr(scan, "available", lambda: False)
    with pytest.raises(ReadError) as err:
        read(FIXTURES / "pdf_no_text_layer.pdf")
    assert err.value.message.startswith(NO_TEXT)
    assert "jixiao[ocr]" in err.value.message


def test_encrypted_pdf() -> None:
    with pytest.raises(ReadError, match="加密"):
        read(FIXTURES / "pdf_encrypted.pdf")


def test_truncated_pdf() -> None:
    with pytest.raises(ReadError, match="损坏"):
        read(FIXTURES / "pdf_truncated.pdf")


def test_debug_image(tmp_path: Path) -> None:
    out = tmp_path / "page1.png"
    debug_image((FIXTURES / "pdf_wrapped_cells.pdf").read_bytes(), 1, str(out), resolution=36)
    assert out.read_bytes().startswith(b"\x89PNG")


def test_glyph_of_several_characters() -> None:
    """Issue 9: a glyph whose ToUnicode entry is two characters ("王" → "王五") crashed the reader
    (unicodedata.east_asian_width on a two-character string) and the file was called damaged."""
    grids = read(FIXTURES / "pdf_multichar_glyph.pdf")
    table = tables(grids)[0]
    assert texts(table) == [["项目名称", "培训项目", "项目负责人", "王五"], ["备注：王五"]]


def test_table_without_ruling_lines_read_from_positions() -> None:
    """Issue 9: a form printed as text placed at its cells' positions, with no lines at all, reads as
    the same form as the .xlsx it was laid out from (wrapped cells joined back)."""
    from jixiao.core.model import to_record
    from jixiao.formats.layout import recognise

    (form,) = recognise(read(FIXTURES / "pdf_text_positioned.pdf"))
    expected = recognise(read(SAMPLES / "seed.xlsx"))[0]
    assert to_record(form) == to_record(expected)
    assert form.indicators[1].name == "驻村各项任务落实情况"  # wrapped onto a second line in the PDF


def test_one_damaged_byte_is_reported_not_a_form_lost() -> None:
    """Issue 16 point 7: one changed byte in a page's compressed content stream used to read 10 of
    the 11 forms and report nothing; now the file is reported as damaged, saying what is lost."""
    with pytest.raises(ReadError, match=r"损坏.*1 段压缩数据") as err:
        read(FIXTURES / "pdf_damaged_byte.pdf")
    assert "重新导出" in err.value.message
