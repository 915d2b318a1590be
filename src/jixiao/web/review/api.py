"""The review side in the JSON API (/api/…): transitions, review state, history, rounds, draws, overview,
and the published forms. Authentication and errors are the web API's (`api_view`: session or Bearer)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from jixiao.reports import overview as reports_overview
from jixiao.web import pages
from jixiao.web.after import queue as dept_queue
from jixiao.web.api import api_view, form_json, json_body, json_response
from jixiao.web.forms import access, filters
from jixiao.web.forms import history as record_history
from jixiao.web.forms.errors import PermissionDenied, Refused, ServiceError
from jixiao.web.models import Phase
from jixiao.web.ops.params import query_int
from jixiao.web.pages import download
from jixiao.web.review import overview as year_overview
from jixiao.web.review import publication, workflow
from jixiao.web.review import recheck as rechecks
from jixiao.web.review import rounds as round_service

MAX_PAGE_SIZE = 200


def _refused(e: Refused) -> JsonResponse:
    return json_response({"error": e.message, "errors": e.errors, "items": e.items}, status=e.status)


@api_view
@pages.allow("POST")
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """{"action": "submit"|"withdraw"|"return"|"approve"|"recheck"|"publish"|"unpublish", "comment": "…", "field": "indicators[2].score"}"""
    form = access.get_visible(request.user, pk)
    data = json_body(request)
    cells = [workflow.Cell(c.text("field", max_length=200), c.text("comment")) for c in data.objects("cells")]
    if field := data.text("field", max_length=200):
        cells.insert(0, workflow.Cell(field, data.text("field_comment") or data.text("comment")))
    try:
        done = workflow.transition(form, request.user, data.text("action", max_length=20), data.text("comment"), cells)
    except Refused as e:
        return _refused(e)
    return json_response({**form_json(access.get_visible(request.user, done.pk)), "review": workflow.review_state(done, request.user)})


@api_view
@pages.allow("POST")
def batch(request: HttpRequest) -> HttpResponse:
    """{"ids": [3, 7], "action": "approve"|"return"|"publish", "comment": "…"} — each form as one transition."""
    data = json_body(request)
    try:
        result = workflow.transition_many(request.user, data.ids("ids", BATCH_MAX), data.text("action", max_length=20),
                                          data.text("comment"))
    except Refused as e:
        return _refused(e)
    return json_response({"message": result.message(), "done": [f.pk for f in result.done],
                          "failed": [{"form": name, "error": why} for name, why in result.failed]})


BATCH_MAX = 200


@api_view
def form_review(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    return json_response(workflow.review_state(form, request.user))


@api_view
def history(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    return json_response({"id": form.pk, "version": form.version, "timeline": workflow.timeline(form)})


@api_view
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    a, b = query_int(request.GET, "from"), query_int(request.GET, "to", form.version)
    if a is None or b is None:
        raise ServiceError("请以 ?from=版本&to=版本 指定要比较的两个版本。", {"from": ["缺少"]})
    return json_response({"from": a, "to": b, "changes": record_history.version_diff(form, a, b)})


@api_view
@pages.allow("POST")
def recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """{"own_score": "92.5", "problems": "…", "finish": true} — finish also takes the "recheck" step."""
    form = access.get_visible(request.user, pk)
    data = json_body(request)
    own = data.get("own_score")
    if own is not None and (isinstance(own, bool) or not isinstance(own, str | int | float)):
        raise ServiceError("参数 own_score 应为分数（如 \"92.5\"）。", {"own_score": ["应为分数"]})
    problems = data.text("problems")
    try:
        rechecks.record_recheck(request.user, form, "" if own is None else str(own), problems)
        if data.flag("finish"):
            workflow.transition(form, request.user, "recheck", problems)
    except Refused as e:
        return _refused(e)
    form = access.get_visible(request.user, pk)
    return json_response(workflow.review_state(form, request.user))


@api_view
def review_forms(request: HttpRequest) -> HttpResponse:
    """The forms behind an overview figure (filters: year, department, unit, phase, stage, grade, rate,
    errors, code, diff, sampled, q)."""
    params = {k: v for k, v in request.GET.items() if v and k not in ("page", "page_size")}
    qs = filters.filter_forms(request.user, params).select_related("unit", "department").order_by("pk")
    size = min(query_int(request.GET, "page_size", 50, minimum=1) or 50, MAX_PAGE_SIZE)
    page = Paginator(qs, max(size, 1)).get_page(request.GET.get("page"))
    return json_response({"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
                  "results": [form_json(f) for f in page],
                  # the department-wide forms under the same filters, beside the project forms (issue 12)
                  "dept_forms": dept_queue.queue(request.user, params) if page.number == 1 else []})


@api_view
@pages.allow("GET", "POST")
def rounds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = json_body(request)
        try:
            deadline = datetime.date.fromisoformat(str(data.get("deadline", "")))
        except ValueError:
            raise ServiceError("deadline 应为日期，如 2025-03-31。", {"deadline": ["格式不对"]}) from None
        r = round_service.create_round(
            request.user, year=data.integer("year", 0) or 0, phase=data.text("phase", Phase.SELF, max_length=20),
            title=data.text("title", max_length=300), deadline=deadline,
            departments=data.ids("departments", 10_000), note=data.text("note"),
        )
        return json_response(round_service.round_dict(r), status=201)
    return json_response([round_service.round_dict(r) for r in round_service.rounds_for(request.user)])


@api_view
def round_item(request: HttpRequest, pk: int) -> HttpResponse:
    r = round_service.rounds_for(request.user).filter(pk=pk).first()
    if r is None:
        raise ServiceError("没有找到此填报任务。", status=404)
    return json_response(round_service.round_status(r, request.user))


@api_view
def tasks(request: HttpRequest) -> HttpResponse:
    """What the user's units owe, per round, with deadline and days left."""
    return json_response(round_service.obligations(request.user))


