"""The indicator library (指标库, docs/cycle.md §7): entries, name matching, and what stored forms say about each entry.

An entry (`jixiao.indicator/1`, docs/cycle.md §7.2–7.3) is a curated level-3 indicator. A stored form's indicator
row is linked to an entry when its name matches — exactly, after normalisation (full-/half-width, blanks,
率/比例, "指标1：" prefixes), or by a similarity the user confirms — and its level 2 and unit agree.
Unmatched names are grouped into candidate entries. Statistics (median and quartiles of targets and actuals,
share met, units seen) are derived from the linked rows; the library stores no "history" of its own.

Similarity is difflib's ratio on the normalised names (stdlib; a library holds hundreds to a few thousand
entries, and suggestions are narrowed by the database first), so no fuzzy-matching dependency is needed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from jixiao.core.values import Kind, Op, Value, format_number, normalise_unit

SCHEMA = "jixiao.indicator/1"
KINDS = ("定量", "定性")
STATUSES = ("active", "retired")
OPERATORS = ("", "≥", ">", "=", "≤", "<")
# Record keys in order; the xlsx/CSV column captions are the Chinese names (docs/cycle.md §7.2).
FIELDS: tuple[tuple[str, str], ...] = (
    ("code", "指标代码"), ("name", "三级指标名称"), ("level1", "一级指标"), ("level2", "二级指标"),
    ("kind", "定量/定性"), ("op", "计算符号"), ("unit", "计量单位"), ("explanation", "指标解释"),
    ("formula", "计算公式"), ("standard", "评（扣）分标准"), ("data_source", "数据来源/佐证材料"),
    ("common", "是否共性指标"), ("owner", "归口单位"), ("valid_from", "启用年度"), ("valid_to", "停用年度"),
    ("status", "状态"), ("provenance", "来源（文件号/上传单位）"), ("aliases", "别名"),
)
CAPTIONS = dict(FIELDS)


class EntryError(ValueError):
    """An entry record that does not have the shape of jixiao.indicator/1; the message names the field."""


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    level1: str = ""
    level2: str = ""
    kind: str = "定量"
    op: str = ""  # the usual operator of a target: ≥ > = ≤ <, "" for 定性
    unit: str = ""  # 计量单位: "%", "个", "万元"…
    explanation: str = ""  # 指标解释
    formula: str = ""  # 计算公式
    standard: str = ""  # 评（扣）分标准
    data_source: str = ""  # 数据来源 / 佐证材料
    common: bool = False  # 是否共性指标
    owner: str = ""  # 归口单位; "" = every unit
    valid_from: int | None = None
    valid_to: int | None = None
    status: str = "active"
    provenance: str = ""  # 文件号 / 上传单位
    aliases: tuple[str, ...] = ()  # other names confirmed as this entry

    def valid_in(self, year: int | None) -> bool:
        if self.status != "active":
            return False
        if year is None:
            return True
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)


def entry_to_record(entry: Entry) -> dict[str, Any]:
    """The interchange record of an entry; keys and order are fixed (FIELDS)."""
    record: dict[str, Any] = {"schema": SCHEMA}
    for key, _ in FIELDS:
        value = getattr(entry, key)
        record[key] = list(value) if key == "aliases" else value
    return record


def _text(record: Mapping[str, Any], key: str, where: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise EntryError(f"{where}：“{CAPTIONS[key]}”（{key}）应为文本，实际为 {value!r}")
    return value.strip()


def _year(record: Mapping[str, Any], key: str, where: str) -> int | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"(19|20)\d\d(\.0)?", text):
        raise EntryError(f"{where}：“{CAPTIONS[key]}”应为四位年份，如 2021，实际为 {value!r}")
    return int(float(text))


_TRUE = frozenset({"true", "1", "是", "yes", "y", "共性", "√"})
_FALSE = frozenset({"false", "0", "否", "no", "n", "个性", "", "2"})


def _bool(record: Mapping[str, Any], key: str, where: str) -> bool:
    value = record.get(key, False)
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EntryError(f"{where}：“{CAPTIONS[key]}”应为“是”或“否”，实际为 {value!r}")


def _choice(value: str, allowed: Sequence[str], key: str, where: str) -> str:
    if value not in allowed:
        shown = "、".join(a or "（空）" for a in allowed)
        raise EntryError(f"{where}：“{CAPTIONS[key]}”应为 {shown} 之一，实际为 {value!r}")
    return value


def _aliases(record: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = record.get("aliases") or ()
    if isinstance(value, str):
        value = re.split(r"[;；|\n]", value)
    if not isinstance(value, list | tuple):
        raise EntryError(f"{where}：“别名”应为文本列表，或用分号分隔的文本")
    return tuple(str(a).strip() for a in value if str(a).strip())


def entry_from_record(record: Mapping[str, Any], where: str = "记录") -> Entry:
    """An entry from its record (JSON, or a row of the xlsx/CSV with the same keys); EntryError names the field."""
    if not isinstance(record, Mapping):
        raise EntryError(f"{where}：应为 JSON 对象")
    if record.get("schema", SCHEMA) not in (SCHEMA, "", None):
        raise EntryError(f"{where}：schema 应为 {SCHEMA}，实际为 {record.get('schema')!r}")
    code, name = _text(record, "code", where), _text(record, "name", where)
    if not code:
        raise EntryError(f"{where}：缺少“指标代码”，请为每个指标填写唯一代码，如 CC-001")
    if not name:
        raise EntryError(f"{where}：缺少“三级指标名称”")
    op = _choice(unicodedata.normalize("NFKC", _text(record, "op", where)).replace(">=", "≥").replace("<=", "≤"),
                 OPERATORS, "op", where)
    valid_from, valid_to = _year(record, "valid_from", where), _year(record, "valid_to", where)
    if valid_from and valid_to and valid_to < valid_from:
        raise EntryError(f"{where}：停用年度 {valid_to} 早于启用年度 {valid_from}")
    return Entry(
        code=code, name=name, level1=_text(record, "level1", where), level2=_text(record, "level2", where),
        kind=_choice(_text(record, "kind", where) or "定量", KINDS, "kind", where),
        op=op, unit=normalise_unit(_text(record, "unit", where)),
        explanation=_text(record, "explanation", where), formula=_text(record, "formula", where),
        standard=_text(record, "standard", where), data_source=_text(record, "data_source", where),
        common=_bool(record, "common", where), owner=_text(record, "owner", where),
        valid_from=valid_from, valid_to=valid_to,
        status=_choice(_text(record, "status", where) or "active", STATUSES, "status", where),
        provenance=_text(record, "provenance", where), aliases=_aliases(record, where),
    )


# ---------------------------------------------------------------- names

# "指标1：", "1.", "1、", "（1）", "(一)", "①", "一、" before a name: numbering, not part of it.
_PREFIX = re.compile(
    r"^(?:(?:三级)?指标\s*[0-9一二三四五六七八九十]*\s*[:：]|[(（]?[0-9一二三四五六七八九十]{1,3}[)）]|"
    r"[0-9]{1,3}\s*[.、)）．]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*"
)
_CIRCLED = re.compile(r"^\s*[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2776-\u277f]\s*")  # ① ㉑ ❶: NFKC makes them digits
_BLANKS = re.compile(r"[\s\u3000\u00a0_·•]+")
_PUNCTUATION = str.maketrans("", "", "“”\"'‘’《》<>「」【】[]")
_SYNONYMS: tuple[tuple[str, str], ...] = (("比例", "率"), ("比率", "率"), ("百分比", "率"))


def normalise_name(name: str) -> str:
    """The form of a name that matching compares: width-folded, blanks and numbering gone, 比例 read as 率.

    "指标1：资金到位 比例" and "资金到位率" normalise alike; so do "（１）满意度" and "满意度".
    """
    text = unicodedata.normalize("NFKC", _CIRCLED.sub("", name)).strip().lower()
    previous = None
    while previous != text:  # "1. 指标2：…" has two prefixes
        previous, text = text, _PREFIX.sub("", text, count=1).strip()
    text = _BLANKS.sub("", text).translate(_PUNCTUATION).rstrip("。；;,，、:：")
    for old, new in _SYNONYMS:
        text = text.replace(old, new)
    return text


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def level_stem(level: str) -> str:
    """A level-1/2 name without blanks and its 指标 suffix: "数量\u3000指标" → "数量"."""
    plain = _BLANKS.sub("", unicodedata.normalize("NFKC", level))
    return plain[:-2] if plain.endswith("指标") else plain


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0–1, on their normalised forms (difflib's ratio)."""
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


