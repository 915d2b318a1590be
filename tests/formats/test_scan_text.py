"""A scan's characters as the PDF reader's steps get them (formats/scan_text.py), without the engine.

The engine estimates each character's box from its reading, so the boxes of a run of CJK characters printed
without spaces may part by half a character; the PDF reader would read that as a space ("满意 度指标").
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.formats.pdf_text import Line
from jixiao.formats.scan_text import (
    CLOSE_GAP,
    HALF_TO_FULL,
    _after_ideographs,
    _close_gaps,
    _in_points,
    _punctuation_widths,
    full_by_context,
)

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


# ---------------------------------------------------------------------------------------------
# Half- or full-width by the blank around the ink (_punctuation_widths), on a drawn line of text


def _drawn_line(em: int, texts: str, full: bool, rule: bool, shift: float) -> tuple[object, list[dict]]:
    """A line drawn as a page shows it: each ideograph a block of ink 0.9 em wide in its square of one em,
    each colon two dots and each comma one (in its own square when full, in a third of one when half), a
    table's rule along the top of the line's band when asked; the engine's boxes as it estimates them: centred
    on its place for each character (shift em off), ideographs one em wide, marks half of one."""
    import numpy as np

    height = int(em * 1.3)
    gray = np.full((height + 40, em * (len(texts) + 4)), 255, dtype=np.uint8)
    top, x, chars = 20, 2.0 * em, []
    for text in texts:
        width = em if text not in ":," or full else em / 3
        if text in ":,":
            dot = max(int(em * 0.1), 2)
            left = int(x + width / 2 - dot / 2)
            base = top + int(em * 0.95)
            gray[base - dot : base, left : left + dot] = 0
            if text == ":":
                gray[top + int(em * 0.45) : top + int(em * 0.45) + dot, left : left + dot] = 0
        else:
            gray[top + int(em * 0.15) : top + int(em * 1.05), int(x + em * 0.05) : int(x + em * 0.95)] = 0
        centre = x + width / 2 + shift * em
        half = em / 2 if text not in ":," else em / 4
        chars.append({"text": text, "x0": centre - half, "x1": centre + half, "top": float(top),
                      "bottom": float(top + height), "conf": 0.9, "spaced": False})
        x += width
    if rule:
        gray[top : top + 2, :] = 0
    return gray, chars


EMS = st.integers(14, 60)  # 150 dpi small print to 300 dpi large
SHIFTS = st.floats(-0.12, 0.12)  # the engine's place for a character is an estimate


@settings(deadline=None)
@given(EMS, st.booleans(), st.booleans(), SHIFTS, st.sampled_from(":,"), st.integers(1, 4), st.integers(1, 4))
def test_a_mark_between_characters_takes_the_width_its_blank_shows(em: int, full: bool, rule: bool, shift: float,
                                                                  mark: str, before: int, after: int) -> None:
    gray, chars = _drawn_line(em, "中" * before + mark + "文" * after, full, rule, shift)
    _punctuation_widths(gray, [chars])
    want = HALF_TO_FULL[mark] if full else mark
    assert chars[before]["text"] == want


@settings(deadline=None)
@given(EMS, st.booleans(), st.booleans(), SHIFTS, st.sampled_from(":,"))
def test_a_mark_ending_a_line_takes_the_width_the_page_prints(em: int, full: bool, rule: bool, shift: float,
                                                             mark: str) -> None:
    """年度资金总额： at the end of its line (the seed) and 年度资金总额: (the MoF samples): the blank after it is the
    paper's, so the marks of the page that stand between characters decide."""
    gray, chars = _drawn_line(em, "总额" + mark, full, rule, shift)
    other, between = _drawn_line(em, "其中" + mark + "财政", full, rule, shift)
    _punctuation_widths(gray, [chars])  # alone on its page, one blank measured: Chinese text sets it full-width
    assert chars[2]["text"] == HALF_TO_FULL[mark]
    chars[2]["text"] = mark
    lines = [[dict(ch, top=ch["top"] + k * gray.shape[0], bottom=ch["bottom"] + k * gray.shape[0]) for ch in chars]
             for k in range(3)]
    import numpy as np

    _punctuation_widths(np.vstack([gray] * 3), lines)  # three such lines: the median of their blanks before
    assert [line[2]["text"] for line in lines] == [HALF_TO_FULL[mark] if full else mark] * 3
    chars[2]["text"] = mark
    import numpy as np

    page = np.vstack([gray[:, : other.shape[1]] if gray.shape[1] >= other.shape[1] else
                      np.pad(gray, ((0, 0), (0, other.shape[1] - gray.shape[1])), constant_values=255), other])
    for ch in between:
        ch["top"] += gray.shape[0]
        ch["bottom"] += gray.shape[0]
    _punctuation_widths(page, [chars, between])
    want = HALF_TO_FULL[mark] if full else mark
    assert (chars[2]["text"], between[2]["text"]) == (want, want)


