"""What a scan's uncertain cells mean for the checks: O01, O02, and a word on every finding they touch.

A cell that the OCR engine read with low confidence is reported on its own (O01, info: a reader
must look at the paper), and any other finding about the same cell says that its value came
from an uncertain reading, so that an arithmetic error there is read as "check the scan first".

The numbers a scan gets wrong (docs/issue 14 point 3: 0/O, 1/l, 5/S, 8/B, ％, a decimal point lost) are
corrected only where the form's own arithmetic confirms one reading and no other: a fund row whose
执行率 disagrees with 执行数 ÷ 全年预算数 as read, and agrees once exactly one of the three cells is read
another way. The correction is recorded (the cell's reading stays in `uncertain`, with what it was
read as) and reported (O02), never made in silence; a row that several readings would mend is left
as it is, for the checks to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS, Form, FundRow, Uncertain
from jixiao.core.profiles import Profile
from jixiao.core.scoring import Scorecard, score_form
from jixiao.core.tolerance import printed_matches
from jixiao.core.values import parse_number

OTHER_CAPTIONS = {"project": "项目名称", "department": "主管部门", "unit": "实施单位", "planned": "年初设定目标",
                  "achieved": "实际完成情况"}


def caption(cell: Uncertain) -> str:
    """The column caption of an uncertain cell, in the seed template's wording."""
    table = FUND_CAPTIONS if cell.block == "funds" else INDICATOR_CAPTIONS
    return table.get(cell.field) or OTHER_CAPTIONS.get(cell.field, cell.field)


def ocr_findings(form: Form, index: int) -> Iterator[Finding]:
    """O01 for each uncertain cell of the form, O02 for each reading the form's arithmetic corrected, in row order."""
    for cell in sorted(form.uncertain, key=lambda c: (c.row, c.field)):
        where = caption(cell)
        now = _value(form, cell)
        if now is not None and "".join(now.split()) != "".join(cell.text.split()):
            yield Finding(
                code="O02",
                severity=Severity.INFO,
                form_index=index,
                project=form.project,
                location=Location(block=cell.block, row=cell.row, column=where, field=cell.field),
                found=cell.text,
                expected=now,
                message=f"OCR 识别更正：第{cell.row}行 {where} 识别为“{cell.text}”，与本行"
                        f"{'的得分' if cell.block == 'indicators' else ' 执行数 ÷ 全年预算数 '}不符；"
                        f"只有读作“{now}”时相符，已按此更正，请对照原件核实",
            )
            continue
        yield Finding(
            code="O01",
            severity=Severity.INFO,
            form_index=index,
            project=form.project,
            location=Location(block=cell.block, row=cell.row, column=where, field=cell.field),
            found=cell.text,
            message=f"OCR 识别存疑：第{cell.row}行 {where} “{cell.text}”（{_why(cell)}），请对照原件核实",
        )


def _why(cell: Uncertain) -> str:
    if cell.confidence == DOUBT:
        if not cell.text.strip():
            return "识别为空，而本表多数指标行都有"
        if cell.field == "level1":
            return "一级指标名称中有数字，可能漏识别了括号，该类指标的分值未能读出"
        return "年度指标值与实际完成值一个带％一个不带，可能漏识别或多识别了％"
    return f"置信度 {cell.confidence}"


def annotate(findings: Iterable[Finding], form: Form) -> list[Finding]:
    """The findings, each one about an uncertain cell saying so."""
    cells = {(c.block, c.row, c.field): c for c in form.uncertain}
    if not cells:
        return list(findings)
    out = []
    for finding in findings:
        loc = finding.location
        cell = cells.get((loc.block, loc.row or 0, loc.field))
        if cell is not None and finding.code != "O01":
            sure = "识别结果与表中其他单元格不符" if cell.confidence == DOUBT else f"置信度 {cell.confidence}"
            note = f"（此单元格为扫描件 OCR 识别，{sure}，请先对照原件核实识别是否有误）"
            finding = replace(finding, message=finding.message + note)
        out.append(finding)
    return out


