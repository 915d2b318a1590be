"""结果应用 (docs/cycle.md §6.4): a result profile maps a project's grade to next year's budget recommendation.

The profile is data (jixiao/data/results/*.toml): per grade an action (priority, keep, cut, suspend,
cancel), its Chinese label and the share of next year's requested amount to cut (0 for none, 1 for
all). Which score decides — the finance bureau's re-check or the unit's own — is a setting too.

Beyond the grade, a profile may name conditions of the project's year (`[[conditions]]`): a monitoring
warning the unit answered 取消 or 调剂, or left unanswered past its deadline (监控 异常, 136号), and a
rectification item overdue or returned (10号: no or poor 整改 → reduce further). Each gives an action of
its own; the recommendation is the most severe of the grade's and the conditions' (then the larger cut),
and says which conditions weighed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jixiao.core.profiles import ProfileError

ACTIONS = ("priority", "keep", "cut", "suspend", "cancel")  # from the mildest to the most severe
CONDITIONS = {
    "monitor_cancelled": "运行监控预警答复为“取消”",
    "monitor_adjusted": "运行监控预警答复为“调剂”",
    "monitor_unanswered": "运行监控预警逾期未答复",
    "rectification_overdue": "整改逾期未完成",
    "rectification_returned": "整改答复被退回",
}


@dataclass(frozen=True)
class Action:
    grade: str
    action: str
    label: str
    cut: Decimal  # share of the requested amount to cut, 0–1


@dataclass(frozen=True)
class Condition:
    """A fact of the project's year (a key of CONDITIONS) and the action it calls for at least."""

    when: str
    action: str
    label: str
    cut: Decimal


def _severity(action: Action | Condition) -> tuple[int, Decimal]:
    return ACTIONS.index(action.action), action.cut


@dataclass(frozen=True)
class ResultsProfile:
    name: str
    title: str
    source: str
    prefer_recheck: bool
    large_difference: Decimal
    actions: tuple[Action, ...]
    conditions: tuple[Condition, ...] = ()

    def action(self, grade: str) -> Action | None:
        return next((a for a in self.actions if a.grade == grade), None)


@dataclass(frozen=True)
class Recommendation:
    grade: str
    basis: str  # "复核" or "自评": which score decided
    action: str
    label: str
    cut_share: Decimal
    cut_amount: Decimal | None  # 万元, None when the requested amount is unknown
    large_difference: bool  # the re-check is far below the unit's own score, or changes the grade
    reasons: tuple[str, ...] = ()  # the conditions that made it more severe than the grade's action (Chinese)


def _fail(file: str, key: str, problem: str) -> ProfileError:
    return ProfileError(f"结果应用规则文件 {file} 有误：键“{key}”{problem}。")


def _decimal(data: Mapping[str, Any], key: str, file: str, where: str) -> Decimal:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(file, f"{where}{key}", f"应为数字（不加引号），实际为 {value!r}")
    return Decimal(value)


def parse_results_profile(text: str, file: str) -> ResultsProfile:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"结果应用规则文件 {file} 不是有效的 TOML：{error}") from None
    actions = [Action(row["grade"], *_action_row(row, file, f"actions[{n}]", "grade"))
               for n, row in enumerate(data.get("actions") or [], 1)]
    conditions = [Condition(row["when"], *_action_row(row, file, f"conditions[{n}]", "when"))
                  for n, row in enumerate(data.get("conditions") or [], 1)]
    for n, c in enumerate(conditions, 1):
        if c.when not in CONDITIONS:
            raise _fail(file, f"conditions[{n}].when", f"应为 {' / '.join(CONDITIONS)} 之一，实际为 {c.when!r}")
    if not actions:
        raise _fail(file, "actions", "缺失：至少为一个等级写一条 [[actions]]")
    prefer = data.get("prefer_recheck", True)
    if not isinstance(prefer, bool):
        raise _fail(file, "prefer_recheck", f"应为 true 或 false，实际为 {prefer!r}")
    for key in ("name", "title", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(file, key, "应为非空文本")
    return ResultsProfile(data["name"], data["title"], data["source"], prefer,
                          _decimal(data, "large_difference", file, ""), tuple(actions), tuple(conditions))


def _action_row(row: Any, file: str, where: str, key: str) -> tuple[str, str, Decimal]:
    """The action, label and cut of an [[actions]] or [[conditions]] row, each checked and named if wrong."""
    if not isinstance(row, Mapping):
        raise _fail(file, where, "应为一个表")
    if row.get("action") not in ACTIONS:
        raise _fail(file, f"{where}.action", f"应为 {' / '.join(ACTIONS)} 之一，实际为 {row.get('action')!r}")
    cut = _decimal(row, "cut", file, f"{where}.")
    if not 0 <= cut <= 1:
        raise _fail(file, f"{where}.cut", f"应在 0 到 1 之间（核减比例），实际为 {cut}")
    if not all(isinstance(row.get(k), str) and row[k] for k in (key, "label")):
        raise _fail(file, f"{where}.{key}", "与 label 都应为非空文本")
    return row["action"], row["label"], cut


def recommend(profile: ResultsProfile, grade_of: Any, own: Decimal | None, recheck: Decimal | None,
              requested: Decimal | None, facts: Collection[str] = ()) -> Recommendation | None:
    """The recommendation for a project from its own score, its re-check score (either may be missing), next
    year's requested amount and the facts of its year (keys of CONDITIONS); grade_of turns a score into its
    grade (the scoring profile's bands)."""
    use_recheck = recheck is not None and (profile.prefer_recheck or own is None)
    score = recheck if use_recheck else own
    if score is None:
        return None
    grade = str(grade_of(score))
    graded = profile.action(grade)
    if graded is None:
        return None
    action: Action | Condition = graded
    weighed = [c for c in profile.conditions if c.when in facts and _severity(c) > _severity(graded)]
    if weighed:
        action = max(weighed, key=_severity)
    large = own is not None and recheck is not None and (
        own - recheck >= profile.large_difference or grade_of(own) != grade_of(recheck))
    cut = (requested * action.cut).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if requested is not None else None
    return Recommendation(grade, "复核" if use_recheck else "自评", action.action, action.label, action.cut, cut, large,
                          tuple(CONDITIONS[c.when] for c in weighed))
