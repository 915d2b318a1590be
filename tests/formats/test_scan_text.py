"""A scan's characters as the PDF reader's steps get them (formats/scan_text.py), without the engine.

The engine estimates each character's box from its reading, so the boxes of a run of CJK characters printed
without spaces may part by half a character; the PDF reader would read that as a space ("满意 度指标").
"""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from jixiao.formats.pdf_text import Line
from jixiao.formats.scan_text import CLOSE_GAP, _close_gaps, _in_points, full_by_context

HEIGHT = 40.0  # the line's box, pixels
CJK = st.sampled_from("满意度指标服务对象工程质量合格产出效益")


def _line(texts: list[str], gaps: list[float], spaced: list[bool]) -> list[dict]:
    chars, x = [], 100.0
    for text, gap, space in zip(texts, [0.0, *gaps], [False, *spaced], strict=True):
        x += gap
        chars.append({"text": text, "x0": x, "x1": x + 30.0, "top": 10.0, "bottom": 10.0 + HEIGHT, "conf": 0.9,
                      "spaced": space})
        x += 30.0
    return chars


def _text(chars: list[dict]) -> str:
    return Line([_in_points(ch, 0.24) for ch in chars]).text


@given(st.lists(CJK, min_size=2, max_size=12).flatmap(lambda texts: st.tuples(
    st.just(texts), st.lists(st.floats(0, CLOSE_GAP * HEIGHT * 0.99), min_size=len(texts) - 1,
                             max_size=len(texts) - 1))))
def test_a_run_read_without_spaces_reads_without_spaces(run: tuple[list[str], list[float]]) -> None:
    texts, gaps = run
    chars = _line(texts, gaps, [False] * len(gaps))
    _close_gaps(chars)
    assert _text(chars) == "".join(texts)
    assert all(a["x1"] <= b["x0"] + 1e-9 for a, b in itertools.pairwise(chars))  # never overlapping


@given(st.lists(CJK, min_size=2, max_size=8), st.data())
def test_a_space_the_engine_read_and_a_wide_gap_stay(texts: list[str], data: st.DataObject) -> None:
    n = len(texts) - 1
    wide = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    spaced = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    gaps = [CLOSE_GAP * HEIGHT * 1.5 if w else 16.0 for w in wide]  # 16 px of 40: a space to the PDF reader
    chars = _line(texts, gaps, spaced)
    before = [dict(ch) for ch in chars]
    _close_gaps(chars)
    for k in range(n):
        closed = chars[k + 1]["x0"] - chars[k]["x1"] == 0
        assert closed == (not wide[k] and not spaced[k])
    assert [c["text"] for c in chars] == [c["text"] for c in before]


def test_latin_and_digits_keep_their_gaps() -> None:
    chars = _line(["指", "1", "A"], [16.0, 16.0], [False, False])
    _close_gaps(chars)
    assert _text(chars) == "指 1 A"


MARKS = st.sampled_from(":;,：；，")
DIGITS = st.sampled_from("0123456789")


@given(st.lists(CJK, min_size=1, max_size=6), MARKS, st.lists(CJK, max_size=6))
def test_a_colon_or_comma_after_chinese_text_is_full_width(before: list[str], mark: str, after: list[str]) -> None:
    """年度资金总额: → ：, 水平,全面 → ，: the engine reads both forms alike, and Chinese text sets the full one."""
    line = [{"text": t} for t in [*before, mark, *after]]
    assert full_by_context(line, len(before)) is True


@given(DIGITS, MARKS, DIGITS)
def test_a_comma_between_digits_is_half_width(before: str, mark: str, after: str) -> None:
    assert full_by_context([{"text": before}, {"text": mark}, {"text": after}], 1) is False


@given(st.sampled_from(["指标1", "1", "A"]), st.sampled_from("()（）"), st.lists(CJK, max_size=3))
def test_brackets_and_mixed_neighbours_are_left_to_the_ink(before: str, mark: str, after: list[str]) -> None:
    line = [{"text": t} for t in [*before, mark, *after]]
    assert full_by_context(line, len(before)) is None
    if after:  # a mark between a digit and a Chinese character ("指标1：完成") is printed both ways
        line = [{"text": t} for t in [*before, ":", *after]]
        assert full_by_context(line, len(before)) is None
