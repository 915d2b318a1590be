"""Reading targets and actuals (domain.md §2–§3): every printed form, and properties over any text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.values import (
    Kind,
    Op,
    Value,
    cell_unit,
    comparable_units,
    is_measurable_phrase,
    number_error,
    parse_number,
    parse_parts,
    parse_value,
    same_unit,
    to_fraction,
)

D = Decimal

# text as printed → (op, number, unit, kind)
READABLE = [
    ("≥95%", Op.GE, D("95"), "%", Kind.POSITIVE),
    ("=100%", Op.EQ, D("100"), "%", Kind.EQUAL),
    ("＝100%", Op.EQ, D("100"), "%", Kind.EQUAL),
    ("≤30%", Op.LE, D("30"), "%", Kind.REVERSE),
    ("≥1000000", Op.GE, D("1000000"), "", Kind.POSITIVE),
    ("≥50个", Op.GE, D("50"), "个", Kind.POSITIVE),
    ("≤90万元", Op.LE, D("90"), "万元", Kind.REVERSE),
    (">0", Op.GT, D("0"), "", Kind.POSITIVE),
    ("<5", Op.LT, D("5"), "", Kind.REVERSE),
    ("不低于90%", Op.GE, D("90"), "%", Kind.POSITIVE),
    ("不少于3次", Op.GE, D("3"), "次", Kind.POSITIVE),
    ("达到100%", Op.GE, D("100"), "%", Kind.POSITIVE),
    ("不超过10天", Op.LE, D("10"), "天", Kind.REVERSE),
    ("不高于5%", Op.LE, D("5"), "%", Kind.REVERSE),
    ("控制在5%以内", Op.LE, D("5"), "%", Kind.REVERSE),
    ("90%以上", Op.GE, D("90"), "%", Kind.POSITIVE),
    ("≧ 735 人次", Op.GE, D("735"), "人次", Kind.POSITIVE),
    ("═ 100 %", Op.EQ, D("100"), "%", Kind.EQUAL),
    ("≥100百分比", Op.GE, D("100"), "%", Kind.POSITIVE),
    (">= 7.5 %", Op.GE, D("7.5"), "%", Kind.POSITIVE),
    ("≦3", Op.LE, D("3"), "", Kind.REVERSE),
    ("＜3", Op.LT, D("3"), "", Kind.REVERSE),
    ("＞3", Op.GT, D("3"), "", Kind.POSITIVE),
    ("﹦100", Op.EQ, D("100"), "", Kind.EQUAL),
    ("==5", Op.EQ, D("5"), "", Kind.EQUAL),
    ("≥９５％", Op.GE, D("95"), "%", Kind.POSITIVE),
    ("≥９５．５％", Op.GE, D("95.5"), "%", Kind.POSITIVE),
    ("　≥95%　", Op.GE, D("95"), "%", Kind.POSITIVE),
    ("≥95\n%", Op.GE, D("95"), "%", Kind.POSITIVE),
    ("百分之95", None, D("95"), "%", Kind.POSITIVE),
    ("验收合格率≥95%", Op.GE, D("95"), "%", Kind.POSITIVE),  # the name written before the sign
    ("≥95%。", Op.GE, D("95"), "%", Kind.POSITIVE),
    ("≥95%；", Op.GE, D("95"), "%", Kind.POSITIVE),
    # A bare number is a target to reach: POSITIVE, told apart from "≥" by op None.
    ("1", None, D("1"), "", Kind.POSITIVE),
    ("90%", None, D("90"), "%", Kind.POSITIVE),
    ("1,000", None, D("1000"), "", Kind.POSITIVE),
    ("-5%", None, D("-5"), "%", Kind.POSITIVE),
]


@pytest.mark.parametrize(("text", "op", "number", "unit", "kind"), READABLE)
def test_each_printed_form_reads_to_operator_number_and_unit(
    text: str, op: Op | None, number: Decimal, unit: str, kind: Kind
) -> None:
    value = parse_value(text)
    assert (value.op, value.number, value.unit, value.kind) == (op, number, unit, kind)
    assert value.error == ""


def test_number_is_decimal_not_float() -> None:
    assert isinstance(parse_value("≤90.10万元").number, Decimal)
    assert parse_value("≤90.10万元").number == D("90.10")


def test_text_keeps_the_printed_text_trimmed() -> None:
    assert parse_value("　＝100%\u3000").text == "＝100%"


@pytest.mark.parametrize("text", ["按时完成", "效果明显", "达成预期指标", "2022年12月底前完成", "12月底前", "100%完成"])
def test_phrase_is_qualitative(text: str) -> None:
    value = parse_value(text)
    assert (value.kind, value.phrase, value.number, value.error) == (Kind.QUALITATIVE, text, None, "")


@pytest.mark.parametrize("text", ["", "-", "/", "—", "无", "　", "－", "——"])
def test_blank_and_placeholders_are_blank(text: str) -> None:
    assert parse_value(text).kind is Kind.BLANK


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("≥", "运算符后没有数字"),
        ("12..5", "数字写法有误"),
        ("1O0%", "混有字母“O”"),
        ("≥abc5", "运算符后没有可读的数字"),
        ("不低于<5", "相互矛盾"),
        ("≤5%以上", "相互矛盾"),
        ("≥五十个", "运算符后没有数字"),
        ("95%-100%", "数字写法有误"),
        ("合格率≥", "运算符后没有数字"),
        ("合格率≥abc5", "运算符后没有可读的数字"),
    ],
)
def test_numeric_looking_text_that_cannot_be_read_is_unreadable_with_a_chinese_reason(
    text: str, reason: str
) -> None:
    value = parse_value(text)
    assert value.kind is Kind.UNREADABLE
    assert reason in value.error
    assert f"“{text}”" in value.error
    assert "≥95%" in value.error  # shows how to write it


@pytest.mark.parametrize(
    ("value", "text"),
    [("≥95%", "≥95%"), ("＝100%", "=100%"), ("不低于90%", "≥90%"), ("≧ 735 人次", "≥735人次"),
     ("≥100百分比", "≥100%"), ("1", "1"), ("效果明显", "效果明显"), ("控制在5%以内", "≤5%")],
)
def test_format_gives_canonical_text(value: str, text: str) -> None:
    assert parse_value(value).format() == text


@pytest.mark.parametrize(
    ("text", "number"),
    [("10", D("10")), ("　10", D("10")), ("10　", D("10")), ("7.56", D("7.56")), ("1,000", D("1000")),
     ("75.6%", D("75.6")), ("１０", D("10")), ("-3", D("-3")), ("0.756", D("0.756"))],
)
def test_parse_number_reads_number_cells(text: str, number: Decimal) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["-", "", "/", "abc", "1O0", "12..5", "1,00", "620元", "10万人"])
def test_parse_number_gives_none_for_placeholders_and_non_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["", "-", "/", "—", "10", "75.6%"])
def test_number_error_is_empty_for_blanks_and_numbers(text: str) -> None:
    assert number_error(text) == ""


def test_number_error_names_the_letter_mixed_into_a_number() -> None:
    assert "字母“O”" in number_error("1O0")


@pytest.mark.parametrize("text", ["abc", "十", "12..5"])
def test_number_error_says_why_text_is_not_a_number(text: str) -> None:
    assert "不是数字" in number_error(text)


def test_to_fraction_divides_percent_only() -> None:
    assert to_fraction(parse_value("≥95%")) == D("0.95")
    assert to_fraction(parse_value("≥50个")) == D("50")
    assert to_fraction(parse_value("效果明显")) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("%", "百分比", True), ("%", "％", True), ("", "%", False), ("个", "个", True), ("个", "人次", False)],
)
def test_same_unit_on_unit_texts(a: str, b: str, same: bool) -> None:
    assert same_unit(a, b) is same


def test_same_unit_on_values() -> None:
    assert not same_unit(parse_value("≥20%"), parse_value("15"))
    assert same_unit(parse_value("≥100百分比"), parse_value("100%"))


@pytest.mark.parametrize(
    ("target", "actual", "comparable"),
    [("≥20%", "15", True), ("≥50", "52个", True), ("20", "15", True), ("≥100百分比", "100%", True),
     ("≥50个", "52人次", False), ("≥90%", "95个", False)],
)
def test_comparable_units_takes_a_bare_number_as_the_other_sides_unit(target: str, actual: str,
                                                                       comparable: bool) -> None:
    # Seed form 9: target ≥20%, actual 15 is shorthand for 15% (check P03 stays quiet, friction point 11).
    assert comparable_units(parse_value(target), parse_value(actual)) is comparable


@pytest.mark.parametrize("text", ["效果明显", "显著提高", "有所提升", "群众满意度进一步提高", "明显改善"])
def test_vague_phrases_are_not_measurable(text: str) -> None:
    assert not is_measurable_phrase(text)


@pytest.mark.parametrize("text", ["按时完成", "符合相关规定", "在项目计划完成时间内完成", "12月底前完成"])
def test_phrases_with_a_standard_are_measurable(text: str) -> None:
    assert is_measurable_phrase(text)


@pytest.mark.parametrize(
    ("parts", "op", "number", "unit"),
    [(("≥", "95", "%"), Op.GE, D("95"), "%"), (("正向", "100", "百分比"), Op.GE, D("100"), "%"),
     (("反向", "90", "万元"), Op.LE, D("90"), "万元"), (("＝", "１００", "％"), Op.EQ, D("100"), "%"),
     (("", "12", "个"), None, D("12"), "个")],
)
def test_three_column_targets_read_like_one_cell(
    parts: tuple[str, str, str], op: Op | None, number: Decimal, unit: str
) -> None:
    value = parse_parts(*parts)
    assert (value.op, value.number, value.unit) == (op, number, unit)
    assert value.error == ""


def test_three_column_qualitative_target_keeps_its_phrase() -> None:
    value = parse_parts("定性", "效果明显", "")
    assert (value.kind, value.phrase) == (Kind.QUALITATIVE, "效果明显")


# Properties -----------------------------------------------------------------------------------

VALUE_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Z"),
) | st.sampled_from(list("≥≧≤≦＝═﹦=<>＜＞０１２３４５６７８９％．，,.%　 个万元人次天百分比以上以内不低于超过"))


@given(st.text(alphabet=VALUE_ALPHABET))
def test_parse_value_never_raises_and_always_gives_a_kind(text: str) -> None:
    value = parse_value(text)
    assert isinstance(value.kind, Kind)
    assert (value.kind is Kind.UNREADABLE) == bool(value.error)


@given(st.text())
def test_parse_value_never_raises_on_any_text(text: str) -> None:
    parse_value(text)


@given(st.text(alphabet=VALUE_ALPHABET))
def test_parse_number_and_number_error_never_raise(text: str) -> None:
    number = parse_number(text)
    assert number is None or isinstance(number, Decimal)
    assert isinstance(number_error(text), str)


def _same(a: Value, b: Value) -> bool:
    return (a.op, a.number, a.unit, a.phrase, a.kind) == (b.op, b.number, b.unit, b.phrase, b.kind)


@given(
    st.sampled_from([None, *Op]),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "%", "个", "万元", "人次", "天", "次/年", "km"]),
)
def test_format_then_parse_gives_the_same_value(op: Op | None, number: Decimal, unit: str) -> None:
    value = Value(text="", op=op, number=number, unit=unit)
    assert _same(parse_value(value.format()), value)


@given(st.text(alphabet=VALUE_ALPHABET))
def test_every_readable_value_survives_format_and_parse(text: str) -> None:
    value = parse_value(text)
    if value.is_readable:
        assert _same(parse_value(value.format()), value)


@given(st.text(alphabet=VALUE_ALPHABET), st.text(alphabet=VALUE_ALPHABET), st.text(alphabet=VALUE_ALPHABET))
def test_parse_parts_never_raises(nature: str, number: str, unit: str) -> None:
    assert isinstance(parse_parts(nature, number, unit).kind, Kind)


# Number cells with their unit printed in the cell (issue 9, point 4) ---------------------------


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [("620.82万元", D("620.82"), "万元"), ("10万", D("10"), "万"), ("259.45 万元", D("259.45"), "万元"),
     ("20%", D("20"), "%"), ("２０％", D("20"), "%"), ("20分", D("20"), "分"), ("39.6", D("39.6"), "")],
)
def test_number_cells_with_their_unit_read_as_numbers(text: str, number: Decimal, unit: str) -> None:
    assert parse_number(text) == number
    assert cell_unit(text) == unit
    assert number_error(text) == ""


def test_an_amount_in_yuan_in_a_form_in_wanyuan_is_a_finding_not_a_conversion() -> None:
    assert parse_number("6208200元") is None
    message = number_error("6208200元")
    assert "元" in message and "万元" in message and "不会自行换算" in message


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万元", "万", "分", "%", "％", " 万元", ""]))
def test_any_number_with_a_cell_unit_reads_back_as_its_number(number: Decimal, unit: str) -> None:
    assert parse_number(f"{number}{unit}") == number


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_number_in_yuan_is_refused_with_a_reason(number: Decimal) -> None:
    assert parse_number(f"{number}元") is None
    assert "万元" in number_error(f"{number}元")
