"""A profile from the text of its TOML file (parse_profile), every problem a ProfileError naming the line.

Decimals are read as Decimal, never float; every key is checked for its type and range, and the
message of a ProfileError says (in Chinese) which key of which line is wrong and gives a valid example.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from jixiao.core.keys import MISSING, KeyReader
from jixiao.core.profiles import Band, Grade, Profile, ProfileError, Template

WEIGHT_MODES = ("points", "percent", "none")
TARGET_MODES = ("whole", "split")
TOTAL_PLACES = ("row", "header", "none")
HEADER_FIELDS = ("project", "leader", "department", "local_department", "unit", "total")
FUND_ROW_KINDS = ("total", "appropriation", "carryover", "other")
FUND_FIELDS = ("initial", "annual", "received", "executed", "weight", "rate", "score", "reason")
INDICATOR_FIELDS = ("level1", "level2", "name", "weight", "target", "target_op", "target_unit", "actual",
                    "score", "formula", "reason", "measures", "core")

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
    "goals_block": "goals_block = true",
    "wording": '[template.wording] 下一行写 "indicators.target" = "年初目标值(A)"',
    "columns": '[template.columns] 下一行写 indicators = ["level1", "level2", "name", "target", "actual", "reason"]',
}
# What [template.columns] may list: the header fields, the fund block's and the indicators' columns.
COLUMN_FIELDS: dict[str, tuple[str, ...]] = {
    "header": ("project", "leader", "department", "local_department", "unit"),
    "funds": FUND_FIELDS,
    "indicators": (*INDICATOR_FIELDS, "weight_repeat"),
}
_COLUMN_ATTRIBUTES = {"header": "header_fields", "funds": "fund_fields", "indicators": "indicator_fields"}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {"header": ("project",), "funds": (), "indicators": ("level1", "name")}
# What [template.wording] may name: the header labels, the fund block's and the indicators' columns.
WORDING_FIELDS = ("title", "project", "leader", "department", "local_department", "unit", "funds",
                  *(f"funds.{f}" for f in FUND_FIELDS),
                  *(f"indicators.{f}" for f in ("level1", "level2", "name", "target", "actual", "weight", "score",
                                                "reason", "measures", "target_op", "target_unit", "formula",
                                                "core")))
# Keys a profile may leave out; every other key of EXAMPLES is required.
DEFAULTS: dict[str, Any] = {
    "first_year": None, "last_year": None, "regions": [], "chosen_by_year": True,
    "category_points": {}, "level2_types": {},
    "overachievement_ratio": Decimal("1.3"), "low_execution_rate": Decimal("0.9"),
    "years": "", "template": {},
}


class _Reader(KeyReader):
    """The keys of one profile file; every problem becomes a ProfileError with a valid line to copy."""

    def __init__(self, data: Mapping[str, Any], file: str, prefix: str = "") -> None:
        super().__init__(data, file)
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

    def default(self, key: str) -> Any:
        return DEFAULTS[key] if key in DEFAULTS and not self.prefix else MISSING

    def year(self, key: str) -> int | None:
        value = self.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, f"应为年份整数，实际为 {value!r}")
        return value

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
        goals_block=_flag(sub, "goals_block", True),
        wording=_wording(sub),
        **_columns(sub),
    )


def _columns(reader: _Reader) -> dict[str, tuple[str, ...]]:
    """[template.columns]: the columns the writers print, each list of its block's fields, each field once."""
    table = reader.get("columns", {})
    if not isinstance(table, Mapping):
        raise reader.fail("columns", "应为一个表")
    out: dict[str, tuple[str, ...]] = {}
    for block, fields in table.items():
        if block not in COLUMN_FIELDS:
            raise reader.fail(f"columns.{block}", "无法识别（可用的键：" + "、".join(COLUMN_FIELDS) + "）")
        names = reader.strings(f"columns.{block}", fields)
        allowed = COLUMN_FIELDS[block]
        wrong = [n for n in names if n not in allowed]
        if wrong:
            raise reader.fail(f"columns.{block}", f"含有无法识别的栏目 {wrong[0]!r}（可用的栏目：" + "、".join(allowed) + "）")
        if len(set(names)) != len(names):
            raise reader.fail(f"columns.{block}", "同一栏目写了两次")
        missing = [n for n in REQUIRED_COLUMNS[block] if n not in names]
        if missing:
            raise reader.fail(f"columns.{block}", f"缺少必需的栏目 {missing[0]!r}")
        out[_COLUMN_ATTRIBUTES[block]] = names
    return out


def _wording(reader: _Reader) -> tuple[tuple[str, str], ...]:
    """[template.wording]: field → the caption the writers print, each field one of WORDING_FIELDS."""
    table = reader.get("wording", {})
    if not isinstance(table, Mapping):
        raise reader.fail("wording", "应为一个表")
    pairs = []
    for name, caption in table.items():
        if name not in WORDING_FIELDS:
            raise reader.fail(f"wording.{name}", "无法识别（可用的栏目：" + "、".join(WORDING_FIELDS) + "）")
        if not isinstance(caption, str) or not caption.strip():
            raise reader.fail(f"wording.{name}", f"应为非空文本，实际为 {caption!r}")
        pairs.append((name, caption.strip()))
    return tuple(pairs)


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
