"""HTML reader: spans, <br>, encodings declared or not, nested tables, Word's web pages."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, SAMPLES, assert_well_formed, read, spans, tables, texts

from jixiao.formats import ReadError
from jixiao.formats.html import decode
from jixiao.formats.html import read as read_html

EXPECTED = [
    ["项目名称", "测试项目"],
    ["产出指标\n(75分)", "数量指标", "≥95%", "97%"],
    ["质量指标", "＝100％", "96 %"],
]


@pytest.mark.parametrize(
    "name",
    [
        "html_gbk_no_meta.html",
        "html_gb2312_meta.html",
        "html_utf8_bom.html",
        "html_meta_utf8_but_gbk.html",  # the declaration lies: the bytes decide
        "html_meta_gb2312_but_utf8.html",  # re-saved as UTF-8, old declaration kept
        "html_table_named_as.xls",  # Excel's "web page" saved under .xls
        "html_word_single_file.mht",  # MIME, quoted-printable gb2312
    ],
)
def test_encodings_and_spans(name: str) -> None:
    grids = read(FIXTURES / name)
    assert texts(grids[0]) == [["绩效目标自评表"]]
    table = grids[1]
    assert texts(table) == EXPECTED
    assert spans(table, "项目名称") == (0, 0, 1, 2)
    assert spans(table, "产出指标\n(75分)") == (1, 0, 2, 1)
    assert spans(table, "质量指标") == (2, 1, 1, 1)  # placed after the rowspan


def test_word_export_nested_hidden_and_blanks() -> None:
    grids = read(FIXTURES / "html_word_export_nested.html")
    assert [g.sheet for g in grids] == ["正文", "表格1", "表格2"]
    outer, inner = grids[1], grids[2]
    assert texts(outer) == [["项目 名称", ""], ["数量\n指标", "a", "外文字"], ["跨两列"]]
    assert spans(outer, "跨两列") == (2, 1, 1, 2)
    assert texts(inner) == [["内1", "内2"]]


def test_seed_html() -> None:
    grids = read(SAMPLES / "seed.html")
    assert len(tables(grids)) == 11
    form1 = tables(grids)[0]
    assert_well_formed(form1)
    assert spans(form1, "资金情况（万元）") == (2, 0, 4, 2)
    assert spans(form1, "=100%") == (10, 5, 1, 1)


def test_no_table() -> None:
    with pytest.raises(ReadError, match="网页中没有表格"):
        read_html("<html><body><p>绩效目标自评表</p></body></html>".encode(), "x.html")


def test_absurd_spans_are_clamped() -> None:
    page = '<table><tr><td colspan="100000000" rowspan="-3">a</td><td>b</td></tr></table>'
    (grid,) = read_html(page.encode(), "x.html")
    assert spans(grid, "a") == (0, 0, 1, 1000)
    assert spans(grid, "b") == (0, 1000, 1, 1)


def test_decode_prefers_bytes_that_decode() -> None:
    assert decode("表".encode("gbk")) == "表"
    assert decode('<meta charset="gb2312">表'.encode("gb18030")).endswith("表")
    assert decode("表".encode("utf-16")) == "表"


PAGE = "<html><body>{}</body></html>"
TABLE = "<table><tr><td>项目名称</td><td>测试项目</td></tr>{}</table>"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        # a row's child that is no cell (a damaged <td>), in a table the walk reads
        (TABLE.format("<tr><tdx>资金投入</tdx></tr>"), "表格1中的“资金投入"),
        # a table's own child that is neither a row nor a cell
        (TABLE.format("<tbody><blink>年度目标</blink></tbody>"), "表格1中的“年度目标"),
        # the same damage in a table inside a hidden block, which the walk does not read
        (TABLE.format("") + '<div style="display:none">' + TABLE.format("<tr><tdx>隐藏的行</tdx></tr>") + "</div>",
         "表格2中的“隐藏的行"),
    ],
)
def test_text_in_a_table_but_in_no_cell_is_named_not_dropped(body: str, where: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_html(PAGE.format(body).encode(), "x.html")
    assert "不在表格的单元格中" in caught.value.message and where in caught.value.message
    assert caught.value.grids  # what was read is kept with the error


def test_a_page_whose_every_cell_is_in_a_row_has_no_stray_text() -> None:
    grids = read_html(PAGE.format(TABLE.format("<tr><td>年度目标</td><td>完成</td></tr>")).encode(), "x.html")
    assert [c.text for row in grids[0].rows for c in row] == ["项目名称", "测试项目", "年度目标", "完成"]
