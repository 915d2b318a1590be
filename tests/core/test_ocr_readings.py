"""Issue 14 point 3: a number a scan got wrong is corrected only where the form's own arithmetic confirms
that one reading and no other (执行率 = 执行数 ÷ 全年预算数), and each correction is recorded and reported."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jixiao import services
from jixiao.core.model import Form, FundRow, Uncertain
from jixiao.core.ocr import confirm_readings, readings


def form(annual: str, executed: str, rate: str, uncertain: tuple[Uncertain, ...] = ()) -> Form:
    return Form(project="法律援助专项经费", year=2020,
                funds=(FundRow("total", "年度资金总额", annual, annual, executed, "10", rate, "", row=6),),
                uncertain=uncertain)


def test_a_lost_decimal_point_in_the_rate_is_put_back_recorded_and_reported() -> None:
    read = form("10", "7.56", "7560%", (Uncertain("funds", 6, "rate", "7560%", "0.62"),))
    fixed = confirm_readings(read)
    assert fixed.funds[0].rate == "75.60%"
    assert fixed.uncertain == read.uncertain  # the reading stays on record with what it was read as
    findings = {f.code: f for f in services.evaluate(fixed).findings}
    assert "O02" in findings and "O01" not in findings
    assert findings["O02"].found == "7560%" and findings["O02"].expected == "75.60%"
    assert "7560%" in findings["O02"].message and "75.60%" in findings["O02"].message
    assert not any(f.code.startswith("A") and f.location.field == "rate" for f in findings.values())


def test_a_letter_for_a_digit_is_mended_and_a_sure_cell_gets_its_reading_recorded() -> None:
    fixed = confirm_readings(form("10", "7.5B", "75.8%"))  # B for 8, the engine sure of it
    assert fixed.funds[0].executed == "7.58"
    assert fixed.uncertain == (Uncertain("funds", 6, "executed", "7.5B", "—"),)


def test_a_row_that_adds_up_is_never_touched() -> None:
    read = form("10", "7.56", "75.60%")
    assert confirm_readings(read) is read


def test_a_row_no_single_reading_mends_is_left_for_the_checks() -> None:
    read = form("10", "1O", "1OO%")  # both the amount and the rate misread: no one cell explains it
    assert confirm_readings(read) is read
    wrong = form("10", "7.56", "85%")  # a printed error, not a misreading: nothing reads it right
    assert confirm_readings(wrong) is wrong


def test_the_readings_of_a_cell_mend_confusions_and_decimal_points_only() -> None:
    assert readings("1O.5") == {"10.5"}
    assert readings("756%") == {"7.56%", "75.6%"}
    assert readings("——") == set()


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)


@given(annual=amounts, share=st.integers(min_value=1, max_value=100))
def test_a_consistent_row_is_never_changed(annual: Decimal, share: int) -> None:
    executed = (annual * share / 100).quantize(Decimal("0.01"))
    rate = f"{(executed / annual * 100).quantize(Decimal('0.01'))}%"
    read = form(str(annual), str(executed), rate)
    assert confirm_readings(read) is read


@given(annual=amounts, share=st.integers(min_value=1, max_value=100))
def test_a_correction_always_makes_the_row_add_up_or_nothing_is_changed(annual: Decimal, share: int) -> None:
    executed = (annual * share / 100).quantize(Decimal("0.01"))
    rate = f"{(executed / annual * 100).quantize(Decimal('0.01'))}%"
    lost = rate.replace(".", "")  # the decimal point the scan lost
    fixed = confirm_readings(form(str(annual), str(executed), lost))
    if fixed.funds[0].rate != lost:
        assert confirm_readings(fixed) is fixed  # the corrected row now adds up
        assert fixed.funds[0].rate.replace(".", "") == lost


def _scanned(target: str, score: str) -> Form:
    from jixiao.core.model import Indicator, Total

    indicators = (
        Indicator("产出指标", "数量指标", "法律援助案件数", "30", target, "96%", score, row=12),
        Indicator("产出指标", "质量指标", "结案率", "30", "≥90%", "95%", "30", row=13),
        Indicator("效益指标", "社会效益指标", "群众满意度", "30", "≥90%", "92%", "30", row=14),
    )
    funds = (FundRow("total", "年度资金总额", "10", "10", "10", "10", "100%", "10", row=6),)
    return Form(project="法律援助专项经费", year=2020, title="项目支出绩效自评表", funds=funds, indicators=indicators,
                total=Total(weight="100", score="100"), uncertain=(Uncertain("indicators", 14, "actual", "92%", "0.7"),))


def test_a_misread_greater_or_equal_sign_is_put_back_where_the_rows_score_confirms_it() -> None:
    """"295%" for "≥95%": read as printed, 96% falls short of 295% and the full 30 points disagree with the rule;
    read with ≥, the target is met and 30 is right."""
    e = services.evaluate(_scanned("295%", "30"))
    assert e.form.indicators[0].target == "≥95%"
    codes = {f.code: f for f in e.findings}
    assert codes["O02"].found == "295%" and codes["O02"].expected == "≥95%" and "得分" in codes["O02"].message
    assert not any(f.code.startswith("R") and f.location.row == 12 for f in e.findings)
    worker = services.evaluate(_scanned("工95%", "30"))
    assert worker.form.indicators[0].target == "≥95%"


def test_a_target_the_score_does_not_confirm_is_left_as_read() -> None:
    e = services.evaluate(_scanned("295%", "10"))  # 10 points fit neither reading: the checks say so
    assert e.form.indicators[0].target == "295%" and "O02" not in {f.code for f in e.findings}
    clean = services.evaluate(_scanned("≥95%", "30"))
    assert clean.form.indicators[0].target == "≥95%" and "O02" not in {f.code for f in clean.findings}
