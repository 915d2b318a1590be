"""The 自评报告 (self-evaluation report, jixiao.report/1): generated from a form, edited by the unit, checked.

docs/cycle.md §5: the outline (numbered sections, which are required, their length limits, the sentences
written into them from the form, the word lists of the checks) is a profile, parsed here from TOML
text. `generate` fills the sections the outline says it can from the form's figures (ReportFacts,
taken from a project form or a department-wide one): the funds and execution rate, the goal, the
score table, every indicator by level 1, and in 五 every indicator below full marks with its
偏差原因. The unit writes the rest; `check_report` gives codes N01–N05 (docs/cycle.md §5.3):

- N01 a required section empty, a placeholder, or only "暂无";
- N02 a number in the text (执行率, 总分, 预算数, 执行数) that disagrees with the form;
- N03 a shortfall of the form with no cause or no measure in 五;
- N04 grade words (优/良/中/差) that disagree with the grade of the total;
- N05 a section longer than the outline allows.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from jixiao.core.dept import DeptForm
from jixiao.core.dept_rules import DeptProfile, DeptScorecard
from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import Form, RecordError
from jixiao.core.profiles import Profile, ProfileError
from jixiao.core.scoring import Scorecard, execution_basis
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import parse_number

SCHEMA = "jixiao.report/1"
FACT_KINDS = ("rate", "total", "budget", "executed")
FILL_KINDS = ("funds", "goal", "score_table", "budget_execution", "shortfalls")  # and "indicators:<一级指标>"
COVER_FIELDS = ("filler", "leader", "date", "opinion")
HUNDRED = Decimal(100)

CODES: dict[str, tuple[Severity, str]] = {
    "N01": (Severity.WARNING, "必填章节为空或只写“暂无”"),
    "N02": (Severity.ERROR, "报告中的数字与自评表不符"),
    "N03": (Severity.WARNING, "扣分指标未说明原因或改进措施"),
    "N04": (Severity.ERROR, "报告中的评价等级与总分不符"),
    "N05": (Severity.WARNING, "章节超过字数限制"),
}


# ---------------------------------------------------------------- the outline


@dataclass(frozen=True)
class OutlineSection:
    number: str  # "一（一）"
    title: str
    fill: str = ""  # what generate writes into it; "" for the unit's own text
    required: bool = False
    max_chars: int = 0  # 0: no limit

    @property
    def level(self) -> int:
        return 2 if "（" in self.number else 1


@dataclass(frozen=True)
class Outline:
    name: str
    title: str
    source: str
    placeholder: str
    empty_words: tuple[str, ...]
    measure_words: tuple[str, ...]
    grade_names: tuple[str, ...]
    grade_words: tuple[str, ...]
    cover: tuple[tuple[str, str], ...]  # (field, caption)
    facts: tuple[tuple[str, tuple[str, ...]], ...]  # fact kind → the words that announce it
    fills: tuple[tuple[str, str], ...]  # sentence templates
    sections: tuple[OutlineSection, ...]

    def fill(self, key: str) -> str:
        return dict(self.fills)[key]


def _fail(file: str, key: str, problem: str) -> ProfileError:
    return ProfileError(f"自评报告提纲文件 {file} 有误：键“{key}”{problem}。")


def _strings(data: Mapping[str, Any], key: str, file: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(file, key, f"应为文本列表，实际为 {value!r}")
    return tuple(value)


def _text(data: Mapping[str, Any], key: str, file: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise _fail(file, key, f"应为非空文本，实际为 {value!r}")
    return value


def _section(data: Any, n: int, file: str) -> OutlineSection:
    where = f"sections[{n}]"
    if not isinstance(data, Mapping):
        raise _fail(file, where, "应为一个表")
    fill = _text(data, "fill", file, "")
    if fill and fill not in FILL_KINDS and not fill.startswith("indicators:"):
        raise _fail(file, f"{where}.fill", f"应为 {'、'.join(FILL_KINDS)} 或 indicators:<一级指标> 之一，实际为 {fill!r}")
    required, limit = data.get("required", False), data.get("max_chars", 0)
    if not isinstance(required, bool):
        raise _fail(file, f"{where}.required", f"应为 true 或 false，实际为 {required!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise _fail(file, f"{where}.max_chars", f"应为不小于 0 的整数，实际为 {limit!r}")
    return OutlineSection(_text(data, "number", file), _text(data, "title", file), fill, required, limit)


def parse_outline(text: str, file: str) -> Outline:
    """An outline from TOML text; raises ProfileError naming the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"自评报告提纲文件 {file} 不是有效的 TOML：{error}") from None
    facts, fills, cover = data.get("facts"), data.get("fills"), data.get("cover")
    if not isinstance(facts, Mapping) or set(facts) != set(FACT_KINDS):
        raise _fail(file, "facts", f"应为一个表，且恰好有 {'、'.join(FACT_KINDS)} 四项")
    if not isinstance(fills, Mapping) or not all(isinstance(v, str) for v in fills.values()):
        raise _fail(file, "fills", "应为一个表，每项是一句带 {名称} 的文本")
    needed = {"funds", "goal", "score_table", "budget_execution", "indicator", "shortfall", "no_shortfall"}
    if missing := needed - set(fills):
        raise _fail(file, "fills", f"缺少 {'、'.join(sorted(missing))}")
    if not isinstance(cover, list) or [c[0] for c in cover if isinstance(c, list)] != list(COVER_FIELDS):
        raise _fail(file, "cover", f"应依次列出 {'、'.join(COVER_FIELDS)} 及其标题，如 [\"filler\", \"填报人\"]")
    sections = tuple(_section(s, n, file) for n, s in enumerate(data.get("sections") or [], 1))
    if not sections:
        raise _fail(file, "sections", "缺失：提纲至少要有一节（[[sections]]）")
    return Outline(
        name=_text(data, "name", file), title=_text(data, "title", file), source=_text(data, "source", file),
        placeholder=_text(data, "placeholder", file), empty_words=_strings(data, "empty_words", file),
        measure_words=_strings(data, "measure_words", file),
        grade_names=_strings(data, "grade_names", file), grade_words=_strings(data, "grade_words", file),
        cover=tuple((str(c[0]), str(c[1])) for c in cover),
        facts=tuple((k, _strings(facts, k, file)) for k in FACT_KINDS),
        fills=tuple((str(k), str(v)) for k, v in fills.items()), sections=sections,
    )