class How(StrEnum):
    EXACT = "exact"  # the name (or a confirmed alias) as printed
    NORMALISED = "normalised"  # equal after normalise_name
    SIMILAR = "similar"  # alike enough to offer; the user confirms


@dataclass(frozen=True)
class Match:
    entry: Entry
    how: How
    score: float  # 1.0 for exact and normalised
    unit_differs: bool = False  # the row's unit is not the entry's: shown, and keeps the match unconfirmed

    @property
    def confirmed(self) -> bool:
        """Linked without asking the user: exact or normalised name, level 2 and unit agreeing."""
        return self.how is not How.SIMILAR and not self.unit_differs


def _compatible_level2(entry: Entry, level2: str) -> bool:
    return not entry.level2 or not level2 or level_stem(entry.level2) == level_stem(level2)


def _unit_differs(entry: Entry, unit: str | None) -> bool:
    return unit is not None and entry.kind == "定量" and bool(entry.unit) and normalise_unit(unit) != entry.unit


@dataclass
class Library:
    """Entries indexed for matching: by name and alias as printed, and by normalised name."""

    entries: Sequence[Entry]
    threshold: float = 0.75  # the least similarity offered (setting `similarity_threshold`)
    _exact: dict[str, list[Entry]] = field(default_factory=dict, init=False, repr=False)
    _normal: dict[str, list[Entry]] = field(default_factory=dict, init=False, repr=False)
    _grams: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)  # bigram → normalised names

    def __post_init__(self) -> None:
        for entry in self.entries:
            for name in (entry.name, *entry.aliases):
                self._exact.setdefault(name.strip(), []).append(entry)
                key = normalise_name(name)
                self._normal.setdefault(key, []).append(entry)
                for gram in _bigrams(key):
                    self._grams.setdefault(gram, set()).add(key)

    def _alike(self, key: str, most: int = 200) -> list[str]:
        """The normalised names sharing most bigrams with key: the only ones worth a difflib ratio."""
        shared: Counter[str] = Counter()
        for gram in _bigrams(key):
            shared.update(self._grams.get(gram, ()))
        return [name for name, _ in shared.most_common(most)]

    def by_code(self, code: str) -> Entry | None:
        return next((e for e in self.entries if e.code == code), None)

    def match(self, name: str, level2: str = "", unit: str | None = None, year: int | None = None) -> Match | None:
        """The best entry for a row: exact, then normalised, then the most similar above the threshold."""
        found = self.matches(name, level2, unit, year, limit=1)
        return found[0] if found else None

    def matches(self, name: str, level2: str = "", unit: str | None = None, year: int | None = None,
                limit: int = 5) -> list[Match]:
        """Entries for a row, best first; `unit` None means the row has no target yet (no unit to compare)."""
        def usable(entries: Iterable[Entry]) -> list[Entry]:
            return [e for e in entries if e.valid_in(year) and _compatible_level2(e, level2)]

        def ranked(entries: list[Entry], how: How) -> list[Match]:
            result = [Match(e, how, 1.0, _unit_differs(e, unit)) for e in entries]
            return sorted(result, key=lambda m: m.unit_differs)  # the entry with the row's unit first

        key = normalise_name(name)
        if not key:
            return []
        exact = usable(self._exact.get(name.strip(), ()))
        if exact:
            return ranked(exact, How.EXACT)[:limit]
        normal = usable(self._normal.get(key, ()))
        if normal:
            return ranked(normal, How.NORMALISED)[:limit]
        scored: dict[str, Match] = {}
        for other in self._alike(key):
            entries = self._normal[other]
            ratio = difflib.SequenceMatcher(None, key, other, autojunk=False)
            if ratio.real_quick_ratio() < self.threshold or ratio.quick_ratio() < self.threshold:
                continue
            score = ratio.ratio()
            if score < self.threshold:
                continue
            for e in usable(entries):
                if e.code not in scored or scored[e.code].score < score:
                    scored[e.code] = Match(e, How.SIMILAR, score, _unit_differs(e, unit))
        return sorted(scored.values(), key=lambda m: (-m.score, m.entry.code))[:limit]


