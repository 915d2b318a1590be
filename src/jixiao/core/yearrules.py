"""The settings of the year's other forms, as data: target checks, monitoring checks, target review.

Every number the T- and M-checks use and every rule cycle.md marks [K] or uncertain is a key of a
TOML file with its source (jixiao/data/year/*.toml): the time-progress tolerance, a province's
checkpoint table (Sichuan 25/40/60/80 %), the goal-vs-money gap, the review points and how the
overall grade is formed. This module parses their text; jixiao.year_files reads the files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.core.keys import KeyReader

OUTCOMES = ("approved", "approved_after_edits", "returned", "rejected")
OUTCOME_NAMES = {"approved": "审核通过", "approved_after_edits": "修改后通过", "returned": "退回修改",
                 "rejected": "不予通过"}
GRADE_RULES = ("worst", "majority", "points")
# What a 主管部门's review leads to (docs/cycle.md §2.6 "Procedure", 88号 art. 26): it passes the target up to the
# finance bureau, or returns it to the unit.
DEPARTMENT_OUTCOMES = ("forward", "returned")
DEPARTMENT_OUTCOME_NAMES = {"forward": "报送财政审核", "returned": "退回修改"}
REVIEW_LEVELS_AFTER_RETURN = ("department", "finance")
# When a published kind's deadline starts (publication rules): the approval, or the finance bureau's last step.
PUBLICATION_STARTS = ("approved", "settled")


class RulesError(ValueError):
    """A settings file that can't be used: the message names the file and the key."""


@dataclass(frozen=True)
class TargetRules:
    name: str
    title: str
    source: str
    output_level1: str  # 产出指标
    quantity_types: tuple[str, ...]  # T04: 数量指标
    quality_types: tuple[str, ...]  # T04: 质量指标, 时效指标 (one of them)
    input_words: tuple[str, ...]  # T08: 资金到位, 预算执行 …
    rate_words: tuple[str, ...]  # T06: names measured in % (率, 满意度)
    overshoot_ratio: Decimal  # T11: target ≥ 1.5 × last year's actual
    weights_at_declaration: bool  # T12
    weight_total: Decimal  # T12: 100 (or the scoring profile's indicator total)


@dataclass(frozen=True)
class Checkpoint:
    month: int  # 1–12: execution to the end of this month…
    rate: Decimal  # …must reach this share (0.40)


@dataclass(frozen=True)
class MonitorRules:
    name: str
    title: str
    source: str
    regions: tuple[str, ...]
    tolerance: Decimal  # M04: warn when rate < elapsed/12 − tolerance
    checkpoints: tuple[Checkpoint, ...]  # M04: the province's table, by month
    low_forecast: Decimal  # M05: forecast / budget below this
    goal_gap: Decimal  # M11: |goal progress − execution rate| above this (0.10)

    def checkpoint(self, month: int) -> Checkpoint | None:
        """The checkpoint in force at the end of a month: the latest one not after it."""
        due = [c for c in self.checkpoints if c.month <= month]
        return max(due, key=lambda c: c.month) if due else None


@dataclass(frozen=True)
class ReviewProfile:
    name: str
    title: str
    source: str
    points: tuple[tuple[str, str], ...]  # (aspect, 审核要点): (完整性, 规范完整性) …
    grades: tuple[str, ...]  # best first: 优 良 中 差
    rule: str  # worst | majority | points
    grade_points: tuple[tuple[str, Decimal], ...]  # rule "points": points of each grade
    thresholds: tuple[tuple[str, Decimal], ...]  # rule "points": average from which a grade applies
    outcomes: tuple[tuple[str, str], ...]  # grade → outcome (the finance bureau's review: it decides)
    # The review chain (cycle.md §2.6 "Procedure"): a unit under a 主管部门 is reviewed by it first when this is
    # set; its grade gives forward | returned; after the finance bureau returns a target, the unit's resubmission
    # goes to this level. Without a [chain] table: one review, by the finance bureau.
    department_review: bool = False
    department_outcomes: tuple[tuple[str, str], ...] = ()
    after_finance_return: str = "department"

    def department_outcome(self, grade: str) -> str:
        return dict(self.department_outcomes).get(grade, "")

    @property
    def point_names(self) -> tuple[str, ...]:
        return tuple(p for _, p in self.points)

    def overall(self, items: Mapping[str, str]) -> str:
        """The overall grade of the points' grades, by the profile's rule; "" while any is missing."""
        grades = [items.get(p, "") for p in self.point_names]
        if not grades or any(g not in self.grades for g in grades):
            return ""
        rank = {g: n for n, g in enumerate(self.grades)}
        if self.rule == "worst":
            return max(grades, key=lambda g: rank[g])
        if self.rule == "majority":  # the most frequent grade; a tie goes to the worse one
            return max(self.grades, key=lambda g: (grades.count(g), rank[g]))
        points = dict(self.grade_points)
        average = sum((points[g] for g in grades), Decimal(0)) / len(grades)
        return next((g for g, minimum in self.thresholds if average >= minimum), self.grades[-1])

    def outcome(self, grade: str) -> str:
        return dict(self.outcomes).get(grade, "")


