"""The library in the JSON API (/api/library/…): suggestions and row comparisons for the editors, entries,
statistics and benchmarks. Authentication and errors are the web API's (`api_view`)."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from jixiao.core.model import RecordError
from jixiao.web.api import api_view, json_body, json_response
from jixiao.web.forms.access import visible_orgs
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.forms.evaluation import parse_record, profile_for
from jixiao.web.library import benchmark, checks, services
from jixiao.web.library.models import EntryChange
from jixiao.web.library.views import _int, get_entry
from jixiao.web.presenters import record_from_post

MAX_PAGE_SIZE = 200


@api_view
def suggest(request: HttpRequest) -> HttpResponse:
    """?q=typed name&level2=&year= → entries with explanation, usual operator and unit, peers' median target."""
    year = _int(request.GET.get("year"))
    found = services.suggest(request.GET.get("q", ""), request.GET.get("level2", ""), year,
                             min(_int(request.GET.get("limit")) or 8, 20))
    return json_response({"items": found})


@api_view
@require_http_methods(["POST"])
def compare(request: HttpRequest) -> HttpResponse:
    """The editor's fields (form-encoded, as the editor posts them) or {"form": record, "unit": id, "form_id": id}."""
    if request.content_type == "application/json":
        data = json_body(request)
        record, unit, form_id = data.get("form") or {}, data.get("unit"), data.get("form_id")
        profile, rows = str(data.get("profile", "")), None
    else:
        parsed = record_from_post(request.POST)
        record, unit, form_id = parsed.record, _int(request.POST.get("unit_id")), _int(request.POST.get("form_id"))
        profile, rows = request.POST.get("profile_override", ""), parsed.indicator_rows
    try:
        form = parse_record(record)
    except (RecordError, ServiceError) as e:
        raise ServiceError(f"表单内容有误：{e}") from e
    if unit is not None and not visible_orgs(request.user).filter(pk=unit).exists():
        raise PermissionDenied("您不能查看该单位的数据。")
    profile = profile or profile_for(form.year)
    result = checks.compare(form, unit if isinstance(unit, int) else None, profile,
                              form_id if isinstance(form_id, int) else None)
    return json_response({**result, "indicator_rows": rows})


@api_view
def entries(request: HttpRequest) -> HttpResponse:
    from jixiao.web.library.models import Entry

    qs = Entry.objects.order_by("-uses", "code")
    size = min(_int(request.GET.get("page_size")) or 50, MAX_PAGE_SIZE)
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    return json_response({"count": page.paginator.count, "page": page.number,
                          "items": [{**services.record_of(e), "uses": e.uses, "units": e.units_using,
                                     "median_target": e.median_target} for e in page.object_list]})


@api_view
def entry(request: HttpRequest, code: str) -> HttpResponse:
    e = get_entry(code)
    return json_response({**services.record_of(e), "statistics": services.statistics(e),
                          "history": [{"action": c.action, "status": c.status, "reason": c.reason,
                                       "proposed_at": c.proposed_at.isoformat(),
                                       "decided_at": c.decided_at.isoformat() if c.decided_at else None,
                                       "record": c.record, "before": c.before}
                                      for c in services.history(e)]})


@api_view
def stats(request: HttpRequest, code: str) -> HttpResponse:
    """The entry's statistics; the JSON text is kept per process under the statistics' time stamp."""
    from django.core.cache import cache

    entry, kept = services.entry_with_stats(code, read=())
    if entry is None:
        raise Http404("指标库中没有这个指标。")
    if kept is None:
        return json_response(services.statistics(entry, None))
    key = f"library-stats:{entry.pk}:{kept.computed_at.timestamp()}"
    body: bytes | None = cache.get(key)
    if body is None:
        body = json.dumps(services.statistics(entry, kept), ensure_ascii=False).encode()
        cache.set(key, body, 3600)
    return HttpResponse(body, content_type="application/json")


@api_view
def bench(request: HttpRequest, code: str) -> HttpResponse:
    return json_response(benchmark.build(get_entry(code), _int(request.GET.get("department"))).as_dict())


@api_view
@require_http_methods(["POST"])
def change(request: HttpRequest) -> HttpResponse:
    """{"action": "add"|"change"|"retire", "record": {jixiao.indicator/1}, "reason": "…"} → a pending change."""
    data = json_body(request)
    done = services.propose(request.user, str(data.get("action", "")), data.get("record") or {},
                            str(data.get("reason", "")))
    return json_response({"id": done.pk, "status": done.status}, status=201)


@api_view
@require_http_methods(["POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request)
    done = services.decide(request.user, pk, data.get("decision") == "approve", str(data.get("comment", "")))
    return json_response({"id": done.pk, "status": done.status, "code": done.code})


@api_view
def pending(request: HttpRequest) -> HttpResponse:
    rows = EntryChange.objects.filter(status=EntryChange.Status.PENDING)[:MAX_PAGE_SIZE]
    return json_response({"items": [{"id": c.pk, "code": c.code, "action": c.action, "record": c.record,
                                     "reason": c.reason} for c in rows]})


@api_view
@require_http_methods(["POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """{"entry": code}: the user confirms that indicator row pk (a similar name) is that entry."""
    done = services.confirm_link(request.user, pk, str(json_body(request).get("entry", "")))
    return json_response({"id": done.pk, "entry": done.entry.code if done.entry else None, "how": done.how})


urlpatterns = [
    path("library/suggest", suggest, name="api-library-suggest"),
    path("library/compare", compare, name="api-library-compare"),
    path("library/entries", entries, name="api-library-entries"),
    path("library/entries/<str:code>", entry, name="api-library-entry"),
    path("library/entries/<str:code>/statistics", stats, name="api-library-stats"),
    path("library/entries/<str:code>/benchmark", bench, name="api-library-benchmark"),
    path("library/changes", change, name="api-library-change"),
    path("library/usages/<int:pk>/confirm", confirm, name="api-library-confirm"),
    path("library/changes/pending", pending, name="api-library-pending"),
    path("library/changes/<int:pk>/decide", decide, name="api-library-decide"),
]