@dataclass(frozen=True)
class Candidate:
    """Unmatched names that look like one indicator: a proposal for a new entry."""

    name: str  # the commonest spelling
    level2: str
    unit: str
    count: int  # rows
    variants: tuple[tuple[str, int], ...]  # every spelling with its number of rows, commonest first


def group_unmatched(rows: Iterable[tuple[str, str, str]], threshold: float = 0.85) -> list[Candidate]:
    """Group (name, level2, unit) rows no entry matched: same normalised name and level 2, then similar names.

    A row joins the first group (largest first) whose representative is at least `threshold` alike and has
    the same level 2; so "培训人次" and "培训人数" may group, "培训人次" and "满意度" never do.
    """
    exact: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for name, level2, unit in rows:
        key = normalise_name(name)
        if key:
            exact[(key, level_stem(level2))][(name.strip(), normalise_unit(unit))] += 1
    groups: list[tuple[str, str, Counter[tuple[str, str]]]] = []
    for (key, level2), spellings in sorted(exact.items(), key=lambda kv: -sum(kv[1].values())):
        home = next((g for g in groups if g[1] == level2
                     and difflib.SequenceMatcher(None, key, g[0], autojunk=False).ratio() >= threshold), None)
        if home is None:
            groups.append((key, level2, Counter(spellings)))
        else:
            home[2].update(spellings)
    result = []
    for _, level2, spellings in groups:
        names: Counter[str] = Counter()
        units: Counter[str] = Counter()
        for (name, unit), n in spellings.items():
            names[name] += n
            units[unit] += n
        # commonest first; among equals the spelling that is already clean ("培训人次", not "指标1：培训 人次")
        variants = tuple(sorted(names.items(), key=lambda kv: (-kv[1], normalise_name(kv[0]) != kv[0], kv[0])))
        unit = max(units.items(), key=lambda kv: (kv[1], kv[0] != ""))[0]
        result.append(Candidate(variants[0][0], level2 and f"{level2}指标", unit, sum(names.values()), variants))
    return sorted(result, key=lambda c: (-c.count, c.name))


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Use:
    """One indicator row of a stored form, linked to an entry: what the statistics are made of."""

    entry: str  # entry code
    unit: str  # 实施单位 (the org's name or id as text)
    year: int
    project: str
    target: Value
    actual: Value
    department: str = ""
    region: str = ""
    form: int | None = None  # the stored form's id
    index: int = 0  # the row's position in its form