# ---------------------------------------------------------------- the facts of a form


@dataclass(frozen=True)
class ScoreRow:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: str
    score: str
    reason: str

    @property
    def short(self) -> bool:
        """Below full marks (both printed numbers readable)."""
        w, s = parse_number(self.weight), parse_number(self.score)
        return w is not None and s is not None and s < w


@dataclass(frozen=True)
class ReportFacts:
    """What the report must agree with: the form's figures, printed where printed, else computed."""

    subject: str  # the project, or the department
    unit: str
    year: int | None
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None  # fraction
    fund_weight: str
    fund_score: str
    planned: str
    achieved: str
    total: Decimal | None
    grade: str
    rows: tuple[ScoreRow, ...]

    @property
    def shortfalls(self) -> tuple[ScoreRow, ...]:
        return tuple(r for r in self.rows if r.short)


def _num(text: str) -> str:
    number = parse_number(text)
    return "" if number is None else _plain(number)


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def facts_from_form(form: Form, profile: Profile, card: Scorecard) -> ReportFacts:
    """The facts of a project form (jixiao.form/1) under its profile."""
    basis = execution_basis(form)
    total = parse_number(form.total.score)
    total = total if total is not None else card.total
    fund = form.fund("total") or (form.funds[0] if form.funds else None)
    rows = tuple(ScoreRow(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score or
                          (_plain(s.score) if (s := card.indicators[n]).score is not None else ""), i.reason)
                 for n, i in enumerate(form.indicators) if not i.is_blank)
    return ReportFacts(
        subject=form.project, unit=form.unit or form.department, year=form.year,
        budget=basis.annual if basis else None, executed=basis.executed if basis else None,
        rate=card.execution_rate, fund_weight=_plain(profile.fund_weight),
        fund_score=(fund.score if fund and parse_number(fund.score) is not None else
                    _plain(card.fund_score) if card.fund_score is not None else ""),
        planned=form.goals.planned, achieved=form.goals.achieved,
        total=total, grade=profile.grade(total) if total is not None else "", rows=rows,
    )


