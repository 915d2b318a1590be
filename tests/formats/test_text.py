"""The text Word writes for a document of tables: cells, rows, encodings, bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.formats import ReadError, text

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = (FIXTURES / "seed.txt").read_bytes()


def test_a_tab_starts_a_cell_and_a_blank_line_ends_the_row() -> None:
    assert text.parse_rows("\ta\n\tb\n\n\tc\n") == [["a", "b"], ["c"]]


def test_a_line_without_tab_continues_the_cell_above() -> None:
    assert text.parse_rows("\t数量\n指标\n\tx\n") == [["数量\n指标", "x"]]


def test_a_row_cut_by_an_empty_paragraph_is_joined_again() -> None:
    rows = text.parse_rows("\t1\n\t2\n\t3\n\n\ta\n\n\tb\n\tc\n\n")
    assert rows == [["1", "2", "3"], ["a", "b", "c"]]


def test_rows_of_other_widths_are_not_joined() -> None:
    rows = text.parse_rows("\t1\n\t2\n\t3\n\n\ta\n\n\tb\n\n")
    assert rows == [["1", "2", "3"], ["a"], ["b"]]


@pytest.mark.parametrize(
    "encoded",
    [
        SEED,
        codecs.BOM_UTF8 + SEED,
        SEED.decode("utf-8").encode("gb18030"),
        SEED.decode("utf-8").encode("utf-16"),
        SEED.decode("utf-8").encode("utf-16-le"),
        SEED.decode("utf-8").encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-bom", "utf16le", "utf16be"],
)
def test_every_encoding_reads_to_the_same_grid(encoded: bytes) -> None:
    assert text.read(encoded, "seed.txt")[0].rows == text.read(SEED, "seed.txt")[0].rows


def test_seed_is_detected_as_text() -> None:
    assert text.detect(SEED[:4096], "x.bin")


def test_binary_data_is_refused_with_a_message() -> None:
    with pytest.raises(ReadError, match="二进制"):
        text.read(bytes(range(256)) * 10, "x.txt")


def test_undecodable_bytes_are_refused_with_the_encodings_named() -> None:
    with pytest.raises(ReadError, match="UTF-8"):
        text.read(b"\t\xff\xfe\xfd\x80\x81\xfe\xff\n" * 3, "x.txt")


@given(st.text())
def test_parse_rows_never_raises_and_keeps_every_tab_led_cell(s: str) -> None:
    rows = text.parse_rows(s)
    cells = sum(len(r) for r in rows)
    assert cells >= sum(1 for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.startswith("\t"))


@given(st.binary(max_size=2000))
def test_read_never_raises_anything_but_read_error(data: bytes) -> None:
    try:
        text.read(data, "x.txt")
    except ReadError as err:
        assert err.message
