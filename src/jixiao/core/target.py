"""The 项目支出绩效目标申报表 (target declaration) as its own record, jixiao.target/1 (docs/cycle.md §2.7).

A declaration has a header (project, department, unit, 项目属性/性质/类别, 项目期), two fund sets (中期
and 年度, each a total with its sub-rows), two goal lists (中期 and 年度) and two indicator sets. An
indicator's 指标值 is kept as printed (`target`) and split into 指标性质 | 指标值 | 度量单位
(`op`/`value`/`unit`); `from_record` fills whichever side is missing, so a form printed with the
whole value and one printed in three columns give the same record. Every field is text, as in
jixiao.form/1; parsed values are derived on demand.

Reviews (审核) are kept on the record as the form's 审核意见 block; the grade rule is a review
profile (core.yearrules.ReviewProfile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from jixiao.core.lazy import cached_value
from jixiao.core.model import RecordError
from jixiao.core.values import Kind, Value, format_number, parse_number, parse_value

SCHEMA = "jixiao.target/1"
TITLE = "项目支出绩效目标申报表"
SETS = ("annual", "medium")
SET_NAMES = {"annual": "年度", "medium": "中期"}
FUND_KINDS = ("total", "appropriation", "carryover", "other")
FUND_LABELS = {"total": "资金总额", "appropriation": "其中：财政拨款", "carryover": "上年结转资金",
               "other": "其他资金"}
REVIEW_LEVELS = ("department", "finance", "third_party")
REVIEW_LEVEL_NAMES = {"department": "主管部门审核意见", "finance": "财政部门审核意见",
                      "third_party": "第三方机构审核意见"}
HEADER_FIELDS = ("project", "project_code", "department", "department_code", "unit", "attribute", "nature",
                 "category", "leader", "phone")
NARRATIVE_FIELDS = ("functions", "overview", "basis", "feasibility", "necessity")
NARRATIVE_CAPTIONS = {"functions": "单位职能概述", "overview": "项目概况", "basis": "立项依据",
                      "feasibility": "可行性", "necessity": "必要性"}
INDICATOR_FIELDS = ("set", "level1", "level2", "name", "code", "target", "op", "value", "unit", "kind", "weight",
                    "explanation", "standard", "source", "history", "core", "remark")
INDICATOR_CAPTIONS = {
    "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "code": "指标代码", "target": "指标值",
    "op": "指标性质", "value": "指标值", "unit": "度量单位", "kind": "指标类型", "weight": "权重",
    "explanation": "指标解释", "standard": "评（扣）分标准", "source": "数据来源", "history": "上年度实际水平",
    "core": "是否核心指标", "remark": "备注",
}


@dataclass(frozen=True)
class TargetFund:
    set: str  # annual | medium
    kind: str  # total | appropriation | carryover | other
    label: str = ""
    amount: str = ""  # 万元, as printed

    @property
    def number(self) -> Decimal | None:
        return parse_number(self.amount)


@dataclass(frozen=True)
class TargetIndicator:
    set: str
    level1: str
    level2: str
    name: str
    code: str = ""
    target: str = ""  # the 指标值 as printed, whole ("≥95%")
    op: str = ""  # 指标性质: ≥ ≤ = > <
    value: str = ""  # the number (or the phrase of a qualitative target)
    unit: str = ""  # 度量单位
    kind: str = ""  # 定量 | 定性
    weight: str = ""
    explanation: str = ""  # 指标解释
    standard: str = ""  # 评（扣）分标准
    source: str = ""  # 数据来源
    history: str = ""  # 上年度实际水平
    core: bool = False  # 是否核心指标
    remark: str = ""

    @cached_value
    def target_value(self) -> Value:
        return parse_value(self.target)

    @property
    def label(self) -> str:
        return self.name or self.level2 or self.level1


@dataclass(frozen=True)
class Review:
    level: str  # department | finance | third_party
    grade: str = ""  # 优 | 良 | 中 | 差
    items: tuple[tuple[str, str], ...] = ()  # (审核要点, grade), in the profile's order
    opinion: str = ""
    reviewer: str = ""
    date: str = ""


@dataclass(frozen=True)
class Target:
    project: str
    title: str = TITLE
    year: int | None = None
    version: int = 1
    version_note: str = ""
    project_code: str = ""
    department: str = ""
    department_code: str = ""
    unit: str = ""
    attribute: str = ""  # 新增 | 延续
    nature: str = ""  # 一次性 | 阶段性 | 经常性
    category: str = ""
    period_start: str = ""
    period_end: str = ""
    leader: str = ""
    phone: str = ""
    funds: tuple[TargetFund, ...] = ()
    narratives: tuple[tuple[str, str], ...] = ()  # (key, text) of NARRATIVE_FIELDS, in order
    goals_medium: tuple[str, ...] = ()
    goals_annual: tuple[str, ...] = ()
    indicators: tuple[TargetIndicator, ...] = ()
    reviews: tuple[Review, ...] = field(default=())

    def fund_set(self, which: str) -> tuple[TargetFund, ...]:
        return tuple(f for f in self.funds if f.set == which)

    def indicator_set(self, which: str) -> tuple[TargetIndicator, ...]:
        return tuple(i for i in self.indicators if i.set == which)

    def goals(self, which: str) -> tuple[str, ...]:
        return self.goals_annual if which == "annual" else self.goals_medium

    @property
    def years(self) -> tuple[int, int] | None:
        """First and last year of the 项目期, when both name a year."""
        start, end = _year_of(self.period_start), _year_of(self.period_end)
        return (start, end) if start is not None and end is not None else None

    @property
    def multi_year(self) -> bool:
        """A project over more than one year: its 项目期 spans years, or it declares 中期 funds or goals."""
        years = self.years
        if years is not None:
            return years[1] > years[0]
        return bool(self.fund_set("medium") or self.goals_medium or self.indicator_set("medium"))


def _year_of(text: str) -> int | None:
    digits = "".join(c for c in text[:4] if c.isdigit())
    return int(digits) if len(digits) == 4 else None


# ---------------------------------------------------------------------------------------------
# Splitting and joining 指标值


def split_target(target: str) -> tuple[str, str, str, str]:
    """op, value, unit and kind of a whole 指标值: "≥95%" → ("≥", "95", "%", "定量")."""
    v = parse_value(target)
    if v.number is not None:
        return (v.op.value if v.op else ""), format_number(v.number), v.unit, "定量"
    if v.kind is Kind.QUALITATIVE:
        return "", v.phrase, "", "定性"
    return "", "", "", ""


def join_target(op: str, value: str, unit: str) -> str:
    """The whole 指标值 of the three columns: ("≥", "95", "%") → "≥95%"."""
    return f"{op.strip()}{value.strip()}{unit.strip()}"


def canonical_indicator(ind: TargetIndicator) -> TargetIndicator:
    """Fill the whole 指标值 from its parts or the parts from the whole, and the kind from the value."""
    if not ind.target and (ind.op or ind.value or ind.unit):
        ind = replace(ind, target=join_target(ind.op, ind.value, ind.unit))
    elif ind.target and not (ind.op or ind.value or ind.unit):
        op, value, unit, _ = split_target(ind.target)
        ind = replace(ind, op=op, value=value, unit=unit)
    if not ind.kind and ind.target:
        ind = replace(ind, kind=split_target(ind.target)[3])
    return ind


# ---------------------------------------------------------------------------------------------
# The interchange record


def to_record(target: Target) -> dict[str, Any]:
    """The jixiao.target/1 record (docs/cycle.md §2.7); keys and order are fixed."""
    return {
        "schema": SCHEMA,
        "title": target.title,
        "year": target.year,
        "version": target.version,
        "version_note": target.version_note,
        **{k: getattr(target, k) for k in HEADER_FIELDS},
        "period": {"start": target.period_start, "end": target.period_end},
        "funds": {s: [{"kind": f.kind, "label": f.label, "amount": f.amount} for f in target.fund_set(s)]
                  for s in ("medium", "annual")},
        "narratives": {k: dict(target.narratives).get(k, "") for k in NARRATIVE_FIELDS},
        "goals": {"medium": list(target.goals_medium), "annual": list(target.goals_annual)},
        "indicators": [{k: getattr(i, k) for k in INDICATOR_FIELDS} for i in target.indicators],
        "review": [{"level": r.level, "grade": r.grade, "items": dict(r.items), "opinion": r.opinion,
                    "reviewer": r.reviewer, "date": r.date} for r in target.reviews],
    }


def _text(record: Mapping[str, Any], key: str, where: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f"{where}.{key} 应为文本，实际为 {value!r}")
    return str(value)


def _mapping(record: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = record.get(key) or {}
    if not isinstance(value, Mapping):
        raise RecordError(f"{where}.{key} 应为 JSON 对象，实际为 {value!r}")
    return value


def _list(record: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = record.get(key) or []
    if not isinstance(value, list):
        raise RecordError(f"{where}.{key} 应为列表，实际为 {value!r}")
    return value


def _choice(value: str, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        raise RecordError(f"{where} 应为 {'/'.join(choices)} 之一，实际为 {value!r}")
    return value


def _indicator(item: Any, where: str) -> TargetIndicator:
    if not isinstance(item, Mapping):
        raise RecordError(f"{where} 应为 JSON 对象")
    core = item.get("core", False)
    if not isinstance(core, bool):
        raise RecordError(f"{where}.core 应为 true 或 false，实际为 {core!r}")
    texts = {k: _text(item, k, where) for k in INDICATOR_FIELDS if k not in ("set", "core")}
    which = _choice(_text(item, "set", where) or "annual", SETS, f"{where}.set")
    return canonical_indicator(TargetIndicator(set=which, core=core, **texts))


def _review(item: Any, where: str) -> Review:
    if not isinstance(item, Mapping):
        raise RecordError(f"{where} 应为 JSON 对象")
    items = _mapping(item, "items", where)
    return Review(level=_choice(_text(item, "level", where), REVIEW_LEVELS, f"{where}.level"),
                  grade=_text(item, "grade", where),
                  items=tuple((str(k), _text(items, k, f"{where}.items")) for k in items),
                  opinion=_text(item, "opinion", where), reviewer=_text(item, "reviewer", where),
                  date=_text(item, "date", where))


def from_record(record: Mapping[str, Any]) -> Target:
    """A declaration from its jixiao.target/1 record; raises RecordError naming the bad key."""
    if not isinstance(record, Mapping):
        raise RecordError("申报表记录应为 JSON 对象")
    if record.get("schema", SCHEMA) != SCHEMA:
        raise RecordError(f"schema 应为 {SCHEMA}，实际为 {record.get('schema')!r}")
    year, version = record.get("year"), record.get("version", 1)
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise RecordError(f"year 应为整数，实际为 {year!r}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RecordError(f"version 应为不小于 1 的整数，实际为 {version!r}")
    funds_record = _mapping(record, "funds", "record")
    funds = []
    for which in ("medium", "annual"):
        for n, f in enumerate(_list(funds_record, which, "funds"), 1):
            where = f"funds.{which}[{n}]"
            if not isinstance(f, Mapping):
                raise RecordError(f"{where} 应为 JSON 对象")
            kind = _choice(_text(f, "kind", where), FUND_KINDS, f"{where}.kind")
            funds.append(TargetFund(which, kind, _text(f, "label", where), _text(f, "amount", where)))
    goals = _mapping(record, "goals", "record")
    narratives = _mapping(record, "narratives", "record")
    period = _mapping(record, "period", "record")
    return Target(
        title=_text(record, "title", "record") or TITLE,
        year=year,
        version=version,
        version_note=_text(record, "version_note", "record"),
        **{k: _text(record, k, "record") for k in HEADER_FIELDS},
        period_start=_text(period, "start", "period"),
        period_end=_text(period, "end", "period"),
        funds=tuple(funds),
        narratives=tuple((k, t) for k in NARRATIVE_FIELDS if (t := _text(narratives, k, "narratives"))),
        goals_medium=tuple(_text({"g": g}, "g", "goals.medium") for g in _list(goals, "medium", "goals")),
        goals_annual=tuple(_text({"g": g}, "g", "goals.annual") for g in _list(goals, "annual", "goals")),
        indicators=tuple(_indicator(i, f"indicators[{n}]")
                         for n, i in enumerate(_list(record, "indicators", "record"), 1)),
        reviews=tuple(_review(r, f"review[{n}]") for n, r in enumerate(_list(record, "review", "record"), 1)),
    )


def indicator_key(level1: str, level2: str, name: str) -> tuple[str, str, str]:
    """What identifies an indicator across forms: its level names without blanks and "指标" suffixes."""
    def stem(text: str) -> str:
        plain = "".join(text.split())
        return plain[:-2] if plain.endswith("指标") else plain
    return stem(level1), stem(level2), stem(name)
