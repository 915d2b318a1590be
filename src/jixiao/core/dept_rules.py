"""Scoring a department-wide form: its profile (a rule library per indicator, as data) and its scorecard.

docs/cycle.md §4.2–4.4: the fund block is scored as in the project profile (fund weight × min(rate, 1));
every indicator's 得分系数 comes from the rule its profile names for it, and 指标得分 = 得分系数 ×
指标权重. The rules (w = weight, A = the target in force, B = 全年完成值):

- `ratio`: B ≥ A → 1, else B ÷ A (A = 0: 1 when B ≥ 0).
- `reverse_ratio`: B ≤ A → 1, else A ÷ B.
- `deduct_per_point`: past a limit L (the rule's, else A), `per_point` points off for every `step`
  units over (direction `over`) or under (`under`); partial steps count as the rule says
  (`exact`, `up`, `down`); the score never falls below 0. Local tables: 在职人员控制率 −0.5 per point
  over 100 %, 预算完成率 −2 per 5 % short [V Dept-table-B].
- `bands`: the coefficient of the first band holding B ((above, upto]); 预算控制率 0 → 1, ≤10 % → 0.8 …
- `qualitative`: the unit picks a coefficient inside the band of the tier its 完成值 names
  (达成 / 部分达成 / 未达成); no coefficient is computed.

An indicator the profile names no rule for is scored by its target's kind: ≥ and = by `ratio`,
≤ by `reverse_ratio`, a phrase as `qualitative`. A rule may carry a formula (ratio or change of two
operands: fund cells "funds.total.executed" or named inputs "在职人员数"), from which the checker
recomputes the printed 完成值 (D05).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jixiao.core.dept import FUND_CAPTIONS, FUND_KINDS, FUND_LABELS, INDICATOR_FIELDS, DeptForm, DeptIndicator
from jixiao.core.profiles import Grade, ProfileError
from jixiao.core.values import Kind

RULE_KINDS = ("ratio", "reverse_ratio", "deduct_per_point", "bands", "qualitative")
FORMULA_KINDS = ("ratio", "change")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ONE = Decimal(1)


@dataclass(frozen=True)
class RuleBand:
    above: Decimal | None  # exclusive lower edge, None: no lower edge
    upto: Decimal | None  # inclusive upper edge, None: no upper edge
    coefficient: Decimal  # share of the weight, 0–1

    def holds(self, b: Decimal) -> bool:
        return (self.above is None or b > self.above) and (self.upto is None or b <= self.upto)


@dataclass(frozen=True)
class Formula:
    kind: str  # "ratio": a ÷ b × 100; "change": (a − b) ÷ b × 100
    numerator: str  # "funds.total.executed" or an input name
    denominator: str

    def describe(self) -> str:
        a, b = _operand_label(self.numerator), _operand_label(self.denominator)
        return f"{a} ÷ {b} × 100%" if self.kind == "ratio" else f"（{a} − {b}）÷ {b} × 100%"


@dataclass(frozen=True)
class Rule:
    name: str  # the indicator name it scores
    kind: str
    source: str = ""
    limit: Decimal | None = None
    direction: str = "over"
    per_point: Decimal = Decimal(0)
    step: Decimal = ONE
    step_rounding: str = "exact"
    bands: tuple[RuleBand, ...] = ()
    formula: Formula | None = None


@dataclass(frozen=True)
class Tier:
    tier: str  # 达成
    words: tuple[str, ...]  # words of 全年完成值 that name it
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class DeptLayout:
    """How the profile's form is printed: captions and column order (the template's wording is data)."""

    fund_caption: str
    fund_rows: tuple[tuple[str, str], ...]  # (kind, label)
    goals_caption: str
    projects_caption: str
    inputs_caption: str
    indicators_caption: str
    indicator_columns: tuple[tuple[str, str], ...]  # (record field, caption)
    widths: tuple[float, ...]  # one per indicator column, spreadsheet character units


@dataclass(frozen=True)
class DeptProfile:
    name: str
    title: str
    source: str
    fund_weight: Decimal
    total: Decimal
    grades: tuple[Grade, ...]  # highest first
    tiers: tuple[Tier, ...]  # most specific words first
    rules: tuple[Rule, ...]
    layout: DeptLayout
    low_execution_rate: Decimal = Decimal("0.9")

    @property
    def indicator_total(self) -> Decimal:
        return self.total - self.fund_weight

    def grade(self, score: Decimal) -> str:
        return next((g.name for g in self.grades if score >= g.minimum), self.grades[-1].name)

    def rule_for(self, indicator: DeptIndicator) -> Rule:
        """The profile's rule for the indicator's name, else the default for its target's kind."""
        name = "".join(indicator.name.split())
        found = next((r for r in self.rules if "".join(r.name.split()) == name), None)
        if found is not None:
            return found
        kind = indicator.target.kind
        if kind is Kind.REVERSE:
            return Rule(indicator.name, "reverse_ratio", "按指标值的方向（≤）默认")
        if kind in (Kind.POSITIVE, Kind.EQUAL):
            return Rule(indicator.name, "ratio", "按指标值的方向（≥/=）默认")
        return Rule(indicator.name, "qualitative", "定性指标默认")

    def tier(self, actual: str) -> Tier | None:
        return next((t for t in self.tiers if any(w in actual for w in t.words)), None)


