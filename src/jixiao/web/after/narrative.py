"""The 自评报告 in the web app, whatever it is written about: a project's self-evaluation or a department's
whole spending. Generated from the form's facts on the outline of docs/cycle.md §5.2 (a profile), edited in
the browser section by section with its cover block, checked (N01–N05) on every save, written as docx or pdf.

The callers (after.dept for the department-wide form, after.views for a project form) hold the stored
record and who may write it; this module holds everything about the report itself.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from jixiao.core.selfreport import COVER_FIELDS, Cover, Outline, Report, ReportFacts, check_report, generate
from jixiao.core.selfreport import from_record as report_from_record
from jixiao.core.selfreport import to_record as report_to_record
from jixiao.dept_files import builtin_outlines
from jixiao.web.after.models import FormReport
from jixiao.web.forms.access import User, can_edit
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import PerformanceForm

OUTLINE = "report-10"
FORMATS = ("docx", "pdf")


def outline() -> Outline:
    return builtin_outlines()[OUTLINE]


def current(stored: Mapping[str, Any] | None, facts: ReportFacts) -> Report:
    """The report as the unit last saved it, or a new one generated from the facts."""
    return report_from_record(stored) if stored else generate(facts, outline())


def page(stored: Mapping[str, Any] | None, facts: ReportFacts) -> dict[str, Any]:
    """The editor's context: each section with its limits and its findings, the cover, every finding."""
    report = current(stored, facts)
    findings = check_report(report, outline(), facts)
    by_section: dict[str, list[str]] = {}
    for f in findings:
        by_section.setdefault(f.location.field, []).append(f"{f.code} {f.message}")
    limits = {s.number: s for s in outline().sections}
    sections = [{"number": s.number, "title": s.title, "text": s.text, "table": s.table,
                 "level": limits[s.number].level if s.number in limits else 1,
                 "required": limits[s.number].required if s.number in limits else False,
                 "max_chars": limits[s.number].max_chars if s.number in limits else 0,
                 "findings": by_section.get(s.number, [])} for s in report.sections]
    cover = [{"field": f, "caption": c, "value": getattr(report.cover, f)} for f, c in outline().cover]
    return {"report": report, "sections": sections, "cover": cover, "findings": findings}


def edited(stored: Mapping[str, Any] | None, facts: ReportFacts, data: Mapping[str, str]) -> dict[str, Any]:
    """The record after the editor's fields "section:<number>" and "cover:<field>" (what is not posted stays)."""
    report = current(stored, facts)
    for section in report.sections:
        key = f"section:{section.number}"
        if key in data:
            report = report.with_text(section.number, data[key].replace("\r\n", "\n"))
    cover = Cover(**{f: data.get(f"cover:{f}", getattr(report.cover, f)).strip() for f in COVER_FIELDS})
    return report_to_record(replace(report, cover=cover))


def document(stored: Mapping[str, Any] | None, facts: ReportFacts, fmt: str) -> bytes:
    from jixiao.reports.selfreport import write_report

    if fmt not in FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，自评报告可导出为 docx 或 pdf。", status=404)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{fmt}"
        write_report(current(stored, facts), outline(), path)
        return path.read_bytes()


# ---------------------------------------------------------------- a project's self-evaluation


def _project_facts(form: PerformanceForm) -> ReportFacts:
    from jixiao.core.selfreport import facts_from_form
    from jixiao.web.forms.evaluation import evaluate_stored

    e = evaluate_stored(form)
    return facts_from_form(e.form, e.profile, e.scorecard)


def _stored(form: PerformanceForm) -> dict[str, Any] | None:
    found = FormReport.objects.filter(form=form).values_list("record", flat=True).first()
    return found or None


def project_page(user: User, form: PerformanceForm) -> dict[str, Any]:
    return {"stored": form, "editable": can_edit(user, form), **page(_stored(form), _project_facts(form))}


def save_project_report(user: User, form: PerformanceForm, data: Mapping[str, str]) -> None:
    """The unit writes the report while it may change the form (draft or returned); it is kept with the form."""
    if not can_edit(user, form):
        raise ServiceError("只有本单位的填报人可以编写自评报告，且只能在自评表为草稿或被退回时修改。", status=403)
    record = edited(_stored(form), _project_facts(form), data)
    FormReport.objects.update_or_create(form=form, defaults={"record": record, "updated_by": user})


def project_document(form: PerformanceForm, fmt: str) -> tuple[bytes, str]:
    data = document(_stored(form), _project_facts(form), fmt)
    return data, f"{form.year}_{form.unit.name}_{form.project}_项目自评报告.{fmt}"
