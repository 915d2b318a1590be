"""Scoring profiles: every number of the scoring rules, as dated data with their source (docs/domain.md §4).

A Profile and its Template are read from the text of a TOML file by core.profile_toml (parse_profile);
core.profile_set chooses among them for a form (ProfileSet). jixiao.core reads no files: the built-in
profiles (jixiao/data/profiles/*.toml: mof-2020, local-2019, transfer-2020, mof-2021) and a user's
profile file are read by jixiao.profile_files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache


class ProfileError(ValueError):
    """A profile file that can't be used: the message names the file, the line, the key and a valid example."""

    def __init__(self, message: str, line: int | None = None, key: str = "") -> None:
        super().__init__(message)
        self.line = line  # 1-based line of the TOML text, None when no line holds the problem
        self.key = key  # the key at fault ("template.weight", "qualitative_bands[2].high")


# A column's name in [template.columns] → the record's field it prints, where the two differ: the recogniser,
# the writers and `jixiao profile init` read it here.
COLUMN_ATTRIBUTES = {"target_op": "target_nature"}


def column_attribute(column: str) -> str:
    """The record's field a template column prints: "target_op" → "target_nature", others their own name."""
    return COLUMN_ATTRIBUTES.get(column, column)


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
class Template:
    """How a profile's form is laid out and worded: what the recogniser, the scorer and the checker read.

    Every wording is matched on the cell's text without blanks, colons and line breaks. Words are added
    to the recogniser's own (formats/layout.py) for every profile of the set, so that a province's
    template is added by writing one TOML file.
    """

    header: tuple[tuple[str, str], ...] = ()  # (label as printed, field): ("转移支付(项目)名称", "project")
    fund_rows: tuple[tuple[str, str], ...] = ()  # (word in the row label, kind): ("中央补助", "appropriation")
    fund_columns: tuple[tuple[str, str], ...] = ()  # (word in the caption, field): ("调整后预算数", "annual")
    indicator_columns: tuple[tuple[str, str], ...] = ()  # ("权重占比", "weight"), ("得分计算方法", "formula")
    weight: str = "points"  # how indicator weights are printed: points, percent (of indicator_total), none
    target: str = "whole"  # whole: "≥95%" in one cell; split: 指标性质 | 指标值 | 度量单位
    scored: bool = True  # the form prints scores (a form with no score columns is read and checked, never scored)
    rate: str = "percent"  # how 执行率 is printed: percent ("95%") or fraction ("0.95")
    level1_aliases: tuple[tuple[str, str], ...] = ()  # (printed, meant): ("效果指标", "效益指标")
    goal_blocks: tuple[str, ...] = ()  # headings of goal blocks carrying points: "年度绩效目标" (…1(40分))
    points_from_form: bool = False  # level-1 points are the form's own labels (决策/过程/产出/效益 frameworks)
    total: str = "row"  # where the total is printed: a 总分 row, the header (自评总分), or none (no scores)
    detect: tuple[str, ...] = ()  # words of header labels or captions that mark this template
    level1_names: tuple[str, ...] = ()  # further level-1 names the template uses (besides its points)
    checks: tuple[str, ...] = ()  # the check codes that apply; empty: all of them
    template_free: bool = False  # the profile of a form no profile fits: template-free rules only
    fund_block: bool = True  # the form has a fund block (frameworks put 预算执行率 among the indicators)
    goals_block: bool = True  # the form has a 年度总体目标 block (frameworks have none)
    # (field, caption) as the writers print them: ("indicators.target", "年初目标值(A)"), ("funds.score",
    # "得分(20分*执行率)"), ("project", "转移支付(项目)名称"); fields not named keep the standard wording
    wording: tuple[tuple[str, str], ...] = ()
    # The columns the template prints, in order ([template.columns]); () keeps the standard template's.
    # header: the header fields two to a row; funds: the fund block's columns after the row label;
    # indicators: the indicator columns (target_op | target | target_unit for a split target).
    header_fields: tuple[str, ...] = ()
    fund_fields: tuple[str, ...] = ()
    indicator_fields: tuple[str, ...] = ()

    def canonical(self, level1: str) -> str:
        """The level-1 a printed name means: 效果指标 → 效益指标 in Hebei's template."""
        if not self.level1_aliases:
            return level1
        return next((meant for printed, meant in self.level1_aliases if printed == level1), level1)

    def runs(self, code: str) -> bool:
        return not self.checks or code in self.checks


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
    chosen_by_year: bool = True  # a candidate of profile_for_year (variants like transfer-2020 are not)
    template: Template = Template()
    years: str = ""  # the years and regions in words, for users: "2020年起，湖北省"

    @property
    def level1_known(self) -> frozenset[str]:
        """Every level-1 name the profile's template uses: points, level-2 tree, aliases, further names."""
        names = {n for n, _ in self.category_points} | {n for n, _ in self.level2_types}
        names |= {a for a, _ in self.template.level1_aliases} | set(self.template.level1_names)
        return frozenset(names)

    def runs_check(self, code: str) -> bool:
        """Whether the check of a code applies under this profile (template.checks)."""
        return self.template.runs(code)

    def weight_points(self, weight: Decimal) -> Decimal:
        """The points a printed weight stands for: itself, or its percentage of indicator_total."""
        if self.template.weight == "percent":
            return weight * self.indicator_total / 100
        return weight

    def grade(self, score: Decimal) -> str:
        """The grade whose minimum the score reaches (≥90 优, ≥80 良, ≥60 中, else 差 in 10号)."""
        for grade in self.grades:
            if score >= grade.minimum:
                return grade.name
        return self.grades[-1].name if self.grades else ""

    def points(self, level1: str) -> Decimal | None:
        """The points a level-1 category carries, None when the profile fixes none."""
        return dict(self.category_points).get(level1)

    def level1_of(self, level2: str) -> str | None:
        """The level-1 category a level-2 type belongs to (check P04), None when unknown."""
        return next((l1 for l1, types in self.level2_types if level2 in types), None)

    def band(self, tier: str) -> Band | None:
        return next((b for b in self.qualitative_bands if b.tier == tier), None)

    def covers(self, year: int | None, region: str = "") -> bool:
        """Whether the profile's date range holds the year and its regions the region."""
        if year is not None:
            if self.first_year is not None and year < self.first_year:
                return False
            if self.last_year is not None and year > self.last_year:
                return False
        return not self.regions or not region or region in self.regions


@lru_cache(maxsize=4096)
def stem(name: str) -> str:
    """A level name without blanks and its "指标" suffix, for comparison: "数量\u3000指标" → "数量"."""
    plain = re.sub(r"\s", "", name)
    return plain[:-2] if plain.endswith("指标") else plain
