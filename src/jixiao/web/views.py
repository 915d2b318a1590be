"""The clerk's pages: the list, a form, the editor, import and export. Each view validates its input,
calls jixiao.web.forms and renders; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from jixiao.core.model import from_record
from jixiao.web import pages, presenters
from jixiao.web.batch.models import ExportJob
from jixiao.web.forms import access, evaluation, exports, filters, imports, kept, store
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.models import EDITABLE_STAGES, ImportJob, Org, PerformanceForm, Phase, Stage
from jixiao.web.ops.params import query_ids, query_int
from jixiao.web.review import workflow

T = TypeVar("T")


_error_page = pages.error_page


# ---------------------------------------------------------------- list


def _org_and_year_options(user: Any, chosen: dict[str, str], version: int | None) -> dict[str, str]:
    """The year, department and unit filters' options (kept under the data version: orgs and years change
    only with it; the key holds the user's scope, so scopes are kept apart)."""
    orgs_query = access.visible_orgs(user).values_list("id", "name", "kind")

    def build() -> dict[str, str]:
        orgs = list(orgs_query)
        # Every year from the first to the last with forms (two index look-ups), visible or not: not a secret.
        span = PerformanceForm.objects.aggregate(first=Min("year"), last=Max("year"))
        years = list(range(span["last"], span["first"] - 1, -1)) if span["first"] else []
        return {
            "year": pages.options(((y, y) for y in years), chosen["year"]),
            "department": pages.options(((i, n) for i, n, k in orgs if k == Org.Kind.DEPARTMENT), chosen["department"]),
            "unit": pages.options(((i, n) for i, n, _ in orgs), chosen["unit"]),
        }

    key = ("options", access.scope_key(user), chosen["year"], chosen["department"], chosen["unit"])
    return kept.kept(version, key, build)


@login_required
@pages.refusals
def form_list(request: HttpRequest) -> HttpResponse:
    version = kept.data_version()
    forms = filters.filter_forms(request.user, request.GET)
    page = pages.paginate(forms, settings.JIXIAO_PAGE_SIZE, request.GET.get("page"), values=presenters.LIST_VALUES,
                    version=version, key=filters.filter_key(request.user, request.GET))
    chosen = {k: request.GET.get(k, "") for k in filters.FILTERS}
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "jixiao/form_list.html", {
        "page": page,
        "rows": presenters.list_rows(page.object_list),
        "chosen": chosen,
        "query": query,
        "options": {
            **_org_and_year_options(request.user, chosen, version),
            "phase": pages.options(Phase.choices, chosen["phase"]),
            "stage": pages.options(Stage.choices, chosen["stage"]),
            "grade": pages.options(((g, g) for g in ("优", "良", "中", "差")), chosen["grade"]),
            "errors": pages.options((("yes", "有错误"), ("no", "无错误")), chosen["errors"]),
        },
        "can_create": access.can_fill(request.user),
    })


@login_required
@pages.refusals
def export_summary(request: HttpRequest) -> HttpResponse:
    forms = filters.filter_forms(request.user, request.GET).select_related(None).order_by("-year", "department_id", "unit_id", "project")
    return pages.download(exports.export_summary(forms), "绩效自评汇总.xlsx")


@login_required
@pages.allow("POST")
def export_selection(request: HttpRequest) -> HttpResponse:
    ids = query_ids(request.POST.getlist("ids"), "ids", settings.JIXIAO_EXPORT_MAX_FORMS)
    fmt = request.POST.get("format", "pdf")
    forms = list(access.visible_forms(request.user).filter(pk__in=ids))
    if not forms:
        messages.error(request, "请先勾选要导出的表。")
        return redirect("form-list")
    try:
        job = exports.start_export(request.user, forms, fmt)
    except ServiceError as e:
        return _error_page(request, e)
    return redirect("export-job", pk=job.pk)


