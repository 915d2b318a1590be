"""Pages. Each view validates its input, calls jixiao.web.services and renders; nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from jixiao.web import presenters, services
from jixiao.web.models import ImportJob, Org, PerformanceForm, Phase, Stage
from jixiao.web.ops.params import query_ids, query_int

T = TypeVar("T")


def _error_page(request: HttpRequest, error: services.ServiceError) -> HttpResponse:
    return render(request, "jixiao/error.html", {"error": error}, status=error.status)


# ---------------------------------------------------------------- list


FILTERS = ("year", "department", "unit", "phase", "stage", "grade", "errors", "q")


def filter_forms(user: Any, params: Any) -> QuerySet[PerformanceForm]:
    """The visible forms narrowed by the list's filters (shared by the page, the summary and the API).

    Reads no parameter but FILTERS: counts are kept under filter_key (the user's scope and those values).
    """
    qs = services.visible_forms(user)
    if (year := query_int(params, "year")) is not None:
        qs = qs.filter(year=year)
    if (department := query_int(params, "department")) is not None:
        qs = qs.filter(department_id=department)
    if (unit := query_int(params, "unit")) is not None:
        qs = qs.filter(unit_id=unit)
    if (phase := params.get("phase", "")) in Phase.values:
        qs = qs.filter(phase=phase)
    if (stage := params.get("stage", "")) in Stage.values:
        qs = qs.filter(stage=stage)
    if grade := params.get("grade", ""):
        qs = qs.filter(grade=grade)
    if (errors := params.get("errors", "")) == "yes":
        qs = qs.filter(error_count__gt=0)
    elif errors == "no":
        qs = qs.filter(error_count=0)
    if q := params.get("q", "").strip()[:100]:
        # Chinese has no case: a plain LIKE is enough and much cheaper than upper() on every row.
        lookup = "icontains" if any(c.isascii() and c.isalpha() for c in q) else "contains"
        units = Org.objects.filter(**{f"name__{lookup}": q}).values("pk")
        qs = qs.filter(Q(**{f"project__{lookup}": q}) | Q(unit_id__in=units))
    return qs


def filter_key(user: Any, params: Any) -> tuple[Any, ...]:
    """What filter_forms' result depends on besides the stored data, to keep its count under."""
    return ("forms", services.scope_key(user), *(params.get(k, "") for k in FILTERS))


def _options(choices: Any, chosen: str) -> str:
    """<option>s of a filter, built in one pass (a finance bureau's unit list has hundreds)."""
    from html import escape

    from django.utils.safestring import mark_safe

    return mark_safe("".join(  # every value is escaped here
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>{escape(str(label))}</option>'
        for value, label in choices
    ))


class _IdsFirstPaginator(Paginator):
    """Pages whose rows are picked by id first: the page's ids come from the ordered, filtered forms
    alone (an index scan, no joins, no wide columns), and only those rows are read with their columns.

    Without this, page 150 joins and projects the 7,450 rows it skips (and the API casts their JSON).
    """

    def __init__(self, forms: QuerySet[Any], per_page: int, values: tuple[str, ...], annotations: dict[str, Any]) -> None:
        super().__init__(forms, per_page)
        self.values, self.annotations = values, annotations

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        forms = self.object_list
        rows = forms.model._default_manager.order_by(*forms.query.order_by or forms.model._meta.ordering)
        # The filters (and permissions) are the subquery's: the outer query reads these rows only.
        rows = rows.none() if top <= bottom else rows.filter(pk__in=forms.values("pk")[bottom:top])
        return self._get_page(rows.values(*self.values, **self.annotations), number, self)


def paginate(forms: QuerySet[Any], per_page: int, number: str | None, values: tuple[str, ...] = (),
             annotations: dict[str, Any] | None = None, version: int | None = None,
             key: tuple[Any, ...] | None = None) -> Any:
    """A page of `forms` as dicts of `values` and `annotations`, counted on `forms` alone: no join in the count.

    With a data version and a key that determines `forms` (filter_key), the count is kept: counting
    20,000 forms on every page costs more than the page.
    """
    paginator = _IdsFirstPaginator(forms, per_page, values, annotations or {})
    counted = forms.order_by()
    paginator.count = kept(version, ("count", key), counted.count)  # type: ignore[misc]  # a cached_property, set ahead
    return paginator.get_page(number)


# ---------------------------------------------------------------- kept between requests

_kept: dict[tuple[Any, ...], Any] = {}
_KEPT_MAX = 5000


def data_version() -> int | None:
    """The data version (jixiao.web.models.DataVersion), or None when nothing may be kept: inside a
    transaction (PostgreSQL changes it when the transaction's changes commit), or without its row."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM jixiao_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def kept(version: int | None, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute(), or what it returned under the same data version and key in this process."""
    if version is None or None in key:
        return compute()
    full = (version, *key)
    try:
        return _kept[full]  # type: ignore[no-any-return]
    except KeyError:
        pass
    value = compute()
    if len(_kept) >= _KEPT_MAX:
        _kept.clear()
    _kept[full] = value
    return value


def _org_and_year_options(user: Any, chosen: dict[str, str], version: int | None) -> dict[str, str]:
    """The year, department and unit filters' options (kept under the data version: orgs and years change
    only with it; the key holds the user's scope, so scopes are kept apart)."""
    orgs_query = services.visible_orgs(user).values_list("id", "name", "kind")

    def build() -> dict[str, str]:
        orgs = list(orgs_query)
        # Every year from the first to the last with forms (two index look-ups), visible or not: not a secret.
        span = PerformanceForm.objects.aggregate(first=Min("year"), last=Max("year"))
        years = list(range(span["last"], span["first"] - 1, -1)) if span["first"] else []
        return {
            "year": _options(((y, y) for y in years), chosen["year"]),
            "department": _options(((i, n) for i, n, k in orgs if k == Org.Kind.DEPARTMENT), chosen["department"]),
            "unit": _options(((i, n) for i, n, _ in orgs), chosen["unit"]),
        }

    key = ("options", services.scope_key(user), chosen["year"], chosen["department"], chosen["unit"])
    return kept(version, key, build)


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    version = data_version()
    forms = filter_forms(request.user, request.GET)
    page = paginate(forms, settings.JIXIAO_PAGE_SIZE, request.GET.get("page"), values=presenters.LIST_VALUES,
                    version=version, key=filter_key(request.user, request.GET))
    chosen = {k: request.GET.get(k, "") for k in FILTERS}
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "jixiao/form_list.html", {
        "page": page,
        "rows": presenters.list_rows(page.object_list),
        "chosen": chosen,
        "query": query,
        "options": {
            **_org_and_year_options(request.user, chosen, version),
            "phase": _options(Phase.choices, chosen["phase"]),
            "stage": _options(Stage.choices, chosen["stage"]),
            "grade": _options(((g, g) for g in ("优", "良", "中", "差")), chosen["grade"]),
            "errors": _options((("yes", "有错误"), ("no", "无错误")), chosen["errors"]),
        },
        "can_create": services.can_fill(request.user),
    })


