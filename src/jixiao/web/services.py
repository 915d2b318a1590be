"""The web application's services: who sees what, saving, importing and exporting forms.

Pages, the API and the tests all call these functions; views only parse input and render output.
Reading and scoring are jixiao.services' (the same functions as the command line).
"""

from __future__ import annotations

import io
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet

from jixiao import services as core_services
from jixiao.core.model import Form, RecordError, from_record, to_record
from jixiao.core.scoring import Scorecard
from jixiao.web.models import (
    EDITABLE_STAGES,
    ApiToken,
    FormFinding,
    ImportJob,
    Membership,
    Org,
    PerformanceForm,
    Phase,
    Role,
    Stage,
    YearProfile,
)
from jixiao.web.signals import form_saved

User = AbstractBaseUser | AnonymousUser
EXPORT_FORMATS = ("xlsx", "docx", "pdf")


class ServiceError(Exception):
    """A request the service refuses; `errors` maps a field name ("" for the whole form) to messages."""

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {"": [message]})
        self.status = status


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "您没有权限进行此操作。") -> None:
        super().__init__(message, status=403)


class Conflict(ServiceError):
    """The form changed since the user loaded it (optimistic concurrency on `version`)."""

    def __init__(self, current: PerformanceForm) -> None:
        super().__init__(
            f"此表已被 {current.updated_by or '他人'} 于 {current.updated_at:%Y-%m-%d %H:%M} 修改（版本 {current.version}），"
            "您的修改未保存。请复制您的内容，刷新后重新填写。",
            status=409,
        )
        self.current = current


# ---------------------------------------------------------------- who sees and changes what


