"""Checks that need the indicator library (docs/cycle.md §2.6 T10/T11, §7.3); every number is a setting.

- T10 (warning): a target below the unit's own actual of last year, same project and indicator.
- T11 (info): a target far outside the peers' range (the other units' targets of the same entry).
- L01 (warning): a 共性 indicator the profile requires is missing from the form.
- L02 (warning): a target's unit of measure unlike every peer's for the same entry.
- L03 (info): the target beaten by ≥ 130 % (setting) in each of the last N (setting) years.

Each finding says what it was compared with. The settings come from `data/library.toml` (read outside
the core: `parse_settings` takes its text).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.library import Entry, Library, Spread, Use, spread
from jixiao.core.model import Form, Indicator
from jixiao.core.scoring import fmt
from jixiao.core.values import Kind, Value

CODES: dict[str, tuple[Severity, str]] = {
    "T10": (Severity.WARNING, "目标低于上年实际完成值"),
    "T11": (Severity.INFO, "目标远离同类单位的范围"),
    "L01": (Severity.WARNING, "缺少要求的共性指标"),
    "L02": (Severity.WARNING, "计量单位与同类单位都不同"),
    "L03": (Severity.INFO, "目标连续多年被大幅超额完成"),
}


class SettingsError(ValueError):
    """A library settings file that can't be used; the message names the key."""


@dataclass(frozen=True)
class Settings:
    similarity_threshold: float = 0.75
    group_threshold: float = 0.85
    t11_factor: Decimal = Decimal("1.5")
    min_peers: int = 3  # other units needed before T11 and L02 compare with them
    beaten_ratio: Decimal = Decimal("1.3")
    beaten_years: int = 3
    required_common: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # profile → entry codes
    sources: Mapping[str, str] = field(default_factory=dict)  # section → where its numbers come from


def _number(table: Mapping[str, Any], key: str, default: Any, section: str) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SettingsError(f"指标库设置 [{section}] {key} 应为正数，实际为 {value!r}")
    return value


def parse_settings(text: str) -> Settings:
    """Settings from the text of a TOML file (data/library.toml); SettingsError names the bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"指标库设置文件不是有效的 TOML：{e}") from e
    matching, t11 = data.get("matching", {}), data.get("t11", {})
    peers, beaten = data.get("peers", {}), data.get("always_beaten", {})
    required = data.get("required_common", {})
    if not all(isinstance(v, list) and all(isinstance(c, str) for c in v) for k, v in required.items()
               if k != "source"):
        raise SettingsError("指标库设置 [required_common] 的每一项应为指标代码列表，如 \"mof-2020\" = [\"GX-001\"]")
    return Settings(
        similarity_threshold=float(_number(matching, "similarity_threshold", 0.75, "matching")),
        group_threshold=float(_number(matching, "group_threshold", 0.85, "matching")),
        t11_factor=Decimal(str(_number(t11, "factor", 1.5, "t11"))),
        min_peers=int(_number(peers, "min_peers", 3, "peers")),
        beaten_ratio=Decimal(str(_number(beaten, "ratio", 1.3, "always_beaten"))),
        beaten_years=int(_number(beaten, "years", 3, "always_beaten")),
        required_common={k: tuple(v) for k, v in required.items() if k != "source"},
        sources={k: str(v.get("source", "")) for k, v in data.items() if isinstance(v, dict)},
    )


@dataclass(frozen=True)
class Peers:
    """What the other units did with one entry, up to the form's year."""

    units: int  # distinct other units
    years: tuple[int, int] | None  # first and last year of their rows
    targets: Spread | None  # their targets in `measure`
    measure: str
    units_seen: tuple[str, ...]  # every unit of measure their targets use


def peers_from(uses: Iterable[Use], unit: str, year: int | None) -> Peers:
    """The peers of a row from linked rows: other units' rows of the same entry, of the year or before."""
    rows = [u for u in uses if u.unit != unit and (year is None or u.year <= year)]
    with_number = [u for u in rows if u.target.number is not None]
    seen: dict[str, int] = {}
    for u in with_number:
        seen[u.target.unit] = seen.get(u.target.unit, 0) + 1
    measure = max(seen.items(), key=lambda kv: kv[1])[0] if seen else ""
    years = (min(u.year for u in rows), max(u.year for u in rows)) if rows else None
    targets = spread(_numbers(u.target for u in with_number if u.target.unit == measure))
    return Peers(len({u.unit for u in rows}), years, targets, measure, tuple(sorted(seen)))


