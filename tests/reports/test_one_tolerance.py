"""One printed-rounding tolerance: the rescoring writers (reports.layout.agrees) and the web's marks
(web.presenters.differs) answer what core.tolerance.printed_matches answers, for any printed text."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.tolerance import printed_matches
from jixiao.core.values import parse_number
from jixiao.reports.layout import agrees
from jixiao.web.presenters import differs

printed_texts = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False).map(str),
    st.sampled_from(["1e1", "10", "14", "7.56", "7.6", "8", "１０", "75.60", "abc", "—"]),
)
computed_values = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)


@given(printed_texts, computed_values)
def test_writers_and_pages_agree_with_the_core(printed: str, computed: Decimal) -> None:
    number = parse_number(printed)
    core = number is not None and printed_matches(number, computed)
    assert agrees(printed, computed) is core
    assert differs(printed, str(computed)) is (not core)


def test_the_case_of_the_issue_1e1_against_14() -> None:
    assert not agrees("1e1", Decimal(14))
    assert differs("1e1", "14")
    assert differs("10", "14") and not differs("14", "14.6") and differs("14", "15.2")  # rounded or truncated


def test_a_blank_cell_differs_from_nothing() -> None:
    assert not differs("", "7.56")
    assert not agrees("", Decimal("7.56"))