@login_required
def export_summary(request: HttpRequest) -> HttpResponse:
    forms = filter_forms(request.user, request.GET).select_related(None).order_by("-year", "department_id", "unit_id", "project")
    return _download(services.export_summary(forms), "绩效自评汇总.xlsx")


@login_required
@require_POST
def export_selection(request: HttpRequest) -> HttpResponse:
    ids = query_ids(request.POST.getlist("ids"), "ids", settings.JIXIAO_EXPORT_MAX_FORMS)
    fmt = request.POST.get("format", "pdf")
    forms = list(services.visible_forms(request.user).filter(pk__in=ids))
    if not forms:
        messages.error(request, "请先勾选要导出的表。")
        return redirect("form-list")
    try:
        return _download(services.export_zip(forms, fmt), "绩效自评表.zip")
    except services.ServiceError as e:
        return _error_page(request, e)


def _download(data: bytes, filename: str) -> HttpResponse:
    content_types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
        "zip": "application/zip",
    }
    response = HttpResponse(data, content_type=content_types.get(filename.rsplit(".", 1)[-1], "application/octet-stream"))
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ---------------------------------------------------------------- detail


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        form = services.get_visible(request.user, pk)
    except services.ServiceError as e:
        return _error_page(request, e)
    findings = list(form.findings.values("code", "severity", "location", "found", "expected", "message"))
    layout = presenters.paper_layout(form.record, form.scorecard, findings)
    return render(request, "jixiao/form_detail.html", {
        "form": form,
        "record": form.record,
        "layout": layout,
        "findings": presenters.index_findings(findings),
        "finding_list": [dict(f, number=n) for n, f in enumerate(findings, 1)],
        "can_edit": services.can_edit(request.user, form),
        "formats": services.EXPORT_FORMATS,
    })


