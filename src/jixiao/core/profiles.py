"""Scoring profiles: every number of the scoring rules, as dated data with their source (docs/domain.md §4).

A profile is parsed from the text of a TOML file (parse_profile); decimals are read as Decimal,
never float. A ProfileSet is the profiles a form may be scored under and the choice among them:
by the form's own evidence (detect) or by its year (for_year). jixiao.core reads no files: the
built-in profiles (jixiao/data/profiles/*.toml: mof-2020, local-2019, transfer-2020, mof-2021) and
a user's profile file are read by jixiao.profile_files.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jixiao.core.values import parse_number

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
    chosen_by_year: bool = True  # a candidate of profile_for_year (variants like transfer-2020 are not)

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


REVERSE_FORMULAS = ("ratio", "linear")

# A valid line for every key, shown in the message of a ProfileError.
EXAMPLES: dict[str, str] = {
    "name": 'name = "mof-2020"',
    "title": 'title = "财政部项目支出绩效自评表（2020年起）"',
    "source": 'source = "财预〔2020〕10号《项目支出绩效评价管理办法》"',
    "first_year": "first_year = 2020",
    "last_year": "last_year = 2019",
    "regions": 'regions = ["湖北省"]',
    "chosen_by_year": "chosen_by_year = true",
    "fund_weight": "fund_weight = 10",
    "fund_in_total": "fund_in_total = true",
    "indicator_total": "indicator_total = 90",
    "total": "total = 100",
    "reverse_formula": 'reverse_formula = "ratio"',
    "overachievement_ratio": "overachievement_ratio = 1.3",
    "low_execution_rate": "low_execution_rate = 0.9",
    "category_points": '[category_points] 下一行写 "产出指标" = 50',
    "level2_types": '[level2_types] 下一行写 "产出指标" = ["数量指标", "质量指标", "时效指标", "成本指标"]',
    "qualitative_bands": '[[qualitative_bands]] 下三行写 tier = "达成"、low = 0.8、high = 1.0',
    "grades": '[[grades]] 下两行写 minimum = 90、name = "优"',
}
# Keys a profile may leave out; every other key of EXAMPLES is required.
DEFAULTS: dict[str, Any] = {
    "first_year": None, "last_year": None, "regions": [], "chosen_by_year": True,
    "category_points": {}, "level2_types": {},
    "overachievement_ratio": Decimal("1.3"), "low_execution_rate": Decimal("0.9"),
}


class _Reader:
    """Typed access to the keys of one profile file; every problem becomes a ProfileError."""

    def __init__(self, data: Mapping[str, Any], file: str, prefix: str = "") -> None:
        self.data = data
        self.file = file
        self.prefix = prefix  # "qualitative_bands[2]." inside one row of an array of tables

    def row(self, data: Mapping[str, Any], key: str) -> _Reader:
        return _Reader(data, self.file, f"{self.prefix}{key}.")

    def fail(self, key: str, problem: str) -> ProfileError:
        where = self.prefix + key
        example = EXAMPLES.get(where.split(".")[0].split("[")[0], "fund_weight = 10")
        return ProfileError(f"评分规则文件 {self.file} 有误：键“{where}”{problem}。正确写法示例：{example}")

    def get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if key in DEFAULTS and not self.prefix:
            return DEFAULTS[key]
        raise self.fail(key, "缺失")

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"应为非空文本（加英文引号），实际为 {value!r}")
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"应为 true 或 false，实际为 {value!r}")
        return value

    def year(self, key: str) -> int | None:
        value = self.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, f"应为年份整数，实际为 {value!r}")
        return value

    def decimal(self, key: str, value: Any = None) -> Decimal:
        value = self.get(key) if value is None else value
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(key, f"应为数字（不加引号），实际为 {value!r}")
        number = Decimal(value)
        if not number.is_finite():
            raise self.fail(key, f"应为有限的数字，实际为 {value}")
        if number < 0:
            raise self.fail(key, f"不能为负数，实际为 {value}")
        return number

    def table(self, key: str) -> Mapping[str, Any]:
        value = self.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(key, "应为一个表")
        return value

    def rows(self, key: str) -> list[Mapping[str, Any]]:
        value = self.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(key, "应为一组表（每组以 [[" + key + "]] 开头），且至少一组")
        return value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"应为文本列表，实际为 {value!r}")
        return tuple(v.strip() for v in value)


def _bands(reader: _Reader) -> tuple[Band, ...]:
    """Qualitative bands; together they must cover 0–100% of the weight without gaps (domain §4)."""
    bands = []
    for n, row in enumerate(reader.rows("qualitative_bands"), 1):
        sub = reader.row(row, f"qualitative_bands[{n}]")
        band = Band(tier=sub.text("tier"), low=sub.decimal("low"), high=sub.decimal("high"))
        if not band.low < band.high <= 1:
            raise sub.fail("high", f"应大于 low 且不超过 1，实际为 {band.low}–{band.high}")
        bands.append(band)
    bands.sort(key=lambda b: b.low)
    edges = [Decimal(0)] + [b.high for b in bands]
    if any(b.low != edge for b, edge in zip(bands, edges, strict=False)) or bands[-1].high != 1:
        spans = "、".join(f"{b.low}–{b.high}" for b in bands)
        raise reader.fail("qualitative_bands", f"应首尾相接地覆盖 0–1（即 0–100%），实际为 {spans}")
    return tuple(sorted(bands, key=lambda b: b.high, reverse=True))


def _grades(reader: _Reader) -> tuple[Grade, ...]:
    grades = []
    for n, row in enumerate(reader.rows("grades"), 1):
        sub = reader.row(row, f"grades[{n}]")
        grades.append(Grade(minimum=sub.decimal("minimum"), name=sub.text("name")))
    grades.sort(key=lambda g: g.minimum, reverse=True)
    if grades[-1].minimum != 0:
        raise reader.fail("grades", f"最低一档的 minimum 应为 0（如“差”），实际为 {grades[-1].minimum}")
    return tuple(grades)


def _category_points(reader: _Reader) -> tuple[tuple[str, Decimal], ...]:
    table = reader.table("category_points")
    return tuple((name, reader.decimal(f"category_points.{name}", points)) for name, points in table.items())


def _level2_types(reader: _Reader) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = reader.table("level2_types")
    return tuple((name, reader.strings(f"level2_types.{name}", types)) for name, types in table.items())


def _reverse_formula(reader: _Reader) -> str:
    formula = reader.text("reverse_formula")
    if formula not in REVERSE_FORMULAS:
        raise reader.fail("reverse_formula", f"应为 \"ratio\" 或 \"linear\"，实际为 {formula!r}")
    return formula


def _check_sums(reader: _Reader, profile: Profile) -> None:
    """Points must add up: level-1 points to indicator_total, and with the fund weight to total."""
    if profile.category_points:
        points = sum((p for _, p in profile.category_points), Decimal(0))
        if points != profile.indicator_total:
            raise reader.fail("category_points", f"各项分值合计 {points}，应等于 indicator_total = {profile.indicator_total}")
    expected = profile.indicator_total + (profile.fund_weight if profile.fund_in_total else 0)
    if expected != profile.total:
        what = "indicator_total 与 fund_weight 之和" if profile.fund_in_total else "indicator_total"
        raise reader.fail("total", f"为 {profile.total}，应等于{what} {expected}")
    if profile.first_year and profile.last_year and profile.first_year > profile.last_year:
        raise reader.fail("last_year", f"{profile.last_year} 早于 first_year {profile.first_year}")


def profile_from_data(data: Mapping[str, Any], file: str) -> Profile:
    """A profile from the parsed keys of a TOML file; raises ProfileError naming file and key."""
    reader = _Reader(data, file)
    unknown = sorted(set(data) - set(EXAMPLES))
    if unknown:
        raise reader.fail(unknown[0], "无法识别（拼写有误？可用的键：" + "、".join(EXAMPLES) + "）")
    profile = Profile(
        name=reader.text("name"),
        title=reader.text("title"),
        source=reader.text("source"),
        first_year=reader.year("first_year"),
        last_year=reader.year("last_year"),
        regions=reader.strings("regions", reader.get("regions")),
        fund_weight=reader.decimal("fund_weight"),
        fund_in_total=reader.flag("fund_in_total"),
        category_points=_category_points(reader),
        indicator_total=reader.decimal("indicator_total"),
        total=reader.decimal("total"),
        level2_types=_level2_types(reader),
        qualitative_bands=_bands(reader),
        reverse_formula=_reverse_formula(reader),
        grades=_grades(reader),
        overachievement_ratio=reader.decimal("overachievement_ratio"),
        low_execution_rate=reader.decimal("low_execution_rate"),
        path=file,
        chosen_by_year=reader.flag("chosen_by_year"),
    )
    _check_sums(reader, profile)
    return profile


def parse_profile(text: str, file: str) -> Profile:
    """A profile from TOML text; unreadable TOML raises ProfileError with its line number."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"line (\d+), column (\d+)", str(error))
        at = f"第 {where[1]} 行第 {where[2]} 列" if where else "某处"
        hint = re.sub(r"\s*\(at .*?\)", "", str(error))
        raise ProfileError(
            f"评分规则文件 {file} 不是有效的 TOML：{at}写法有误（解析器提示：{hint}）。"
            f"每行应写成“键 = 值”，文本加英文引号，正确写法示例：fund_weight = 10"
        ) from None
    return profile_from_data(data, file)