def _numbers(values: Iterable[Value]) -> list[Decimal]:
    return [v.number for v in values if v.number is not None]


@dataclass(frozen=True)
class Evidence:
    """What the checks compare a form with: per entry code, the peers and this unit's earlier rows."""

    peers: Mapping[str, Peers] = field(default_factory=dict)
    history: Mapping[str, Sequence[Use]] = field(default_factory=dict)  # same unit and project, earlier years


def evidence_for(form: Form, unit: str, uses: Iterable[Use]) -> Evidence:
    """The evidence of a form from linked rows of stored forms (the form's own rows left out by the caller)."""
    by_entry: dict[str, list[Use]] = {}
    for u in uses:
        by_entry.setdefault(u.entry, []).append(u)
    year = form.year
    return Evidence(
        peers={code: peers_from(rows, unit, year) for code, rows in by_entry.items()},
        history={code: sorted((u for u in rows if u.unit == unit and u.project == form.project
                               and (year is None or u.year < year)), key=lambda u: u.year)
                 for code, rows in by_entry.items()},
    )


def _finding(code: str, form: Form, form_index: int, location: Location, message: str, found: str = "",
             expected: str = "") -> Finding:
    return Finding(code, CODES[code][0], form_index, form.project, location, found, expected, message)


def _where(ind: Indicator, n: int, column: str = "target") -> Location:
    caption = {"target": "年度指标值", "name": "三级指标"}[column]
    return Location(block="indicators", row=ind.row, column=caption, indicator=ind.name or ind.level2,
                    field=column, index=n)


def linked_rows(form: Form, library: Library) -> Iterator[tuple[int, Indicator, Entry]]:
    """The form's rows that the library links without asking (exact or normalised name, level 2 and unit)."""
    for n, ind in enumerate(form.indicators):
        if not ind.name:
            continue
        target = ind.target_value
        match = library.match(ind.name, ind.level2, target.unit if target.number is not None else None, form.year)
        if match is not None and match.confirmed:
            yield n, ind, match.entry


def _lower_than(target: Value, last: Decimal) -> bool:
    """A target easier than last year's result: ≥ below it, or ≤ above it."""
    assert target.number is not None
    return target.number > last if target.kind is Kind.REVERSE else target.number < last


def check_t10(form: Form, form_index: int, rows: Sequence[tuple[int, Indicator, Entry]],
              evidence: Evidence, settings: Settings) -> Iterator[Finding]:
    if form.year is None:
        return
    for n, ind, entry in rows:
        target = ind.target_value
        if target.number is None or target.kind is Kind.EQUAL:
            continue
        last = [u for u in evidence.history.get(entry.code, ()) if u.year == form.year - 1
                and u.actual.number is not None and u.actual.unit == target.unit]
        if not last or not _lower_than(target, last[-1].actual.number):  # type: ignore[arg-type]
            continue
        actual = last[-1].actual
        direction = "高于" if target.kind is Kind.REVERSE else "低于"
        yield _finding("T10", form, form_index, _where(ind, n),
                       f"“{ind.name}”年度指标值 {ind.target} {direction}本单位同一项目上年（{form.year - 1}年）"
                       f"该指标的实际完成值 {actual.text}（指标库 {entry.code} {entry.name}），目标可能定得偏低，"
                       "请参照上年实际水平设定", found=ind.target, expected=f"不低于上年实际 {actual.text}")


def check_t11(form: Form, form_index: int, rows: Sequence[tuple[int, Indicator, Entry]],
              evidence: Evidence, settings: Settings) -> Iterator[Finding]:
    factor = settings.t11_factor
    for n, ind, entry in rows:
        target, peers = ind.target_value, evidence.peers.get(entry.code)
        if target.number is None or peers is None or peers.targets is None or peers.units < settings.min_peers:
            continue
        if target.unit != peers.measure:
            continue  # L02's case
        spread_ = peers.targets
        if target.number > spread_.q3 * factor:
            side = f"高于上四分位数 {fmt(spread_.q3)}{peers.measure} 的 {fmt(factor)} 倍"
        elif target.number < spread_.q1 / factor:
            side = f"低于下四分位数 {fmt(spread_.q1)}{peers.measure} 的 1/{fmt(factor)}"
        else:
            continue
        years = f"{peers.years[0]}–{peers.years[1]}年" if peers.years else ""
        yield _finding("T11", form, form_index, _where(ind, n),
                       f"“{ind.name}”年度指标值 {ind.target} {side}：同一指标（指标库 {entry.code}）其他 "
                       f"{peers.units} 个单位{years}的目标中位数为 {fmt(spread_.median)}{peers.measure}，"
                       f"四分位范围 {fmt(spread_.q1)}–{fmt(spread_.q3)}{peers.measure}，请核实目标是否合理",
                       found=ind.target, expected=f"{fmt(spread_.q1)}–{fmt(spread_.q3)}{peers.measure} 附近")