# ---------------------------------------------------------------- reading a profile


class _Reader:
    def __init__(self, data: Mapping[str, Any], file: str, prefix: str = "") -> None:
        self.data, self.file, self.prefix = data, file, prefix

    def fail(self, key: str, problem: str) -> ProfileError:
        return ProfileError(f"部门整体评分规则文件 {self.file} 有误：键“{self.prefix}{key}”{problem}。")

    def sub(self, data: Any, key: str) -> _Reader:
        if not isinstance(data, Mapping):
            raise self.fail(key, "应为一个表")
        return _Reader(data, self.file, f"{self.prefix}{key}.")

    def get(self, key: str, default: Any = ...) -> Any:
        if key in self.data:
            return self.data[key]
        if default is not ...:
            return default
        raise self.fail(key, "缺失")

    def text(self, key: str, default: Any = ...) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or (default is ... and not value.strip()):
            raise self.fail(key, f"应为非空文本（加英文引号），实际为 {value!r}")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.fail(key, f"应为 {' / '.join(choices)} 之一，实际为 {value!r}")
        return value

    def decimal(self, key: str, default: Any = ...) -> Decimal:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
            raise self.fail(key, f"应为数字（不加引号），实际为 {value!r}")
        return Decimal(value)

    def optional(self, key: str) -> Decimal | None:
        return None if key not in self.data else self.decimal(key)

    def share(self, key: str) -> Decimal:
        value = self.decimal(key)
        if not 0 <= value <= 1:
            raise self.fail(key, f"应在 0 到 1 之间（权重的份额），实际为 {value}")
        return value

    def rows(self, key: str) -> list[_Reader]:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"应为一组表（每组以 [[{key}]] 开头）")
        return [self.sub(v, f"{key}[{n}]") for n, v in enumerate(value, 1)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"应为文本列表，实际为 {value!r}")
        return tuple(value)

    def pairs(self, key: str, allowed: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        value = self.get(key)
        ok = isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 and all(isinstance(s, str) for s in v)
                                             for v in value)
        if not ok:
            raise self.fail(key, f"应为 [\"键\", \"标题\"] 的列表，实际为 {value!r}")
        for k, _ in value:
            if k not in allowed:
                raise self.fail(key, f"中的“{k}”无法识别，可用：{'、'.join(allowed)}")
        return tuple((k, c) for k, c in value)


def _operand_label(operand: str) -> str:
    if operand.startswith("funds."):
        _, kind, column = operand.split(".")
        return f"{FUND_LABELS[kind]}{FUND_CAPTIONS[column]}"
    return operand


def _operand(reader: _Reader, key: str) -> str:
    operand = reader.text(key)
    if operand.startswith("funds."):
        parts = operand.split(".")
        if len(parts) != 3 or parts[1] not in FUND_KINDS or parts[2] not in ("initial", "adjusted", "executed"):
            raise reader.fail(key, f"应写成 funds.<资金类别>.<initial|adjusted|executed>，实际为 {operand!r}")
    return operand


def _rule(r: _Reader) -> Rule:
    kind = r.choice("kind", RULE_KINDS)
    formula = None
    if "formula" in r.data:
        f = r.sub(r.get("formula"), "formula")
        formula = Formula(f.choice("kind", FORMULA_KINDS), _operand(f, "numerator"), _operand(f, "denominator"))
    bands = tuple(RuleBand(b.optional("above"), b.optional("upto"), b.share("coefficient")) for b in r.rows("bands"))
    if kind == "bands" and not bands:
        raise r.fail("bands", "缺失：bands 规则至少要有一档（[[rules.bands]] 下写 above、upto、coefficient）")
    step = r.decimal("step", 1)
    if step <= 0:
        raise r.fail("step", f"应大于 0，实际为 {step}")
    if kind == "deduct_per_point" and "per_point" not in r.data:
        raise r.fail("per_point", "缺失：deduct_per_point 规则须写每单位扣分，如 per_point = 0.5")
    return Rule(
        name=r.text("name"), kind=kind, source=r.text("source", ""), limit=r.optional("limit"),
        direction=r.choice("direction", ("over", "under"), "over"), per_point=r.decimal("per_point", 0),
        step=step, step_rounding=r.choice("step_rounding", ("exact", "up", "down"), "exact"),
        bands=bands, formula=formula,
    )


