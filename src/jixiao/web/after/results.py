"""Re-check results beside the unit's own score (in the public record too), and 结果应用: per year and
department, every project with its self-score, re-check score, grade, recommendation and next year's
requested amount where jixiao knows it (the project's declaration of the next year); the recommendation
weighs the year's monitoring warnings and rectification items as the results profile says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jixiao.core.results import Recommendation, recommend
from jixiao.dept_files import builtin_results_profile
from jixiao.profile_files import load_profile
from jixiao.web.after.access import User, workbook
from jixiao.web.after.models import Rectification
from jixiao.web.after.rectify import OPEN, is_overdue, problems_of
from jixiao.web.after.thirdparty import rechecks_by_form
from jixiao.web.forms.access import visible_forms
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import PerformanceForm, Phase
from jixiao.web.review.models import DrawItem
from jixiao.web.year.models import Answer, MonitorWarning, TargetDecl, TargetStage


def _grade_of(form: PerformanceForm) -> Any:
    try:
        return load_profile(form.profile or "mof-2020").grade
    except ValueError:
        return load_profile("mof-2020").grade


def _latest_rechecks(forms: list[PerformanceForm]) -> dict[int, DrawItem]:
    """Each form's latest recorded re-check (one query for all the forms)."""
    found: dict[int, DrawItem] = {}
    for item in (DrawItem.objects.filter(form__in=[f.pk for f in forms], own_score__isnull=False)
                 .select_related("recorded_by").order_by("form_id", "-recorded_at", "-id")):
        found.setdefault(item.form_id, item)
    return found


def recheck_result(form: PerformanceForm) -> dict[str, Any] | None:
    """The finance bureau's latest recorded re-check of the form: score, grade, problems, and who made it."""
    return _recheck_of(form, _latest_rechecks([form]).get(form.pk), rechecks_by_form([form]).get(form.pk, []))


def _recheck_of(form: PerformanceForm, item: DrawItem | None, third: list[dict[str, Any]]) -> dict[str, Any] | None:
    if item is None or item.own_score is None:
        return None
    own = form.printed_total if form.printed_total is not None else form.computed_total
    return {
        "score": str(item.own_score), "grade": _grade_of(form)(item.own_score), "problems": problems_of(item.problems),
        "unit_score": str(own) if own is not None else None,
        "unit_grade": _grade_of(form)(own) if own is not None else "",
        "recorded_at": item.recorded_at.date().isoformat() if item.recorded_at else None,
        "third_party": third,
    }


def public_record(form: PerformanceForm) -> dict[str, Any]:
    """The published record with the re-check beside it (the unit's record itself is unchanged)."""
    return {**form.record, "recheck": recheck_result(form)}


@dataclass
class YearData:
    """What weighs on the recommendations of a year's forms, each read once for all of them (not per form):
    re-checks, third-party re-checks, monitoring warnings, rectification items, next year's declarations."""

    rechecks: dict[int, DrawItem] = field(default_factory=dict)
    third: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    warnings: dict[tuple[int, str], list[tuple[str, datetime.date]]] = field(default_factory=dict)
    items: dict[int, list[Rectification]] = field(default_factory=dict)
    declared: dict[tuple[int, str], Decimal | None] = field(default_factory=dict)
    target_budgets: dict[tuple[int, str], Decimal | None] = field(default_factory=dict)

    @classmethod
    def load(cls, forms: list[PerformanceForm], year: int) -> YearData:
        from jixiao.core.target import from_record

        data = cls(rechecks=_latest_rechecks(forms), third=rechecks_by_form(forms))
        units = {f.unit_id for f in forms}
        for unit, project, answer, deadline in MonitorWarning.objects.filter(
                monitor__unit_id__in=units, monitor__round__year=year).values_list(
                "monitor__unit_id", "monitor__target__project", "answer", "deadline"):
            data.warnings.setdefault((unit, project), []).append((answer, deadline))
        for item in Rectification.objects.filter(form__in=[f.pk for f in forms], status__in=OPEN).order_by("pk"):
            data.items.setdefault(item.form_id, []).append(item)  # type: ignore[arg-type]
        # Next year's requested amount: the latest version (not rejected) of the same unit's same project's
        # declaration for year + 1, else the budget of a target-phase form of that year.
        for decl in (TargetDecl.objects.filter(unit_id__in=units, year=year + 1).exclude(stage=TargetStage.REJECTED)
                     .order_by("unit_id", "project", "-version", "-pk")):
            if (decl.unit_id, decl.project) not in data.declared:
                total = next((f.number for f in from_record(decl.record).fund_set("annual") if f.kind == "total"), None)
                data.declared[(decl.unit_id, decl.project)] = total
        for unit, project, budget in (PerformanceForm.objects.filter(unit_id__in=units, year=year + 1, phase=Phase.TARGET)
                                      .order_by("unit_id", "project", "-id").values_list("unit_id", "project", "budget")):
            data.target_budgets.setdefault((unit, project), budget)
        return data

    def requested(self, form: PerformanceForm) -> Decimal | None:
        key = (form.unit_id, form.project)
        declared = self.declared.get(key)
        return declared if declared is not None else self.target_budgets.get(key)