def facts_from_dept(form: DeptForm, profile: DeptProfile, card: DeptScorecard) -> ReportFacts:
    """The facts of a department-wide form under its profile."""
    total = parse_number(form.total)
    total = total if total is not None else card.total
    row = form.fund("total")
    rows = tuple(ScoreRow(i.level1, i.level2, i.name, i.adjusted_target or i.initial_target, i.actual, i.weight,
                          i.score, i.reason) for i in form.indicators)
    return ReportFacts(
        subject=form.department, unit=form.department, year=form.year,
        budget=row.amount("adjusted") if row else None, executed=row.amount("executed") if row else None,
        rate=card.execution_rate_exact, fund_weight=_plain(profile.fund_weight),
        fund_score=row.score if row else "", planned=form.goals.adjusted or form.goals.initial,
        achieved=form.goals.achieved, total=total, grade=profile.grade(total) if total is not None else "",
        rows=rows,
    )


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    text: str = ""
    table: tuple[tuple[str, ...], ...] = ()  # generated; the first row is the header


@dataclass(frozen=True)
class Cover:
    filler: str = ""  # 填报人
    leader: str = ""  # 负责人
    date: str = ""  # 日期
    opinion: str = ""  # 审核意见


@dataclass(frozen=True)
class Report:
    outline: str
    title: str
    subject: str
    unit: str
    year: int | None
    cover: Cover
    sections: tuple[Section, ...]

    def section(self, number: str) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def with_text(self, number: str, text: str) -> Report:
        """The report with one section's text replaced (the unit's editing)."""
        if self.section(number) is None:
            raise KeyError(number)
        return replace(self, sections=tuple(replace(s, text=text) if s.number == number else s for s in self.sections))


def _figures(facts: ReportFacts, placeholder: str) -> dict[str, str]:
    def show(value: Decimal | None) -> str:
        return _plain(value) if value is not None else placeholder

    rate = f"{_plain((facts.rate * HUNDRED).quantize(Decimal('0.01')))}%" if facts.rate is not None else placeholder
    return {
        "subject": facts.subject, "unit": facts.unit or placeholder, "budget": show(facts.budget),
        "executed": show(facts.executed), "rate": rate, "fund_score": facts.fund_score or placeholder,
        "fund_weight": facts.fund_weight, "planned": facts.planned or placeholder,
        "achieved": facts.achieved or placeholder, "total": show(facts.total), "grade": facts.grade or placeholder,
    }


def _row_figures(row: ScoreRow, placeholder: str) -> dict[str, str]:
    return {"name": row.name, "target": row.target or "—", "actual": row.actual or "—", "weight": row.weight,
            "score": row.score, "reason": row.reason.strip() or placeholder}


SCORE_HEADER = ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分")


def _fill(section: OutlineSection, facts: ReportFacts, outline: Outline) -> Section:
    figures = _figures(facts, outline.placeholder)
    text = outline.placeholder if section.required else ""
    table: tuple[tuple[str, ...], ...] = ()
    if section.fill in ("funds", "goal", "score_table", "budget_execution"):
        text = outline.fill(section.fill).format(**figures)
    if section.fill == "score_table":
        table = (SCORE_HEADER, *((r.level1, r.level2, r.name, r.target, r.actual, r.weight, r.score) for r in facts.rows),
                 ("总分", "", "", "", "", "", figures["total"]))
    elif section.fill.startswith("indicators:"):
        level1 = section.fill.split(":", 1)[1]
        rows = [r for r in facts.rows if r.level1.startswith(level1.removesuffix("指标"))]
        text = "\n".join(outline.fill("indicator").format(**_row_figures(r, outline.placeholder)) for r in rows) or text
    elif section.fill == "shortfalls":
        lines = [outline.fill("shortfall").format(**_row_figures(r, outline.placeholder)) for r in facts.shortfalls]
        text = "\n".join(lines) or outline.fill("no_shortfall")
    return Section(section.number, section.title, text, table)


