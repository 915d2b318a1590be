"""结果应用 (docs/cycle.md §6.4): a result profile maps a project's grade to next year's budget recommendation.

The profile is data (jixiao/data/results/*.toml): per grade an action (priority, keep, cut, suspend,
cancel), its Chinese label and the share of next year's requested amount to cut (0 for none, 1 for
all). Which score decides — the finance bureau's re-check or the unit's own — is a setting too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jixiao.core.profiles import ProfileError

ACTIONS = ("priority", "keep", "cut", "suspend", "cancel")


@dataclass(frozen=True)
class Action:
    grade: str
    action: str
    label: str
    cut: Decimal  # share of the requested amount to cut, 0–1


@dataclass(frozen=True)
class ResultsProfile:
    name: str
    title: str
    source: str
    prefer_recheck: bool
    large_difference: Decimal
    actions: tuple[Action, ...]

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
    actions = []
    for n, row in enumerate(data.get("actions") or [], 1):
        where = f"actions[{n}]."
        if not isinstance(row, Mapping):
            raise _fail(file, f"actions[{n}]", "应为一个表")
        if row.get("action") not in ACTIONS:
            raise _fail(file, f"{where}action", f"应为 {' / '.join(ACTIONS)} 之一，实际为 {row.get('action')!r}")
        cut = _decimal(row, "cut", file, where)
        if not 0 <= cut <= 1:
            raise _fail(file, f"{where}cut", f"应在 0 到 1 之间（核减比例），实际为 {cut}")
        if not all(isinstance(row.get(k), str) and row[k] for k in ("grade", "label")):
            raise _fail(file, f"{where}grade", "与 label 都应为非空文本")
        actions.append(Action(row["grade"], row["action"], row["label"], cut))
    if not actions:
        raise _fail(file, "actions", "缺失：至少为一个等级写一条 [[actions]]")
    prefer = data.get("prefer_recheck", True)
    if not isinstance(prefer, bool):
        raise _fail(file, "prefer_recheck", f"应为 true 或 false，实际为 {prefer!r}")
    for key in ("name", "title", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(file, key, "应为非空文本")
    return ResultsProfile(data["name"], data["title"], data["source"], prefer,
                          _decimal(data, "large_difference", file, ""), tuple(actions))


def recommend(profile: ResultsProfile, grade_of: Any, own: Decimal | None, recheck: Decimal | None,
              requested: Decimal | None) -> Recommendation | None:
    """The recommendation for a project from its own score, its re-check score (either may be missing) and next
    year's requested amount; grade_of turns a score into its grade (the scoring profile's bands)."""
    use_recheck = recheck is not None and (profile.prefer_recheck or own is None)
    score = recheck if use_recheck else own
    if score is None:
        return None
    grade = str(grade_of(score))
    action = profile.action(grade)
    if action is None:
        return None
    large = own is not None and recheck is not None and (
        own - recheck >= profile.large_difference or grade_of(own) != grade_of(recheck))
    cut = (requested * action.cut).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if requested is not None else None
    return Recommendation(grade, "复核" if use_recheck else "自评", action.action, action.label, action.cut, cut, large)