_CHOICES_KEPT = 4096


class ProfileSet:
    """The profiles a form may be scored under, and the choice among them (docs/domain.md §4).

    Choices are cached per set by what decides them: the forms of a batch share a few shapes.
    """

    def __init__(self, profiles: Sequence[Profile], default: str) -> None:
        self.profiles = tuple(profiles)
        self.by_name = {p.name: p for p in self.profiles}
        if default not in self.by_name:
            raise ValueError(f"default profile {default!r} is not among {list(self.by_name)}")
        self.default = self.by_name[default]
        self._for_year: dict[tuple[int | None, str], Profile] = {}
        self._detected: dict[tuple[Any, ...], Profile] = {}

    def for_year(self, year: int | None, region: str = "") -> Profile:
        """The profile in force for a year and region: local-2019 up to 2019, mof-2020 from 2020 (and when unknown).

        A profile for the region wins over one for everywhere; then the latest first_year.
        """
        key = (year, region)
        found = self._for_year.get(key)
        if found is None:
            candidates = [p for p in self.profiles if p.chosen_by_year and p.covers(year, region)]
            if year is None or not candidates:
                found = self.default
            else:
                found = max(candidates, key=lambda p: (bool(p.regions), p.first_year or 0))
            self._for_year[key] = found
        return found

    def detect(self, form: Form) -> Profile:
        """The profile a form was written under, from its points labels and weight sums.

        Points labels: "产出指标(75分)" and "满意度指标(25分)" fit local-2019 only, "(50分)" mof-2020.
        Weights: a fund block of 20 → transfer-2020; indicators summing to 100 beside a 10-point fund
        block → local-2019; to 90 → mof-2020. With no evidence, or between equals, the profile in
        force for the form's year (for_year) wins.
        """
        # Decimals are keys by value (10 and 10.0 alike), as the evidence compares them by value.
        key = (form.year, _fund_weight(form), _indicator_sum(form), tuple(_printed_points(form).items()))
        found = self._detected.get(key)
        if found is None:
            if len(self._detected) >= _CHOICES_KEPT:  # a server reads forms for years: keep it bounded
                self._detected.clear()
            found = self._detected[key] = self._weigh(*key)
        return found

    def _weigh(self, year: int | None, fund: Decimal | None, indicators: Decimal | None,
               labels: tuple[tuple[str, Decimal], ...]) -> Profile:
        printed = dict(labels)
        scored = [(p, _evidence(p, printed, fund, indicators)) for p in self.profiles]
        if all(score is None for p, score in scored if p.category_points):
            # The labels fit no profile with a fixed split: judge by the weights alone.
            scored = [(p, _evidence(p, {}, fund, indicators)) for p in self.profiles]
        best = max((score for _, score in scored if score is not None), default=0)
        if not best:
            return self.for_year(year)
        pool = [p for p, score in scored if score == best]
        preferred = self.for_year(year)
        return preferred if preferred in pool else pool[0]


