"""The indicator library's entries, name normalisation and matching, candidate grouping and statistics."""

from __future__ import annotations

import statistics as py_statistics
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.library import (
    How,
    Library,
    Use,
    entry_from_record,
    entry_to_record,
    group_unmatched,
    met,
    normalise_name,
    quantile,
    spread,
    statistics,
)
from jixiao.core.values import parse_value

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
NAMES = st.text(CJK, min_size=2, max_size=12)
WIDE = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # ASCII → full-width forms


def entry(code: str, name: str, **more: object) -> object:
    return entry_from_record({"code": code, "name": name, **more})


@given(NAMES)
def test_normalising_twice_changes_nothing(name: str) -> None:
    assert normalise_name(normalise_name(name)) == normalise_name(name)


@given(NAMES, st.text(st.sampled_from(" \u3000\t"), min_size=1, max_size=3), st.integers(0, 12))
def test_blanks_anywhere_do_not_change_a_name(name: str, blanks: str, at: int) -> None:
    assert normalise_name(name[:at] + blanks + name[at:]) == normalise_name(name)


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=10), NAMES)
def test_full_width_and_half_width_are_the_same(ascii_part: str, name: str) -> None:
    wide = "".join(WIDE[c] for c in ascii_part)
    assert normalise_name(name + wide) == normalise_name(name + ascii_part)


@given(NAMES, st.sampled_from(["指标1：", "指标12:", "1.", "2、", "（3）", "(一)", "①", "三、", "三级指标2："]))
def test_numbering_prefixes_are_dropped(name: str, prefix: str) -> None:
    if normalise_name(name) != normalise_name(prefix + name):
        # only a name that itself starts like numbering (e.g. "一二…") may differ
        assert unicodedata.normalize("NFKC", name)[0] in "一二三四五六七八九十"


@given(NAMES)
def test_bili_and_lv_are_the_same(stem: str) -> None:
    assert normalise_name(stem + "比例") == normalise_name(stem + "率")


@given(NAMES)
def test_an_entry_matches_its_own_name_exactly_and_its_variants_normalised(name: str) -> None:
    library = Library([entry("E1", name, level2="数量指标", unit="个")])
    match = library.match(name, "数量指标", "个")
    assert match is not None and match.how is How.EXACT and match.confirmed
    variant = "指标1：" + " ".join(name)
    match = library.match(variant, "数量 指标", "个")
    if normalise_name(variant) == normalise_name(name):
        assert match is not None and match.entry.code == "E1" and match.how in (How.EXACT, How.NORMALISED)


def test_matching_respects_level2_and_unit() -> None:
    library = Library([entry("A", "培训人次", level2="数量指标", unit="人次"),
                       entry("B", "资金到位率", level2="成本指标", unit="%")])
    assert library.match("培训人次", "质量指标") is None  # another level 2
    unit_off = library.match("培训人次", "数量指标", "个")
    assert unit_off is not None and unit_off.unit_differs and not unit_off.confirmed
    similar = library.match("资金到位及时率", "成本指标", "%")
    assert similar is not None and similar.how is How.SIMILAR and not similar.confirmed
    assert library.match("满意度", "") is None


@given(NAMES, NAMES)
def test_similar_matches_are_ranked_and_above_the_threshold(a: str, b: str) -> None:
    library = Library([entry("A", a), entry("B", b)], threshold=0.5)
    found = library.matches(a + "情况")
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True) and all(s >= 0.5 for s in scores)


def test_record_round_trip_and_errors_name_the_field() -> None:
    e = entry_from_record({"code": "X1", "name": "资金到位率", "kind": "定量", "op": ">=", "unit": "百分比",
                           "common": "是", "valid_from": "2020", "aliases": "到位率；资金到位比例"})
    assert e.op == "≥" and e.unit == "%" and e.common and e.valid_from == 2020 and len(e.aliases) == 2
    assert entry_from_record(entry_to_record(e)) == e
    with pytest.raises(ValueError, match="指标代码"):
        entry_from_record({"name": "x"})
    with pytest.raises(ValueError, match=r"第3行.*启用年度"):
        entry_from_record({"code": "c", "name": "x", "valid_from": "二〇二〇"}, "第3行")
    with pytest.raises(ValueError, match=r"定量/定性"):
        entry_from_record({"code": "c", "name": "x", "kind": "量化"})
    with pytest.raises(ValueError, match="停用年度 2019 早于启用年度 2020"):
        entry_from_record({"code": "c", "name": "x", "valid_from": 2020, "valid_to": 2019})


def test_unmatched_names_group_into_candidates() -> None:
    rows = [("培训人次", "数量指标", "人次"), ("培训 人次", "数量", "人次"), ("指标1：培训人次", "数量指标", "人次"),
            ("培训人次数", "数量指标", "人次"), ("群众满意度", "服务对象满意度指标", "%"),
            ("培训人次", "质量指标", "人次")]
    groups = group_unmatched(rows)
    first = groups[0]
    assert first.name == "培训人次" and first.count == 4 and first.level2 == "数量指标" and first.unit == "人次"
    assert {c.name for c in groups} == {"培训人次", "群众满意度"} and len(groups) == 3  # 质量 is another group


@given(st.lists(st.decimals(-1000, 1000, places=2), min_size=2, max_size=40))
def test_quartiles_agree_with_the_standard_library(numbers: list[Decimal]) -> None:
    ordered = sorted(numbers)
    q1, q2, q3 = py_statistics.quantiles([float(n) for n in ordered], n=4, method="inclusive")
    for mine, theirs in zip((quantile(ordered, Decimal(q) / 4) for q in (1, 2, 3)), (q1, q2, q3), strict=True):
        assert float(mine) == pytest.approx(theirs, abs=1e-6)
    s = spread(numbers)
    assert s is not None and s.low <= s.q1 <= s.median <= s.q3 <= s.high


def test_met_follows_the_operator() -> None:
    assert met(parse_value("≥90%"), parse_value("95%")) is True
    assert met(parse_value("≤5%"), parse_value("6%")) is False
    assert met(parse_value(">0"), parse_value("0")) is False
    assert met(parse_value("≥20%"), parse_value("15")) is None  # units differ: unknown, not missed


def test_statistics_by_year_department_and_units_seen() -> None:
    def use(unit: str, year: int, target: str, actual: str, dept: str = "司法局") -> Use:
        return Use("E", unit, year, "p", parse_value(target), parse_value(actual), department=dept)

    uses = [use("甲", 2020, "≥300件", "320件"), use("乙", 2020, "≥200件", "150件"), use("丙", 2021, "≥400件", "450件"),
            use("甲", 2021, "≥95%", "96%", "教育局")]
    stats = statistics("E", uses)
    assert stats.units == 3 and stats.years == (2020, 2021) and stats.measure == "件"
    assert stats.units_seen == (("件", 3), ("%", 1))
    assert stats.overall.targets is not None and stats.overall.targets.median == 300
    assert stats.overall.share_met == Decimal("0.75")
    assert [g.key for g in stats.by_year] == ["2020", "2021"] and stats.by_year[0].share_met == Decimal("0.5")
    assert [g.key for g in stats.by_department] == ["司法局", "教育局"]
    assert stats.as_dict()["overall"]["targets"]["median"] == "300"