@login_required
def form_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    try:
        form = services.get_visible(request.user, pk)
        return _download(services.export_forms([form], fmt), services.export_filename(form, fmt))
    except services.ServiceError as e:
        return _error_page(request, e)


# ---------------------------------------------------------------- create and edit


def _profiles(unit: Org | None = None) -> list[tuple[str, str]]:
    from jixiao.web.ops import profiles

    return profiles.choices(unit)


def _profile_defaults(year: int | None, override: str = "", unit: Org | None = None) -> tuple[list[tuple[str, str]], str]:
    """The level-1 categories with their points, and the fund weight, of the profile a new form gets
    (the year's for its unit: uploaded profiles included)."""
    try:
        chosen = services.profile_for(year, override, unit)
        profile = chosen.for_year(year) if isinstance(chosen, services.ProfileSet) else chosen
        points = [(n, f"{p.normalize():f}") for n, p in profile.category_points]
        return points, f"{profile.fund_weight.normalize():f}"
    except (NotImplementedError, ValueError):
        return [("产出指标", "50"), ("效益指标", "30"), ("满意度指标", "10")], "10"


@login_required
def form_create(request: HttpRequest) -> HttpResponse:
    units = list(services.writable_units(request.user))
    if not units:
        return _error_page(request, services.PermissionDenied("您没有可填报的单位。"))
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
        form = services.get_visible(request.user, pk)
    except services.ServiceError as e:
        return _error_page(request, e)
    if not services.can_edit(request.user, form):
        return _error_page(request, services.PermissionDenied("此表当前状态下您不能修改。"))
    units = list(services.writable_units(request.user))
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
            saved = services.save_form(request.user, parsed.record, unit=unit, form=form, phase=phase,
                                       profile_override=profile, version=version)
        except services.Conflict as e:
            errors, status = e.errors, 409
        except services.ServiceError as e:
            errors, status = e.errors, e.status
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
    }, status=status)


@login_required
@require_POST
def form_evaluate(request: HttpRequest) -> JsonResponse:
    """The editor's live evaluation: the posted fields scored and checked, nothing stored."""
    parsed = presenters.record_from_post(request.POST)
    try:
        result = services.evaluate_record(parsed.record, request.POST.get("profile_override", ""), request.user)
    except services.ServiceError as e:
        return JsonResponse({"errors": e.errors}, status=400)
    return JsonResponse({**result, "indicator_rows": parsed.indicator_rows, "errors": parsed.errors})


# ---------------------------------------------------------------- import


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        uploads = request.FILES.getlist("files")  # on disk already (TemporaryFileUploadHandler): copied in chunks
        try:
            job = services.start_import(request.user, uploads)
        except services.ServiceError as e:
            return render(request, "jixiao/import_upload.html", {"errors": e.errors}, status=e.status)
        return redirect("import-job", pk=job.pk)
    jobs = ImportJob.objects.filter(user=request.user).order_by("-created")[:10]
    return render(request, "jixiao/import_upload.html", {"errors": {}, "jobs": jobs})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    from jixiao.web.ops import jobs

    if request.method == "POST":
        if request.POST.get("retry"):
            if not jobs.retry(job):
                messages.error(request, "此导入不能重试（上传的文件已被清理，或它并未失败）：请重新上传。")
            return redirect("import-job", pk=job.pk)
        try:
            result = services.confirm_import(request.user, job, import_decisions(request.POST, job))
        except services.ServiceError as e:
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
    importable = sum(1 for r in job.preview if not r["error"])
    return render(request, "jixiao/import_job.html", {
        "job": job, "importable": importable, "can_retry": jobs.can_retry(job),
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
        raise services.ServiceError("参数 existing 应为 skip 或 replace。", {"existing": ["取值无效"]})
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
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.done,
                         "total": job.total, "progress": job.progress, "error": job.error})


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    if services.cancel_import(request.user, pk):
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
    path("forms/<int:pk>/", form_detail, name="form-detail"),
    path("forms/<int:pk>/edit/", form_edit, name="form-edit"),
    path("forms/<int:pk>/export.<str:fmt>", form_export, name="form-export"),
    path("import/", import_upload, name="import-upload"),
    path("import/<int:pk>/", import_job, name="import-job"),
    path("import/<int:pk>/status/", import_status, name="import-status"),
    path("import/<int:pk>/cancel/", import_cancel, name="import-cancel"),
]
