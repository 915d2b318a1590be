"""A scan's number cells that the form's other cells contradict are marked uncertain (O01) and never changed
(core/ocr.py mark_doubts): a ％ on one of target and actual only, a row read with neither weight nor score."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jixiao import services
from jixiao.core.model import Form, Indicator, Uncertain
from jixiao.core.ocr import DOUBT, mark_doubts

SURE = Uncertain("goals", 9, "planned", "完成年度工作", "0.70")  # what makes a form a scan here


def scanned(*indicators: Indicator, uncertain: tuple[Uncertain, ...] = (SURE,)) -> Form:
    return Form(project="法律援助专项经费", indicators=indicators, uncertain=uncertain)


def row(n: int, target: str = "≥90%", actual: str = "95%", weight: str = "20", score: str = "20") -> Indicator:
    return Indicator("产出指标", "数量指标", f"指标{n}", weight, target, actual, score, row=10 + n)


percent = st.integers(min_value=1, max_value=100)


@given(percent, percent, st.booleans())
def test_a_percent_sign_on_one_of_target_and_actual_marks_the_other(target: int, actual: int, on_target: bool) -> None:
    t, a = (f"≥{target}%", f"{actual}") if on_target else (f"≥{target}", f"{actual}%")
    form = scanned(row(1, t, a), row(2))
    marked = mark_doubts(form)
    doubt = Uncertain("indicators", 11, "actual" if on_target else "target", a if on_target else t, DOUBT)
    assert marked.uncertain == (SURE, doubt)
    assert marked.indicators == form.indicators  # marked, never corrected
    o01 = [f for f in services.evaluate(marked).findings if f.code == "O01" and f.location.row == 11]
    assert len(o01) == 1 and "％" in o01[0].message and "请对照原件核实" in o01[0].message


@given(percent, percent)
def test_target_and_actual_alike_are_left_alone(target: int, actual: int) -> None:
    for t, a in ((f"≥{target}%", f"{actual}%"), (f"≥{target}", f"{actual}"), ("完成", f"{actual}%")):
        form = scanned(row(1, t, a), row(2))
        assert mark_doubts(form) is form


@given(st.integers(min_value=2, max_value=8), st.data())
def test_a_row_read_without_weight_and_score_is_marked_when_most_rows_have_them(rows: int, data: st.DataObject) -> None:
    empty = data.draw(st.sets(st.integers(1, rows), min_size=1, max_size=rows))
    form = scanned(*(row(n, weight="" if n in empty else "20", score="" if n in empty else "20")
                     for n in range(1, rows + 1)))
    marked = mark_doubts(form)
    expected = {("indicators", 10 + n, f) for n in empty for f in ("weight", "score")}
    if rows - len(empty) > rows / 2:
        assert {(c.block, c.row, c.field) for c in marked.uncertain[1:]} == expected
        assert all(c.confidence == DOUBT and c.text == "" for c in marked.uncertain[1:])
    else:  # most rows carry no points: a form without them, not a misreading
        assert marked is form


def test_a_form_that_is_no_scan_is_never_marked() -> None:
    form = scanned(row(1, "≥90", "95%"), row(2, weight="", score=""), row(3), row(4), uncertain=())
    assert mark_doubts(form) is form


def test_a_cell_already_uncertain_is_not_marked_twice() -> None:
    unsure = Uncertain("indicators", 11, "target", "≥90", "0.62")
    form = scanned(row(1, "≥90", "95%"), row(2), uncertain=(unsure,))
    assert mark_doubts(form) is form


@given(st.sampled_from(["产出指标", "效益指标", "满意度指标"]), st.integers(1, 100), st.sampled_from("(（"),
       st.integers(1, 4))
def test_a_level1_name_holding_its_points_is_marked_once(level1: str, points: int, bracket: str, rows: int) -> None:
    """产出指标(75分 read without its closing bracket: the category's points were not split off."""
    unsplit = f"{level1}{bracket}{points}分"
    form = scanned(*(Indicator(unsplit, "数量指标", f"指标{n}", "20", "≥90%", "95%", "20", row=10 + n)
                     for n in range(1, rows + 1)), row(rows + 1))
    marked = mark_doubts(form)
    assert marked.uncertain == (SURE, Uncertain("indicators", 11, "level1", unsplit, DOUBT))
    o01 = [f for f in services.evaluate(marked).findings if f.code == "O01" and f.location.field == "level1"]
    assert len(o01) == 1 and "分值未能读出" in o01[0].message
    assert mark_doubts(scanned(row(1), row(2))).uncertain == (SURE,)  # a level-1 name without digits