class _Reader(KeyReader):
    """The keys of one of the year's rules files; every problem becomes a RulesError."""

    def fail(self, key: str, problem: str) -> RulesError:
        return RulesError(f"设置文件 {self.file} 有误：键“{key}”{problem}。")

    def texts(self, key: str, default: Sequence[str] | None = None) -> tuple[str, ...]:
        return self.strings(key, self.get(key, default))


def _load(text: str, file: str, kind: str) -> _Reader:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"设置文件 {file} 不是有效的 TOML（{error}）") from None
    reader = _Reader(data, file)
    if data.get("kind") != kind:
        raise reader.fail("kind", f"应为 \"{kind}\"，实际为 {data.get('kind')!r}")
    return reader


def parse_target_rules(text: str, file: str) -> TargetRules:
    r = _load(text, file, "target-checks")
    return TargetRules(
        name=r.text("name"), title=r.text("title"), source=r.text("source"),
        output_level1=r.text("output_level1"), quantity_types=r.texts("quantity_types"),
        quality_types=r.texts("quality_types"), input_words=r.texts("input_words"),
        rate_words=r.texts("rate_words"), overshoot_ratio=r.decimal("overshoot_ratio"),
        weights_at_declaration=r.flag("weights_at_declaration"), weight_total=r.decimal("weight_total"),
    )


def parse_monitor_rules(text: str, file: str) -> MonitorRules:
    r = _load(text, file, "monitor-checks")
    checkpoints = []
    for n, row in enumerate(r.get("checkpoints", []), 1):
        month = row.get("month") if isinstance(row, Mapping) else None
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise r.fail(f"checkpoints[{n}].month", f"应为 1–12 的整数，实际为 {month!r}")
        rate = r.decimal(f"checkpoints[{n}].rate", row.get("rate"))
        if rate > 1:
            raise r.fail(f"checkpoints[{n}].rate", f"应为 0–1 之间的比例（40% 写作 0.40），实际为 {rate}")
        checkpoints.append(Checkpoint(month, rate))
    return MonitorRules(
        name=r.text("name"), title=r.text("title"), source=r.text("source"), regions=r.texts("regions", []),
        tolerance=r.decimal("tolerance"), checkpoints=tuple(sorted(checkpoints, key=lambda c: c.month)),
        low_forecast=r.decimal("low_forecast"), goal_gap=r.decimal("goal_gap"),
    )