def met(target: Value, actual: Value) -> bool | None:
    """Whether an actual reaches its target (scoring's rule: ≥/> reached at or above, ≤/< at or below,
    = treated like ≥ as docs/domain.md §4 scores it); None when either has no number or their units differ."""
    if target.number is None or actual.number is None or target.unit != actual.unit:
        return None
    if target.kind is Kind.REVERSE:
        return actual.number < target.number if target.op is Op.LT else actual.number <= target.number
    return actual.number > target.number if target.op is Op.GT else actual.number >= target.number


@dataclass(frozen=True)
class Spread:
    """Median and quartiles of some numbers (linear interpolation between order statistics)."""

    n: int
    low: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    high: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, **{k: format_number(getattr(self, k).normalize())
                                for k in ("low", "q1", "median", "q3", "high")}}


def quantile(ordered: Sequence[Decimal], q: Decimal) -> Decimal:
    """The q-quantile (0–1) of sorted numbers, interpolating linearly (numpy's default, R type 7)."""
    position = (len(ordered) - 1) * q
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def spread(numbers: Iterable[Decimal]) -> Spread | None:
    ordered = sorted(numbers)
    if not ordered:
        return None
    quarter = Decimal("0.25")
    return Spread(len(ordered), ordered[0], quantile(ordered, quarter), quantile(ordered, 2 * quarter),
                  quantile(ordered, 3 * quarter), ordered[-1])


