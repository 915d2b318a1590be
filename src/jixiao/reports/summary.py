"""The batch summary: one line per form, the same columns in a batch file's 汇总 sheet and in the web
app's summary of stored forms (which adds the stored-only columns), written by one function."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jixiao.core.values import parse_number
from jixiao.reports.layout import format_decimal, format_rate, fund_row_index
from jixiao.reports.workbook import excel_value, new_book, page_setup, put, styles, to_bytes

if TYPE_CHECKING:
    from jixiao.core.findings import Finding
    from jixiao.core.model import Form
    from jixiao.core.scoring import Scorecard

_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SUMMARY_SHEET = "汇总"


def sheet_name(text: str, suffix: str = "", taken: Iterable[str] = ()) -> str:
    """A valid, unique worksheet name: no []:*?/\\, at most 31 characters, unique ignoring case."""
    used = {t.casefold() for t in taken}
    base = _SHEET_BAD.sub("_", text).strip().strip("'").strip() or "表"
    if base.casefold() == "history":  # reserved by Excel
        base = f"{base}_"
    n = 1
    while True:
        tail = suffix if n == 1 else f"{suffix}~{n}"
        name = base[: 31 - len(tail)].rstrip().rstrip("'") + tail
        if name.casefold() not in used:
            return name
        n += 1


def sheet_names(forms: Sequence[Form], reserved: Iterable[str] = ()) -> list[str]:
    """One name per form, "项目名称-序号" as the samples name them, valid and unique."""
    taken = list(reserved)
    names = []
    for n, form in enumerate(forms, 1):
        name = sheet_name(form.project or "表", f"-{n}", taken)
        taken.append(name)
        names.append(name)
    return names


# (field, caption, width); the stored-only columns are those of forms kept by the web app.
SUMMARY_COLUMNS = (
    ("project", "项目", 26),
    ("unit", "实施单位", 24),
    ("year", "年度", 7),
    ("annual", "全年预算数", 11),
    ("executed", "全年执行数", 11),
    ("rate", "执行率", 9),
    ("fund_score", "资金得分", 9),
    ("printed_total", "印制总分", 9),
    ("computed_total", "计算总分", 9),
    ("grade", "等级", 6),
    ("errors", "错误数", 7),
    ("warnings", "警告数", 7),
)
STORED_COLUMNS = (
    ("id", "编号", 7),
    ("department", "主管部门", 22),
    ("phase", "阶段", 9),
    ("stage", "状态", 8),
    ("profile", "评分规则", 13),
    ("infos", "提示数", 7),
)
SUMMARY_TITLE = "预算绩效自评结果汇总"


@dataclass(frozen=True)
class FormSummary:
    """One line of the batch summary; texts as shown, "" where nothing is known."""

    project: str
    unit: str
    year: str
    annual: str  # 全年预算数 of the total row (the sum of the sub-rows when the total row is blank)
    executed: str
    rate: str  # computed when a scorecard is given, else printed
    fund_score: str  # computed when a scorecard is given, else printed
    printed_total: str
    computed_total: str
    grade: str
    errors: str
    warnings: str
    id: str = ""
    department: str = ""
    phase: str = ""
    stage: str = ""
    profile: str = ""
    infos: str = ""

    def values(self, columns: Sequence[tuple[str, str, int]] = SUMMARY_COLUMNS) -> list[str]:
        return [getattr(self, name) for name, _, _ in columns]


def _fund_amount(form: Form, column: str) -> str:
    total = form.fund("total")
    printed: str = getattr(total, column) if total is not None else ""
    if printed.strip():
        return printed
    parts = [f.amount(column) for f in form.funds if f.kind != "total"]
    numbers = [p for p in parts if p is not None]
    return format(sum(numbers, Decimal(0)), "f") if numbers else ""


def summarise(form: Form, scorecard: Scorecard | None = None,
              findings: Sequence[Finding] | None = None) -> FormSummary:
    """The summary line of a form; the computed columns stay blank without a scorecard / findings."""
    printed_rate = next((f.rate for f in form.funds if parse_number(f.rate) is not None), "")
    fund_row = form.funds[fund_row_index(form)] if form.funds else None
    rate = printed_rate
    fund_score = fund_row.score if fund_row else ""
    computed_total = grade = ""
    if scorecard is not None:
        rate = format_rate(scorecard.execution_rate) if scorecard.execution_rate is not None else ""
        fund_score = format_decimal(scorecard.fund_score) if scorecard.fund_score is not None else ""
        computed_total = format_decimal(scorecard.total) if scorecard.total is not None else ""
        grade = scorecard.grade
    errors = warnings = ""
    if findings is not None:
        errors = str(sum(1 for f in findings if f.severity == "error"))
        warnings = str(sum(1 for f in findings if f.severity == "warning"))
    return FormSummary(
        project=form.project,
        unit=form.unit,
        year=str(form.year) if form.year is not None else "",
        annual=_fund_amount(form, "annual"),
        executed=_fund_amount(form, "executed"),
        rate=rate,
        fund_score=fund_score,
        printed_total=form.total.score,
        computed_total=computed_total,
        grade=grade,
        errors=errors,
        warnings=warnings,
    )



def summary_sheet(ws: Any, summaries: Sequence[FormSummary], names: Sequence[str] | None = None, *,
                  stored: bool = False) -> None:
    """The summary on a sheet: title, captions, one row per form; `names` link each project to its sheet,
    `stored` adds the columns of forms the web app keeps."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    st = styles()
    columns = (*STORED_COLUMNS[:1], *SUMMARY_COLUMNS, *STORED_COLUMNS[1:]) if stored else SUMMARY_COLUMNS
    width = len(columns)
    title = put(ws, 1, 1, SUMMARY_TITLE)
    title.font = st["title"]
    title.alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    for c, (_, caption, units) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = units
        cell = put(ws, 2, c, caption)
        cell.font, cell.alignment, cell.border = st["bold"], st["center"], st["border"]
    for r, summary in enumerate(summaries, 3):
        for c, ((name, _, _), text) in enumerate(zip(columns, summary.values(columns), strict=True), 1):
            value, fmt = excel_value(text, name in _NUMERIC)
            cell = put(ws, r, c, value, fmt)
            cell.font, cell.border = st["body"], st["border"]
            cell.alignment = st["left"] if name in ("project", "unit", "department") else st["center"]
            if name == "project" and names is not None:  # a link inside the workbook to the form's sheet
                quoted = names[r - 3].replace("'", "''")
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
                cell.font = st["link"]
    last = 2 + len(summaries)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(width)}{last}"
    page_setup(ws, True, last, width)


_NUMERIC = frozenset({"id", "year", "annual", "executed", "rate", "fund_score", "printed_total", "computed_total",
                      "errors", "warnings", "infos"})


def summary_workbook(summaries: Sequence[FormSummary], *, stored: bool = False) -> bytes:
    """A workbook holding the summary sheet alone (the web app's summary of the listed forms)."""
    book = new_book(SUMMARY_TITLE)
    summary_sheet(book.create_sheet(SUMMARY_SHEET), summaries, stored=stored)
    return to_bytes(book)
