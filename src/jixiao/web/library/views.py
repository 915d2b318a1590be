"""The library's pages (Chinese): the list with statistics, an entry with its benchmark and history, a
department's indicators, proposals and their review, candidates, and import/export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from jixiao.core import library as core
from jixiao.web.forms.access import visible_orgs
from jixiao.web.forms.errors import ServiceError
from jixiao.web.library import benchmark, services, transfer
from jixiao.web.library.models import Entry, EntryChange, EntryStats, linked_usage
from jixiao.web.models import Org
from jixiao.web.ops.params import is_id

PER_PAGE = 50


def _error(request: HttpRequest, e: ServiceError) -> HttpResponse:
    return render(request, "jixiao/error.html", {"error": e}, status=e.status)


def get_entry(code: str) -> Entry:
    entry = Entry.objects.filter(code=code).first()
    if entry is None:
        raise Http404("指标库中没有这个指标。")
    return entry


def _int(value: str | None) -> int | None:
    return int(value) if value and is_id(value) else None


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    entries = Entry.objects.all()
    if q:
        entries = entries.filter(Q(search__contains=core.normalise_name(q)) | Q(code__icontains=q))
    if request.GET.get("status") in Entry.Status.values:
        entries = entries.filter(status=request.GET["status"])
    page = Paginator(entries.order_by("-uses", "code"), PER_PAGE).get_page(request.GET.get("page"))
    services.refresh_figures(list(page.object_list))
    rows = [(e, services.statistics(e, services.kept_of(e)))
            for e in Entry.objects.filter(pk__in=[e.pk for e in page.object_list]).select_related("stats")
            .defer("stats__chart").order_by("-uses", "code")]
    return render(request, "library/entry_list.html", {
        "rows": rows, "page": page, "q": q, "figures": services.figures(), "can_manage": services.can_manage(request.user),
        "pending": EntryChange.objects.filter(status=EntryChange.Status.PENDING).count()})


@login_required
def entry_detail(request: HttpRequest, code: str) -> HttpResponse:
    entry, kept = services.entry_with_stats(code, read=("page",))
    if entry is None:
        raise Http404("指标库中没有这个指标。")
    department = _int(request.GET.get("department"))
    unit = _int(request.GET.get("unit"))
    # Units to mark: those of the chosen department (a list of every unit of a city would be unreadable).
    units = (list(visible_orgs(request.user).filter(parent_id=department).order_by("pk").values_list("pk", "name"))
             if department else [])
    return render(request, "library/entry_detail.html", {
        "entry": entry, "body": _entry_body(entry, kept, department, unit, units), "department": department,
        "can_manage": services.can_manage(request.user)})


def _entry_body(entry: Entry, kept: EntryStats | None, department: int | None, unit: int | None,
                units: list[tuple[int, str]]) -> str:
    """The fields, benchmark, statistics and history of an entry page, rendered once per state of the entry (its
    updated_at moves with every change and proposal) and of its statistics: the whole entry's kept beside its
    statistics (every server process reads it with the entry, one query), a department's or a marked unit's per
    process."""
    from django.core.cache import cache

    if kept is None:  # computed now; the chart and page are then kept beside the statistics
        services.statistics(entry, None)
        entry, kept = services.entry_with_stats(entry.code, read=("page",))
        assert entry is not None
    whole = department is None and unit is None and kept is not None
    stamp = entry.updated_at.isoformat()
    if whole and kept is not None and kept.page and kept.page_stamp == stamp:
        return mark_safe(kept.page)  # rendered by the template engine, escaped there
    key = (f"library-entry:{entry.pk}:{stamp}:{kept.computed_at.timestamp() if kept else 0}:"
           f"{department}:{unit}:{hash(tuple(units))}")
    body: str | None = None if whole else cache.get(key)
    if body is None:
        bench = benchmark.cached(entry, kept, department, unit)
        body = render_to_string("library/_entry_body.html", {
            "entry": entry, "fields": _shown(services.record_of(entry)), "stats": services.statistics(entry, kept),
            "factor": services.settings().t11_factor, "bench": bench,
            "chart": mark_safe(bench["svg"]),  # built from escaped parts
            "departments": bench["departments"], "department": department,
            "units": units, "unit": unit, "history": services.history(entry)})
        if whole and kept is not None:
            EntryStats.objects.filter(pk=kept.pk).update(page=body, page_stamp=stamp)  # keeps computed_at
        elif kept is not None:
            cache.set(key, body, 3600)
    return mark_safe(body)


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = Org.objects.filter(pk=pk, kind=Org.Kind.DEPARTMENT).first()
    if department is None:
        raise Http404("没有这个主管部门。")
    ids = linked_usage().filter(department=department).values("entry_id")
    rows = []
    for entry in Entry.objects.filter(pk__in=ids).select_related("stats").defer("stats__chart").order_by("-uses", "code")[:200]:
        stats = services.statistics(entry, services.kept_of(entry))
        mine = next((g for g in stats["by_department"] if g["key"] == department.name), None)
        rows.append((entry, stats, mine))
    return render(request, "library/department.html", {"department": department, "rows": rows})


@login_required
def entry_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    entry = get_entry(code)
    bench = benchmark.build(entry, _int(request.GET.get("department")))
    header = ["年度", "实施单位", "主管部门", "项目", "年度指标值", "实际完成值", f"目标（{bench.measure}）",
              f"实际（{bench.measure}）", "是否完成", "离群"]
    rows = [[p.year, p.unit, p.department, p.project, p.target_text, p.actual_text,
             None if p.target is None else float(p.target), None if p.actual is None else float(p.actual),
             {True: "是", False: "否", None: ""}[p.met], p.outlier] for p in bench.points]
    return _download(transfer.table_xlsx(header, rows, "对标"), f"{entry.code}-对标.xlsx", "xlsx")


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    from urllib.parse import quote

    from jixiao.web.content_types import content_type

    response = HttpResponse(data, content_type=content_type(fmt))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in transfer.FORMATS:
        raise Http404("不支持的导出格式。")
    return _download(transfer.export(fmt), f"指标库.{fmt}", fmt)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not services.can_manage(request.user):
        return _error(request, services.PermissionDenied("只有财政部门（财政复核或管理员）可以导入指标库。"))
    if request.method != "POST":
        return render(request, "library/import.html", {})
    upload = request.FILES.get("file")
    if upload is None:
        return render(request, "library/import.html", {"error": "请选择要导入的文件（.json、.csv 或 .xlsx）。"},
                      status=400)
    data = upload.read()
    confirm = request.POST.get("confirm") == "1"
    try:
        report = transfer.import_entries(request.user, upload.name or "", data, confirm=confirm)
    except ServiceError as e:
        return render(request, "library/import.html", {"error": e.message}, status=400)
    if report.confirmed:
        messages.success(request, f"已导入：新增 {report.count('新增')} 条，修改 {report.count('修改')} 条。")
        return redirect("library-list")
    return render(request, "library/import.html", {"report": report, "filename": upload.name, "counts": _counts(report),
                                                   "payload": data.hex() if len(data) < 2_000_000 else ""})


def _counts(report: transfer.ImportReport) -> dict[str, int]:
    return {"new": report.count("新增"), "changed": report.count("修改"), "same": report.count("不变")}


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the previewed file (sent back as hex from the preview page: nothing is kept between the two)."""
    try:
        data = bytes.fromhex(request.POST.get("payload", ""))
        report = transfer.import_entries(request.user, request.POST.get("filename", ""), data, confirm=True)
    except ValueError:
        return render(request, "library/import.html", {"error": "预览已失效，请重新上传文件。"}, status=400)
    except ServiceError as e:
        return render(request, "library/import.html", {"error": e.message}, status=e.status)
    if not report.confirmed:
        return render(request, "library/import.html", {"report": report, "filename": request.POST.get("filename"),
                                                       "counts": _counts(report), "error": "文件中仍有错误，未导入。"},
                      status=400)
    messages.success(request, f"已导入：新增 {report.count('新增')} 条，修改 {report.count('修改')} 条。")
    return redirect("library-list")


