"""Issue 16: the two silent losses bench/fuzz.py found (seed 16), rebuilt byte for byte from the samples.

Each damaged file used to read one form fewer than its original and report nothing; now the batch
names the file with a problem that says what is damaged and where.
"""

from __future__ import annotations

from reader_helpers import SAMPLES

from jixiao import services


def _damaged(sample: str, old: bytes, new: bytes) -> bytes:
    """The sample with the first occurrence of old replaced by new (one byte flipped, as the fuzz did)."""
    data = (SAMPLES / sample).read_bytes()
    assert data.count(old) >= 1 and len(old) == len(new)
    return data.replace(old, new, 1)


def test_a_cell_tag_whose_space_was_flipped_is_reported_with_the_text_it_lost() -> None:
    """Case #1627: <td colspan="2"> became <tdwcolspan="2">, an element that is no cell: the reader
    read only the cells, lost "项目名称" and with it the first of the 11 forms, and said nothing."""
    original = services.read_upload((SAMPLES / "seed.html").read_bytes(), "seed.html")
    damaged = services.read_upload(_damaged("seed.html", b'<td colspan="2">', b'<tdwcolspan="2">'), "seed.html")
    assert len(damaged.forms) < len(original.forms)
    (problem,) = damaged.problems
    assert "不在表格的单元格中" in problem.message and "表格1中的“项目名称" in problem.message
    assert problem.file == "seed.html"


def test_a_stream_whose_filter_name_was_damaged_is_reported() -> None:
    """Case #1847: /Filter/FlateDecode became /Filter/tlateDecode in the first page's content stream:
    PDFium knows no such filter and drew an empty page, so 1 of the 2 forms was lost in silence."""
    damaged = services.read_upload(_damaged("mof2020-a.pdf", b"/Filter/FlateDecode", b"/Filter/tlateDecode"), "a.pdf")
    (problem,) = damaged.problems
    assert "压缩方式无法识别" in problem.message and "/tlateDecode" in problem.message


def test_a_stream_whose_filter_key_was_damaged_is_reported() -> None:
    """The same loss by the other byte: /Fklter names no filter, so PDFium takes the compressed bytes
    for drawing operators; bytes that inflate whole with no filter named are damage, not content."""
    damaged = services.read_upload(_damaged("mof2020-a.pdf", b"/Filter/FlateDecode", b"/Fklter/FlateDecode"), "a.pdf")
    (problem,) = damaged.problems
    assert "无法完整解压" in problem.message


def test_cells_whose_table_tag_was_damaged_are_reported() -> None:
    """Found while fixing #1627: <table> damaged into <tablx> leaves its rows and cells outside any
    table; the reader read their text as lines between tables and the second form of seed.html was lost."""
    data = (SAMPLES / "seed.html").read_bytes()
    second = data.index(b"<table", data.index(b"<table") + 1)
    damaged = services.read_upload(data[:second] + b"<tablx" + data[second + 6 :], "seed.html")
    assert len(damaged.forms) == 10
    (problem,) = damaged.problems
    assert "表格之外的单元格“项目名称”" in problem.message


def test_a_page_whose_contents_key_was_damaged_is_reported_and_the_rest_read() -> None:
    """Found by flipping each key of mof2020-a.pdf: /Contents became /Dontents on the third page, where the
    second form starts; PDFium drew an empty page and the form was lost in silence. The first is still read."""
    data = (SAMPLES / "mof2020-a.pdf").read_bytes()
    third = [i for i in range(len(data)) if data.startswith(b"/Contents", i)][2]
    damaged = services.read_upload(data[:third] + b"/Dontents" + data[third + 9 :], "a.pdf")
    assert len(damaged.forms) == 1
    (problem,) = damaged.problems
    assert "页面内容缺失" in problem.message and "第 3 页" in problem.message


def test_an_end_tag_that_swallowed_the_next_cell_is_reported() -> None:
    """Found by flipping each tag's bytes in seed.html: 项目名称</td> became 项目名称</td?, whose end tag
    runs on to the next ">" and swallows the next cell's start tag: "项目名称包联驻村专项经费" is no label,
    and the first form was lost in silence."""
    damaged = services.read_upload(_damaged("seed.html", "项目名称</td>".encode(), "项目名称</td?".encode()), "seed.html")
    assert len(damaged.forms) == 10
    (problem,) = damaged.problems
    assert "多余的结束标记 </td>" in problem.message


def test_a_tag_turned_into_cell_text_is_reported() -> None:
    """The same flip one byte before: 项目名称<.td> is text in the cell, the label no longer matches."""
    damaged = services.read_upload(_damaged("seed.html", "项目名称</td>".encode(), "项目名称<.td>".encode()), "seed.html")
    assert len(damaged.forms) == 10
    (problem,) = damaged.problems
    assert "“项目名称<.td>”" in problem.message