def test_a_degree_sign_after_chinese_text_is_a_full_stop() -> None:
    chars = _line(["训", "°", "2"], [0.0, 0.0], [False, False])
    _after_ideographs(chars)
    assert [c["text"] for c in chars] == ["训", "。", "2"]
    chars = _line(["3", "°"], [0.0], [False])
    _after_ideographs(chars)
    assert chars[1]["text"] == "°"


@settings(deadline=None)
@given(st.integers(60, 160), st.integers(30, 70), st.integers(8, 30), st.integers(1, 4), st.booleans())
def test_a_lone_dash_the_engine_read_as_another_character_is_a_dash(width: int, height: int, length: int,
                                                                    thickness: int, digit: bool) -> None:
    """The seed's '-' cells turned ±2°, saved as JPEG and read at 150 dpi came back '1', '、' or '"'; a '1' stays."""
    import numpy as np

    from jixiao.formats.pdf_tables import TableCell
    from jixiao.formats.scan_text import _lone_mark

    gray = np.full((height + 40, width + 40), 255, dtype=np.uint8)
    cx, cy = 20 + width // 2, 20 + height // 2
    if digit:  # a "1": an upright stroke with its foot
        size = min(height // 2, length)
        gray[cy - size : cy + size, cx - thickness : cx + thickness] = 0
        gray[cy + size - thickness : cy + size, cx - size // 2 : cx + size // 2 + 1] = 0
    else:
        length = min(length, width // 3, height // 2)  # a dash is shorter than its cell is tall
        gray[cy : cy + thickness, cx - length : cx + length] = 0
    cell = TableCell(20, 20, 20 + width, 20 + height)
    marks = _lone_mark(gray, cell, 1.0, dash_only=True)
    assert [m.text for m in marks] == ([] if digit else ["-"])


@given(st.lists(CJK, min_size=1, max_size=4), st.sampled_from(["(", "（"]), st.text("0123456789分万元", max_size=5),
       st.integers(1, 3))
def test_a_bracket_lost_at_the_end_of_a_cell_is_closed(name: list[str], bracket: str, inside: str, lines: int) -> None:
    """产出指标(75分 read from a wrapped cell whose ")" the engine dropped: closed as the opening bracket's form."""
    from jixiao.formats.scan import _closed
    from jixiao.formats.scan_text import _ScanChar

    text = "".join(name) + bracket + inside + "分"
    per_line = -(-len(text) // lines)
    chars = [_ScanChar(ch, 10.0 * (k % per_line), 10.0 * (k % per_line) + 9, 20.0 * (k // per_line),
                       20.0 * (k // per_line) + 12, 12.0, 0.9) for k, ch in enumerate(text)]
    closed = _closed(list(reversed(chars)))  # in any order
    ordered = "".join(ch.text for ch in sorted(closed, key=lambda ch: (ch.top, ch.x0)))
    assert ordered == text + {"(": ")", "（": "）"}[bracket]
    done = [*chars, _ScanChar(")", 200, 205, chars[-1].top, chars[-1].bottom, 12.0, 0.9)]
    assert _closed(done) == done  # closed already
    long = text + "完成年度绩效目标任务"
    longer = [_ScanChar(ch, 10.0 * k, 10.0 * k + 9, 0.0, 12.0, 12.0, 0.9) for k, ch in enumerate(long)]
    assert _closed(longer) == longer  # a parenthesis cut long before the end is left as read