def year_facts(form: PerformanceForm, data: YearData, today: datetime.date | None = None) -> set[str]:
    """What else of the project's year weighs on the recommendation (keys of core.results.CONDITIONS): the
    answers to its monitoring warnings, and its rectification items."""
    today = today or timezone.localdate()
    facts = set()
    for answer, deadline in data.warnings.get((form.unit_id, form.project), []):
        if answer == Answer.CANCEL:
            facts.add("monitor_cancelled")
        elif answer == Answer.ADJUST:
            facts.add("monitor_adjusted")
        elif not answer and deadline < today:
            facts.add("monitor_unanswered")
    for item in data.items.get(form.pk, []):
        if is_overdue(item, today):
            facts.add("rectification_overdue")
        if item.status == Rectification.Status.RETURNED:
            facts.add("rectification_returned")
    return facts


def _row(form: PerformanceForm, data: YearData) -> dict[str, Any]:
    profile = builtin_results_profile()
    own = form.printed_total if form.printed_total is not None else form.computed_total
    check = _recheck_of(form, data.rechecks.get(form.pk), data.third.get(form.pk, []))
    recheck = Decimal(check["score"]) if check else None
    requested = data.requested(form)
    r: Recommendation | None = recommend(profile, _grade_of(form), own, recheck, requested, year_facts(form, data))
    return {
        "form": form.pk, "project": form.project, "unit": form.unit.name,
        "department": form.department.name if form.department else "",
        "own_score": str(own) if own is not None else "", "recheck_score": str(recheck) if recheck is not None else "",
        "grade": r.grade if r else "", "basis": r.basis if r else "", "recommendation": r.label if r else "",
        "cut_share": f"{(r.cut_share * 100):.0f}%" if r and r.cut_share else "",
        "requested": str(requested) if requested is not None else "",
        "cut_amount": str(r.cut_amount) if r and r.cut_amount is not None and r.cut_share else "",
        "large_difference": bool(r and r.large_difference),
        "reasons": list(r.reasons) if r else [],
    }


def results_list(user: User, year: int, department: int | None = None) -> dict[str, Any]:
    """Every visible project of the year (and department) with its recommendation; what weighs on it is read
    once for all the rows (YearData), so the page costs the same few queries for 10 projects or 1,000."""
    forms: QuerySet[PerformanceForm] = visible_forms(user).filter(year=year, phase=Phase.SELF)  # type: ignore[arg-type]
    if department is not None:
        forms = forms.filter(department_id=department)
    listed = list(forms.select_related("unit", "department").order_by("department_id", "unit_id", "pk"))
    data = YearData.load(listed, year) if listed else YearData()
    rows = [_row(f, data) for f in listed]
    if not rows and not visible_forms(user).exists():  # type: ignore[arg-type]
        raise ServiceError("您没有可查看的项目。", status=403)
    profile = builtin_results_profile()
    return {"year": year, "department": department, "profile": profile.title, "source": profile.source, "rows": rows}


