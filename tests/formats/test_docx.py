"""Word reader: spans from gridSpan/vMerge, paragraphs, nested tables, errors (real .docx files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES, assert_well_formed, read, spans, tables, texts

from jixiao.formats import ReadError
from jixiao.formats.docx import read as read_docx


def test_seed_has_eleven_tables_each_after_its_title() -> None:
    grids = read(SAMPLES / "seed.docx")
    assert [g.sheet for g in grids[:4]] == ["正文", "表格1", "正文", "表格2"]
    assert len(tables(grids)) == 11
    assert texts(grids[0]) == [["绩效目标自评表"], ["（2019年度）"]]
    for grid in grids:
        assert_well_formed(grid)


def test_seed_merges_become_spans() -> None:
    form1 = tables(read(SAMPLES / "seed.docx"))[0]
    assert spans(form1, "项目名称") == (0, 0, 1, 2)
    assert spans(form1, "包联驻村专项经费") == (0, 2, 1, 4)
    assert spans(form1, "资金情况（万元）") == (2, 0, 4, 2)
    assert spans(form1, "绩效指标") == (8, 0, 5, 1)
    assert spans(form1, "产出指标(75分)") == (9, 1, 3, 1)
    assert spans(form1, "总分") == (13, 0, 1, 4)
    assert spans(form1, "75.6%") == (4, 8, 1, 1)


def test_level2_merged_over_two_rows_in_form_8() -> None:
    form8 = tables(read(SAMPLES / "seed.docx"))[7]
    level2 = [c for row in form8.rows for c in row if c.col == 2 and c.text.endswith("指标") and c.row > 8]
    assert level2 and all(c.rowspan == 2 for c in level2[:4])


def test_vmerge_gridspan_and_paragraphs() -> None:
    grids = read(FIXTURES / "docx_vmerge_gridspan.docx")
    assert [g.sheet for g in grids] == ["正文", "表格1", "正文", "表格2"]
    table = grids[1]
    assert_well_formed(table)
    assert spans(table, "测试项目") == (0, 2, 1, 3)
    assert spans(table, "产出指标(75分)") == (2, 0, 3, 1)
    assert spans(table, "数量\n指标") == (2, 1, 2, 1)  # two paragraphs joined with "\n"
    assert spans(table, "质量指标") == (4, 1, 1, 1)
    assert spans(table, "≥50人次") == (3, 3, 1, 1)  # "≥" inserted as a Symbol-font w:sym
    assert texts(grids[2]) == [["注：本表为测试。"]]


def test_nested_table_line_break_and_grid_before() -> None:
    grids = read(FIXTURES / "docx_nested_table_br_gridbefore.docx")
    outer, inner = grids
    assert spans(outer, "第一行\n第二行") == (0, 1, 1, 1)  # w:br inside a run
    assert outer.rows[1][0].col == 1  # w:gridBefore skips the first grid column
    assert spans(outer, "B") == (1, 2, 1, 1)
    assert texts(inner) == [["内00", "内01"], ["内10", "内11"]]
    assert "内00" not in "".join(c.text for row in outer.rows for c in row)


def test_no_tables() -> None:
    with pytest.raises(ReadError, match="文档中没有表格") as err:
        read(FIXTURES / "docx_no_tables.docx")
    assert err.value.file == "docx_no_tables.docx"


def test_truncated_docx_is_a_read_error() -> None:
    with pytest.raises(ReadError, match="已损坏"):
        read(FIXTURES / "docx_truncated.docx")


def test_wrong_extension_read_by_content() -> None:
    grids = read(FIXTURES / "docx_named_as.xls")
    assert spans(tables(grids)[0], "水旱灾害防御经费") == (0, 2, 1, 4)


def test_reader_called_directly_checks_too() -> None:
    with pytest.raises(ReadError, match="DTD"):
        data = (FIXTURES / "docx_entity_expansion.docx").read_bytes()
        read_docx(data, "x.docx")


def test_tracked_changes_read_as_shown(tmp_path: Path) -> None:
    """Inserted text counts, deleted text and the old place of moved text don't."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    p = document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0]._p
    p.append(parse_xml(f"<w:moveFrom {nsdecls('w')}><w:r><w:t>旧</w:t></w:r></w:moveFrom>"))
    p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>≥95</w:t></w:r>"))
    p.append(parse_xml(f"<w:del {nsdecls('w')}><w:r><w:delText>%删</w:delText></w:r></w:del>"))
    p.append(parse_xml(f"<w:ins {nsdecls('w')}><w:r><w:t>%</w:t></w:r></w:ins>"))
    path = tmp_path / "tracked.docx"
    document.save(path)
    assert texts(read(path)[0]) == [["≥95%"]]


def test_vertical_merge_continued_by_a_wider_cell(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    tc0, tc1 = table.rows[0]._tr.tc_lst[0], table.rows[1]._tr.tc_lst[0]
    tc0.get_or_add_tcPr().append(parse_xml(f'<w:vMerge {nsdecls("w")} w:val="restart"/>'))
    table.cell(0, 0).text = "产出指标"
    pr = tc1.get_or_add_tcPr()
    pr.append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="2"/>'))
    pr.append(parse_xml(f"<w:vMerge {nsdecls('w')}/>"))
    table.rows[1]._tr.remove(table.rows[1]._tr.tc_lst[1])
    path = tmp_path / "wide.docx"
    document.save(path)
    (grid,) = read(path)
    assert_well_formed(grid)
    assert spans(grid, "产出指标") == (0, 0, 2, 1)