# What the OCR engines confuse on these forms: a letter or sign for a digit (never the other way).
CONFUSIONS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "s": "5",
                            "B": "8", "Z": "2", "z": "2", "％": "%", "，": ".", ",": "."})
_RATE, _AMOUNTS = "rate", ("annual", "executed")


def readings(text: str) -> set[str]:
    """Other ways to read a number cell: its confusions mended, and a lost decimal point put back."""
    mended = text.strip().translate(CONFUSIONS)
    found = {mended}
    digits = mended.rstrip("%")
    if digits.isdigit() and len(digits) >= 2:
        suffix = mended[len(digits):]
        found |= {f"{digits[:i]}.{digits[i:]}{suffix}" for i in range(1, len(digits))}
    found.discard(text)
    return found


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().rstrip("%")
    if not cleaned or not cleaned.replace(".", "", 1).isdigit():
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _agrees(fund: FundRow) -> bool:
    annual, executed, rate = _number(fund.annual), _number(fund.executed), _number(fund.rate)
    if annual is None or executed is None or rate is None or annual == 0:
        return False
    true = executed / annual * (100 if fund.rate.strip().endswith("%") or rate > Decimal("1.5") else 1)
    return printed_matches(rate, true)


def _read_as(fund: FundRow, field_: str, text: str) -> FundRow:
    """The row with one of its text cells (annual, executed, rate) read as text."""
    cells = {"annual": fund.annual, "executed": fund.executed, "rate": fund.rate, field_: text}
    return replace(fund, annual=cells["annual"], executed=cells["executed"], rate=cells["rate"])


def confirm_readings(form: Form) -> Form:
    """The form with each fund row's misread number corrected where its arithmetic confirms exactly one
    reading (see the module's docstring); each correction is kept in `uncertain` with the text read."""
    funds = list(form.funds)
    uncertain = list(form.uncertain)
    for n, fund in enumerate(form.funds):
        if _agrees(fund) or any(not getattr(fund, f).strip() for f in (_RATE, *_AMOUNTS)):
            continue
        fixes = {(f, r) for f in (_RATE, *_AMOUNTS) for r in readings(getattr(fund, f))
                 if _agrees(_read_as(fund, f, r))}
        if len(fixes) != 1:
            continue
        ((field_, reading),) = fixes
        funds[n] = _read_as(fund, field_, reading)
        row = fund.row or 0
        known = next((c for c in uncertain if (c.block, c.row, c.field) == ("funds", row, field_)), None)
        if known is None:
            uncertain.append(Uncertain("funds", row, field_, getattr(fund, field_), "—"))
    if funds == list(form.funds):
        return form
    return replace(form, funds=tuple(funds), uncertain=tuple(uncertain))


def mark_doubts(form: Form) -> Form:
    """A scan's number cells that its other cells contradict, marked uncertain (O01) though the engine was sure.

    No arithmetic confirms another reading of these, so nothing is corrected; the cell is only put before
    a person (with its image in the import preview):
    - an indicator whose target and actual value are both numbers, one with ％ and one without
      ("≥90" beside "92%"): a ％ read or lost;
    - an indicator row with neither weight nor score while most of the form's rows have both: cells the
      scan read as empty (a row cut by a page break, a mark the engine passed over);
    - a level-1 indicator whose name holds a digit ("产出指标(75分" read without its closing bracket): the
      category's points the reader could not split off, so the category has none (marked on its first row).
    A form that is no scan (no uncertain cell and no scanned image) is never touched.
    """
    if not form.uncertain and not form.scan_images:
        return form
    known = {(c.block, c.row, c.field) for c in form.uncertain}
    marks: list[Uncertain] = []

    def mark(row: int | None, field_: str, text: str) -> None:
        if row and ("indicators", row, field_) not in known:
            known.add(("indicators", row, field_))
            marks.append(Uncertain("indicators", row, field_, text, DOUBT))

    scored = sum(1 for i in form.indicators if i.weight.strip() and i.score.strip())
    unsplit = {i.level1 for i in form.indicators if _digits(i.level1)}
    for ind in form.indicators:
        if ind.level1 in unsplit:
            unsplit.discard(ind.level1)
            mark(ind.row, "level1", ind.level1)
        target, actual = ind.target.strip(), ind.actual.strip()
        if _digits(target) and _digits(actual) and target.endswith("%") != actual.endswith("%"):
            if target.endswith("%"):
                mark(ind.row, "actual", ind.actual)
            else:
                mark(ind.row, "target", ind.target)
        if not ind.weight.strip() and not ind.score.strip() and ind.name.strip() and scored > len(form.indicators) / 2:
            mark(ind.row, "weight", ind.weight)
            mark(ind.row, "score", ind.score)
    return replace(form, uncertain=(*form.uncertain, *marks)) if marks else form