def _layout(r: _Reader) -> DeptLayout:
    columns = r.pairs("indicator_columns", INDICATOR_FIELDS)
    widths = tuple(Decimal(w) for w in r.get("widths"))
    if len(widths) != len(columns):
        raise r.fail("widths", f"应有 {len(columns)} 个（每列一个），实际为 {len(widths)} 个")
    return DeptLayout(
        fund_caption=r.text("fund_caption"), fund_rows=r.pairs("fund_rows", FUND_KINDS),
        goals_caption=r.text("goals_caption"), projects_caption=r.text("projects_caption"),
        inputs_caption=r.text("inputs_caption"), indicators_caption=r.text("indicators_caption"),
        indicator_columns=columns, widths=tuple(float(w) for w in widths),
    )


def parse_dept_profile(text: str, file: str) -> DeptProfile:
    """A department-wide profile from TOML text; raises ProfileError naming the file and the key."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"部门整体评分规则文件 {file} 不是有效的 TOML：{error}") from None
    r = _Reader(data, file)
    grades = sorted((Grade(g.decimal("minimum"), g.text("name")) for g in r.rows("grades")),
                    key=lambda g: g.minimum, reverse=True)
    if not grades or grades[-1].minimum != 0:
        raise r.fail("grades", "最低一档的 minimum 应为 0（如“差”）")
    tiers = tuple(Tier(t.text("tier"), t.strings("words"), t.share("low"), t.share("high")) for t in r.rows("tiers"))
    profile = DeptProfile(
        name=r.text("name"), title=r.text("title"), source=r.text("source"),
        fund_weight=r.decimal("fund_weight"), total=r.decimal("total"), grades=tuple(grades), tiers=tiers,
        rules=tuple(_rule(rule) for rule in r.rows("rules")), layout=_layout(r.sub(r.get("layout"), "layout")),
        low_execution_rate=r.decimal("low_execution_rate", Decimal("0.9")),
    )
    names = [rule.name for rule in profile.rules]
    if len(set(names)) != len(names):
        raise r.fail("rules", "中有重名的指标规则")
    return profile


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class DeptIndicatorScore:
    index: int
    rule: str  # the rule's kind
    coefficient: Decimal | None  # 0–1; None when the rule gives none (qualitative, unreadable)
    score: Decimal | None  # rounded to 2 decimals
    formula: str  # how, or why there is no score
    band: tuple[Decimal, Decimal] | None = None  # qualitative: the allowed coefficients
    exact: Decimal | None = None  # the score before rounding


@dataclass(frozen=True)
class DeptScorecard:
    profile: str
    execution_rate: Decimal | None  # fraction
    execution_rate_exact: Decimal | None
    execution_formula: str
    fund_score: Decimal | None
    indicators: tuple[DeptIndicatorScore, ...]
    indicator_sum: Decimal  # rule scores; the printed score where the rule gives none
    total: Decimal | None
    grade: str


def round2(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def execution_amounts(form: DeptForm) -> tuple[Decimal | None, Decimal | None, str]:
    """全年（调整）预算数 and 全年执行数 of the department: the total row, else 基本 + 项目支出."""
    total = form.fund("total")
    if total is not None and total.amount("adjusted") is not None and total.amount("executed") is not None:
        return total.amount("adjusted"), total.amount("executed"), "年度资金总额"
    parts = [f for f in (form.fund("basic"), form.fund("project")) if f is not None]
    if parts and all(f.amount("adjusted") is not None and f.amount("executed") is not None for f in parts):
        return (sum((f.amount("adjusted") or Decimal(0) for f in parts), Decimal(0)),
                sum((f.amount("executed") or Decimal(0) for f in parts), Decimal(0)), "基本支出与项目支出合计")
    return None, None, ""


def operand_value(form: DeptForm, operand: str) -> Decimal | None:
    if operand.startswith("funds."):
        _, kind, column = operand.split(".")
        row = form.fund(kind)
        return row.amount(column) if row is not None else None
    return form.input(operand)


def formula_value(form: DeptForm, formula: Formula) -> Decimal | None:
    """The formula's result in percent, None when an operand is missing or the denominator is 0."""
    a, b = operand_value(form, formula.numerator), operand_value(form, formula.denominator)
    if a is None or not b:
        return None
    return (a / b if formula.kind == "ratio" else (a - b) / b) * HUNDRED


def _steps(excess: Decimal, rule: Rule) -> Decimal:
    steps = excess / rule.step
    if rule.step_rounding == "up":
        return Decimal(math.ceil(steps))
    if rule.step_rounding == "down":
        return Decimal(math.floor(steps))
    return steps


