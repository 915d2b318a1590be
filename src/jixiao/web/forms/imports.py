"""Importing forms from files, as django-import-export does: read, then a dry run of the commit itself in
a transaction that is rolled back (the preview: every check a confirmation makes, the year range included,
is made here and named on its form), then the same commit for real, all or nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao import services as core_services
from jixiao.core.model import Form, to_record
from jixiao.core.ocr import cell_image
from jixiao.core.profile_set import ProfileSet
from jixiao.core.profiles import Profile
from jixiao.web.forms.access import User, writable_units
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.forms.evaluation import Evaluation, batch_evaluations, severity_counts, user_profiles
from jixiao.web.forms.store import Conflict, save_form
from jixiao.web.models import STAGE_LABELS, ImportJob, Org, PerformanceForm, Phase

# What the command line says of a file, said for the web, where there is no command to run.
WEB_MESSAGES = {core_services.NO_FORM: "文件中没有找到绩效自评表（没有含“项目名称”、表名或资金与指标栏目的表格）；请确认这是预算绩效自评表，"
                                       "或换用自评表的原始文件（Word、Excel、PDF 或网页）再导入。"}


NOTHING_TO_IMPORT = "没有可导入的表：预览中的表都不能导入或都选择了跳过。请改正文件后重新上传，或取消此次导入。"


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # form index → why the commit refuses it
    conflicts: list[int] = field(default_factory=list)  # indexes whose form was saved after the preview


def start_import(user: User, uploads: Sequence[Any]) -> ImportJob:
    """Keep the uploaded files and read them: in the background when large, else now.

    `uploads` are Django's uploaded files (copied to disk chunk by chunk, never read whole into
    memory) or (name, bytes) pairs. The job holds the preview; nothing is stored as a form until
    confirm_import.
    """
    if not uploads:
        raise ServiceError("请选择要导入的文件。", {"files": ["请选择要导入的文件。"]})
    if not user.is_authenticated or not writable_units(user).exists():
        raise PermissionDenied("您没有可填报的单位，不能导入。")
    size = sum(_upload_size(u) for u in uploads)
    if size > settings.JIXIAO_MAX_UPLOAD_BYTES:
        limit = settings.JIXIAO_MAX_UPLOAD_BYTES // (1024 * 1024)
        message = f"上传的文件共 {size / 1024 / 1024:.1f} MB，超过了 {limit} MB 的上限：请分几次导入。"
        raise ServiceError(message, {"files": [message]}, status=413)
    job = ImportJob.objects.create(user=user, total=len(uploads), heartbeat=timezone.now())  # type: ignore[misc]
    from jixiao.web.ops.jobs import keep_uploads

    files = keep_uploads(Path(settings.UPLOAD_DIR) / str(job.pk), uploads)
    job.files = files
    job.save(update_fields=["files"])
    if size > settings.JIXIAO_BACKGROUND_IMPORT_BYTES:
        transaction.on_commit(lambda: read_import.enqueue(job.pk, 0))
    else:
        run_import_preview(job.pk)
        job.refresh_from_db()
    return job


def _upload_size(upload: Any) -> int:
    return len(upload[1]) if isinstance(upload, tuple) else int(upload.size or 0)


@task()
def read_import(job_id: int, attempt: int = 0) -> None:
    """Read and preview an import job's files in the background; the job row carries the progress."""
    run_import_preview(job_id, attempt)


