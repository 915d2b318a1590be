"""Targets (年度指标值) and actuals (实际完成值): operator, Decimal number, unit, or a phrase (domain.md §3).

CONTRACT (implemented by the values work): parse_value and parse_number never raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Op(StrEnum):
    GE = "≥"
    GT = ">"
    EQ = "="
    LE = "≤"
    LT = "<"


class Kind(StrEnum):
    POSITIVE = "positive"  # ≥ >
    EQUAL = "equal"  # = (also a bare number as a target)
    REVERSE = "reverse"  # ≤ <
    QUALITATIVE = "qualitative"  # a phrase, no number
    BLANK = "blank"  # nothing printed
    UNREADABLE = "unreadable"  # text that looks like a value but can't be read (finding P08)


@dataclass(frozen=True)
class Value:
    text: str  # as printed, trimmed
    op: Op | None = None  # None for a bare number, a phrase, blank or unreadable text
    number: Decimal | None = None  # 95 for "≥95%": percent is kept in percent units
    unit: str = ""  # "%" for percent, "个", "万元", "人次"…; "" when none
    phrase: str = ""  # the qualitative phrase when there is no number
    error: str = ""  # why the text can't be read (Chinese), empty when it can

    @property
    def kind(self) -> Kind:
        raise NotImplementedError

    def format(self) -> str:
        """Canonical text: "≥95%", "=100%", "≤90万元", "1000", or the phrase."""
        raise NotImplementedError


def parse_value(text: str) -> Value:
    """Read a target or an actual; never raises (unreadable text gives kind UNREADABLE)."""
    raise NotImplementedError


def parse_number(text: str) -> Decimal | None:
    """Read a plain number cell (万元, 分值, 得分, 执行率 without its %); None for blank, "-" or unreadable."""
    raise NotImplementedError


def number_error(text: str) -> str:
    """Why a number cell can't be read (Chinese); "" when it is blank, a placeholder ("-", "/") or a number."""
    raise NotImplementedError