def _coefficient(rule: Rule, a: Decimal | None, b: Decimal, w: Decimal) -> tuple[Decimal | None, str]:
    if rule.kind == "bands":
        band = next((band for band in rule.bands if band.holds(b)), None)
        if band is None:
            return None, f"完成值 {fmt(b)} 不在任何一档内"
        lo = "" if band.above is None else f"{fmt(band.above)} <"
        hi = "" if band.upto is None else f"≤ {fmt(band.upto)}"
        return band.coefficient, f"{lo} {fmt(b)} {hi} → 系数 {fmt(band.coefficient)}".strip()
    limit = rule.limit if rule.limit is not None else a
    if limit is None:
        return None, "指标值不是数字，无法按规则计分"
    if rule.kind == "ratio":
        if b >= limit:
            return ONE, f"{fmt(b)} ≥ {fmt(limit)} → 满分"
        return (b / limit if limit > 0 else Decimal(0)), f"{fmt(b)} ÷ {fmt(limit)}"
    if rule.kind == "reverse_ratio":
        if b <= limit:
            return ONE, f"{fmt(b)} ≤ {fmt(limit)} → 满分"
        return (limit / b if b > 0 else Decimal(0)), f"{fmt(limit)} ÷ {fmt(b)}"
    excess = b - limit if rule.direction == "over" else limit - b
    if excess <= 0 or w == 0:
        return ONE, f"{fmt(b)} 未{'超过' if rule.direction == 'over' else '低于'} {fmt(limit)} → 满分"
    deduction = rule.per_point * _steps(excess, rule)
    score = max(Decimal(0), w - deduction)
    way = "超过" if rule.direction == "over" else "低于"
    return score / w, f"{way} {fmt(limit)} 共 {fmt(excess)}，每 {fmt(rule.step)} 扣 {fmt(rule.per_point)} 分，扣 {fmt(deduction)} 分"


def score_indicator(indicator: DeptIndicator, index: int, profile: DeptProfile) -> DeptIndicatorScore:
    rule = profile.rule_for(indicator)
    w = indicator.number("weight")
    if w is None:
        return DeptIndicatorScore(index, rule.kind, None, None, "指标权重不是数字，无法计分")
    if rule.kind == "qualitative":
        tier = profile.tier(indicator.actual)
        if tier is None:
            return DeptIndicatorScore(index, rule.kind, None, None, "定性指标：完成值未写明达成档次，由填报单位在档内打分")
        printed = indicator.number("coefficient")
        coefficient = printed / HUNDRED if printed is not None and tier.low <= printed / HUNDRED <= tier.high else None
        exact = coefficient * w if coefficient is not None else None
        return DeptIndicatorScore(index, rule.kind, coefficient, round2(exact) if exact is not None else None,
                                  f"定性指标“{tier.tier}”：得分系数应在 {fmt(tier.low * HUNDRED)}%–{fmt(tier.high * HUNDRED)}% 之间",
                                  band=(tier.low, tier.high), exact=exact)
    b = indicator.actual_value.number
    if b is None:
        return DeptIndicatorScore(index, rule.kind, None, None, "全年完成值不是数字，无法按规则计分")
    coefficient, how = _coefficient(rule, indicator.target.number, b, w)
    if coefficient is None:
        return DeptIndicatorScore(index, rule.kind, None, None, how)
    coefficient = min(max(coefficient, Decimal(0)), ONE)
    exact = coefficient * w
    formula = f"{how}；得分 = {fmt(round2(coefficient * HUNDRED))}% × {fmt(w)} = {fmt(round2(exact))}"
    return DeptIndicatorScore(index, rule.kind, coefficient, round2(exact), formula, exact=exact)


def score_dept(form: DeptForm, profile: DeptProfile) -> DeptScorecard:
    """What every score of the form should be under the profile, with its formula."""
    adjusted, executed, basis = execution_amounts(form)
    rate_exact = executed / adjusted if adjusted and executed is not None else None
    rate = rate_exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if rate_exact is not None else None
    fund_score = round2(profile.fund_weight * min(rate_exact, ONE)) if rate_exact is not None else None
    how = (f"{basis}：{fmt(executed)} ÷ {fmt(adjusted)} = {fmt(round2(rate_exact * HUNDRED))}%"
           if rate_exact is not None and executed is not None and adjusted is not None else "全年（调整）预算数或执行数缺失")
    scores = tuple(score_indicator(ind, n, profile) for n, ind in enumerate(form.indicators))
    parts = [s.score if s.score is not None else form.indicators[s.index].number("score") for s in scores]
    indicator_sum = sum((p for p in parts if p is not None), Decimal(0))
    total = indicator_sum + fund_score if fund_score is not None else None
    return DeptScorecard(
        profile=profile.name, execution_rate=rate, execution_rate_exact=rate_exact, execution_formula=how,
        fund_score=fund_score, indicators=scores, indicator_sum=indicator_sum,
        total=round2(total) if total is not None else None,
        grade=profile.grade(total) if total is not None else "",
    )
