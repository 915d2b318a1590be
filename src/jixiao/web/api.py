"""The JSON API under /api/: forms in the interchange record (jixiao.form/1) with id, phase, stage and
computed scorecard; check; export. Session or `Authorization: Bearer <token>`; permissions as the pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from jixiao.web import pages
from jixiao.web.forms import access, evaluation, exports, imports, store
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.forms.filters import filter_forms, filter_key
from jixiao.web.forms.kept import data_version
from jixiao.web.models import Org, PerformanceForm, Phase
from jixiao.web.openapi import SCHEMA
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


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except json.JSONDecodeError as e:
        raise ServiceError(f"请求内容不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列附近有误），请检查后重试。") from e
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise ServiceError("请求内容不是有效的 JSON（应为 UTF-8 编码的 JSON 对象），请检查后重试。") from e
    if not isinstance(data, dict):
        raise ServiceError("请求内容应为 JSON 对象。")
    return data


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
    size = min(int(request.GET["page_size"]), MAX_PAGE_SIZE) if request.GET.get("page_size", "").isdigit() else 50
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


def _unit(user: Any, unit_id: Any) -> Org:
    unit = access.writable_units(user).filter(pk=unit_id).first() if str(unit_id).isdigit() else None
    if unit is None:
        raise PermissionDenied("您不能为该单位填报（unit 应为您可填报的单位的 id）。")
    return unit


def _phase(value: Any) -> str | None:
    if value is None:
        return None
    if value not in Phase.values:
        raise ServiceError(f"phase 应为 {' 或 '.join(Phase.values)}。", {"phase": ["取值无效"]})
    return str(value)


def _create(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    unit = _unit(request.user, data.get("unit"))
    saved = store.save_form(request.user, data.get("form") or {}, unit=unit,
                               phase=_phase(data.get("phase")) or Phase.TARGET,
                               profile_override=str(data.get("profile_override", "")))
    return json_response(form_json(_reload(request, saved.pk), _findings(saved)), status=201)


def _findings(form: PerformanceForm) -> list[dict[str, Any]]:
    return list(form.findings.values("code", "severity", "location", "found", "expected", "message"))


def _reload(request: HttpRequest, pk: int) -> PerformanceForm:
    return access.get_visible(request.user, pk)


@api_view
@pages.allow("GET", "PUT", "PATCH")
def form_item(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    if request.method == "GET":
        return json_response(form_json(form, _findings(form)))
    data = json_body(request)
    record = data.get("form", form.record if request.method == "PATCH" else None)
    if record is None:
        raise ServiceError("PUT 需要完整的 form（jixiao.form/1 记录）。", {"form": ["缺少"]})
    version = data.get("version")
    if request.method == "PUT" and not isinstance(version, int):
        raise ServiceError("请提供读取时的 version，以免覆盖他人的修改。", {"version": ["缺少"]})
    unit = _unit(request.user, data["unit"]) if "unit" in data else None
    saved = store.save_form(request.user, record, form=form, unit=unit, phase=_phase(data.get("phase")),
                               profile_override=data.get("profile_override"),
                               version=version if isinstance(version, int) else None)
    return json_response(form_json(_reload(request, saved.pk), _findings(saved)))


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
    ids = [i for i in data.get("ids", []) if isinstance(i, int)]
    chosen = list(access.visible_forms(request.user).filter(pk__in=ids))
    if not chosen:
        raise ServiceError("ids 中没有您可查看的表。", {"ids": ["为空"]})
    return download(exports.export_zip(chosen, str(data.get("format", "pdf"))), "绩效自评表.zip")


@api_view
@pages.allow("POST")
def check(request: HttpRequest) -> HttpResponse:
    """Exactly what `jixiao check --format json` prints for the uploaded files; nothing is stored."""
    uploads = [(f.name, f.read()) for f in request.FILES.getlist("file") + request.FILES.getlist("files")]
    if not uploads:
        raise ServiceError("请以 multipart/form-data 上传文件（字段名 file）。", {"file": ["缺少"]})
    return json_response(imports.check_upload(uploads, request.POST.get("profile", "auto") or "auto"))


@api_view
@pages.allow("POST")
def evaluate(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    return json_response(evaluation.evaluate_record(data.get("form") or {}, str(data.get("profile", "") or "")))


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
    path("evaluate", evaluate, name="api-evaluate"),
    path("units", units, name="api-units"),
]
