"""The self-evaluation form as printed, and its conversion to the interchange record (jixiao.form/1).

Every field holds the text the form prints (docs/domain.md §8); parsed values are derived on demand
by the properties below, so that a form can always be written back exactly as it was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core.frozen import fast_init
from jixiao.core.lazy import cached_value
from jixiao.core.values import Value, parse_number, parse_parts, parse_value

SCHEMA = "jixiao.form/1"
FUND_KINDS = ("total", "appropriation", "carryover", "other")
FUND_FIELDS = ("initial", "annual", "executed", "weight", "rate", "score")
INDICATOR_FIELDS = ("level1", "level2", "name", "weight", "target", "actual", "score", "reason")
# Columns only some templates print; the record carries them only when the form printed them.
OPTIONAL_INDICATOR_FIELDS = ("target_nature", "target_unit", "formula", "core", "block", "measures")
OPTIONAL_FUND_FIELDS = ("received", "reason")  # 到位数 (a label/value fund block), Sichuan's 原因

# Column captions used in messages (the seed template's wording).
FUND_CAPTIONS = {
    "initial": "年初预算数",
    "annual": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
INDICATOR_CAPTIONS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "weight": "分值",
    "target": "年度指标值",
    "actual": "实际完成值",
    "score": "得分",
    "reason": "未完成原因",
}


class RecordError(ValueError):
    """An interchange record that does not have the shape of jixiao.form/1."""


@fast_init
@dataclass(frozen=True)
class FundRow:
    kind: str
    label: str = ""
    initial: str = ""
    annual: str = ""
    executed: str = ""
    weight: str = ""
    rate: str = ""
    score: str = ""
    row: int | None = None  # row in the source grid (1-based), for messages
    reason: str = ""  # 原因 of the fund row as printed (Sichuan's fund block), "" where the template has none
    received: str = ""  # 到位数 (funds received) as printed, "" where the form prints none

    def amount(self, column: str) -> Decimal | None:
        """The number printed in a column (万元, weight or score), None when blank or unreadable."""
        try:
            return self._amounts[column]
        except KeyError:  # not a number column ("label"): read it as asked
            return parse_number(getattr(self, column))

    @cached_value
    def _amounts(self) -> dict[str, Decimal | None]:
        """The number of every column, read once: scoring and a dozen checks ask for them."""
        return {column: parse_number(getattr(self, column)) for column in FUND_FIELDS}

    @cached_value
    def rate_value(self) -> Value:
        return parse_value(self.rate)


@fast_init
@dataclass(frozen=True)
class Goals:
    planned: str = ""
    achieved: str = ""


@fast_init
@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    weight: str = ""
    target: str = ""
    actual: str = ""
    score: str = ""
    reason: str = ""
    weight_repeat: str | None = None  # the seed template's second 分值 column (check A07)
    row: int | None = None  # row in the source grid (1-based), for messages
    # Templates that split the target over 指标性质 | 指标值 | 度量单位 keep the parts as printed.
    target_nature: str = ""  # 指标性质: "正向", "≥"…
    target_unit: str = ""  # 度量单位: "%"…
    formula: str = ""  # 得分计算方法 / 评分标准 as printed: never the score
    core: str = ""  # 是否核心指标 as printed
    block: str = ""  # the goal block it is printed under ("年度绩效目标1", Hubei), "" outside any
    measures: str = ""  # 改进措施 where a template prints it beside 偏差原因分析, as printed

    @cached_value
    def target_value(self) -> Value:
        if self.target_nature or self.target_unit:
            return parse_parts(self.target_nature, self.target, self.target_unit)
        return parse_value(self.target)

    @cached_value
    def actual_value(self) -> Value:
        return parse_value(self.actual)

    @cached_value
    def weight_number(self) -> Decimal | None:
        return parse_number(self.weight)

    @cached_value
    def score_number(self) -> Decimal | None:
        return parse_number(self.score)

    @property
    def is_blank(self) -> bool:
        """A row with nothing but its level names: a level-2 with no level-3 rows."""
        return not (self.name or self.weight or self.target or self.actual or self.score or self.reason)


@fast_init
@dataclass(frozen=True)
class Total:
    weight: str = ""
    score: str = ""
    row: int | None = None


@fast_init
@dataclass(frozen=True)
class Uncertain:
    """A cell read from a scan that the OCR engine was not sure of (recorded, shown, never silently trusted)."""

    block: str  # funds, indicators, header, goals, total
    row: int  # row in the source grid (1-based)
    field: str  # the record key of the cell: score, target, executed…
    text: str  # what the engine read
    confidence: str  # the engine's confidence, 0–1, as printed in the record ("0.71")


@fast_init
@dataclass(frozen=True)
class Source:
    """Where a form was read from: file, sheet or page, and its position in the document (1-based)."""

    file: str = ""
    sheet: str = ""
    index: int = 0


@fast_init
@dataclass(frozen=True)
class Form:
    project: str
    title: str = ""
    year: int | None = None
    leader: str = ""
    department: str = ""
    unit: str = ""
    funds: tuple[FundRow, ...] = ()
    local_department: str = ""  # 地方主管部门 of a transfer-payment form (department is the 中央主管部门)
    goals: Goals = field(default_factory=Goals)
    category_points: tuple[tuple[str, str], ...] = ()  # (level-1 name, printed points), in order
    # (level-1 name, its cell as printed) where that is not "name(N分)": "项目决策（10分）", "年度绩效目标1(40分)：…"
    category_labels: tuple[tuple[str, str], ...] = ()
    indicators: tuple[Indicator, ...] = ()
    total: Total = field(default_factory=Total)
    source: Source = field(default_factory=Source)
    # Text the recogniser found inside the form but could not place; reported, never dropped.
    unplaced: tuple[str, ...] = ()
    # The header labels and column captions as printed: the evidence of the form's template
    # (profile detection, `jixiao inspect`). Layout, like source, not part of the record.
    captions: tuple[str, ...] = ()
    # Cells of a scan read with low confidence (formats/scan.py); empty for every other file.
    uncertain: tuple[Uncertain, ...] = ()
    # The scanned image of each cell of a scan a person may be asked to compare with its reading, as
    # (block, row, field, PNG data URL) (formats/scan_images.py). Layout, like source, not part of the record.
    scan_images: tuple[tuple[str, int, str, str], ...] = field(default=(), compare=False, repr=False)

    @cached_value
    def caption_text(self) -> str:
        """The captions in one string, for word tests ("原因" in form.caption_text)."""
        return "|".join(self.captions)

    def fund(self, kind: str) -> FundRow | None:
        return next((f for f in self.funds if f.kind == kind), None)

    @property
    def points(self) -> dict[str, Decimal | None]:
        return {name: parse_number(p) for name, p in self.category_points}


def to_record(form: Form) -> dict[str, Any]:
    """The interchange record (docs/domain.md §8) of a form; keys and order are fixed."""
    return {
        "schema": SCHEMA,
        "title": form.title,
        "year": form.year,
        "project": form.project,
        "leader": form.leader,
        "department": form.department,
        "unit": form.unit,
        **({"local_department": form.local_department} if form.local_department else {}),
        "funds": [
            {"kind": f.kind, "label": f.label, **{c: getattr(f, c) for c in FUND_FIELDS},
             **{c: v for c in OPTIONAL_FUND_FIELDS if (v := getattr(f, c))}}
            for f in form.funds
        ],
        "goals": {"planned": form.goals.planned, "achieved": form.goals.achieved},
        "category_points": dict(form.category_points),
        **({"category_labels": dict(form.category_labels)} if form.category_labels else {}),
        "indicators": [_indicator_record(i) for i in form.indicators],
        "total": {"weight": form.total.weight, "score": form.total.score},
        **({"uncertain": [_uncertain_item(u) for u in form.uncertain]} if form.uncertain else {}),
    }


def _indicator_record(i: Indicator) -> dict[str, str]:
    """The record of an indicator row (INDICATOR_FIELDS, then the OPTIONAL_INDICATOR_FIELDS it prints)."""
    record = {"level1": i.level1, "level2": i.level2, "name": i.name, "weight": i.weight, "target": i.target,
              "actual": i.actual, "score": i.score, "reason": i.reason}
    if i.target_nature or i.target_unit or i.formula or i.core or i.block or i.measures:
        record.update((c, v) for c in OPTIONAL_INDICATOR_FIELDS if (v := getattr(i, c)))
    return record


def _uncertain_item(cell: Uncertain) -> dict[str, Any]:
    return {"block": cell.block, "row": cell.row, "field": cell.field, "text": cell.text,
            "confidence": cell.confidence}


def _uncertain(item: Mapping[str, Any], where: str) -> Uncertain:
    row = item.get("row")
    if not isinstance(row, int) or isinstance(row, bool):
        raise RecordError(f"{where}.row 应为整数，实际为 {row!r}")
    block, field_, text, confidence = (_text(item, c, where) for c in ("block", "field", "text", "confidence"))
    return Uncertain(block, row, field_, text, confidence)


def _text(record: Mapping[str, Any], key: str, where: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where}.{key} 应为文本，实际为 {value!r}")
    return value


def _indicator(item: Mapping[str, Any], where: str) -> Indicator:
    level1, level2, name, weight, target, actual, score, reason = (_text(item, c, where) for c in INDICATOR_FIELDS)
    nature, unit, formula, core, block, measures = (_text(item, c, where) for c in OPTIONAL_INDICATOR_FIELDS)
    return Indicator(level1, level2, name, weight, target, actual, score, reason, target_nature=nature,
                     target_unit=unit, formula=formula, core=core, block=block, measures=measures)


def from_record(record: Mapping[str, Any], source: Source | None = None) -> Form:
    """A form from its interchange record; raises RecordError naming the bad key."""
    if not isinstance(record, Mapping):
        raise RecordError("表单记录应为 JSON 对象")
    if record.get("schema", SCHEMA) != SCHEMA:
        raise RecordError(f"schema 应为 {SCHEMA}，实际为 {record.get('schema')!r}")
    year = record.get("year")
    if year is not None and not isinstance(year, int):
        raise RecordError(f"year 应为整数，实际为 {year!r}")
    funds = []
    for n, f in enumerate(record.get("funds") or [], 1):
        where = f"funds[{n}]"
        kind = _text(f, "kind", where)
        if kind not in FUND_KINDS:
            raise RecordError(f"{where}.kind 应为 {'/'.join(FUND_KINDS)} 之一，实际为 {kind!r}")
        initial, annual, executed, weight, rate, score = (_text(f, c, where) for c in FUND_FIELDS)
        funds.append(FundRow(kind, _text(f, "label", where), initial, annual, executed, weight, rate, score,
                             reason=_text(f, "reason", where), received=_text(f, "received", where)))
    indicators = [_indicator(i, f"indicators[{n}]") for n, i in enumerate(record.get("indicators") or [], 1)]
    goals = record.get("goals") or {}
    total = record.get("total") or {}
    points = record.get("category_points") or {}
    return Form(
        title=_text(record, "title", "record"),
        year=year,
        project=_text(record, "project", "record"),
        leader=_text(record, "leader", "record"),
        department=_text(record, "department", "record"),
        unit=_text(record, "unit", "record"),
        local_department=_text(record, "local_department", "record"),
        funds=tuple(funds),
        goals=Goals(planned=_text(goals, "planned", "goals"), achieved=_text(goals, "achieved", "goals")),
        category_points=tuple((str(k), str(v)) for k, v in points.items()),
        category_labels=tuple((str(k), str(v)) for k, v in (record.get("category_labels") or {}).items()),
        indicators=tuple(indicators),
        total=Total(weight=_text(total, "weight", "total"), score=_text(total, "score", "total")),
        source=source or Source(),
        uncertain=tuple(_uncertain(u, f"uncertain[{n}]") for n, u in enumerate(record.get("uncertain") or [], 1)),
    )
