"""Stored forms as files: each form in the standard layout, a zip of them, and the summary workbook of
a list. The files themselves are jixiao.reports' (the one printed-form model and the one summary sheet).

A zip of a selection is written by a background task (`start_export` queues it, `run_export` writes it
to EXPORT_DIR, counting the forms and beating the job's heartbeat), so that no request waits for it;
the job's page shows the progress and then the download link, until the sweep removes the file.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from jixiao import reports
from jixiao.reports.layout import format_decimal, format_rate
from jixiao.reports.summary import FormSummary, summary_workbook
from jixiao.web.batch.models import ExportJob
from jixiao.web.forms.access import User, visible_forms
from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.evaluation import evaluate_stored
from jixiao.web.models import PerformanceForm, Phase, Stage
from jixiao.web.ops.jobs import run_job

EXPORT_FORMATS = ("xlsx", "docx", "pdf")
SUMMARY_VALUES = (
    "pk", "year", "department__name", "unit__name", "project", "phase", "stage", "profile", "budget", "executed",
    "execution_rate", "fund_score", "printed_total", "computed_total", "grade", "error_count", "warning_count",
    "info_count",
)


def _check_format(fmt: str, status: int = 400) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(EXPORT_FORMATS)}。", status=status)


def export_forms(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """The forms in the standard layout as one .xlsx, .docx or .pdf."""
    _check_format(fmt, status=404)
    evaluations = [evaluate_stored(f) for f in forms]
    return reports.forms_bytes([e.form for e in evaluations], fmt, evaluations=evaluations)


def export_filename(stored: PerformanceForm, fmt: str) -> str:
    safe = "".join(c for c in stored.project if c not in '\\/:*?"<>|').strip() or "form"
    return f"{stored.year}_{safe}_{stored.pk}.{fmt}"


def export_zip(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """A zip with one file per form."""
    _check_format(fmt)
    buffer = io.BytesIO()
    write_zip(forms, fmt, buffer)
    return buffer.getvalue()


def write_zip(forms: Sequence[PerformanceForm], fmt: str, out: IO[bytes],
              progress: Callable[[int], object] | None = None) -> None:
    """Write the zip of the forms (one file each) to `out`, calling progress(forms written) after each."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, stored in enumerate(forms, 1):
            archive.writestr(export_filename(stored, fmt), export_forms([stored], fmt))
            if progress is not None:
                progress(n)


# ---------------------------------------------------------------- the zip of a selection, in the background


def start_export(user: User, forms: Sequence[PerformanceForm], fmt: str) -> ExportJob:
    """Queue the zip of the forms for the background task; the job carries its progress and then its file."""
    _check_format(fmt)
    job = ExportJob.objects.create(user=user, fmt=fmt, form_ids=[f.pk for f in forms], total=len(forms))
    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


@task()
def run_export(job_id: int) -> None:
    """Write a queued export's zip in the background."""
    write_export(job_id)


def write_export(job_id: int) -> None:
    """Write an export's zip under EXPORT_DIR as every background job runs (jixiao.web.ops.jobs.run_job:
    claimed by one writer, its heartbeat beaten, finished); the forms are those its user may still see, in the
    order chosen."""
    folder = Path(settings.EXPORT_DIR)
    path, tmp = folder / f"{job_id}.zip", folder / f".{job_id}.zip.tmp"

    def write(job: ExportJob, mine: QuerySet[ExportJob]) -> dict[str, object]:
        order = {pk: n for n, pk in enumerate(job.form_ids)}
        forms = sorted(visible_forms(job.user).filter(pk__in=job.form_ids), key=lambda f: order[f.pk])
        mine.update(total=len(forms))
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with tmp.open("wb") as out:
                write_zip(forms, job.fmt, out, lambda n: mine.update(done=n, heartbeat=timezone.now()))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return {"file": str(path)}

    if run_job(ExportJob, job_id, write, "导出失败") is False:
        path.unlink(missing_ok=True)  # taken for lost meanwhile: its page already says so


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