def run_import_preview(job_id: int, attempt: int = 0) -> None:
    """Read a job's files, evaluate every form, dry-run the commit and store the preview.

    The job is claimed for this attempt (a retry's reader and a killed one's never both write), and
    its heartbeat is beaten while the files are read (jixiao.web.ops.jobs).
    """
    from jixiao.web.ops import jobs

    mine = ImportJob.objects.filter(pk=job_id, attempt=attempt)
    if not mine.filter(status__in=jobs.ACTIVE).update(status=ImportJob.Status.READING, heartbeat=timezone.now()):
        return
    job = ImportJob.objects.get(pk=job_id)

    profiles = user_profiles(job.user)
    so_far = {"forms": 0, "errors": 0, "problems": 0}  # shown on the page while it reads (import.js)

    def each(found: Sequence[Form], problem: core_services.ReadProblem | None) -> None:
        so_far["forms"] += len(found)
        so_far["problems"] += problem is not None
        so_far["errors"] += sum(severity_counts(core_services.evaluate(f, profiles))["error"] for f in found)

    def progress(done: int, total: int) -> None:
        mine.filter(status=ImportJob.Status.READING).update(done=done, total=max(total, 1), heartbeat=timezone.now(),
                                                            result={"reading": dict(so_far)})

    try:
        with jobs.heartbeat(job_id, attempt):
            batch = core_services.read_paths([f["path"] for f in job.files], progress=progress, each=each)
            evaluations = core_services.evaluate_batch(batch.forms, profiles) if batch.forms else []
            preview = _preview(job, evaluations)
            _dry_run(job.user, preview, evaluations)
    except Exception as e:  # a bug must not leave the job "reading" forever
        mine.filter(status=ImportJob.Status.READING).update(status=ImportJob.Status.FAILED, error=f"读取失败：{e}")
        raise
    names = {f["path"]: f["name"] for f in job.files}
    problems = [{"file": names.get(p.file, Path(p.file).name), "message": WEB_MESSAGES.get(p.message, p.message)}
                for p in batch.problems]
    mine.filter(status=ImportJob.Status.READING).update(
        status=ImportJob.Status.READY, preview=preview, problems=problems, done=len(job.files), total=len(job.files)
    )


def _display_name(job: ImportJob, source_file: str) -> str:
    folder = str(Path(settings.UPLOAD_DIR) / str(job.pk))
    for f in job.files:
        if source_file == f["path"]:
            return str(f["name"])
        if source_file.startswith(f["path"]):  # a member of an uploaded zip
            return f"{f['name']}{source_file[len(f['path']):]}"
    return source_file.removeprefix(folder).lstrip("/\\")


def _placement(form: Form, by_name: Mapping[str, list[Org]]) -> tuple[Org | None, str]:
    """The unit a read form goes to, or why it can't go anywhere."""
    candidates = by_name.get(form.unit.strip(), [])
    if len(candidates) == 1:
        return candidates[0], ""
    if candidates:
        return None, f"有多个名为「{form.unit}」的单位，请在系统中改名后再导入。"
    return None, f"实施单位「{form.unit or '（空）'}」不是您可填报的单位，此表不能导入。"