def generate(facts: ReportFacts, outline: Outline, cover: Cover | None = None) -> Report:
    """The report skeleton: every section of the outline, those it can fill filled from the form."""
    return Report(
        outline=outline.name, title=outline.title, subject=facts.subject, unit=facts.unit, year=facts.year,
        cover=cover or Cover(), sections=tuple(_fill(s, facts, outline) for s in outline.sections),
    )


# ---------------------------------------------------------------- the record


def to_record(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA, "outline": report.outline, "title": report.title, "subject": report.subject,
        "unit": report.unit, "year": report.year,
        "cover": {c: getattr(report.cover, c) for c in COVER_FIELDS},
        "sections": [{"number": s.number, "title": s.title, "text": s.text, "table": [list(r) for r in s.table]}
                     for s in report.sections],
    }


def _str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise RecordError(f"自评报告记录 {where}.{key} 应为文本，实际为 {value!r}")
    return value


def from_record(record: Mapping[str, Any]) -> Report:
    if not isinstance(record, Mapping) or record.get("schema", SCHEMA) != SCHEMA:
        raise RecordError(f"自评报告记录应为 schema 为 {SCHEMA} 的 JSON 对象")
    cover = record.get("cover") or {}
    sections = record.get("sections") or []
    if not isinstance(cover, Mapping) or not isinstance(sections, list):
        raise RecordError("自评报告记录的 cover 应为对象、sections 应为列表")
    year = record.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise RecordError(f"自评报告记录 year 应为整数，实际为 {year!r}")
    parsed = []
    for n, s in enumerate(sections):
        if not isinstance(s, Mapping):
            raise RecordError(f"自评报告记录 sections[{n}] 应为对象")
        table = s.get("table") or []
        if not isinstance(table, list) or not all(isinstance(r, list) and all(isinstance(c, str) for c in r)
                                                  for r in table):
            raise RecordError(f"自评报告记录 sections[{n}].table 应为文本的二维列表")
        parsed.append(Section(_str(s, "number", f"sections[{n}]"), _str(s, "title", f"sections[{n}]"),
                              _str(s, "text", f"sections[{n}]"), tuple(tuple(r) for r in table)))
    return Report(
        outline=_str(record, "outline", "record"), title=_str(record, "title", "record"),
        subject=_str(record, "subject", "record"), unit=_str(record, "unit", "record"), year=year,
        cover=Cover(*(_str(cover, c, "cover") for c in COVER_FIELDS)), sections=tuple(parsed),
    )


# ---------------------------------------------------------------- checks N01–N05


def _finding(code: str, report: Report, section: Section, message: str, found: str = "", expected: str = "") -> Finding:
    where = Location(block="report", column=f"{section.number} {section.title}", field=section.number)
    return Finding(code, CODES[code][0], 1, report.subject, where, found, expected, message)


def _is_empty(text: str, outline: Outline) -> bool:
    plain = text.replace(outline.placeholder, "").strip().rstrip("。.")
    return not plain or plain in {w.rstrip("。.") for w in outline.empty_words}


def _n01(report: Report, outline: Outline, facts: ReportFacts) -> Iterator[Finding]:
    for spec in outline.sections:
        section = report.section(spec.number)
        if spec.required and (section is None or _is_empty(section.text, outline)):
            shown = section or Section(spec.number, spec.title)
            yield _finding("N01", report, shown, f"“{spec.number} {spec.title}”为必填章节，尚未填写实际内容"
                           f"（空白、“{outline.placeholder}”或“暂无”），请按实际情况填写", found=shown.text.strip())


_NUMBER = r"(-?\d+(?:\.\d+)?)"


def _known(facts: ReportFacts, kind: str) -> Decimal | None:
    if kind == "rate":
        return facts.rate * HUNDRED if facts.rate is not None else None
    return {"total": facts.total, "budget": facts.budget, "executed": facts.executed}[kind]