EXPORT_NAME = "绩效自评表.zip"


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    from jixiao.web.ops import jobs

    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    jobs.mark_stale_exports(job)
    return render(request, "jixiao/export_job.html", {
        "job": job, "name": EXPORT_NAME, "keep_hours": settings.JIXIAO_EXPORT_KEEP_HOURS})


@login_required
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    from jixiao.web.ops import jobs

    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    jobs.mark_stale_exports(job)  # a writer that died shows as failed, with the reason
    done = job.status == ExportJob.Status.DONE
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.done,
                         "total": job.total, "progress": job.progress, "error": job.error,
                         "download": reverse("export-download", args=[job.pk]) if done else ""})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    path = Path(job.file) if job.status == ExportJob.Status.DONE and job.file else None
    if path is None or not path.is_file():
        return _error_page(request, ServiceError(
            f"此导出的文件已不在（完成后保留 {settings.JIXIAO_EXPORT_KEEP_HOURS} 小时）或尚未完成：请回到列表重新导出。",
            status=404))
    return FileResponse(path.open("rb"), as_attachment=True, filename=EXPORT_NAME, content_type="application/zip")


# ---------------------------------------------------------------- detail


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        form = access.get_visible(request.user, pk, findings=True)
    except ServiceError as e:
        return _error_page(request, e)
    findings = evaluation.findings_of(form)
    back = workflow.returned(form)
    return render(request, "jixiao/form_detail.html", {
        "form": form,
        "record": form.record,
        "paper": presenters.stored_paper(form, findings, back["cells"] if back else []),
        "finding_list": [dict(f, number=n) for n, f in enumerate(findings, 1)],
        "returned": back,
        "actions": workflow.allowed_actions(request.user, form),
        "can_delete": workflow.can_delete(request.user, form),
        "warnings": form.warning_count,
        "can_edit": access.can_edit(request.user, form),
        "formats": exports.EXPORT_FORMATS,
    })


@login_required
def form_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    try:
        form = access.get_visible(request.user, pk)
        return pages.download(exports.export_forms([form], fmt), exports.export_filename(form, fmt))
    except ServiceError as e:
        return _error_page(request, e)


# ---------------------------------------------------------------- create and edit


def _profiles(unit: Org | None = None) -> list[tuple[str, str]]:
    from jixiao.web.ops import profiles

    return profiles.choices(unit)


def _profile_defaults(year: int | None, override: str = "", unit: Org | None = None) -> tuple[list[tuple[str, str]], str]:
    """The level-1 categories with their points, and the fund weight, of the profile a new form gets
    (the year's for its unit: uploaded profiles included)."""
    try:
        from jixiao.core.profile_set import ProfileSet

        chosen = evaluation.profile_for(year, override, unit)
        profile = chosen.for_year(year) if isinstance(chosen, ProfileSet) else chosen
        points = [(n, f"{p.normalize():f}") for n, p in profile.category_points]
        return points, f"{profile.fund_weight.normalize():f}"
    except (NotImplementedError, ValueError):
        return [("产出指标", "50"), ("效益指标", "30"), ("满意度指标", "10")], "10"


@login_required
def form_create(request: HttpRequest) -> HttpResponse:
    units = list(access.writable_units(request.user))
    if not units:
        return _error_page(request, PermissionDenied("您没有可填报的单位。"))
    if request.method == "POST":
        return _save(request, None, units)
    from django.utils import timezone

    year = timezone.now().year - 1
    unit = units[0]
    department = unit.department()
    points, fund_weight = _profile_defaults(year, unit=unit)
    record = presenters.blank_record(year, unit.name, department.name if department else "", points, fund_weight)
    return _render_editor(request, None, record, units, unit.pk, Phase.TARGET, "", {})


@login_required
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        form = access.get_visible(request.user, pk)
    except ServiceError as e:
        return _error_page(request, e)
    if not access.can_edit(request.user, form):
        why = store.locked_reason(form.stage) if form.stage not in EDITABLE_STAGES else "您无权修改此表。"
        return _error_page(request, PermissionDenied(why))
    units = list(access.writable_units(request.user))
    if request.method == "POST":
        return _save(request, form, units)
    return _render_editor(request, form, form.record, units, form.unit_id, form.phase, form.profile_override, {})