def check_l01(form: Form, form_index: int, profile: str, library: Library,
              rows: Sequence[tuple[int, Indicator, Entry]], settings: Settings) -> Iterator[Finding]:
    present = {entry.code for _, _, entry in rows}
    for code in settings.required_common.get(profile, ()):
        entry = library.by_code(code)
        if entry is None or not entry.valid_in(form.year) or code in present:
            continue
        where = Location(block="indicators", column="三级指标", indicator=entry.name, field="name")
        yield _finding("L01", form, form_index, where,
                       f"评分规则 {profile} 要求的共性指标“{entry.name}”（指标库 {entry.code}，"
                       f"{entry.level1}/{entry.level2}）未在表中找到，请补充该指标", expected=entry.name)


def check_l02(form: Form, form_index: int, library: Library, evidence: Evidence,
              settings: Settings) -> Iterator[Finding]:
    for n, ind in enumerate(form.indicators):
        target = ind.target_value
        if not ind.name or target.number is None:
            continue
        match = library.match(ind.name, ind.level2, None, form.year)  # by name only: the unit is the question
        if match is None or match.how.value == "similar":
            continue
        peers = evidence.peers.get(match.entry.code)
        if peers is None or peers.units < settings.min_peers or target.unit in peers.units_seen:
            continue
        shown = "、".join(u or "（无单位）" for u in peers.units_seen)
        yield _finding("L02", form, form_index, _where(ind, n),
                       f"“{ind.name}”年度指标值 {ind.target} 的计量单位“{target.unit or '无'}”与同一指标"
                       f"（指标库 {match.entry.code}）其他 {peers.units} 个单位所用的单位（{shown}）都不同，"
                       "请核实单位是否写错", found=target.unit or "（无单位）", expected=shown)


def _beaten(use: Use, ratio: Decimal) -> bool:
    t, a = use.target, use.actual
    if t.number is None or a.number is None or t.unit != a.unit or t.number <= 0:
        return False
    if t.kind is Kind.REVERSE:
        return a.number * ratio <= t.number
    return a.number >= t.number * ratio


def check_l03(form: Form, form_index: int, rows: Sequence[tuple[int, Indicator, Entry]],
              evidence: Evidence, settings: Settings) -> Iterator[Finding]:
    if form.year is None:
        return
    years = settings.beaten_years
    for n, ind, entry in rows:
        by_year = {u.year: u for u in evidence.history.get(entry.code, ()) if u.year < form.year}
        last = [by_year.get(form.year - k) for k in range(years, 0, -1)]  # the N years before this one
        if any(u is None or not _beaten(u, settings.beaten_ratio) for u in last):
            continue
        shown = "；".join(f"{u.year}年 目标 {u.target.text}、实际 {u.actual.text}" for u in last if u)
        yield _finding("L03", form, form_index, _where(ind, n),
                       f"“{ind.name}”（指标库 {entry.code}）本单位同一项目连续 {years} 年的实际完成值都达到目标的 "
                       f"{fmt(settings.beaten_ratio * 100)}% 以上（{shown}），目标可能一直定得偏低；"
                       f"本年年度指标值为 {ind.target or '（未填）'}，请参照历年实际水平设定", found=ind.target)


def check_with_library(form: Form, library: Library, evidence: Evidence, settings: Settings,
                       profile: str = "", form_index: int = 1) -> list[Finding]:
    """Every library check of one form, in code order."""
    rows = tuple(linked_rows(form, library))
    return [*check_t10(form, form_index, rows, evidence, settings),
            *check_t11(form, form_index, rows, evidence, settings),
            *check_l01(form, form_index, profile, library, rows, settings),
            *check_l02(form, form_index, library, evidence, settings),
            *check_l03(form, form_index, rows, evidence, settings)]