def _preview(job: ImportJob, evaluations: Sequence[Evaluation]) -> list[dict[str, Any]]:
    """One entry per form: its record, its evaluation in brief, where it would go and what is in the way."""
    units = list(writable_units(job.user))
    by_name: dict[str, list[Org]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    existing = _existing(units, evaluations)
    rows = []
    for ev in evaluations:
        form = ev.form
        unit, error = _placement(form, by_name)
        # The n-th form of a batch with a name matches the n-th stored one: a batch may hold a name twice.
        stored = existing.get((unit.pk, form.year, form.project.strip()), []) if unit else []
        match, match_version = stored.pop(0) if stored else (None, None)
        rows.append({
            "index": ev.index, "file": _display_name(job, form.source.file), "sheet": form.source.sheet,
            "position": form.source.index, "project": form.project, "year": form.year, "unit_name": form.unit,
            "unit_id": unit.pk if unit else None, "existing_id": match, "error": error, "replace_error": "",
            "existing_version": match_version,  # a replace is refused if the form was saved since the preview
            "record": to_record(form), "profile": ev.profile.name, "printed_total": form.total.score,
            "computed_total": None if ev.scorecard.total is None else str(ev.scorecard.total),
            "grade": ev.scorecard.grade, "counts": severity_counts(ev), "findings": _findings(ev),
            "ocr_doubts": sum(1 for f in ev.findings if f.code in ("O01", "O02")),
        })
    return rows


def _findings(ev: Evaluation) -> list[dict[str, Any]]:
    """The findings as the preview shows them; on a scan, each about a cell with the cell's scanned image
    beside it (`image`, a PNG data URL), for the user to compare with what was read."""
    if not ev.form.scan_images:
        return [f.as_dict() for f in ev.findings]
    return [{**f.as_dict(), **({"image": image} if (image := cell_image(ev.form, f.location)) else {})}
            for f in ev.findings]


def _existing(units: Iterable[Org], evaluations: Sequence[Evaluation]) -> dict[tuple[int, int | None, str], list[tuple[int, int]]]:
    """(unit id, year, project) → (id, version) of the stored forms, oldest first, for a batch's forms (one query)."""
    projects = {ev.form.project.strip() for ev in evaluations}
    years = {ev.form.year for ev in evaluations if ev.form.year is not None}
    rows = PerformanceForm.objects.filter(unit__in=list(units), year__in=years, project__in=projects).order_by("pk")
    found: dict[tuple[int, int | None, str], list[tuple[int, int]]] = {}
    for pk, u, y, p, v in rows.values_list("pk", "unit_id", "year", "project", "version"):
        found.setdefault((u, y, p), []).append((pk, v))
    return found


class _DryRun(Exception):
    """Raised at the end of a dry run so that its transaction is rolled back."""


def _dry_run(user: User, rows: list[dict[str, Any]], evaluations: Sequence[Evaluation]) -> None:
    """The commit with every form imported (existing ones replaced), rolled back: what it refuses is
    written on the form's row (`error` for a new one, `replace_error` for a replacement)."""
    decisions = {r["index"]: "replace" if r["existing_id"] else "import" for r in rows}
    result = ImportResult()
    try:
        with transaction.atomic():
            result = _commit(user, rows, {ev.index: ev for ev in evaluations}, decisions, dry=True)
            raise _DryRun
    except _DryRun:
        pass
    refused = [r for r in rows if r["index"] in result.refused]
    stages = dict(PerformanceForm.objects.filter(pk__in=[r["existing_id"] for r in refused if r["existing_id"]])
                  .values_list("pk", "stage"))
    for row in refused:
        reason = result.refused[row["index"]]
        if row["existing_id"]:
            stage = STAGE_LABELS.get(stages.get(row["existing_id"], ""), "")
            row["replace_error"] = f"已有的表「{row['project']}」当前为「{stage}」，不能替换：{reason}"
        else:
            row["error"] = reason


def importable(row: Mapping[str, Any]) -> bool:
    """Whether a previewed form can be stored: new and placed, or existing and replaceable."""
    return not row["error"] and not (row["existing_id"] and row.get("replace_error"))


def _named(row: Mapping[str, Any]) -> str:
    """A previewed form as a person finds it again: its number, name, file and sheet."""
    where = f"{row['file']} · {row['sheet']}" if row.get("sheet") else row["file"]
    return f"第 {row['index']} 张表「{row['project']}」（{where}）"


def _commit(user: User, rows: Sequence[dict[str, Any]], evaluations: Mapping[int, Evaluation],
            decisions: Mapping[int, str], *, dry: bool) -> ImportResult:
    """Store the rows as decided (inside the caller's transaction). A refusal is named on its form and
    stops a real commit; a dry run notes it and goes on, so that the preview names every one."""
    result = ImportResult()
    units = writable_units(user).in_bulk([r["unit_id"] for r in rows if r["unit_id"]])
    forms = PerformanceForm.objects.in_bulk([r["existing_id"] for r in rows if r["existing_id"]])
    for row in rows:
        index = row["index"]
        action = decisions.get(index, "import" if not row["existing_id"] else "")
        if row["error"] or action == "skip" or (row["existing_id"] and row.get("replace_error")):
            result.skipped.append(index)
            continue
        if row["existing_id"] and action != "replace":
            raise ServiceError(f"{_named(row)}已存在，请选择替换或跳过。")
        try:
            unit = units.get(row["unit_id"])
            if unit is None:
                raise PermissionDenied(f"您不能为单位「{row['unit_name']}」导入。")
            existing = forms.get(row["existing_id"]) if row["existing_id"] else None
            with transaction.atomic():  # a savepoint: a refused form leaves the others standing
                stored = save_form(user, row["record"], unit=unit, form=existing,
                                   phase=None if existing else Phase.SELF, evaluation=evaluations[index],
                                   version=row.get("existing_version") if existing else None)
        except Conflict:
            # Saved by someone after the preview: replacing it would lose that save. Reported, not done.
            result.conflicts.append(index)
            continue
        except ServiceError as e:
            reason = "".join(m for ms in e.errors.values() for m in ms) or e.message
            if not dry:
                raise ServiceError(f"{_named(row)}不能导入：{reason}", status=e.status) from e
            result.refused[index] = reason
            continue
        (result.replaced if existing else result.created).append(stored.pk)
    return result


def confirm_import(user: User, job: ImportJob, decisions: Mapping[int, str]) -> ImportResult:
    """Store the previewed forms as decided, all in one transaction: every form is stored, or none."""
    if job.user_id != user.pk:  # type: ignore[union-attr]
        raise PermissionDenied()
    if not any(importable(r) for r in job.preview) and job.status == ImportJob.Status.READY:
        raise ServiceError(NOTHING_TO_IMPORT)
    if job.status != ImportJob.Status.READY:
        raise ServiceError(f"此导入当前状态为「{job.get_status_display()}」，不能确认。")
    with transaction.atomic():
        # Claim the job with a conditional UPDATE so that a double click can't import twice.
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(status=ImportJob.Status.DONE) == 0:
            raise ServiceError("此导入已经处理过了。")
        # The batch is evaluated again as a whole, so that batch findings (P05) are stored as previewed.
        evaluations = batch_evaluations([r["record"] for r in job.preview], user_profiles(user))
        by_index = {row["index"]: ev for row, ev in zip(job.preview, evaluations, strict=True)}
        result = _commit(user, job.preview, by_index, decisions, dry=False)
        if not result.created and not result.replaced and not result.conflicts:
            # Rolled back with the claim: the preview stays to be decided again.
            raise ServiceError(NOTHING_TO_IMPORT)
        job.status = ImportJob.Status.DONE
        job.result = {"created": result.created, "replaced": result.replaced, "skipped": result.skipped,
                      "conflicts": result.conflicts}
        job.save(update_fields=["status", "result"])
    shutil.rmtree(Path(settings.UPLOAD_DIR) / str(job.pk), ignore_errors=True)
    return result


def cancel_import(user: User, job_id: int) -> bool:
    """Drop an import that is not done (queued, reading, interrupted, failed or previewed) and its
    uploaded files; nothing was stored. A reader still at work finds the job cancelled and writes nothing."""
    cancellable = (ImportJob.Status.PENDING, ImportJob.Status.READING, ImportJob.Status.READY, ImportJob.Status.FAILED)
    if ImportJob.objects.filter(pk=job_id, user_id=user.pk, status__in=cancellable).update(
        status=ImportJob.Status.CANCELLED
    ):
        shutil.rmtree(Path(settings.UPLOAD_DIR) / str(job_id), ignore_errors=True)
        return True
    return False


def check_upload(uploads: Sequence[tuple[str, bytes]], profile: str = "auto", user: User | None = None) -> dict[str, Any]:
    """What `jixiao check --format json` prints for uploaded files (nothing is stored); `profile` is a
    name the server knows, never a path."""
    from jixiao.web.ops import profiles

    chosen: Profile | ProfileSet | None = profiles.choose(profile)
    if chosen is None:
        chosen = profiles.profile_set() if user is None else user_profiles(user)
    forms: list[Form] = []
    problems: list[core_services.ReadProblem] = []
    for name, data in uploads:
        batch = core_services.read_upload(data, name)
        forms.extend(batch.forms)
        problems.extend(batch.problems)
    evaluations = core_services.evaluate_batch(forms, chosen) if forms else []
    return core_services.check_report(evaluations, problems)