HEADER = ("主管部门", "实施单位", "项目名称", "单位自评得分", "财政复核得分", "评价等级", "依据", "结果应用建议",
          "核减比例", "下年度申报数（万元）", "建议核减数（万元）", "自评与复核差异较大", "监控与整改情况")


def _number(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def results_xlsx(data: dict[str, Any]) -> bytes:
    """The list in the layout budget staff use: one row per project, amounts as numbers."""
    rows = [(r["department"], r["unit"], r["project"], _number(r["own_score"]), _number(r["recheck_score"]), r["grade"],
             r["basis"], r["recommendation"], r["cut_share"], _number(r["requested"]), _number(r["cut_amount"]),
             "是" if r["large_difference"] else "", "；".join(r["reasons"]))
            for r in data["rows"]]
    return workbook(f"{data['year']}年度结果应用", HEADER, rows, (18, 20, 26, 10, 10, 8, 6, 18, 8, 12, 12, 10, 28))


RECHECK_SHEET = "财政复核结果"


def public_file(form: PerformanceForm, fmt: str) -> bytes:
    """A published form's .xlsx or .pdf with its re-check beside the unit's own score (a sheet of the workbook, a
    page after the form in the PDF), kept per form, version and re-check: an anonymous reader does not rebuild
    it each time."""
    import hashlib

    from django.core.cache import caches

    found = recheck_result(form)
    recheck = hashlib.sha256(repr(found).encode()).hexdigest()[:16]
    key = f"public:{form.pk}:{form.version}:{form.updated_at.timestamp()}:{recheck}:{fmt}"
    return caches["exports"].get_or_set(key, lambda: _public_bytes(form, fmt, found))  # type: ignore[no-any-return]


def _public_bytes(form: PerformanceForm, fmt: str, found: dict[str, Any] | None) -> bytes:
    from jixiao.web.forms.exports import export_forms

    if found is not None and fmt == "pdf":
        return _pdf_with_recheck(form, found)  # the form and its re-check written once, as one document
    data = export_forms([form], fmt)
    return _sheet_with_recheck(data, found) if found is not None and fmt == "xlsx" else data


def _sheet_with_recheck(data: bytes, found: dict[str, Any]) -> bytes:
    import io

    from openpyxl import load_workbook

    from jixiao.reports.workbook import append, styles, to_bytes

    book = load_workbook(io.BytesIO(data))
    sheet = book.create_sheet(RECHECK_SHEET)
    rows: list[list[Any]] = [["评价方", "得分", "等级"],
                             ["单位自评", _number(found["unit_score"] or ""), found["unit_grade"]],
                             ["财政复核", _number(found["score"]), found["grade"]]]
    rows += [[f"第三方复核（{t['firm']}）", _number(t["score"]), ""] for t in found["third_party"]]
    rows += [["复核发现的问题"]] + [[f"{n}. {p}"] for n, p in enumerate(found["problems"], 1)]
    for row in rows:
        append(sheet, row)
    for cell in sheet[1]:
        cell.font = styles()["bold"]
    sheet.column_dimensions["A"].width = 30
    return to_bytes(book)


def _pdf_with_recheck(form: PerformanceForm, found: dict[str, Any]) -> bytes:
    import tempfile
    from pathlib import Path

    from jixiao.reports import write_layouts
    from jixiao.reports.layout import build_layout
    from jixiao.reports.recheck import Recheck, with_recheck_pages
    from jixiao.web.forms.evaluation import evaluate_stored

    e = evaluate_stored(form)
    recheck = Recheck(form.project, found["unit_score"] or "", found["unit_grade"], found["score"], found["grade"],
                      tuple(found["problems"]), tuple((t["firm"], str(t["score"])) for t in found["third_party"]),
                      found["recorded_at"] or "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.pdf"
        write_layouts(with_recheck_pages([build_layout(e.form, e.scorecard)], recheck), path, title=form.project)
        return path.read_bytes()
