"""A batch's summary for the finance bureau: by department and unit, as an .xlsx workbook and an HTML page.

Per department and unit: forms, error-level findings by code, forms with errors, and the average
difference between the printed and the computed total. Each unit's row links to its forms, and each
form to its findings (HTML: anchors in the same page; xlsx: a link to the form's first row in the
sheet 明细). Forms come as the check report's entries (stream_state.Tally numbers them); the input is
read twice (summary first, then the details), so a batch of any size is written in small memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from pathlib import Path
from typing import Any

from jixiao.reports._atomic import atomic_path

NO_NAME = "（未填写）"
Forms = Callable[[], Iterable[dict[str, Any]]]  # a fresh pass over the batch's checked forms


@dataclass
class UnitRow:
    department: str
    unit: str
    forms: int = 0
    with_errors: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # code → error-level findings
    warnings: int = 0
    diff_sum: Decimal = Decimal(0)
    diff_count: int = 0
    indexes: list[int] = field(default_factory=list)

    @property
    def average_difference(self) -> Decimal | None:
        return (self.diff_sum / self.diff_count).quantize(Decimal("0.01")) if self.diff_count else None


def _number(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text).strip().rstrip("分")) if text not in (None, "") else None
    except InvalidOperation:
        return None


def summarise(forms: Iterable[dict[str, Any]], batch_findings: Iterable[dict[str, Any]] = ()) -> list[UnitRow]:
    """The rows of the summary, by department then unit (in the order they first come)."""
    extra: dict[int, list[dict[str, Any]]] = {}
    for f in batch_findings:
        extra.setdefault(f["form"], []).append(f)
    rows: dict[tuple[str, str], UnitRow] = {}
    for entry in forms:
        form = entry["form"]
        key = (entry.get("department") or NO_NAME, form.get("unit") or NO_NAME)
        row = rows.setdefault(key, UnitRow(*key))
        row.forms += 1
        row.indexes.append(form["index"])
        findings = [*form["findings"], *extra.get(form["index"], [])]
        errors = [f for f in findings if f["severity"] == "error"]
        row.with_errors += bool(errors)
        row.warnings += sum(f["severity"] == "warning" for f in findings)
        for f in errors:
            row.errors[f["code"]] = row.errors.get(f["code"], 0) + 1
        printed, computed = _number(form["printed"]["total"]), _number(form["scorecard"]["total"])
        if printed is not None and computed is not None:
            row.diff_sum += printed - computed
            row.diff_count += 1
    return sorted(rows.values(), key=lambda r: (r.department, r.unit))


def write_summary(forms: Forms, batch_findings: list[dict[str, Any]], where: Path, stem: str) -> list[Path]:
    """<stem>-summary.xlsx and <stem>-summary.html in `where`; the paths written."""
    rows = summarise(forms(), batch_findings)
    codes = sorted({code for r in rows for code in r.errors})
    return [_write_xlsx(rows, codes, forms, batch_findings, where / f"{stem}-summary.xlsx"),
            _write_html(rows, codes, forms, batch_findings, where / f"{stem}-summary.html")]


HEAD = ["主管部门", "单位", "自评表数", "有错误的表数", "警告数", "印制与计算总分之差（平均）"]
DETAIL_HEAD = ["序号", "项目名称", "主管部门", "单位", "文件", "印制总分", "计算总分", "级别", "代码", "问题"]
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _text(value: Any) -> Any:
    return "" if value is None else value


def _findings_of(entry: dict[str, Any], extra: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [*entry["form"]["findings"], *extra.get(entry["form"]["index"], [])]


def _extra(batch_findings: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    extra: dict[int, list[dict[str, Any]]] = {}
    for f in batch_findings:
        extra.setdefault(f["form"], []).append(f)
    return extra


def _write_xlsx(rows: list[UnitRow], codes: list[str], forms: Forms, batch_findings: list[dict[str, Any]],
                path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    extra = _extra(batch_findings)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总")
    details = wb.create_sheet("明细")

    def cell(ws: Any, value: Any, link: str = "", bold: bool = False) -> Any:
        c = WriteOnlyCell(ws, value=_text(value))
        if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
            c.data_type = "s"  # text from a form is never a formula (formula injection)
        if link:
            c.hyperlink = Hyperlink(ref="", location=link)  # a place in this workbook
            c.font = Font(color="0563C1", underline="single")
        elif bold:
            c.font = Font(bold=True)
        return c

    # The first detail row of each form: the summary links to a unit's first form.
    first_row: dict[int, int] = {}
    row_no = 2
    for entry in forms():
        first_row[entry["form"]["index"]] = row_no
        row_no += max(1, len(_findings_of(entry, extra)))
    summary.append([cell(summary, h, bold=True) for h in [*HEAD, *(f"错误 {c}" for c in codes)]])
    for r in rows:
        link = f"'明细'!A{first_row[r.indexes[0]]}" if r.indexes else ""
        summary.append([cell(summary, r.department), cell(summary, r.unit, link), r.forms, r.with_errors,
                        r.warnings, _number_or_blank(r.average_difference), *(r.errors.get(c, 0) for c in codes)])
    details.append([cell(details, h, bold=True) for h in DETAIL_HEAD])
    for entry in forms():
        form = entry["form"]
        base = [form["index"], form["project"], entry.get("department", ""), form.get("unit", ""), form["file"],
                form["printed"]["total"], form["scorecard"]["total"]]
        found = _findings_of(entry, extra) or [{"severity": "", "code": "", "message": "未发现问题"}]
        for f in found:
            details.append([cell(details, v) for v in
                            [*base, SEVERITY.get(f["severity"], ""), f["code"], f["message"]]])
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _number_or_blank(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


CSS = """body{font-family:"Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #999;padding:.3em .6em;text-align:left}
th{background:#eee}td.n{text-align:right}.error{color:#b00}.warning{color:#a60}.info{color:#067}
section{margin:1em 0}h2{font-size:1.1em}"""


def _write_html(rows: list[UnitRow], codes: list[str], forms: Forms, batch_findings: list[dict[str, Any]],
                path: Path) -> Path:
    extra = _extra(batch_findings)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>批量复核汇总</title>'
                  f"<style>{CSS}</style></head><body><h1>批量复核汇总</h1>\n")
        total = sum(r.forms for r in rows)
        out.write(f"<p>自评表 {total} 张，有错误的 {sum(r.with_errors for r in rows)} 张。"
                  "点击单位查看其自评表，点击自评表查看问题。</p>\n<table><tr>")
        out.write("".join(f"<th>{escape(h)}</th>" for h in [*HEAD, *(f"错误 {c}" for c in codes), "自评表"]))
        out.write("</tr>\n")
        for n, r in enumerate(rows):
            average = r.average_difference
            links = " ".join(f'<a href="#f{i}">{i}</a>' for i in r.indexes)
            out.write(f'<tr id="u{n}"><td>{escape(r.department)}</td><td><a href="#f{r.indexes[0]}">'
                      f"{escape(r.unit)}</a></td><td class=n>{r.forms}</td><td class=n>{r.with_errors}</td>"
                      f"<td class=n>{r.warnings}</td><td class=n>{'' if average is None else average}</td>"
                      + "".join(f"<td class=n>{r.errors.get(c, 0)}</td>" for c in codes)
                      + f"<td>{links}</td></tr>\n")
        out.write("</table>\n<h1>各表问题</h1>\n")
        for entry in forms():
            form = entry["form"]
            out.write(f'<section id="f{form["index"]}"><h2>[{form["index"]}] {escape(form["project"] or "（无项目名称）")}'
                      f" · {escape(form.get('unit') or NO_NAME)} · {escape(form['file'])}</h2>"
                      f"<p>总分：印制 {escape(str(form['printed']['total'] or '—'))}，"
                      f"计算 {escape(str(form['scorecard']['total'] or '—'))}</p><ul>")
            found = _findings_of(entry, extra)
            for f in found:
                out.write(f'<li class="{escape(f["severity"])}">{SEVERITY.get(f["severity"], "")} '
                          f"{escape(f['code'])}：{escape(f['message'])}</li>")
            if not found:
                out.write("<li>未发现问题</li>")
            out.write("</ul></section>\n")
        out.write("</body></html>\n")
    return path
