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
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jixiao.core.values import parse_number

if TYPE_CHECKING:
    from jixiao.core.model import Form


class ProfileError(ValueError):
    """A profile file that can't be used: the message names the file, the line, the key and a valid example."""

    def __init__(self, message: str, line: int | None = None, key: str = "") -> None:
        super().__init__(message)
        self.line = line  # 1-based line of the TOML text, None when no line holds the problem
        self.key = key  # the key at fault ("template.weight", "qualitative_bands[2].high")


@dataclass(frozen=True)
class Band:
    tier: str  # 达成 / 部分达成并具有一定效果 / 未达成且效果较差
    low: Decimal  # share of the weight, 0.8
    high: Decimal  # share of the weight, 1.0


@dataclass(frozen=True)
class Grade:
    minimum: Decimal  # score from which the grade applies, 90
    name: str  # 优


WEIGHT_MODES = ("points", "percent", "none")
TARGET_MODES = ("whole", "split")
TOTAL_PLACES = ("row", "header", "none")
HEADER_FIELDS = ("project", "leader", "department", "unit", "total")
FUND_ROW_KINDS = ("total", "appropriation", "carryover", "other")
FUND_FIELDS = ("initial", "annual", "executed", "weight", "rate", "score", "reason")
INDICATOR_FIELDS = ("level1", "level2", "name", "weight", "target", "target_op", "target_unit", "actual",
                    "score", "formula", "reason", "core")


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
    "years": 'years = "2020年起，湖北省"',
    "template": '[template] 下一行写 weight = "points"（或 "percent"、"none"）',
}
TEMPLATE_EXAMPLES: dict[str, str] = {
    "header": '[template.header] 下一行写 "转移支付(项目)名称" = "project"',
    "fund_rows": '[template.fund_rows] 下一行写 "中央补助" = "appropriation"',
    "fund_columns": '[template.fund_columns] 下一行写 "调整后预算数" = "annual"',
    "indicator_columns": '[template.indicator_columns] 下一行写 "权重占比" = "weight"',
    "weight": 'weight = "points"',
    "target": 'target = "split"',
    "scored": "scored = true",
    "rate": 'rate = "percent"',
    "level1_aliases": '[template.level1_aliases] 下一行写 "效果指标" = "效益指标"',
    "goal_blocks": 'goal_blocks = ["年度绩效目标"]',
    "points_from_form": "points_from_form = true",
    "total": 'total = "row"',
    "detect": 'detect = ["转移支付"]',
    "level1_names": 'level1_names = ["决策", "过程"]',
    "checks": 'checks = ["A01", "A03"]',
    "template_free": "template_free = false",
    "fund_block": "fund_block = true",
}
# Keys a profile may leave out; every other key of EXAMPLES is required.
DEFAULTS: dict[str, Any] = {
    "first_year": None, "last_year": None, "regions": [], "chosen_by_year": True,
    "category_points": {}, "level2_types": {},
    "overachievement_ratio": Decimal("1.3"), "low_execution_rate": Decimal("0.9"),
    "years": "", "template": {},
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
        parts = where.split(".")
        example = EXAMPLES.get(parts[0].split("[")[0], "fund_weight = 10")
        if parts[0] == "template" and len(parts) > 1:
            example = TEMPLATE_EXAMPLES.get(parts[1], example)
        return ProfileError(f"评分规则文件 {self.file} 有误：键“{where}”{problem}。正确写法示例：{example}", key=where)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.data:
            return self.data[key]
        if key in DEFAULTS and not self.prefix:
            return DEFAULTS[key]
        if default is not None:
            return default
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


def _choice(reader: _Reader, key: str, default: str, allowed: Sequence[str]) -> str:
    value = reader.get(key, default)
    if value not in allowed:
        raise reader.fail(key, "应为 " + "、".join(f'"{a}"' for a in allowed) + f" 之一，实际为 {value!r}")
    return str(value)


def _pairs(reader: _Reader, key: str, allowed: Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    table = reader.get(key, {})
    if not isinstance(table, Mapping):
        raise reader.fail(key, "应为一个表")
    pairs = []
    for word, value in table.items():
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            what = "、".join(f'"{a}"' for a in allowed) if allowed else "文本"
            raise reader.fail(f"{key}.{word}", f"应为 {what} 之一，实际为 {value!r}")
        if not word.strip():
            raise reader.fail(key, "含有空白的键")
        pairs.append((word.strip(), value))
    # Longer words first: "调整后预算数" must decide before "预算数".
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _flag(reader: _Reader, key: str, default: bool) -> bool:
    value = reader.get(key, default) if key in reader.data else default
    if not isinstance(value, bool):
        raise reader.fail(key, f"应为 true 或 false，实际为 {value!r}")
    return value


def _template(reader: _Reader) -> Template:
    data = reader.table("template")
    sub = reader.row(data, "template")
    unknown = sorted(set(data) - set(TEMPLATE_EXAMPLES))
    if unknown:
        raise sub.fail(unknown[0], "无法识别（拼写有误？可用的键：" + "、".join(TEMPLATE_EXAMPLES) + "）")

    def words(key: str) -> tuple[str, ...]:
        return sub.strings(key, sub.get(key, [])) if key in data else ()

    checks = words("checks")
    from_codes = [c for c in checks if not re.fullmatch(r"[A-Z]\d\d", c)]
    if from_codes:
        raise sub.fail("checks", f"应为检查代码（如 \"A01\"），实际含 {from_codes[0]!r}")
    return Template(
        header=_pairs(sub, "header", HEADER_FIELDS),
        fund_rows=_pairs(sub, "fund_rows", FUND_ROW_KINDS),
        fund_columns=_pairs(sub, "fund_columns", FUND_FIELDS),
        indicator_columns=_pairs(sub, "indicator_columns", INDICATOR_FIELDS),
        weight=_choice(sub, "weight", "points", WEIGHT_MODES),
        target=_choice(sub, "target", "whole", TARGET_MODES),
        scored=_flag(sub, "scored", True),
        rate=_choice(sub, "rate", "percent", ("percent", "fraction")),
        level1_aliases=_pairs(sub, "level1_aliases", None),
        goal_blocks=words("goal_blocks"),
        points_from_form=_flag(sub, "points_from_form", False),
        total=_choice(sub, "total", "row", TOTAL_PLACES),
        detect=words("detect"),
        level1_names=words("level1_names"),
        checks=checks,
        template_free=_flag(sub, "template_free", False),
        fund_block=_flag(sub, "fund_block", True),
    )


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
        template=_template(reader),
        years=reader.get("years") if isinstance(reader.get("years"), str) else "",
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
            f"每行应写成“键 = 值”，文本加英文引号，正确写法示例：fund_weight = 10",
            line=int(where[1]) if where else None,
        ) from None
    try:
        return profile_from_data(data, file)
    except ProfileError as error:
        line = line_of(text, error.key) if error.key else None
        if line is None:
            raise
        message = str(error).replace(f"评分规则文件 {file} 有误：", f"评分规则文件 {file} 第 {line} 行有误：", 1)
        raise ProfileError(message, line=line, key=error.key) from None


def validate_profile_text(text: str, file: str = "上传的评分规则") -> Profile | ProfileError:
    """A profile from uploaded TOML text, or the error that says (in Chinese) which line is wrong and why.

    For the web app's upload page: it never raises on bad input.
    """
    try:
        return parse_profile(text, file)
    except ProfileError as error:
        return error


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def line_of(text: str, where: str) -> int | None:
    """The 1-based line of a key ("fund_weight", "template.weight", "qualitative_bands[2].high") in TOML text.

    A key naming a table gives its header line; a key missing from its table gives the table's header
    (where it should be added); a key missing at the top gives None.
    """
    match = re.fullmatch(r"(.*?)(?:\[(\d+)\])?(?:\.(.*))?", where)
    if match is None:
        return None
    head, number, rest = match.group(1), match.group(2), match.group(3) or ""
    if number is not None:  # qualitative_bands[2].high: the 2nd [[qualitative_bands]], then its key
        table, count, key = head, int(number), rest
    elif "." in where:
        table, count, key = where.rsplit(".", 1)[0], 1, where.rsplit(".", 1)[1]
    else:
        table, count, key = "", 1, where
    current, seen, header_line = "", 0, None
    for n, line in enumerate(text.splitlines(), 1):
        found = _TABLE.match(line)
        if found:
            current = found.group(2).strip().replace('"', "")
            if current == table:
                seen += 1
                if seen == count:
                    header_line = n
            if not table and current == key:
                return n  # a key naming a table: its header
            continue
        if current == table and (not table or seen == count):
            bare = line.split("=", 1)[0].strip().strip('"')
            if "=" in line and bare == key:
                return n
    if table and key and header_line is not None:
        return header_line
    return None


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
        self._detected: dict[_EvidenceKey, Choice] = {}
        self._detect_words = tuple(dict.fromkeys(w for p in self.profiles for w in p.template.detect))

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
        """The profile a form was written under, from its own evidence (choose)."""
        return self.choose(form).profile

    def choose(self, form: Form) -> Choice:
        """The profile a form was written under, with the evidence and the reason in words.

        Evidence: words of its header labels and column captions that mark a template (weigh 3 each),
        its points labels ("产出指标(75分)" fits local-2019 only, 2), its fund weight (20 → transfer, 2),
        its indicator weight sum (1), split targets (1). A profile is ruled out by a points label that
        contradicts it, a level-1 name its template does not use, weights where it prints none, or
        no score at all where it prints scores. When every profile is ruled out, the set's
        template-free profile is taken (template-free rules only); with no evidence, or between
        equals, the profile in force for the form's year (for_year) wins.
        """
        # Decimals are keys by value (10 and 10.0 alike), as the evidence compares them by value.
        key = _evidence_key(form, self._detect_words)
        found = self._detected.get(key)
        if found is None:
            if len(self._detected) >= _CHOICES_KEPT:  # a server reads forms for years: keep it bounded
                self._detected.clear()
            found = self._detected[key] = self._weigh(key)
        return found

    def _weigh(self, key: _EvidenceKey) -> Choice:
        candidates = [p for p in self.profiles if not p.template.template_free]
        scored = [(p, _evidence(p, key, use_labels=True)) for p in candidates]
        if all(e is None for p, e in scored if p.category_points) and key.labels:
            # The labels fit no profile with a fixed split: judge by the weights alone.
            scored = [(p, _evidence(p, key, use_labels=False)) for p in candidates]
        fitting = [(p, e) for p, e in scored if e is not None]
        if not fitting:
            free = next((p for p in self.profiles if p.template.template_free), self.default)
            names = "、".join(key.level1) or "无"
            return Choice(free, f"没有与本表相符的评分规则（一级指标：{names}），只按与模板无关的规则复核", ())
        best = max(sum(w for w, _ in e) for _, e in fitting)
        preferred = self.for_year(key.year)
        if not best:
            return Choice(preferred, f"表中没有可区分模板的依据，按年度选用“{preferred.title}”", ())
        pool = [(p, e) for p, e in fitting if sum(w for w, _ in e) == best]
        profile, evidence = next(((p, e) for p, e in pool if p is preferred), pool[0])
        reasons = tuple(why for weight, why in evidence if weight)
        return Choice(profile, f"依据：{'；'.join(reasons)}", reasons)


@dataclass(frozen=True)
class Choice:
    """A detected profile with the evidence that chose it (`jixiao check` prints the reason)."""

    profile: Profile
    reason: str
    evidence: tuple[str, ...]


class _EvidenceKey(NamedTuple):
    year: int | None
    fund: Decimal | None
    indicators: Decimal | None
    labels: tuple[tuple[str, Decimal], ...]
    level1: tuple[str, ...]  # level-1 names printed, without 指标
    words: tuple[str, ...]  # template-marking words found in the captions
    weights: bool  # some indicator prints a weight
    scores: bool | None  # a score column or a printed score; None: unknown (a record has no captions)
    split: bool  # targets split over 指标性质 | 指标值 | 度量单位


def _evidence_key(form: Form, words: tuple[str, ...]) -> _EvidenceKey:
    captions = form.caption_text
    indicators = form.indicators
    level1 = tuple(dict.fromkeys(stem(i.level1) for i in indicators if i.level1))
    return _EvidenceKey(
        form.year, _fund_weight(form), _indicator_sum(form), tuple(_printed_points(form).items()), level1,
        _words_in(captions, words),
        any(i.weight_number is not None for i in indicators),
        _has_scores(form, captions),
        any(i.target_nature or i.target_unit for i in indicators),
    )


def _has_scores(form: Form, captions: str) -> bool | None:
    if form.total.score.strip() or any(i.score.strip() for i in form.indicators):
        return True
    if not captions:
        return None
    return "得分" in captions or "评分" in captions


@lru_cache(maxsize=1024)
def _words_in(captions: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The template-marking words the captions hold; cached, as the forms of a batch share their captions."""
    return tuple(w for w in words if w in captions) if captions else ()


@lru_cache(maxsize=4096)
def stem(name: str) -> str:
    """A level name without blanks and its "指标" suffix, for comparison: "数量\u3000指标" → "数量"."""
    plain = re.sub(r"\s", "", name)
    return plain[:-2] if plain.endswith("指标") else plain


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
    points, 0 when the profile fixes no split (transfer-2020, frameworks), None when a label contradicts it."""
    if not printed or not profile.category_points:
        return 0
    points = {stem(n): v for n, v in profile.category_points}
    canonical = profile.template.canonical
    return 2 if all(points.get(stem(canonical(name))) == value for name, value in printed.items()) else None


def _evidence(profile: Profile, key: _EvidenceKey, use_labels: bool) -> list[tuple[int, str]] | None:
    """How strongly a form fits a profile, item by item (weight, reason in words); None when ruled out."""
    template = profile.template
    labels = _label_evidence(profile, dict(key.labels) if use_labels else {})
    if labels is None:
        return None
    known = {stem(n) for n in profile.level1_known}
    if known and any(name not in known for name in key.level1):
        return None
    if template.weight == "none" and key.weights:
        return None
    if template.scored and key.scores is False:
        return None
    found: list[tuple[int, str]] = [(3, f"表头或栏目含“{w}”") for w in template.detect if w in key.words]
    own = {stem(n) for n in template.level1_names}
    if own and any(name in own for name in key.level1):
        found.append((3, "一级指标为 " + "、".join(key.level1)))
    if labels:
        found.append((labels, "一级指标分值 " + "、".join(f"{n} {v}" for n, v in key.labels)))
    if key.fund is not None and key.fund == profile.fund_weight:
        found.append((2, f"预算执行分值 {key.fund}"))
    expected = Decimal(100) if template.weight == "percent" else profile.indicator_total
    if key.indicators is not None and key.indicators == expected:
        found.append((1, f"指标分值合计 {key.indicators}"))
    if key.split and template.target == "split":
        found.append((1, "指标值分列为指标性质、指标值、度量单位"))
    if not template.scored:
        if key.scores is not False:
            return None  # a form with scores is scored under a profile that scores
        found.append((3, "表中没有得分栏"))
    if template.weight == "none" and not key.weights and key.scores:
        found.append((1, "指标没有分值栏"))
    return found