@api_view
@pages.allow("GET", "POST")
def draws(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = json_body(request)
        share = data.get("share")
        if share is not None and (isinstance(share, bool) or not isinstance(share, str | int | float)):
            raise ServiceError("参数 share 应为比例，如 \"10%\" 或 0.1。", {"share": ["应为比例"]})
        d = rechecks.draw_sample(
            request.user, year=data.integer("year", 0) or 0, phase=data.text("phase", Phase.SELF, max_length=20),
            share=None if share is None else str(share), count=data.integer("count"), seed=data.integer("seed"),
            departments=data.ids("departments", 10_000),
        )
        return json_response(rechecks.draw_detail(d, request.user), status=201)
    if not access.is_finance(request.user):
        raise PermissionDenied("只有财政复核人员可以查看抽评。")
    return json_response([rechecks.draw_detail(d, request.user) for d in rechecks.draws_for(request.user)[:50]])


@api_view
def draw_item(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(rechecks.draw_detail(rechecks.get_draw(request.user, pk), request.user))


def _overview_data(request: HttpRequest) -> dict[str, Any]:
    year = query_int(request.GET, "year", maximum=9999)
    if year is None:
        raise ServiceError("请以 ?year= 指定年度。", {"year": ["缺少"]})
    department = query_int(request.GET, "department")
    phase = request.GET.get("phase") if request.GET.get("phase") in Phase.values else None
    return year_overview.with_dept(request.user, year, department, phase)


@api_view
def overview(request: HttpRequest) -> HttpResponse:
    data = _overview_data(request)
    return json_response({k: v for k, v in data.items() if k not in ("key", "cache_seconds")})  # the page cache's


@api_view
def overview_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The overview as .xlsx or .pdf (the same files as the page's export buttons)."""
    data = _overview_data(request)
    if fmt == "xlsx":
        return download(reports_overview.overview_xlsx(data), f"{data['year']}年度绩效自评总览.xlsx")
    if fmt == "pdf":
        return download(reports_overview.overview_pdf(data), f"{data['year']}年度绩效自评总览.pdf")
    raise ServiceError(f"不支持的格式「{fmt}」，可选 xlsx、pdf。", status=404)


def public_forms(request: HttpRequest) -> HttpResponse:
    """Published forms (no login): ?year=&department= ; each with its record (docs/domain.md §8)."""
    qs = publication.published_forms().select_related("unit", "department").order_by("year", "department_id", "pk")
    if (year := query_int(request.GET, "year")) is not None:
        qs = qs.filter(year=year)
    if (department := query_int(request.GET, "department")) is not None:
        qs = qs.filter(department_id=department)
    page = Paginator(qs, MAX_PAGE_SIZE).get_page(request.GET.get("page"))
    return json_response({"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
                  "results": [_public_json(f) for f in page]})


def public_form(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        form = publication.public_form(pk)
    except ServiceError as e:
        return json_response({"error": e.message}, status=404)
    return json_response(_public_json(form))


def _public_json(form: Any) -> dict[str, Any]:
    return {"id": form.pk, "year": form.year, "department": form.department.name if form.department else "",
            "unit": form.unit.name, "project": form.project, "stage": form.stage, "form": form.record,
            "recheck": _recheck(form)}


def _recheck(form: Any) -> dict[str, Any] | None:
    from jixiao.web.after.results import recheck_result  # the re-check beside the unit's own score (issue 12)

    return recheck_result(form)


urlpatterns = [
    path("forms/<int:pk>/transition", transition, name="api-review-transition"),
    path("forms/<int:pk>/review", form_review, name="api-review-form"),
    path("forms/<int:pk>/history", history, name="api-review-history"),
    path("forms/<int:pk>/diff", diff, name="api-review-diff"),
    path("forms/<int:pk>/recheck", recheck, name="api-review-recheck"),
    path("review/forms", review_forms, name="api-review-forms"),
    path("review/batch", batch, name="api-review-batch"),
    path("rounds", rounds, name="api-review-rounds"),
    path("rounds/<int:pk>", round_item, name="api-review-round"),
    path("tasks", tasks, name="api-review-tasks"),
    path("draws", draws, name="api-review-draws"),
    path("draws/<int:pk>", draw_item, name="api-review-draw"),
    path("overview", overview, name="api-review-overview"),
    path("overview.<str:fmt>", overview_export, name="api-review-overview-export"),
    path("public/forms", public_forms, name="api-public-forms"),
    path("public/forms/<int:pk>", public_form, name="api-public-form"),
]
