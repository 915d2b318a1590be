"""Scoring profiles: every number of the scoring rules, as dated data files with their source (domain.md §4).

CONTRACT (implemented by the profiles work). Built-in profiles live in jixiao/core/profiles/*.toml:
mof-2020, local-2019, transfer-2020 (and mof-2021 for 财预〔2021〕101号, 成本指标 as level 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jixiao.core.model import Form


class ProfileError(ValueError):
    """A profile file that can't be used: the message names the file, the key and a valid example."""


@dataclass(frozen=True)
class Band:
    tier: str  # 达成 / 部分达成并具有一定效果 / 未达成且效果较差
    low: Decimal  # share of the weight, 0.8
    high: Decimal  # share of the weight, 1.0


@dataclass(frozen=True)
class Grade:
    minimum: Decimal  # score from which the grade applies, 90
    name: str  # 优


@dataclass(frozen=True)
class Profile:
    name: str  # "mof-2020"
    title: str  # Chinese name shown to users
    source: str  # the regulation it follows
    first_year: int | None
    last_year: int | None
    regions: tuple[str, ...]  # empty: everywhere
    fund_weight: Decimal  # 10
    fund_in_total: bool
    category_points: tuple[tuple[str, Decimal], ...]  # (("产出指标", 50), ("效益指标", 30), ("满意度指标", 10))
    indicator_total: Decimal  # sum of indicator weights the profile expects (90, 100, 80)
    total: Decimal  # 100
    level2_types: tuple[tuple[str, tuple[str, ...]], ...]  # level-1 → its level-2 types
    qualitative_bands: tuple[Band, ...]
    reverse_formula: str  # "ratio" | "linear"
    grades: tuple[Grade, ...]  # highest first
    overachievement_ratio: Decimal  # R06: actual ≥ 1.3 × target
    low_execution_rate: Decimal  # R07: rate below 0.9
    path: str = ""  # the file it was loaded from

    def grade(self, score: Decimal) -> str:
        raise NotImplementedError


def builtin_profiles() -> dict[str, Profile]:
    raise NotImplementedError


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a user's TOML file by path; raises ProfileError."""
    raise NotImplementedError


def profile_for_year(year: int | None, region: str = "") -> Profile:
    raise NotImplementedError


def detect_profile(form: Form) -> Profile:
    """The profile a form was written under, from its points labels and weight sums (domain.md §4)."""
    raise NotImplementedError
