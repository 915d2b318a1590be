"""How a form check makes a finding: the codes of docs/domain.md §5, and the places on a form it points at.

The checks of arithmetic_checks, rule_checks and pattern_checks build their findings here; checks runs them.
"""

from __future__ import annotations

from functools import lru_cache

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS, Form, FundRow, Indicator
from jixiao.core.scoring import IndicatorScore, Scorecard

# code → (severity, short Chinese title); the table of docs/domain.md §5 plus input codes V01, V02.
CODES: dict[str, tuple[str, str]] = {
    "A01": (Severity.ERROR, "执行率计算有误"),
    "A02": (Severity.ERROR, "预算执行得分计算有误"),
    "A03": (Severity.ERROR, "总分与各项得分之和不符"),
    "A04": (Severity.ERROR, "指标得分超出分值范围"),
    "A05": (Severity.ERROR, "分值合计不符"),
    "A06": (Severity.WARNING, "资金合计与分项不符"),
    "A07": (Severity.ERROR, "两列分值不一致"),
    "A08": (Severity.WARNING, "执行数超过预算数"),
    "R01": (Severity.WARNING, "得分与计分规则不符"),
    "R02": (Severity.WARNING, "已完成目标却扣分"),
    "R03": (Severity.WARNING, "未完成目标却得满分"),
    "R04": (Severity.WARNING, "扣分未说明原因"),
    "R05": (Severity.ERROR, "定性指标得分超出档次范围"),
    "R06": (Severity.INFO, "完成值远超目标且未说明"),
    "R07": (Severity.INFO, "预算执行率偏低"),
    "P01": (Severity.WARNING, "目标值只有完美结果才能达到或无法达到"),
    "P02": (Severity.INFO, "实际完成值与指标值完全相同"),
    "P03": (Severity.WARNING, "指标值与实际完成值单位不一致"),
    "P04": (Severity.WARNING, "二级指标归属的一级指标有误"),
    "P05": (Severity.WARNING, "同一批次中项目名称重复"),
    "P06": (Severity.INFO, "项目名称与目标、指标内容不符"),
    "P07": (Severity.INFO, "数量指标以百分比计量"),
    "P08": (Severity.WARNING, "指标值无法识别"),
    "P09": (Severity.WARNING, "缺少一级指标"),
    "P10": (Severity.INFO, "定性指标缺少可衡量的标准"),
    "R08": (Severity.WARNING, "未完成目标且未说明原因"),
    "U01": (Severity.INFO, "未识别出表格模板"),
    "V01": (Severity.ERROR, "数字单元格无法识别"),
    "V02": (Severity.ERROR, "全年预算数缺失，无法计算执行率"),
}


def form_finding(code: str, form: Form, location: Location, message: str, found: str = "",
                 expected: str = "", severity: Severity | None = None) -> Finding:
    """A finding of a code at its table's severity, or at a lower one where the check says why (A05: a form that
    departs from its profile's weights but adds up is warned, not called wrong)."""
    return Finding(code, severity or severity_of(code), 0, form.project, location, found, expected, message)


@lru_cache(maxsize=64)
def severity_of(code: str) -> Severity:
    return Severity(CODES[code][0])


def fund_location(row: FundRow, index: int, column: str) -> Location:
    return _location("funds", row.row, FUND_CAPTIONS[column], "", column, index)


def indicator_location(indicator: Indicator, index: int, column: str = "", what: str = "") -> Location:
    return _location("indicators", indicator.row, INDICATOR_CAPTIONS.get(column, ""),
                     what or indicator_name(indicator), column, index)


@lru_cache(maxsize=4096)
def _location(block: str, row: int | None, column: str, indicator: str, field: str, index: int) -> Location:
    """A cell's location; cached, as the forms of a batch share their layout (a Location is immutable)."""
    return Location(block=block, row=row, column=column, indicator=indicator, field=field, index=index)


def indicator_name(indicator: Indicator) -> str:
    return indicator.name or indicator.level2 or indicator.level1


def printed_target(ind: Indicator) -> str:
    """The target as printed: its one cell, or its parts ("≥ 95 %") where the template splits it."""
    return ind.target_value.text if ind.target_nature or ind.target_unit else ind.target


def has_column(form: Form, words: tuple[str, ...]) -> bool:
    """Whether the form prints a column captioned with one of the words; True when unknown (a record)."""
    return _holds_any(form.caption_text, words)


@lru_cache(maxsize=1024)
def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    return not text or any(w in text for w in words)


ScoredRows = tuple[tuple[int, Indicator, IndicatorScore], ...]
# The scored rows of the last form checked: a dozen checks ask for them in turn (one entry, by identity).
_last_scored: tuple[Form, Scorecard, ScoredRows] | None = None


def scored_rows(form: Form, card: Scorecard) -> ScoredRows:
    """Applicable indicator rows with their scores (不适用 rows and rows without a weight are skipped)."""
    global _last_scored
    last = _last_scored
    if last is not None and last[0] is form and last[1] is card:
        return last[2]
    rows = tuple((n, indicator, scored)
                 for (n, indicator), scored in zip(enumerate(form.indicators), card.indicators, strict=True)
                 if scored.applicable)
    _last_scored = (form, card, rows)
    return rows