def _save(request: HttpRequest, form: PerformanceForm | None, units: list[Org]) -> HttpResponse:
    data = request.POST
    parsed = presenters.record_from_post(data)
    errors = dict(parsed.errors)
    unit = next((u for u in units if str(u.pk) == data.get("unit_id")), None)
    if unit is None:
        errors["unit_id"] = ["请选择实施单位。"]
    phase = data.get("phase") if data.get("phase") in Phase.values else Phase.TARGET
    profile = data.get("profile_override", "")
    version = query_int(data, "version")
    if form is not None and version is None:
        errors[""] = ["缺少此表的版本号（version），不能确认您看到的是最新内容：请刷新后重新修改。"]
    status = 400
    if not errors:
        try:
            saved = store.save_form(request.user, parsed.record, unit=unit, form=form, phase=phase,
                                       profile_override=profile, version=version)
        except store.Conflict as e:
            errors, status = e.errors, 409
        except ServiceError as e:
            errors, status = parsed.field_errors(e.errors), e.status
        else:
            messages.success(request, f"已保存「{saved.project}」。")
            return redirect("form-detail", pk=saved.pk)
    return _render_editor(request, form, parsed.record, units, unit.pk if unit else None, phase, profile, errors,
                          status=status)


def _render_editor(request: HttpRequest, form: PerformanceForm | None, record: dict[str, Any], units: list[Org],
                   unit_id: int | None, phase: str, profile: str, errors: dict[str, list[str]],
                   status: int = 200) -> HttpResponse:
    return render(request, "jixiao/form_edit.html", {
        "form": form,
        "record": record,
        "units": units,
        "unit_id": unit_id,
        "phase": phase,
        "phases": Phase.choices,
        "profile": profile,
        "profiles": _profiles(next((u for u in units if u.pk == unit_id), None)),
        "errors": errors,
        "rows": presenters.editor_rows(record, errors),
        "version": form.version if form else "",
        "returned": workflow.returned(form) if form else None,
    }, status=status)


@login_required
@pages.allow("POST")
def form_evaluate(request: HttpRequest) -> JsonResponse:
    """The editor's live evaluation: the posted fields scored and checked, nothing stored."""
    parsed = presenters.record_from_post(request.POST)
    try:
        result = evaluation.evaluate_record(parsed.record, request.POST.get("profile_override", ""), request.user)
    except ServiceError as e:
        return JsonResponse({"errors": e.errors}, status=400)
    words = presenters.fund_words(from_record(parsed.record), result["scorecard"])  # the fund formulas as read
    return JsonResponse({**result, "words": words, "indicator_rows": parsed.indicator_rows, "errors": parsed.errors})


# ---------------------------------------------------------------- import


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        uploads = request.FILES.getlist("files")  # on disk already (TemporaryFileUploadHandler): copied in chunks
        try:
            job = imports.start_import(request.user, uploads)
        except ServiceError as e:
            return render(request, "jixiao/import_upload.html", {"errors": e.errors}, status=e.status)
        return redirect("import-job", pk=job.pk)
    from jixiao.web.ops.jobs import expire_previews

    expire_previews()  # the list says 已过期 even where no worker sweeps
    jobs = ImportJob.objects.filter(user=request.user).order_by("-created")[:10]
    return render(request, "jixiao/import_upload.html", {"errors": {}, "jobs": jobs})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    from jixiao.web.ops import jobs

    if request.method == "POST":
        if request.POST.get("retry"):
            if not jobs.retry(job, imports.read_import):
                messages.error(request, "此导入不能重试（上传的文件已被清理，或它并未失败）：请重新上传。")
            return redirect("import-job", pk=job.pk)
        try:
            result = imports.confirm_import(request.user, job, import_decisions(request.POST, job))
        except ServiceError as e:
            messages.error(request, f"导入未完成，没有保存任何表：{e.message}")
            return redirect("import-job", pk=job.pk)
        messages.success(
            request,
            f"已导入：新建 {len(result.created)} 张，替换 {len(result.replaced)} 张，跳过 {len(result.skipped)} 张。",
        )
        if result.conflicts:
            names = "、".join(f"第 {r['index']} 张「{r['project']}」" for r in job.preview if r["index"] in result.conflicts)
            messages.warning(request, f"未替换 {len(result.conflicts)} 张：{names} 在预览之后又被修改过，"
                                      "替换会丢失那次修改。请查看后重新导入这些表。")
        return redirect(reverse("form-list"))
    jobs.mark_stale(job)
    jobs.expire_previews(job)
    importable = sum(1 for r in job.preview if imports.importable(r))
    return render(request, "jixiao/import_job.html", {
        "job": job, "importable": importable, "can_retry": jobs.can_retry(job),
        "preview_hours": settings.JIXIAO_PREVIEW_HOURS,
        "named_choices": len(job.preview) <= IMPORT_NAMED_CHOICES})


