"""Stored forms as files: each form in the standard layout, a zip of them, and the summary workbook of
a list. The files themselves are jixiao.reports' (the one printed-form model and the one summary sheet)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import QuerySet

from jixiao import reports
from jixiao.reports.layout import format_decimal, format_rate
from jixiao.reports.summary import FormSummary, summary_workbook
from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.evaluation import evaluate_stored
from jixiao.web.models import PerformanceForm, Phase, Stage

EXPORT_FORMATS = ("xlsx", "docx", "pdf")
SUMMARY_VALUES = (
    "pk", "year", "department__name", "unit__name", "project", "phase", "stage", "profile", "budget", "executed",
    "execution_rate", "fund_score", "printed_total", "computed_total", "grade", "error_count", "warning_count",
    "info_count",
)


def export_forms(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """The forms in the standard layout as one .xlsx, .docx or .pdf."""
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(EXPORT_FORMATS)}。", status=404)
    evaluations = [evaluate_stored(f) for f in forms]
    return reports.forms_bytes([e.form for e in evaluations], fmt, evaluations=evaluations)


def export_filename(stored: PerformanceForm, fmt: str) -> str:
    safe = "".join(c for c in stored.project if c not in '\\/:*?"<>|').strip() or "form"
    return f"{stored.year}_{safe}_{stored.pk}.{fmt}"


def export_zip(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """A zip with one file per form."""
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(EXPORT_FORMATS)}。")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stored in forms:
            archive.writestr(export_filename(stored, fmt), export_forms([stored], fmt))
    return buffer.getvalue()


def _text(value: Decimal | None) -> str:
    return "" if value is None else format_decimal(value)


def _summary(row: dict[str, object]) -> FormSummary:
    """A stored form's line of the summary, from its columns (no record is read)."""
    rate = row["execution_rate"]
    return FormSummary(
        project=str(row["project"]), unit=str(row["unit__name"]), year=str(row["year"]),
        annual=_text(row["budget"]), executed=_text(row["executed"]),  # type: ignore[arg-type]
        rate="" if rate is None else format_rate(rate),  # type: ignore[arg-type]
        fund_score=_text(row["fund_score"]), printed_total=_text(row["printed_total"]),  # type: ignore[arg-type]
        computed_total=_text(row["computed_total"]), grade=str(row["grade"]),  # type: ignore[arg-type]
        errors=str(row["error_count"]), warnings=str(row["warning_count"]), id=str(row["pk"]),
        department=str(row["department__name"] or ""), phase=_PHASES.get(str(row["phase"]), ""),
        stage=_STAGES.get(str(row["stage"]), ""), profile=str(row["profile"]), infos=str(row["info_count"]),
    )


_PHASES = dict(Phase.choices)
_STAGES = dict(Stage.choices)


def export_summary(forms: QuerySet[PerformanceForm]) -> bytes:
    """The listed forms as the summary workbook, one row per form (one query)."""
    rows = forms.values(*SUMMARY_VALUES).iterator(chunk_size=2000)
    return summary_workbook([_summary(r) for r in rows], stored=True)