@dataclass(frozen=True)
class Group:
    """Targets and actuals of the rows of one year, region or department (only those in the main unit)."""

    key: str
    rows: int
    targets: Spread | None
    actuals: Spread | None
    share_met: Decimal | None  # of the rows whose outcome is known

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rows": self.rows,
                "targets": self.targets.as_dict() if self.targets else None,
                "actuals": self.actuals.as_dict() if self.actuals else None,
                "share_met": None if self.share_met is None else format_number(self.share_met)}


@dataclass(frozen=True)
class Stats:
    entry: str
    rows: int
    units: int  # distinct 实施单位
    years: tuple[int, ...]
    measure: str  # the unit of measure the spreads are in: the commonest among the rows' targets
    units_seen: tuple[tuple[str, int], ...]  # every unit of measure with its rows, commonest first
    overall: Group
    by_year: tuple[Group, ...]
    by_region: tuple[Group, ...]
    by_department: tuple[Group, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "rows": self.rows, "units": self.units, "years": list(self.years),
                "measure": self.measure, "units_seen": [{"unit": u, "rows": n} for u, n in self.units_seen],
                "overall": self.overall.as_dict(), "by_year": [g.as_dict() for g in self.by_year],
                "by_region": [g.as_dict() for g in self.by_region],
                "by_department": [g.as_dict() for g in self.by_department]}


def _group(key: str, uses: Sequence[Use], measure: str) -> Group:
    targets = [u.target.number for u in uses if u.target.number is not None and u.target.unit == measure]
    actuals = [u.actual.number for u in uses if u.actual.number is not None and u.actual.unit == measure]
    outcomes = [m for m in (met(u.target, u.actual) for u in uses) if m is not None]
    share = (Decimal(sum(outcomes)) / len(outcomes)).quantize(Decimal("0.0001")) if outcomes else None
    return Group(key, len(uses), spread(targets), spread(actuals), share)


def _groups(uses: Sequence[Use], key: str, measure: str) -> tuple[Group, ...]:
    by: dict[str, list[Use]] = defaultdict(list)
    for u in uses:
        by[str(getattr(u, key))].append(u)
    return tuple(_group(k, v, measure) for k, v in sorted(by.items()) if k)


def statistics(entry: str, uses: Sequence[Use]) -> Stats:
    """What the linked rows say about one entry: units and years, spreads by year/region/department, share met."""
    seen = Counter(u.target.unit for u in uses if u.target.number is not None)
    units_seen = tuple(sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])))
    measure = units_seen[0][0] if units_seen else ""
    return Stats(
        entry=entry, rows=len(uses), units=len({u.unit for u in uses}),
        years=tuple(sorted({u.year for u in uses})), measure=measure, units_seen=units_seen,
        overall=_group("全部", uses, measure), by_year=_groups(uses, "year", measure),
        by_region=_groups(uses, "region", measure), by_department=_groups(uses, "department", measure),
    )