def memberships(user: User) -> list[Membership]:
    """The user's roles with their orgs, fetched once per user object."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_jixiao_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org"))
        user._jixiao_memberships = cached  # type: ignore[union-attr]
    return cached


def roles(user: User) -> set[str]:
    return {m.role for m in memberships(user)} | ({Role.ADMIN.value} if user.is_superuser else set())


def _scope(user: User, field_path: str, fill_only: bool) -> Q | None:
    """A filter on orgs (through `field_path`) for what the user sees, or None for everything.

    填报人 sees exactly its unit; 审核人, 财政复核 and 管理员 see their org and everything under it.
    """
    if user.is_superuser:
        return None
    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role == Role.FILLER:
            q |= Q(**{f"{field_path}": m.org_id})
        elif not fill_only or m.role == Role.ADMIN:
            # A semi-join on the org ids under the node: cheaper than joining every form to its org.
            under = Org.objects.filter(path__startswith=m.org.path).values("pk")
            q |= Q(**{f"{field_path}__in": under})
    return q


def visible_forms(user: User) -> QuerySet[PerformanceForm]:
    """The forms a user may see, in pages and API alike (one query, whatever the tree's depth)."""
    qs = PerformanceForm.objects.all()
    if not user.is_authenticated:
        return qs.none()
    scope = _scope(user, "unit_id", fill_only=False)
    return qs if scope is None else qs.filter(scope)


def scope_key(user: User) -> tuple[Any, ...]:
    """Everything visible_forms and visible_orgs depend on besides the stored data: what is kept for a
    user's lists (jixiao.web.views.kept) is kept under this, never shared between different scopes."""
    if not user.is_authenticated:
        return ("anonymous",)
    return (bool(user.is_superuser), tuple(sorted((m.role, m.org_id, m.org.path) for m in memberships(user))))


def writable_units(user: User) -> QuerySet[Org]:
    """The units whose forms the user may create and change: 填报人 its unit, 管理员 its subtree."""
    qs = Org.objects.all()
    if not user.is_authenticated:
        return qs.none()
    scope = _scope(user, "pk", fill_only=True)
    return qs if scope is None else qs.filter(scope)


def can_fill(user: User) -> bool:
    """Whether the user fills in forms anywhere (has a unit to write to), without a query."""
    return user.is_superuser or any(m.role in (Role.FILLER, Role.ADMIN) for m in memberships(user))


def visible_orgs(user: User) -> QuerySet[Org]:
    """Orgs a user may filter by: those under the places where they have a role."""
    qs = Org.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for m in memberships(user):
        q |= Q(pk=m.org_id) if m.role == Role.FILLER else Q(path__startswith=m.org.path)
    return qs.filter(q)


def can_edit(user: User, form: PerformanceForm) -> bool:
    """The unit's 填报人 (or a 管理员 above it) may change a form while it is a draft or returned."""
    if form.stage not in EDITABLE_STAGES or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for m in memberships(user):
        if m.role == Role.FILLER and m.org_id == form.unit_id:
            return True
        if m.role == Role.ADMIN and form.unit.path.startswith(m.org.path):
            return True
    return False


def get_visible(user: User, form_id: int) -> PerformanceForm:
    form = visible_forms(user).select_related("unit", "department", "updated_by").filter(pk=form_id).first()
    if form is None:
        raise ServiceError("没有找到这张表，或您无权查看。", status=404)
    return form


# ---------------------------------------------------------------- evaluating and saving


def profile_for(year: int | None, override: str = "") -> str:
    """The profile to score with: the form's override, else the year's, else detected from the form."""
    if override:
        return override
    if year is not None:
        chosen = YearProfile.objects.filter(year=year).values_list("profile", flat=True).first()
        if chosen:
            return chosen
    return "auto"


def parse_record(record: Any) -> Form:
    try:
        return from_record(record)
    except RecordError as e:
        raise ServiceError(f"表单内容格式不对：{e}", {"record": [str(e)]}) from e


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def scorecard_dict(scorecard: Scorecard) -> dict[str, Any]:
    """The scorecard as JSON (Decimals as text, so nothing is rounded on the way)."""
    return {
        "profile": scorecard.profile,
        "execution_rate": _text(scorecard.execution_rate),
        "execution_formula": scorecard.execution_formula,
        "fund_score": _text(scorecard.fund_score),
        "fund_formula": scorecard.fund_formula,
        "indicators": [
            {
                "index": s.index,
                "weight": _text(s.weight),
                "score": _text(s.score),
                "formula": s.formula,
                "met": s.met,
                "applicable": s.applicable,
                "band": None if s.band is None else [str(s.band[0]), str(s.band[1])],
            }
            for s in scorecard.indicators
        ],
        "indicator_sum": _text(scorecard.indicator_sum),
        "total": _text(scorecard.total),
        "total_formula": scorecard.total_formula,
        "grade": scorecard.grade,
    }


def evaluation_dict(evaluation: core_services.Evaluation) -> dict[str, Any]:
    """What the editor shows while the user types: scorecard and findings."""
    counts = severity_counts(evaluation)
    return {
        "profile": evaluation.profile.name,
        "profile_title": evaluation.profile.title,
        "scorecard": scorecard_dict(evaluation.scorecard),
        "findings": [f.as_dict() for f in evaluation.findings],
        "counts": counts,
    }


def severity_counts(evaluation: core_services.Evaluation) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in evaluation.findings:
        counts[f.severity.value] += 1
    return counts


def evaluate_record(record: Any, profile: str = "auto") -> dict[str, Any]:
    """Score and check a record that isn't stored (the editor's live evaluation)."""
    form = parse_record(record)
    return evaluation_dict(core_services.evaluate(form, profile or profile_for(form.year)))


def _money(form: Form, column: str) -> Decimal | None:
    """A fund column of the total row, or the sum of the sub-rows when the total row leaves it blank."""
    total = form.fund("total")
    if total is not None and total.amount(column) is not None:
        return total.amount(column)
    parts = [f.amount(column) for f in form.funds if f.kind != "total"]
    numbers = [p for p in parts if p is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _columns(form: Form, evaluation: core_services.Evaluation) -> dict[str, Any]:
    """The denormalised columns of a stored form, from its evaluation."""
    sc = evaluation.scorecard
    counts = severity_counts(evaluation)
    rate = sc.execution_rate
    return {
        "year": form.year,
        "project": form.project.strip(),
        "profile": evaluation.profile.name,
        "scorecard": scorecard_dict(sc),
        "budget": _fits(_money(form, "annual"), 12, 4),
        "executed": _fits(_money(form, "executed"), 12, 4),
        "execution_rate": _fits(rate, 4, 6),
        "fund_score": _fits(sc.fund_score, 6, 2),
        "printed_total": _fits(_number(form.total.score), 6, 2),
        "computed_total": _fits(sc.total, 6, 2),
        "grade": sc.grade or "",
        "indicator_count": len(form.indicators),
        "error_count": counts["error"],
        "warning_count": counts["warning"],
        "info_count": counts["info"],
    }


def _number(text: str) -> Decimal | None:
    from jixiao.core.values import parse_number

    return parse_number(text)


def _fits(value: Decimal | None, whole: int, places: int) -> Decimal | None:
    """A number rounded to its column, or None when a form prints one too large for it (a typo, not data)."""
    if value is None or not value.is_finite() or abs(value) >= Decimal(10) ** whole:
        return None
    return round(value, places)


def _findings(stored: PerformanceForm, evaluation: core_services.Evaluation) -> list[FormFinding]:
    return [
        FormFinding(
            form=stored,
            position=n,
            code=f.code,
            severity=f.severity.value,
            location=f.location.as_dict(),
            found=f.found,
            expected=f.expected,
            message=f.message,
        )
        for n, f in enumerate(evaluation.findings)
    ]


def _validate(form: Form) -> None:
    errors: dict[str, list[str]] = {}
    if not form.project.strip():
        errors["project"] = ["请填写项目名称。"]
    if form.year is None:
        errors["year"] = ["请填写年度（如 2024）。"]
    elif not 1990 <= form.year <= 2100:
        errors["year"] = [f"年度 {form.year} 不在 1990–2100 之间。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)


def _department_of(unit: Org) -> Org | None:
    return unit.department()


def _with_org_names(record: dict[str, Any], unit: Org, department: Org | None) -> dict[str, Any]:
    """Fill the header's 主管部门 and 实施单位 from the org tree where the form leaves them blank."""
    if not record.get("unit"):
        record["unit"] = unit.name
    if not record.get("department") and department is not None:
        record["department"] = department.name
    return record


def save_form(
    user: User,
    record: Mapping[str, Any],
    *,
    unit: Org | None = None,
    form: PerformanceForm | None = None,
    phase: str | None = None,
    profile_override: str | None = None,
    version: int | None = None,
    stage: str | None = None,
    evaluation: core_services.Evaluation | None = None,
) -> PerformanceForm:
    """Create (`form` None) or update a stored form: evaluate it, store record, columns and findings.

    An update with `version` is refused (Conflict) when the form was saved by someone else since.
    """
    if form is None and unit is None:
        raise ServiceError("请选择实施单位。", {"unit": ["请选择实施单位。"]})
    if form is not None:
        if not can_edit(user, form):
            raise PermissionDenied("此表当前状态下您不能修改。" if form.stage not in EDITABLE_STAGES else "您无权修改此表。")
        if unit is not None and unit.pk != form.unit_id and not writable_units(user).filter(pk=unit.pk).exists():
            raise PermissionDenied("您不能把此表移到该单位。")
    elif unit is not None and not writable_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied("您不能为该单位填报。")
    target_unit = unit or form.unit  # type: ignore[union-attr]
    department = _department_of(target_unit)
    parsed = parse_record(_with_org_names(dict(record), target_unit, department))
    _validate(parsed)
    override = (form.profile_override if form else "") if profile_override is None else profile_override
    if evaluation is None:
        evaluation = core_services.evaluate(parsed, profile_for(parsed.year, override))
    values = _columns(parsed, evaluation)
    values.update(
        record=to_record(parsed),
        unit=target_unit,
        department=department,
        profile_override=override,
        updated_by=user if user.is_authenticated else None,
    )
    if phase is not None:
        values["phase"] = phase
    if stage is not None:
        values["stage"] = stage
    with transaction.atomic():
        # Review (issue 5): the edit lock of submitted forms, the stale-version refusal and the history.
        from jixiao.web.review import services as review

        history = review.before_save(user, form, version, values["record"])
        if form is None:
            stored = PerformanceForm.objects.create(created_by=values["updated_by"], **values)
        else:
            stored = _update(form, values, version)
        FormFinding.objects.filter(form=stored).delete()
        FormFinding.objects.bulk_create(_findings(stored, evaluation))
        review.after_save(history, stored)
        form_saved.send(sender=PerformanceForm, form=stored)
    return stored


def _update(form: PerformanceForm, values: dict[str, Any], version: int | None) -> PerformanceForm:
    """Write the new values if the row still has the version the user loaded (one conditional UPDATE)."""
    from django.db.models import F
    from django.utils import timezone

    rows = PerformanceForm.objects.filter(pk=form.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if rows.update(version=F("version") + 1, updated_at=timezone.now(), **values) == 0:
        raise Conflict(PerformanceForm.objects.select_related("updated_by").get(pk=form.pk))
    form.refresh_from_db()
    return form


# ---------------------------------------------------------------- import: read, preview, confirm


@dataclass
class ImportDecision:
    """What to do with one previewed form: "import" (new), "replace" (an existing one) or "skip"."""

    index: int
    action: str


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def start_import(user: User, uploads: Sequence[tuple[str, bytes]]) -> ImportJob:
    """Keep the uploaded files and read them: in the background when large, else now.

    The job holds the preview; nothing is stored as a form until confirm_import.
    """
    if not uploads:
        raise ServiceError("请选择要导入的文件。", {"files": ["请选择要导入的文件。"]})
    if not user.is_authenticated or not writable_units(user).exists():
        raise PermissionDenied("您没有可填报的单位，不能导入。")
    job = ImportJob.objects.create(user=user, total=len(uploads))  # type: ignore[misc]
    folder = Path(settings.UPLOAD_DIR) / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, (name, data) in enumerate(uploads, 1):
        safe = Path(name).name or f"file{n}"
        path = folder / f"{n:03d}_{safe}"
        path.write_bytes(data)
        files.append({"name": safe, "path": str(path), "size": len(data)})
    job.files = files
    job.save(update_fields=["files"])
    size = sum(len(d) for _, d in uploads)
    from jixiao.web.tasks import read_import

    if size > settings.JIXIAO_BACKGROUND_IMPORT_BYTES:
        transaction.on_commit(lambda: read_import.enqueue(job.pk))
    else:
        run_import_preview(job.pk)
        job.refresh_from_db()
    return job


def run_import_preview(job_id: int) -> None:
    """Read a job's files, evaluate every form and store the preview (the task's body)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.READING):
        return
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.READING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=max(total, 1))

    try:
        batch = core_services.read_paths([f["path"] for f in job.files], progress=progress)
        evaluations = core_services.evaluate_batch(batch.forms) if batch.forms else []
        preview = _preview(job, batch, evaluations)
    except Exception as e:  # a bug must not leave the job "reading" forever
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, error=f"读取失败：{e}")
        raise
    names = {f["path"]: f["name"] for f in job.files}
    problems = [{"file": names.get(p.file, Path(p.file).name), "message": p.message} for p in batch.problems]
    ImportJob.objects.filter(pk=job_id).update(
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


def _preview(job: ImportJob, batch: core_services.Batch, evaluations: Sequence[core_services.Evaluation]) -> list[dict[str, Any]]:
    """One entry per form: its record, its evaluation in brief, where it would go and what is in the way."""
    units = list(writable_units(job.user))
    by_name: dict[str, list[Org]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    existing = _existing(units, evaluations)
    rows = []
    for ev in evaluations:
        form = ev.form
        error = ""
        candidates = by_name.get(form.unit.strip(), [])
        if len(candidates) == 1:
            unit: Org | None = candidates[0]
        else:
            unit = None
            error = (
                f"实施单位「{form.unit or '（空）'}」不是您可填报的单位，此表不能导入。"
                if not candidates
                else f"有多个名为「{form.unit}」的单位，请在系统中改名后再导入。"
            )
        if form.year is None:
            error = error or "表中没有年度，此表不能导入。"
        if not form.project.strip():
            error = error or "表中没有项目名称，此表不能导入。"
        # The n-th form of a batch with a name matches the n-th stored one: a batch may hold a name twice.
        stored = existing.get((unit.pk, form.year, form.project.strip()), []) if unit else []
        match = stored.pop(0) if stored else None
        counts = severity_counts(ev)
        rows.append(
            {
                "index": ev.index,
                "file": _display_name(job, form.source.file),
                "sheet": form.source.sheet,
                "position": form.source.index,
                "project": form.project,
                "year": form.year,
                "unit_name": form.unit,
                "unit_id": unit.pk if unit else None,
                "existing_id": match,
                "error": error,
                "record": to_record(form),
                "profile": ev.profile.name,
                "printed_total": form.total.score,
                "computed_total": _text(ev.scorecard.total),
                "grade": ev.scorecard.grade,
                "counts": counts,
                "findings": [f.as_dict() for f in ev.findings],
            }
        )
    return rows


def _existing(
    units: Iterable[Org], evaluations: Sequence[core_services.Evaluation]
) -> dict[tuple[int, int | None, str], list[int]]:
    """(unit id, year, project) → ids of the stored forms, oldest first, for a batch's forms (one query)."""
    projects = {ev.form.project.strip() for ev in evaluations}
    years = {ev.form.year for ev in evaluations if ev.form.year is not None}
    rows = PerformanceForm.objects.filter(unit__in=list(units), year__in=years, project__in=projects).order_by("pk")
    found: dict[tuple[int, int | None, str], list[int]] = {}
    for pk, u, y, p in rows.values_list("pk", "unit_id", "year", "project"):
        found.setdefault((u, y, p), []).append(pk)
    return found


def confirm_import(user: User, job: ImportJob, decisions: Mapping[int, str]) -> ImportResult:
    """Store the previewed forms as decided, all in one transaction: every form is stored, or none.

    A form that exists already needs "replace" or "skip"; forms that can't be imported are skipped.
    """
    if job.user_id != user.pk:  # type: ignore[union-attr]
        raise PermissionDenied()
    if job.status != ImportJob.Status.READY:
        raise ServiceError(f"此导入当前状态为「{job.get_status_display()}」，不能确认。")
    result = ImportResult()
    with transaction.atomic():
        # Claim the job with a conditional UPDATE so that a double click can't import twice.
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(status=ImportJob.Status.DONE) == 0:
            raise ServiceError("此导入已经处理过了。")
        units = writable_units(user).in_bulk([r["unit_id"] for r in job.preview if r["unit_id"]])
        forms = PerformanceForm.objects.in_bulk([r["existing_id"] for r in job.preview if r["existing_id"]])
        # The batch is evaluated again as a whole, so that batch findings (P05) are stored as previewed.
        batch = core_services.evaluate_batch([parse_record(r["record"]) for r in job.preview]) if job.preview else []
        evaluations = {row["index"]: ev for row, ev in zip(job.preview, batch, strict=True)}
        for row in job.preview:
            action = decisions.get(row["index"], "import" if not row["existing_id"] else "")
            if row["error"] or action == "skip":
                result.skipped.append(row["index"])
                continue
            if row["existing_id"] and action != "replace":
                raise ServiceError(f"第 {row['index']} 张表「{row['project']}」已存在，请选择替换或跳过。")
            unit = units.get(row["unit_id"])
            if unit is None:
                raise PermissionDenied(f"您不能为单位「{row['unit_name']}」导入。")
            existing = forms.get(row["existing_id"]) if row["existing_id"] else None
            stored = save_form(user, row["record"], unit=unit, form=existing, phase=None if existing else Phase.SELF,
                               evaluation=evaluations[row["index"]])
            (result.replaced if existing else result.created).append(stored.pk)
        job.status = ImportJob.Status.DONE
        job.result = {"created": result.created, "replaced": result.replaced, "skipped": result.skipped}
        job.save(update_fields=["status", "result"])
    shutil.rmtree(Path(settings.UPLOAD_DIR) / str(job.pk), ignore_errors=True)
    return result


def cancel_import(user: User, job_id: int) -> None:
    """Drop a previewed import and its uploaded files; nothing was stored."""
    if ImportJob.objects.filter(pk=job_id, user_id=user.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.CANCELLED
    ):
        shutil.rmtree(Path(settings.UPLOAD_DIR) / str(job_id), ignore_errors=True)


def check_upload(uploads: Sequence[tuple[str, bytes]], profile: str = "auto") -> dict[str, Any]:
    """What `jixiao check --format json` prints for uploaded files (nothing is stored)."""
    forms: list[Form] = []
    problems: list[core_services.ReadProblem] = []
    for name, data in uploads:
        batch = core_services.read_upload(data, name)
        forms.extend(batch.forms)
        problems.extend(batch.problems)
    evaluations = core_services.evaluate_batch(forms, profile) if forms else []
    return core_services.check_report(evaluations, problems)


# ---------------------------------------------------------------- export


def evaluate_stored(stored: PerformanceForm) -> core_services.Evaluation:
    form = parse_record(stored.record)
    return core_services.evaluate(form, profile_for(form.year, stored.profile_override))


def export_forms(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """The forms in the standard layout as one .xlsx, .docx or .pdf (jixiao.reports.write_forms)."""
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(EXPORT_FORMATS)}。")
    from jixiao import reports

    evaluations = [evaluate_stored(f) for f in forms]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"forms.{fmt}"
        reports.write_forms([e.form for e in evaluations], path, evaluations=evaluations)  # type: ignore[attr-defined]
        return path.read_bytes()


def export_filename(stored: PerformanceForm, fmt: str) -> str:
    safe = "".join(c for c in stored.project if c not in '\\/:*?"<>|').strip() or "form"
    return f"{stored.year}_{safe}_{stored.pk}.{fmt}"


def export_zip(forms: Sequence[PerformanceForm], fmt: str) -> bytes:
    """A zip with one file per form."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stored in forms:
            archive.writestr(export_filename(stored, fmt), export_forms([stored], fmt))
    return buffer.getvalue()


SUMMARY_COLUMNS = (
    ("编号", "pk"),
    ("年度", "year"),
    ("主管部门", "department__name"),
    ("实施单位", "unit__name"),
    ("项目名称", "project"),
    ("阶段", "phase"),
    ("状态", "stage"),
    ("评分规则", "profile"),
    ("全年预算数（万元）", "budget"),
    ("全年执行数（万元）", "executed"),
    ("执行率", "execution_rate"),
    ("资金得分", "fund_score"),
    ("填报总分", "printed_total"),
    ("计算总分", "computed_total"),
    ("等级", "grade"),
    ("错误", "error_count"),
    ("警告", "warning_count"),
    ("提示", "info_count"),
)


def export_summary(forms: QuerySet[PerformanceForm]) -> bytes:
    """The listed forms as a summary spreadsheet, one row per form (one query, streamed)."""
    from openpyxl import Workbook

    labels = {"phase": dict(Phase.choices), "stage": dict(Stage.choices)}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("绩效自评汇总")
    sheet.append([caption for caption, _ in SUMMARY_COLUMNS])
    for row in forms.values_list(*(key for _, key in SUMMARY_COLUMNS)).iterator(chunk_size=2000):
        values = []
        for (_, key), value in zip(SUMMARY_COLUMNS, row, strict=True):
            if key in labels:
                value = labels[key].get(value, value)
            values.append(float(value) if isinstance(value, Decimal) else value)
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- tokens


def create_token(user: AbstractBaseUser, name: str = "") -> str:
    """A new API token for a user; the raw token is returned once and only its digest is kept."""
    raw = "jx_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(raw), prefix=raw[:8])
    return raw