def _printed_points(form: Form) -> dict[str, Decimal]:
    return {name: points for name, points in form.points.items() if points is not None}


def _fund_weight(form: Form) -> Decimal | None:
    total = form.fund("total")
    rows = ([total] if total else []) + [f for f in form.funds if f is not total]
    return next((w for w in (parse_number(f.weight) for f in rows) if w is not None), None)


def _indicator_sum(form: Form) -> Decimal | None:
    weights = [w for w in (i.weight_number for i in form.indicators) if w is not None]
    return sum(weights, Decimal(0)) if weights else None


def _label_evidence(profile: Profile, printed: Mapping[str, Decimal]) -> int | None:
    """2 when every printed points label ("产出指标(75分)") is a category of the profile with those
    points, 0 when the profile fixes no split (transfer-2020), None when a label contradicts it."""
    if not printed:
        return 0
    if not profile.category_points:
        return 0
    points = dict(profile.category_points)
    return 2 if all(points.get(name) == value for name, value in printed.items()) else None


def _evidence(profile: Profile, printed: Mapping[str, Decimal], fund: Decimal | None,
              indicators: Decimal | None) -> int | None:
    """How strongly a form fits a profile; None when its points labels rule the profile out.

    Points labels and the fund weight weigh 2 (they tell the templates apart), the indicator sum 1.
    """
    labels = _label_evidence(profile, printed)
    if labels is None:
        return None
    return labels + 2 * int(fund == profile.fund_weight) + int(indicators == profile.indicator_total)