DOUBT = "—"  # the confidence of a cell marked by the form's other cells, not by the engine


def _digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


# The cells a correction may change: only there does a value unlike the reading mean a correction (elsewhere
# the recogniser's own reading differs from the cell's text: "产出指标(50分)" is level-1 产出指标 with its points).
_CORRECTED = {"funds": (_RATE, *_AMOUNTS), "indicators": ("target",)}


def _value(form: Form, cell: Uncertain) -> str | None:
    """The form's value now of a cell a correction may have changed (None for every other cell)."""
    if cell.field not in _CORRECTED.get(cell.block, ()):
        return None
    rows = form.funds if cell.block == "funds" else form.indicators
    row = next((r for r in rows if r.row == cell.row), None)
    value = getattr(row, cell.field, None) if row is not None else None
    return value if isinstance(value, str) else None


# ≥ as the engines misread it at the head of a target ("295%" or "工95%" for "≥95%").
_GE_MISREAD = ("2", "工")


def confirm_targets(form: Form, profile: Profile, card: Scorecard) -> tuple[Form, Scorecard]:
    """The form with each indicator target whose ≥ was misread put right, where the row's printed score
    agrees with the rule's score only when read with ≥ (and not as it was read); recorded as confirm_readings
    records its corrections. Returns the form and its scorecard (scored again when anything changed)."""
    indicators = list(form.indicators)
    uncertain = list(form.uncertain)
    for n, ind in enumerate(form.indicators):
        text, printed = ind.target.strip(), parse_number(ind.score)
        if len(text) < 2 or not text.startswith(_GE_MISREAD) or printed is None or _scores(card, n, printed):
            continue
        mended = replace(ind, target="≥" + text[1:])
        trial = score_form(replace(form, indicators=(*indicators[:n], mended, *indicators[n + 1:])), profile)
        if not _scores(trial, n, printed):
            continue
        indicators[n] = mended
        row = ind.row or 0
        if not any((c.block, c.row, c.field) == ("indicators", row, "target") for c in uncertain):
            uncertain.append(Uncertain("indicators", row, "target", ind.target, "—"))
    if indicators == list(form.indicators):
        return form, card
    fixed = replace(form, indicators=tuple(indicators), uncertain=tuple(uncertain))
    return fixed, score_form(fixed, profile)


def _scores(card: Scorecard, n: int, printed: Decimal) -> bool:
    """Whether the rule gives row n the printed score (within the printed rounding)."""
    rule = next((s for s in card.indicators if s.index == n), None)
    return rule is not None and rule.score is not None and printed_matches(printed, rule.exact or rule.score)


def cell_image(form: Form, location: Location) -> str:
    """The scanned image of the cell a finding is about (Form.scan_images, a PNG data URL), or "" when the
    form is no scan or the reader kept no image of that cell."""
    key = (location.block, location.row, location.field)
    return next((image for block, row, field_, image in form.scan_images if (block, row, field_) == key), "")
