"""The JSON API under /api/: forms in the interchange record (jixiao.form/1) with id, phase, stage and
computed scorecard; check; export. Session or `Authorization: Bearer <token>`; permissions as the pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse

from jixiao.web import pages
from jixiao.web.batch import checks
from jixiao.web.batch.models import CheckJob
from jixiao.web.forms import access, evaluation, exports, imports, store
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.forms.filters import filter_forms, filter_key
from jixiao.web.forms.kept import data_version
from jixiao.web.models import Org, PerformanceForm, Phase
from jixiao.web.openapi import SCHEMA
from jixiao.web.ops.params import Body, json_object, query_int
from jixiao.web.pages import download, paginate

View = Callable[..., HttpResponse]
MAX_PAGE_SIZE = 200


def _error(message: str, status: int, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "errors": errors or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def api_view(view: View) -> View:
    """JSON errors instead of pages: 401 without a user, the service's status for its refusals."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _error("请先登录，或在请求头中提供 Authorization: Bearer <令牌>。", 401)
        try:
            return view(request, *args, **kwargs)
        except ServiceError as e:
            return _error(e.message, e.status, e.errors)

    return wrapper


def json_response(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def json_body(request: HttpRequest) -> Body:
    """The request's JSON object, with typed getters that refuse the wrong types (jixiao.web.ops.params)."""
    return json_object(request.body)


def _org(org: Org | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name}


def form_json(form: PerformanceForm, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A stored form in the API: its record plus where it stands and what was computed."""
    data = {
        "id": form.pk,
        "unit": _org(form.unit),
        "department": _org(form.department),
        "year": form.year,
        "project": form.project,
        "phase": form.phase,
        "stage": form.stage,
        "profile": form.profile,
        "profile_override": form.profile_override,
        "version": form.version,
        "updated_at": form.updated_at.isoformat(),
        "counts": {"error": form.error_count, "warning": form.warning_count, "info": form.info_count},
        "form": form.record,
        "scorecard": form.scorecard,
    }
    if findings is not None:
        data["findings"] = findings
    return data


@api_view
@pages.allow("GET", "POST")
def forms(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _create(request)
    qs = filter_forms(request.user, request.GET)
    size = min(query_int(request.GET, "page_size", 50, minimum=1) or 50, MAX_PAGE_SIZE)
    page = paginate(qs, max(size, 1), request.GET.get("page"), values=LIST_VALUES,
                    annotations={"record_json": Cast("record", TextField()), "scorecard_json": Cast("scorecard", TextField())},
                    version=data_version(), key=filter_key(request.user, request.GET))
    head = json.dumps({"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages},
                      ensure_ascii=False)
    results = ",".join(_list_item(row) for row in page.object_list)
    return HttpResponse(f'{head[:-1]}, "results": [{results}]}}', content_type="application/json")


LIST_VALUES = (
    "id", "unit_id", "unit__name", "department_id", "department__name", "year", "project", "phase", "stage",
    "profile", "profile_override", "version", "updated_at", "error_count", "warning_count", "info_count",
)


def _list_item(row: dict[str, Any]) -> str:
    """A form of the list as JSON, the same shape as form_json; the stored JSON of record and scorecard
    is passed through as the database returns it, not decoded and encoded again (50 records a page)."""
    meta = {
        "id": row["id"],
        "unit": {"id": row["unit_id"], "name": row["unit__name"]},
        "department": None if row["department_id"] is None else {"id": row["department_id"],
                                                                   "name": row["department__name"]},
        "year": row["year"], "project": row["project"], "phase": row["phase"], "stage": row["stage"],
        "profile": row["profile"], "profile_override": row["profile_override"], "version": row["version"],
        "updated_at": row["updated_at"].isoformat(),
        "counts": {"error": row["error_count"], "warning": row["warning_count"], "info": row["info_count"]},
    }
    text = json.dumps(meta, ensure_ascii=False)
    return f'{text[:-1]}, "form": {row["record_json"]}, "scorecard": {row["scorecard_json"]}}}'


def _unit(user: Any, unit_id: int | None) -> Org:
    unit = access.writable_units(user).filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise PermissionDenied("您不能为该单位填报（unit 应为您可填报的单位的 id）。")
    return unit


def _phase(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in Phase.values:
        raise ServiceError(f"phase 应为 {' 或 '.join(Phase.values)}。", {"phase": ["取值无效"]})
    return str(value)


def _create(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    unit = _unit(request.user, data.integer("unit"))
    saved = store.save_form(request.user, data.object("form") or {}, unit=unit,
                            phase=_phase(data.opt_str("phase")) or Phase.TARGET,
                            profile_override=data.text("profile_override", max_length=100))
    return json_response(form_json(_reload(request, saved.pk), _findings(saved)), status=201)


def _findings(form: PerformanceForm) -> list[dict[str, Any]]:
    return evaluation.stored_findings(form.pk)


def _reload(request: HttpRequest, pk: int) -> PerformanceForm:
    return access.get_visible(request.user, pk)


@api_view
@pages.allow("GET", "PUT", "PATCH")
def form_item(request: HttpRequest, pk: int) -> HttpResponse:
    reading = request.method == "GET"
    form = access.get_visible(request.user, pk, findings=reading)  # a read: the form and its findings in one query
    if reading:
        return json_response(form_json(form, evaluation.findings_of(form)))
    data = json_body(request)
    record = data.object("form")
    if record is None and request.method == "PATCH":
        record = form.record
    if record is None:
        raise ServiceError("PUT 需要完整的 form（jixiao.form/1 记录）。", {"form": ["缺少"]})
    # Every save names the version it was based on: without one a newer save would be overwritten.
    version = data.integer("version", minimum=1)
    if version is None:
        raise ServiceError("请提供读取此表时的 version（版本号），以免覆盖他人在此之后的修改。",
                           {"version": ["缺少"]}, status=428)
    unit = _unit(request.user, data.integer("unit")) if "unit" in data else None
    saved = store.save_form(request.user, record, form=form, unit=unit, phase=_phase(data.opt_str("phase")),
                            profile_override=data.opt_str("profile_override", max_length=100), version=version)
    # The saved form as save_form read it back (with its unit and department) and its library findings counted:
    # what reading it again would give.
    return json_response(form_json(saved, _findings(saved)))


@api_view
def form_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    return download(exports.export_forms([form], fmt), exports.export_filename(form, fmt))


@api_view
def summary(request: HttpRequest) -> HttpResponse:
    qs = filter_forms(request.user, request.GET).order_by("-year", "department_id", "unit_id", "project")
    return download(exports.export_summary(qs), "绩效自评汇总.xlsx")


@api_view
@pages.allow("POST")
def export(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    ids = data.ids("ids", settings.JIXIAO_EXPORT_MAX_FORMS)
    fmt = data.text("format", "pdf", max_length=10)
    chosen = list(access.visible_forms(request.user).filter(pk__in=ids))
    if not chosen:
        raise ServiceError("ids 中没有您可查看的表。", {"ids": ["为空"]})
    return download(exports.export_zip(chosen, fmt), "绩效自评表.zip")


@api_view
@pages.allow("POST")
def check(request: HttpRequest) -> HttpResponse:
    """Exactly what `jixiao check --format json` prints for the uploaded files; nothing is stored."""
    files = request.FILES.getlist("file") + request.FILES.getlist("files")
    if not files:
        raise ServiceError("请以 multipart/form-data 上传文件（字段名 file）。", {"file": ["缺少"]})
    profile = request.POST.get("profile", "auto") or "auto"
    from jixiao.web.ops import profiles

    profiles.choose(profile)  # an unknown name is refused before anything is read
    size = sum(f.size or 0 for f in files)
    if size > settings.JIXIAO_CHECK_MAX_BYTES:
        # A large file takes seconds to minutes: not in a request thread, but as a background task.
        job = checks.start_check(request.user, files, profile)
        url = reverse("api-check-job", args=[job.pk])
        response = json_response({**checks.status_of(job), "url": url}, status=202)
        response["Location"] = url
        return response
    uploads = [(f.name, f.read()) for f in files]  # bounded by the limit above
    return json_response(imports.check_upload(uploads, profile, request.user))


@api_view
@pages.allow("GET")
def check_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A queued check: 202 with its state while it waits or runs, then what the synchronous check returns.
    Only the user who sent it (the token's owner) sees it; anyone else gets 404."""
    job = CheckJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        return _error("没有这个检查任务，或它不是您提交的。", 404)
    if job.status == CheckJob.Status.DONE:
        return json_response(job.result)
    state = checks.status_of(job)
    return json_response(state, status=200 if state["status"] == CheckJob.Status.FAILED else 202)


@api_view
@pages.allow("POST")
def evaluate(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    return json_response(evaluation.evaluate_record(data.object("form") or {}, data.text("profile", max_length=100),
                                                    request.user))


@api_view
def units(request: HttpRequest) -> HttpResponse:
    writable = set(access.writable_units(request.user).values_list("pk", flat=True))
    return json_response([
        {"id": o.pk, "name": o.name, "kind": o.kind, "parent": o.parent_id, "writable": o.pk in writable}
        for o in access.visible_orgs(request.user)
    ])


def openapi(request: HttpRequest) -> HttpResponse:
    return json_response(SCHEMA)


urlpatterns = [
    path("openapi.json", openapi, name="api-openapi"),
    path("forms", forms, name="api-forms"),
    path("forms/summary.xlsx", summary, name="api-summary"),
    path("forms/<int:pk>", form_item, name="api-form"),
    path("forms/<int:pk>/export.<str:fmt>", form_export, name="api-form-export"),
    path("export", export, name="api-export"),
    path("check", check, name="api-check"),
    path("check/<int:pk>", check_job, name="api-check-job"),
    path("evaluate", evaluate, name="api-evaluate"),
    path("units", units, name="api-units"),
]