def parse_review_profile(text: str, file: str) -> ReviewProfile:
    r = _load(text, file, "target-review")
    points = r.get("points")
    if not isinstance(points, Mapping) or not points:
        raise r.fail("points", "应为一个表：方面 = [审核要点, …]")
    pairs = tuple((str(aspect), p) for aspect, names in points.items()
                  for p in r.texts(f"points.{aspect}", names if isinstance(names, list) else None))
    grades = r.texts("grades")
    rule = r.text("rule")
    if rule not in GRADE_RULES:
        raise r.fail("rule", f"应为 {'、'.join(GRADE_RULES)} 之一，实际为 {rule!r}")
    outcomes = r.get("outcomes")
    if not isinstance(outcomes, Mapping) or set(outcomes) != set(grades) or \
            not all(o in OUTCOMES for o in outcomes.values()):
        raise r.fail("outcomes", f"应为每个等级（{'、'.join(grades)}）对应 {'/'.join(OUTCOMES)} 之一")
    grade_points: tuple[tuple[str, Decimal], ...] = ()
    thresholds: tuple[tuple[str, Decimal], ...] = ()
    if rule == "points":
        gp, th = r.get("grade_points"), r.get("thresholds")
        if not isinstance(gp, Mapping) or set(gp) != set(grades) or not isinstance(th, Mapping):
            raise r.fail("grade_points", "按分数定等级时，应给出每个等级的分数（grade_points）和门槛（thresholds）")
        grade_points = tuple((g, r.decimal(f"grade_points.{g}", gp[g])) for g in grades)
        thresholds = tuple(sorted(((g, r.decimal(f"thresholds.{g}", v)) for g, v in th.items()),
                                  key=lambda t: t[1], reverse=True))
    chain = r.get("chain", {})
    if not isinstance(chain, Mapping):
        raise r.fail("chain", "应为一个表（department_review、department_outcomes、after_finance_return）")
    department_review = chain.get("department_review", False)
    if not isinstance(department_review, bool):
        raise r.fail("chain.department_review", f"应为 true 或 false，实际为 {department_review!r}")
    dept = chain.get("department_outcomes", {})
    if department_review and (not isinstance(dept, Mapping) or set(dept) != set(grades)
                              or not all(o in DEPARTMENT_OUTCOMES for o in dept.values())):
        raise r.fail("chain.department_outcomes", f"应为每个等级（{'、'.join(grades)}）对应 "
                     f"{'/'.join(DEPARTMENT_OUTCOMES)} 之一")
    after = chain.get("after_finance_return", "department")
    if after not in REVIEW_LEVELS_AFTER_RETURN:
        raise r.fail("chain.after_finance_return", f"应为 {'、'.join(REVIEW_LEVELS_AFTER_RETURN)} 之一，实际为 {after!r}")
    return ReviewProfile(name=r.text("name"), title=r.text("title"), source=r.text("source"), points=pairs,
                         grades=grades, rule=rule, grade_points=grade_points, thresholds=thresholds,
                         outcomes=tuple((g, str(outcomes[g])) for g in grades), department_review=department_review,
                         department_outcomes=tuple((g, str(dept[g])) for g in grades) if department_review else (),
                         after_finance_return=str(after))


@dataclass(frozen=True)
class PublicationRule:
    kind: str  # target | self | dept
    channel: str  # 随预算公开 | 随决算公开
    days: int  # published within this many days…
    starts: str  # …of the approval ("approved") or of the finance bureau's last step ("settled")
    source: str
    min_share: Decimal | None = None  # share of approved forms that must be published (targets: ≥ 60 %)


@dataclass(frozen=True)
class PublicationRules:
    name: str
    title: str
    source: str
    kinds: tuple[PublicationRule, ...]

    def rule(self, kind: str) -> PublicationRule | None:
        return next((k for k in self.kinds if k.kind == kind), None)


def parse_publication_rules(text: str, file: str) -> PublicationRules:
    """The disclosure deadlines of each published kind (docs/cycle.md §6.7)."""
    r = _load(text, file, "publication")
    kinds = r.get("kinds")
    if not isinstance(kinds, Mapping) or not kinds:
        raise r.fail("kinds", "应为一个表：[kinds.target]、[kinds.self] …")
    rules = []
    for kind, row in kinds.items():
        where = f"kinds.{kind}"
        if not isinstance(row, Mapping):
            raise r.fail(where, "应为一个表（channel、days、starts、source）")
        days = row.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
            raise r.fail(f"{where}.days", f"应为 1–366 的整数（天），实际为 {days!r}")
        starts = row.get("starts", "approved")
        if starts not in PUBLICATION_STARTS:
            raise r.fail(f"{where}.starts", f"应为 {'、'.join(PUBLICATION_STARTS)} 之一，实际为 {starts!r}")
        share = row.get("min_share")
        minimum = r.decimal(f"{where}.min_share", share) if share is not None else None
        if minimum is not None and minimum > 1:
            raise r.fail(f"{where}.min_share", f"应为 0–1 之间的比例（60% 写作 0.60），实际为 {minimum}")
        texts = {k: row.get(k) for k in ("channel", "source")}
        for k, v in texts.items():
            if not isinstance(v, str) or not v.strip():
                raise r.fail(f"{where}.{k}", f"应为非空文本，实际为 {v!r}")
        rules.append(PublicationRule(str(kind), str(texts["channel"]), days, str(starts), str(texts["source"]),
                                     minimum))
    return PublicationRules(name=r.text("name"), title=r.text("title"), source=r.text("source"), kinds=tuple(rules))
