"""Scoring under a profile (domain.md §4): what each score on the form should have been, with its formula.

CONTRACT (implemented by the scoring work).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jixiao.core.model import Form
from jixiao.core.profiles import Profile


@dataclass(frozen=True)
class IndicatorScore:
    index: int  # position in form.indicators (0-based)
    weight: Decimal | None
    score: Decimal | None  # the rule's score; None when the rule can't give one (qualitative, unreadable)
    formula: str  # "96 ÷ 100 × 25 = 24.00", or why there is no score
    met: bool | None  # target reached; None when unknown
    applicable: bool = True  # False for 不适用 rows and rows without a weight
    band: tuple[Decimal, Decimal] | None = None  # for qualitative rows: the allowed score range


@dataclass(frozen=True)
class Scorecard:
    profile: str
    execution_rate: Decimal | None  # 0.756, a fraction
    execution_formula: str
    fund_score: Decimal | None
    fund_formula: str
    indicators: tuple[IndicatorScore, ...]
    indicator_sum: Decimal  # rule scores, the printed score where the rule gives none
    total: Decimal | None
    total_formula: str
    grade: str


def score_form(form: Form, profile: Profile) -> Scorecard:
    raise NotImplementedError