def _shown(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The filled fields of an entry record as (key, caption, text)."""
    def text(key: str, value: Any) -> str:
        if key == "common":
            return "是" if value else "否"
        if key == "aliases":
            return "；".join(value)
        if key == "status":
            return dict(Entry.Status.choices).get(value, value)
        return "" if value is None else str(value)

    return [(k, c, text(k, record.get(k))) for k, c in core.FIELDS if k != "name" and text(k, record.get(k))]


def _record_from_post(data: Any) -> dict[str, Any]:
    record = {key: data.get(key, "") for key, _ in core.FIELDS}
    record["common"] = data.get("common") == "on"
    return record


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    """A form to propose a new entry (入库), a change (修改) or retiring one (出库)."""
    code = request.GET.get("code") or request.POST.get("code", "")
    entry = Entry.objects.filter(code=code).first() if code else None
    action = request.GET.get("action") or request.POST.get("action") or ("change" if entry else "add")
    record = services.record_of(entry) if entry else {k: "" for k, _ in core.FIELDS}
    if request.GET.get("name"):  # from a candidate
        record.update(name=request.GET["name"], level2=request.GET.get("level2", ""), unit=request.GET.get("unit", ""))
    errors = ""
    if request.method == "POST":
        record = _record_from_post(request.POST)
        try:
            services.propose(request.user, action, record, request.POST.get("reason", ""))
        except ServiceError as e:
            errors = e.message
        else:
            messages.success(request, "已提交申请，待财政部门审核。")
            return redirect("library-changes")
    if isinstance(record.get("aliases"), list):
        record["aliases"] = "；".join(record["aliases"])
    fields = [(k, c, record.get(k, "")) for k, c in core.FIELDS if k != "schema"]
    return render(request, "library/propose.html", {"fields": fields, "action": action,
                                                    "actions": EntryChange.Action.choices, "error": errors,
                                                    "entry": entry}, status=400 if errors else 200)


@login_required
def changes(request: HttpRequest) -> HttpResponse:
    rows = EntryChange.objects.select_related("proposed_by", "decided_by")
    status = request.GET.get("status", EntryChange.Status.PENDING)
    if status in EntryChange.Status.values:
        rows = rows.filter(status=status)
    return render(request, "library/changes.html", {"changes": rows[:200], "status": status,
                                                    "statuses": EntryChange.Status.choices,
                                                    "can_manage": services.can_manage(request.user)})


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        change = services.decide(request.user, pk, request.POST.get("decision") == "approve",
                                 request.POST.get("comment", ""))
    except ServiceError as e:
        return _error(request, e)
    messages.success(request, f"{change.code}：{change.get_action_display()}申请{change.get_status_display()}。")
    return redirect("library-changes")


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    return render(request, "library/candidates.html", {"candidates": services.candidates(),
                                                       "similar": services.similar_links(),
                                                       "can_manage": services.can_manage(request.user)})


@login_required
@require_POST
def confirm_similar(request: HttpRequest) -> HttpResponse:
    try:
        count = services.confirm_similar(request.user, request.POST.get("name", ""), request.POST.get("entry", ""))
    except ServiceError as e:
        return _error(request, e)
    messages.success(request, f"已确认 {count} 个指标行对应 {request.POST.get('entry')}。")
    return redirect("library-candidates")


urlpatterns = [
    path("library/", entry_list, name="library-list"),
    path("library/entries/<str:code>/", entry_detail, name="library-entry"),
    path("library/entries/<str:code>/benchmark.xlsx", entry_xlsx, name="library-entry-xlsx"),
    path("library/departments/<int:pk>/", department_detail, name="library-department"),
    path("library/export.<str:fmt>", export, name="library-export"),
    path("library/import/", import_view, name="library-import"),
    path("library/import/confirm/", import_confirm, name="library-import-confirm"),
    path("library/propose/", propose, name="library-propose"),
    path("library/changes/", changes, name="library-changes"),
    path("library/changes/<int:pk>/decide/", decide, name="library-decide"),
    path("library/candidates/", candidates, name="library-candidates"),
    path("library/candidates/confirm/", confirm_similar, name="library-confirm-similar"),
]
