"""CSV and row-per-line tab-separated text (formats/delimited.py): what Excel and WPS save as
"CSV（逗号分隔）" and what systems export. They were "无法识别的文件格式", and a .tsv copied out of a
spreadsheet was taken for Word's one-cell-a-line text and found no form."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reader_helpers import SAMPLES, texts

from jixiao import services
from jixiao.core.model import to_record
from jixiao.formats import ReadError
from jixiao.formats.delimited import read
from jixiao.formats.registry import detect_format, read_grids


def _rows_of_seed() -> list[list[str]]:
    """The seed's cells as rows, from its text sample (span-free, like a CSV)."""
    (grid,) = read_grids((SAMPLES / "seed.txt").read_bytes(), "seed.txt")
    return texts(grid)


def _csv(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize(("name", "delimiter", "encoding"), [
    ("seed.csv", ",", "utf-8-sig"), ("seed.csv", ",", "gb18030"), ("seed.csv", ";", "utf-8"),
    ("seed.tsv", "\t", "utf-8"), ("seed.txt", "\t", "gb18030")])
def test_the_seed_as_csv_or_tsv_reads_as_the_same_eleven_forms(name: str, delimiter: str, encoding: str) -> None:
    expected = [to_record(f) for f in services.read_upload((SAMPLES / "seed.txt").read_bytes(), "seed.txt").forms]
    data = _csv(_rows_of_seed(), delimiter, encoding)
    assert detect_format(data, name) == "delimited"
    forms = services.read_upload(data, name).forms
    assert len(forms) == 11
    assert [{**to_record(f), "title": ""} for f in forms] == [{**r, "title": ""} for r in expected]


def test_word_text_stays_with_the_text_reader() -> None:
    data = (SAMPLES / "seed.txt").read_bytes()
    assert detect_format(data, "seed.txt") == "text" and detect_format(data, "seed.tsv") == "text"


def test_a_quote_left_open_is_named_with_its_line() -> None:
    data = "项目名称,培训项目\n实施单位,\"某中心\n年度资金总额,100\n".encode()
    with pytest.raises(ReadError, match=r"CSV 文件第 \d+ 行格式有误") as caught:
        read(data, "cut.csv")
    assert caught.value.grids and texts(caught.value.grids[0])[0] == ["项目名称", "培训项目"]


cells = st.text(alphabet=st.sampled_from("项目资金,;\t\"\n 10.5%万元"), max_size=8)


# Rows of two cells or more, as a form's are: in a one-column table the delimiter is unknowable.
@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cells, min_size=2, max_size=6), min_size=1, max_size=8), st.sampled_from(",\t"))
def test_any_table_written_by_the_csv_module_reads_back_cell_for_cell(rows: list[list[str]], delimiter: str) -> None:
    kept = [[c.strip() for c in row] for row in rows]
    while kept and not any(kept[-1]):  # blank rows at the end are no part of the table
        kept.pop()
    width = max(map(len, kept), default=0)
    padded = [row + [""] * (width - len(row)) for row in kept]
    name = "t.tsv" if delimiter == "\t" else "t.csv"
    data = _csv(rows, delimiter)
    (grid,) = read(data, name)
    assert texts(grid) == padded