_UNITS = {"rate": "%", "total": "分", "budget": "万元", "executed": "万元"}


def _n02(report: Report, outline: Outline, facts: ReportFacts) -> Iterator[Finding]:
    for kind, words in outline.facts:
        known = _known(facts, kind)
        if known is None:
            continue
        pattern = re.compile("(?:" + "|".join(map(re.escape, words)) + r")[为是达：:约共计\s]{0,4}" + _NUMBER)
        for section in report.sections:
            for match in pattern.finditer(section.text):
                printed = Decimal(match[1])
                if not printed_matches(printed, known):
                    expected = f"{_plain(known.quantize(Decimal('0.01')))}{_UNITS[kind]}"
                    yield _finding("N02", report, section, f"报告写“{match[0]}”，自评表为 {expected}，请与自评表核对一致",
                                   found=match[0], expected=expected)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。；;\n]", text) if s.strip()]


def _said_about(line: str, row: ScoreRow, outline: Outline) -> str:
    """What a line of 五 says about an indicator beyond the generated wording and the placeholder."""
    for fixed in re.split(r"\{[a-z_]+\}", outline.fill("shortfall")):
        if fixed.strip():
            line = line.replace(fixed.strip(), " ")
    for known in (row.name, row.weight, row.score, outline.placeholder):
        line = line.replace(known, " ", 1) if known else line
    return line.strip(" ：:，,（）()")


def _n03(report: Report, outline: Outline, facts: ReportFacts) -> Iterator[Finding]:
    """N03: every shortfall named in 五 with a cause (text before any measure word) and a measure."""
    number = next((s.number for s in outline.sections if s.fill == "shortfalls"), None)
    section = report.section(number) if number else None
    if section is None:
        return
    for row in facts.shortfalls:
        said = " ".join(_said_about(line, row, outline) for line in section.text.split("\n") if row.name in line)
        starts = [i for w in outline.measure_words if (i := said.find(w)) >= 0]
        cause = said[: min(starts)] if starts else said
        lacks = [what for what, present in (("原因", not _is_empty(cause, outline)), ("改进措施", bool(starts)))
                 if not present]
        if lacks:
            yield _finding("N03", report, section,
                           f"“{row.name}”扣了分（分值 {row.weight}，得分 {row.score}），但“{section.number}”中未说明其"
                           f"{'和'.join(lacks)}", found=said.strip(), expected="、".join(lacks))


def _n04(report: Report, outline: Outline, facts: ReportFacts) -> Iterator[Finding]:
    if not facts.grade:
        return
    names = "".join(outline.grade_names)
    pattern = re.compile("(?:" + "|".join(map(re.escape, outline.grade_words)) + r")[“\"'「（(\s]{0,2}([" + names + "])")
    for section in report.sections:
        for match in pattern.finditer(section.text):
            if match[1] != facts.grade:
                yield _finding("N04", report, section, f"报告写“{match[0]}”，按总分 {_plain(facts.total or Decimal(0))} "
                               f"分应为“{facts.grade}”", found=match[1], expected=facts.grade)


def _n05(report: Report, outline: Outline, facts: ReportFacts) -> Iterator[Finding]:
    for spec in outline.sections:
        section = report.section(spec.number)
        length = len(re.sub(r"\s", "", section.text)) if section else 0
        if section is not None and spec.max_chars and length > spec.max_chars:
            yield _finding("N05", report, section, f"“{spec.number} {spec.title}”共 {length} 字，超过提纲限定的 "
                           f"{spec.max_chars} 字，请精简", found=str(length), expected=str(spec.max_chars))


def check_report(report: Report, outline: Outline, facts: ReportFacts) -> list[Finding]:
    """Every N-finding of the report against the form it reports on, in code order."""
    checks = (_n01, _n02, _n03, _n04, _n05)
    return [finding for check in checks for finding in check(report, outline, facts)]


def missing_sections(report: Report, outline: Outline) -> Sequence[str]:
    """The outline's section numbers the report lacks (a report edited by hand, or of another outline)."""
    have = {s.number for s in report.sections}
    return [s.number for s in outline.sections if s.number not in have]
