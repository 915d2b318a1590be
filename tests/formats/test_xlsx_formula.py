"""Formulas saved without their results (as programs that write spreadsheets save them) are calculated as
Excel would show them on opening; what can't be calculated stays as typed (formats/xlsx_formula.py)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import services
from jixiao.formats.xlsx_formula import calculate

CELLS = {(0, 0): (100, "General"), (0, 1): (90, "General"), (0, 2): ("12.5", "General"), (1, 0): (None, "")}


def _one(text: str, cells: dict | None = None) -> Decimal | None:
    return calculate({(9, 9): text}, cells if cells is not None else CELLS).get((9, 9))


def test_arithmetic_on_cells_in_excel_precedence() -> None:
    assert _one("=B1/A1") == Decimal("0.9")
    assert _one("=A1-B1*2") == Decimal(-80)
    assert _one("=(A1-B1)*2") == Decimal(20)
    assert _one("=-A1^2") == Decimal(10000)  # Excel negates before the power
    assert _one("=B1/A1*100%") == Decimal("0.9") and _one("=B1%") == Decimal("0.9")
    assert _one("=$A$1+c1") == Decimal("112.5")  # absolute and lower-case references, a number typed as text
    assert _one("=A2+A1") == Decimal(100)  # an empty cell counts 0


def test_functions_over_ranges_and_arguments() -> None:
    assert _one("=SUM(A1:C1)") == Decimal("202.5")
    assert _one("=SUM(A1,B1,5)") == Decimal(195)
    assert _one("=ROUND(B1/A1*10,1)") == Decimal("9.0")
    assert _one("=MIN(B1/A1,1)*10") == Decimal(9)
    assert _one("=AVERAGE(A1:B1)") == Decimal(95)


def test_formulas_refer_to_formulas_in_any_order() -> None:
    found = calculate({(2, 0): "=A2+A4", (1, 0): "=A1*2", (3, 0): "=A2/4"}, {(0, 0): (10, "")})
    assert found == {(1, 0): 20, (3, 0): 5, (2, 0): 25}


def test_what_excel_would_need_more_for_stays_as_typed() -> None:
    for typed in ("=100%", "=95", "=Sheet2!A1+1", "=VLOOKUP(A1,B1:C1,2)", "=A1/A2", "=A1&\"万元\"", "=A1+",
                  "=IF(A1>1,1,0)", "=A1:B1"):
        assert _one(typed) is None, typed
    assert calculate({(0, 0): "=B1+1", (0, 1): "=A1+1"}, {}) == {}  # a cycle
    assert calculate({(0, 0): "=B1+1"}, {(0, 1): ("甲", "")}) == {}  # text


def test_a_chain_deeper_than_the_stack_does_not_crash() -> None:
    chain = {(r, 0): f"=A{r}+1" for r in range(1, 3000)}  # A2=A1+1, A3=A2+1, …
    found = calculate(chain, {(0, 0): (0, "")})
    assert found[(1, 0)] == 1 and all(value == at[0] for at, value in found.items())


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, Decimal]:
    """A formula over the cells A1..C1 with the value Python's Decimal gives it."""
    if depth > 3 or draw(st.booleans()):
        col = draw(st.integers(0, 2))
        return "ABC"[col] + "1", Decimal(str(VALUES[col]))
    (left, a), (right, b) = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    op = draw(st.sampled_from("+-*"))
    return f"({left}{op}{right})", {"+": a + b, "-": a - b, "*": a * b}[op]


VALUES = (100, 90, Decimal("12.5"))


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_any_arithmetic_formula_gives_what_decimal_gives(expression: tuple[str, Decimal]) -> None:
    text, value = expression
    assert _one("=" + text) == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABC123$:,()+-*/^%.E SUMROUND!\"", max_size=40))
def test_no_formula_text_makes_it_raise(text: str) -> None:
    found = _one("=" + text)
    assert found is None or isinstance(found, Decimal)


def test_a_form_written_by_a_program_reads_with_its_rates_scores_and_total() -> None:
    """openpyxl saves formulas without results: the form's 执行率, 得分 and 总分 were read as "=E5/D5" and
    got V01 errors ("混有字母E，请改为阿拉伯数字"), though Excel shows 90.00%, 9 and 99."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["项目支出绩效自评表"], ["项目名称", "培训项目", "", "主管部门", "某局"], ["实施单位", "某中心"],
                ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                ["", "年度资金总额", 100, 100, 90, 10, "=E5/D5", "=F5*MIN(G5,1)"],
                ["年度总体目标", "预期目标", "", "", "实际完成情况"], ["", "完成培训", "", "", "完成培训"],
                ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施"],
                ["", "产出指标", "数量指标", "培训人数", "≥100人", "100人", 50, 50, ""],
                ["", "效益指标", "社会效益指标", "技能提升率", "≥90%", "95%", 30, 30, ""],
                ["", "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, 10, ""],
                ["总分", "", "", "", "", "", "=SUM(G9:G11)+F5", "=SUM(H9:H11)+H5"]):
        ws.append(row)
    ws["G5"].number_format = "0.00%"
    buf = io.BytesIO()
    wb.save(buf)
    (form,) = services.read_upload(buf.getvalue(), "program.xlsx").forms
    (fund,) = form.funds
    assert (fund.rate, fund.score, form.total.weight, form.total.score) == ("90.00%", "9", "100", "99")
    assert not [f for f in services.evaluate(form).findings if f.severity.value != "info"]