# Up to this many previewed forms, each has its own named choice; above, the page posts them as one
# field (import.js) or applies the choice made for all, so that a preview of any size can be confirmed
# within Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
IMPORT_NAMED_CHOICES = 400


def import_decisions(data: Any, job: ImportJob) -> dict[int, str]:
    """What to do with each previewed form: `existing` (skip or replace) for all the forms that exist,
    then the choices posted in one field (`decisions`: "3:replace,7:skip") or one per form (`action-N`)."""
    default = data.get("existing", "skip")
    if default not in ("skip", "replace"):
        raise ServiceError("参数 existing 应为 skip 或 replace。", {"existing": ["取值无效"]})
    decisions = {r["index"]: default for r in job.preview if r["existing_id"]}
    for key, value in data.items():
        if key.startswith("action-"):
            decisions[query_int({key: key.removeprefix("action-")}, key) or 0] = value
    for part in data.get("decisions", "").split(","):
        index, _, action = part.strip().partition(":")
        if index:
            decisions[query_int({"decisions": index}, "decisions") or 0] = action
    return decisions


@login_required
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    from jixiao.web.ops import jobs

    jobs.mark_stale(job)  # a reader that died shows as failed, with the reason
    so_far = (job.result or {}).get("reading", {})  # forms found, errors among them, files unreadable
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.done,
                         "total": job.total, "progress": job.progress, "error": job.error,
                         "forms": so_far.get("forms", 0), "errors": so_far.get("errors", 0),
                         "problems": so_far.get("problems", 0)})


@login_required
@pages.allow("POST")
def import_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    if imports.cancel_import(request.user, pk):
        messages.info(request, "已取消此次导入，没有保存任何表。")
    else:
        messages.error(request, "此导入已完成或已取消，不能再取消。")
    return redirect("import-upload")


class LoginView(auth_views.LoginView):
    template_name = "jixiao/login.html"
    redirect_authenticated_user = True


urlpatterns = [
    path("", form_list, name="form-list"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("forms/new/", form_create, name="form-create"),
    path("forms/evaluate/", form_evaluate, name="form-evaluate"),
    path("forms/summary.xlsx", export_summary, name="export-summary"),
    path("forms/export.zip", export_selection, name="export-selection"),
    path("forms/exports/<int:pk>/", export_job, name="export-job"),
    path("forms/exports/<int:pk>/status/", export_status, name="export-status"),
    path("forms/exports/<int:pk>/download/", export_download, name="export-download"),
    path("forms/<int:pk>/", form_detail, name="form-detail"),
    path("forms/<int:pk>/edit/", form_edit, name="form-edit"),
    path("forms/<int:pk>/export.<str:fmt>", form_export, name="form-export"),
    path("import/", import_upload, name="import-upload"),
    path("import/<int:pk>/", import_job, name="import-job"),
    path("import/<int:pk>/status/", import_status, name="import-status"),
    path("import/<int:pk>/cancel/", import_cancel, name="import-cancel"),
]
